"""The solutions of the chapter's exercises do what the exercises ask."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.bpe import GPT4_SPLIT_PATTERN, train_straightforward
from zero_to_hero.bpe.exercises import (
    bytes_per_token,
    decode_stream,
    merges_from_ranks,
    tied_merges,
)


def test_tied_merges_on_known_cases(taylorswift):
    assert tied_merges(["abcd"], 1) == [0]  # three pairs, each once
    assert tied_merges(["aaab"], 1) == []  # (a, a) twice beats (a, b) once
    assert tied_merges([], 5) == []
    # on taylorswift.txt (GPT-4 split) the first tie is the 23rd merge (' T' and 'ft')
    chunks = regex.findall(GPT4_SPLIT_PATTERN, taylorswift)
    assert tied_merges(chunks, 25)[0] == 22


@settings(max_examples=200)
@given(text=st.text(max_size=40))
def test_decode_stream_joins_to_decode_and_never_splits_a_character(trained, text):
    tok = trained["regex-gpt4"]
    ids = tok.encode(text, allowed_special="none")
    pieces = list(decode_stream(tok, ids))
    assert "".join(pieces) == tok.decode(ids) == text
    assert all("\ufffd" not in p for p in pieces) or "\ufffd" in text


def test_decode_stream_ends_an_unfinished_character_with_a_replacement(trained):
    assert list(decode_stream(trained["basic"], [0xE2, 0x82])) == ["\ufffd"]


def test_bytes_per_token_grows_with_the_vocabulary(taylorswift):
    ratios = bytes_per_token(
        taylorswift[:30_000], [256, 300, 400, 600], GPT4_SPLIT_PATTERN
    )
    assert ratios[256] == 1.0
    values = list(ratios.values())
    assert values == sorted(values) and values[-1] > 2


def test_merges_from_ranks_recovers_a_trained_merge_list(trained):
    tok = trained["regex-gpt4"]
    ranks = {token: i for i, token in tok.vocab.items()}
    assert merges_from_ranks(ranks) == list(tok.merges)


def test_merges_from_ranks_recovers_random_merge_lists():
    @settings(max_examples=100)
    @given(text=st.text(st.sampled_from("ab c"), max_size=40), n=st.integers(0, 20))
    def check(text, n):
        from zero_to_hero.bpe import BasicTokenizer

        merges = train_straightforward([text], n)
        tok = BasicTokenizer()
        tok._set_state(merges)
        assert merges_from_ranks({t: i for i, t in tok.vocab.items()}) == merges

    check()
