"""The two trainers: the textbook steps, the tie rule, and identical merges on random
corpora."""

from __future__ import annotations

import warnings

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.bpe import (
    GPT4_SPLIT_PATTERN,
    BasicTokenizer,
    RegexTokenizer,
    TrainingStoppedEarly,
    count_pairs,
    merge,
    train_fast,
    train_straightforward,
)

WIKIPEDIA = "aaabdaaabac"


def test_count_pairs_counts_overlapping_pairs_in_order_of_first_appearance():
    counts = count_pairs([5, 5, 5, 6, 5, 5])
    assert counts == {(5, 5): 3, (5, 6): 1, (6, 5): 1}
    assert list(counts) == [(5, 5), (5, 6), (6, 5)]
    assert count_pairs([7, 8], counts) is counts and counts[7, 8] == 1


def test_merge_replaces_left_to_right_without_overlap():
    assert merge([1, 1, 1], (1, 1), 9) == [9, 1]
    assert merge([1, 1, 1, 1], (1, 1), 9) == [9, 9]
    assert merge([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert merge([2, 1], (1, 2), 9) == [2, 1]


@pytest.mark.parametrize("trainer", ["fast", "straightforward"])
@pytest.mark.parametrize("cls", [BasicTokenizer, RegexTokenizer])
def test_wikipedia_example(cls, trainer):
    """aa -> Z, then Za (aaa) -> Y, then Yb (aaab) -> X: the published example's
    result."""
    tok = cls().train(WIKIPEDIA, 256 + 3, trainer=trainer)
    assert tok.encode(WIKIPEDIA) == [258, 100, 258, 97, 99]
    assert [tok.vocab[i] for i in (256, 257, 258)] == [b"aa", b"aaa", b"aaab"]
    assert tok.decode(tok.encode(WIKIPEDIA)) == WIKIPEDIA


def test_ties_go_to_the_pair_that_occurs_first():
    # every pair occurs once: the merges follow the text from left to right
    assert train_straightforward(["abcd"], 1) == [(97, 98)]
    assert train_fast(["abcd"], 1) == [(97, 98)]
    # (c, d) and (a, b) both occur twice; (c, d) comes first in the text
    text = ["cdab", "abcd"]
    assert train_straightforward(text, 1) == train_fast(text, 1) == [(99, 100)]
    # the same corpus in another order breaks the tie the other way: the rule is
    # documented
    assert train_fast(text[::-1], 1) == [(97, 98)]


def test_training_is_deterministic(taylorswift):
    a = RegexTokenizer().train(taylorswift[:20_000], 400).merges
    b = RegexTokenizer().train(taylorswift[:20_000], 400).merges
    assert a == b and list(a) == list(b)


@pytest.mark.parametrize("pattern", [None, GPT4_SPLIT_PATTERN])
def test_trainers_agree_on_real_text(taylorswift, pattern):
    text = taylorswift[:15_000]
    chunks = regex.findall(pattern, text) if pattern else [text]
    assert train_fast(chunks, 300) == train_straightforward(chunks, 300)


# Small alphabets and repeated letters make ties and overlapping runs (aaaa) common.
corpora = st.lists(
    st.text(alphabet=st.sampled_from("aab \nébc😀"), max_size=30),
    min_size=0,
    max_size=6,
)


@settings(max_examples=300)
@given(chunks=corpora, num_merges=st.integers(0, 30))
def test_trainers_learn_identical_merges(chunks, num_merges):
    fast = train_fast(chunks, num_merges)
    assert fast == train_straightforward(chunks, num_merges)
    assert len(fast) <= num_merges


@settings(max_examples=200)
@given(text=st.text(alphabet=st.sampled_from("ab ,.1\n'sxé"), max_size=80))
def test_trainers_agree_through_the_tokenizer_api(text):
    for cls in (BasicTokenizer, RegexTokenizer):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingStoppedEarly)
            fast = cls().train(text, 256 + 20)
            slow = cls().train(text, 256 + 20, trainer="straightforward")
        assert fast.merges == slow.merges
        assert fast.encode(text) == slow.encode(text)


def test_running_out_of_pairs_stops_with_a_warning():
    with pytest.warns(TrainingStoppedEarly, match="stopped after 2 of 10 merges"):
        tok = BasicTokenizer().train("abc", 266)
    assert len(tok.merges) == 2 and tok.encode("abc") == [257]
    with pytest.warns(TrainingStoppedEarly, match="after 0 of 1 merges"):
        RegexTokenizer().train("", 257)


@pytest.mark.parametrize(
    "vocab_size, error, message",
    [
        (255, ValueError, "at least 256"),
        (-1, ValueError, "at least 256"),
        (300.0, TypeError, "must be an int"),
        (True, TypeError, "must be an int"),
    ],
)
def test_bad_vocab_sizes_are_refused(vocab_size, error, message):
    with pytest.raises(error, match=message):
        BasicTokenizer().train("hello", vocab_size)


def test_other_bad_training_arguments_are_refused():
    with pytest.raises(TypeError, match="as a str"):
        BasicTokenizer().train(b"bytes", 300)
    with pytest.raises(ValueError, match="'fast' or 'straightforward'"):
        BasicTokenizer().train("hello", 300, trainer="quick")
    tok = BasicTokenizer()
    tok.register_special_tokens({"<|end|>": 300})
    with pytest.raises(ValueError, match="ids >= 512"):
        tok.train("hello", 512)


def test_the_fast_trainer_refuses_more_merges_than_its_pair_encoding_holds():
    with pytest.raises(ValueError, match="merges are supported"):
        train_fast(["ab"], 1 << 24)
