"""The lecture-shaped tokenizers the pages list give what the package's tokenizers give:
the same merges, in the same order, the same ids and the same decoded text."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bpe.test_tokenizer import texts
from zero_to_hero.bpe import (
    GPT2_SPLIT_PATTERN,
    BasicTokenizer,
    RegexTokenizer,
    TrainingStoppedEarly,
    lecture,
)

PAIRS = [
    (lecture.BasicTokenizer, BasicTokenizer, {}),
    (lecture.RegexTokenizer, RegexTokenizer, {}),
    (lecture.RegexTokenizer, RegexTokenizer, {"pattern": GPT2_SPLIT_PATTERN}),
]
IDS = ["basic", "regex-gpt4", "regex-gpt2"]


def both(pair, text: str, vocab_size: int):
    """The lecture tokenizer and the package's, each trained on `text`."""
    simple, package, options = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingStoppedEarly)
        ours = package(**options).train(text, vocab_size)
    return simple(**options).train(text, vocab_size), ours


def assert_same(simple, package, text: str) -> None:
    assert list(simple.merges.items()) == list(package.merges.items())
    assert simple.vocab == package.vocab
    ids = simple.encode(text)
    assert ids == package.encode(text, allowed_special="none")
    assert simple.decode(ids) == package.decode(ids) == text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pair", "vocab_size"), [(PAIRS[0], 512), (PAIRS[1], 320)], ids=IDS[:2]
)
def test_the_same_tokenizer_on_the_taylor_swift_article(taylorswift, pair, vocab_size):
    """The basic tokenizer of the first page's example (vocabulary 512), and a regex
    one (the lecture's straightforward trainer takes seconds for each)."""
    simple, package = both(pair, taylorswift, vocab_size)
    assert len(simple.merges) == vocab_size - 256
    assert_same(simple, package, taylorswift)


# Pieces of a small alphabet make ties, runs like "aaaa" and merges that compete for the
# same bytes ("ab" or "bc" in "abc") the rule.
PIECES = ["a", "b", "c", "ab", "bc", "abc", "aa", " ", "\n", "'s", "é", "😀", "1"]
corpora = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_the_same_merges_ids_and_text_on_generated_strings(pair):
    @settings(max_examples=150, deadline=None)
    @given(
        corpus=corpora,
        probe=corpora,
        other=texts,
        vocab_size=st.integers(256, 320),
    )
    def check(corpus, probe, other, vocab_size):
        simple, package = both(pair, corpus, vocab_size)
        assert_same(simple, package, corpus)
        # text it was not trained on: of the same letters, and of any
        assert_same(simple, package, probe)
        assert_same(simple, package, other)

    check()


SPECIALS = {"<|endoftext|>": 400, "<|fim|>": 401, "<|a|>b": 402, "<|a|>": 403}
pieces = st.one_of(st.sampled_from(sorted(SPECIALS)), texts)
with_specials = st.lists(pieces, max_size=6).map("".join)


@pytest.fixture(scope="module")
def trained_pair(taylorswift):
    simple, package = both(PAIRS[1], taylorswift[:5_000], 400)
    simple.register_special_tokens(SPECIALS)
    package.register_special_tokens(SPECIALS)
    return simple, package


@settings(max_examples=300, deadline=None)
@given(
    text=with_specials,
    allowed=st.sampled_from(["all", "none", "raise", {"<|a|>"}, {"<|a|>b", "<|fim|>"}]),
)
def test_special_tokens_are_handled_alike(trained_pair, text, allowed):
    simple, package = trained_pair
    try:
        expected = package.encode(text, allowed_special=allowed)
    except ValueError:  # a special token that is not allowed: both refuse the text
        with pytest.raises(ValueError, match="is not allowed"):
            simple.encode(text, allowed_special=allowed)
        return
    assert simple.encode(text, allowed_special=allowed) == expected
    assert simple.decode(expected) == package.decode(expected) == text


def test_special_tokens_become_their_ids_or_an_error():
    tok = lecture.RegexTokenizer().train("low lower lowest", 260)
    tok.register_special_tokens({"<|end|>": 260})
    assert tok.encode("low<|end|>", allowed_special="all")[-1] == 260
    assert 260 not in tok.encode("low<|end|>", allowed_special="none")
    assert tok.decode(tok.encode("low<|end|>", allowed_special="all")) == "low<|end|>"
    with pytest.raises(ValueError, match=re.escape("'<|end|>' is not allowed")):
        tok.encode("low<|end|>")


def test_the_tokenizer_module_knows_nothing_of_files_or_printing():
    """tokenizer.py imports neither storage nor render, not even inside a function: the
    import cycle tokenizer -> storage -> tokenizer is gone for good."""
    import zero_to_hero.bpe.tokenizer as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert "zero_to_hero.bpe.basics" in imported  # the walk does see the imports
    assert not {"zero_to_hero.bpe.storage", "zero_to_hero.bpe.render"} & imported
    assert not {"save", "load", "vocab_dump"} & set(vars(module.Tokenizer))
