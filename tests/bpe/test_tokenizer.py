"""Encoding and decoding: exact round trips, special tokens, and clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.bpe import BasicTokenizer, RegexTokenizer
from zero_to_hero.bpe.encoding import apply_merges, apply_merges_heap
from zero_to_hero.reference import anchor

KINDS = ["basic", "regex-gpt4", "regex-gpt2", "gpt2"]

# Text that stresses byte-level BPE: emoji (4 bytes, with joiners and skin tones), CJK,
# Korean, combining marks (e + U+0301), Devanagari, runs of spaces, tabs and newlines,
# digits, and the apostrophes of the contractions the split patterns special-case.
TRICKY = (
    "👩🏽‍💻🎉",
    "日本語のテキスト",
    "안녕하세요",
    "e\u0301\u0301",
    "नमस्ते",
    "   \t\n\n  ",
    "12345",
    "don't I'LL we've",
    "\r\n",
    "\u200b",
    "ÿ",
    "<|endoftext|>",
)
texts = st.lists(
    st.one_of(
        st.sampled_from(TRICKY), st.text(max_size=12), st.text(" \n\t", max_size=5)
    ),
    max_size=8,
).map("".join)


@pytest.mark.parametrize("kind", KINDS)
def test_decode_inverts_encode_on_500_unicode_strings(trained, kind):
    tok = trained[kind]

    @settings(max_examples=500)
    @given(text=texts)
    def round_trip(text):
        ids = tok.encode(text, allowed_special="none")
        assert tok.decode(ids) == text
        assert all(isinstance(i, int) and i in tok.vocab for i in ids)

    round_trip()


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_of_the_training_text(trained, taylorswift, kind):
    tok = trained[kind]
    assert tok.decode(tok.encode(taylorswift)) == taylorswift


def test_basic_tokenizer_on_taylorswift_gives_the_published_token_count(
    trained, taylorswift
):
    ids = trained["basic"].encode(taylorswift)
    assert len(ids) == anchor("bpe.taylorswift.basic512_tokens").value


@settings(max_examples=300)
@given(data=st.data())
def test_the_heap_encoder_equals_the_simple_one(trained, data):
    tok = trained[data.draw(st.sampled_from(KINDS))]
    text = data.draw(texts)
    ids = [tok.byte_ids[b] for b in text.encode("utf-8")]
    assert apply_merges_heap(ids, tok.merges) == apply_merges(ids, tok.merges)


def test_regex_tokenizer_never_merges_across_pieces(trained):
    tok = trained["regex-gpt4"]
    for i in tok.encode("hello world, it's 2024!\n\n"):
        piece = tok.vocab[i].decode("utf-8", errors="replace")
        assert len(tok._chunks(piece)) == 1


def test_the_chunk_cache_gives_the_same_ids(trained, taylorswift):
    tok = RegexTokenizer()
    tok._set_state(list(trained["regex-gpt4"].merges))
    first = tok.encode(taylorswift[:5000])
    assert tok._cache, "encoding fills the cache"
    assert tok.encode(taylorswift[:5000]) == first
    tok.train("new text", 260)  # training clears the cache
    assert not tok._cache


def test_decoding_part_of_a_character_gives_the_replacement_character():
    tok = BasicTokenizer()
    assert tok.decode([0x80]) == "\ufffd"  # a lone continuation byte
    assert tok.decode([0xE2, 0x82]) == "\ufffd"  # the first two bytes of €
    assert tok.decode([0xE2, 0x82, 0xAC]) == "€"
    assert tok.decode_bytes([0xE2, 0x82]) == b"\xe2\x82"


def test_unknown_and_non_integer_ids_are_clear_errors(trained):
    tok = trained["basic"]
    with pytest.raises(
        ValueError, match=r"unknown token id 512: this tokenizer has the ids 0\.\.511"
    ):
        tok.decode([104, 512])
    with pytest.raises(ValueError, match="unknown token id -1"):
        tok.decode(iter([-1]))
    with pytest.raises(TypeError, match="must be ints, got 'a'"):
        tok.decode(["a"])
    with pytest.raises(ValueError, match=r"and the special ids \[50256\]"):
        trained["gpt2"].decode([50257])
    with pytest.raises(TypeError, match="needs a str"):
        tok.encode(b"bytes")


# ----------------------------------------------------------------------- special tokens
@pytest.fixture
def with_specials(trained):
    tok = RegexTokenizer()
    tok._set_state(list(trained["regex-gpt4"].merges))
    tok.register_special_tokens(
        {"<|endoftext|>": 1024, "<|fim middle|>": 1025, "<|a|>b": 1026}
    )
    return tok


def test_allowed_special_all_encodes_each_marker_as_its_id(with_specials):
    tok = with_specials
    text = "hi<|endoftext|>there <|fim middle|>\n<|a|>b<|a|>"
    ids = tok.encode(text, allowed_special="all")
    assert ids.count(1024) == ids.count(1025) == ids.count(1026) == 1
    assert tok.decode(ids) == text
    assert tok.encode("<|endoftext|>", allowed_special="all") == [1024]


def test_allowed_special_none_encodes_markers_as_text(with_specials):
    tok = with_specials
    ids = tok.encode("<|endoftext|>", allowed_special="none")
    assert 1024 not in ids and len(ids) > 1
    assert tok.decode(ids) == "<|endoftext|>"


def test_by_default_a_marker_in_the_text_raises(with_specials):
    with pytest.raises(
        ValueError, match=r"contains the special token '<\|endoftext\|>' \(id 1024\)"
    ):
        with_specials.encode("user text <|endoftext|> more")
    assert with_specials.encode("no markers here") == with_specials.encode_ordinary(
        "no markers here"
    )


def test_a_set_allows_those_markers_and_raises_for_the_others(with_specials):
    tok = with_specials
    assert tok.encode("x<|endoftext|>", allowed_special={"<|endoftext|>"})[-1] == 1024
    with pytest.raises(ValueError, match="fim middle"):
        tok.encode("<|endoftext|><|fim middle|>", allowed_special={"<|endoftext|>"})
    with pytest.raises(ValueError, match="not registered"):
        tok.encode("x", allowed_special={"<|nope|>"})
    with pytest.raises(ValueError, match="must be 'all', 'none', 'raise' or a set"):
        tok.encode("x", allowed_special="yes")


@pytest.mark.parametrize(
    "specials, message",
    [
        ({"": 2000}, "non-empty str"),
        ({"<|x|>": 5}, "ids 0..1023 belong to ordinary tokens"),
        ({"<|x|>": -3}, "non-negative int"),
        ({"<|x|>": 1024}, "already the special token"),
        ({"<|endoftext|>": 2000}, "already has id 1024"),
        ({"\ud800": 2000}, "not valid Unicode"),
    ],
)
def test_bad_special_tokens_are_refused(with_specials, specials, message):
    with pytest.raises(ValueError, match=message):
        with_specials.register_special_tokens(specials)


def test_bad_patterns_are_refused():
    with pytest.raises(ValueError, match="does not compile"):
        RegexTokenizer("(unclosed")
    with pytest.raises(ValueError, match="skips part of the text"):
        RegexTokenizer(r"\p{L}+").encode("hello world")
    with pytest.raises(TypeError, match="pattern must be a str"):
        RegexTokenizer(None)


def test_from_merges_rebuilds_a_tokenizer_and_checks_what_it_is_given(trained):
    text = "Hello world<|endoftext|> 日本"
    for kind in ("regex-gpt2", "gpt2"):
        tok = trained[kind]
        again = RegexTokenizer.from_merges(
            tok.merges, tok.byte_ids, tok.special_tokens, pattern=tok.pattern
        )
        assert list(again.merges.items()) == list(tok.merges.items())
        assert again.encode(text, allowed_special="all") == tok.encode(
            text, allowed_special="all"
        )
    assert BasicTokenizer.from_merges([(97, 97)]).encode("aaa") == [256, 97]
    with pytest.raises(ValueError, match=r"merge 1 repeats the pair \(97, 98\)"):
        BasicTokenizer.from_merges([(97, 98), (97, 98)])
    with pytest.raises(ValueError, match=r"each of the ids 0\.\.255 exactly once"):
        BasicTokenizer.from_merges([], byte_ids=[0] * 256)
    with pytest.raises(TypeError):
        BasicTokenizer.from_merges([], pattern="a basic tokenizer has no pattern")
