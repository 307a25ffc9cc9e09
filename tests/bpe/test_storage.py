"""Save and load: exact round trips of every part, and clear errors for every kind of
bad file."""

from __future__ import annotations

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zero_to_hero.bpe import BasicTokenizer, RegexTokenizer, Tokenizer
from zero_to_hero.bpe.render import tokens_html, vocab_dump
from zero_to_hero.bpe.storage import TokenizerFileError, load, save

SAMPLE = "Hello, world! It's 2024 👋 — 日本語\n\n  spaces   and\ttabs<|endoftext|>"


def same(a: Tokenizer, b: Tokenizer) -> None:
    assert type(a) is type(b)
    assert list(a.merges.items()) == list(b.merges.items())
    assert a.byte_ids == b.byte_ids
    assert a.pattern == b.pattern
    assert a.special_tokens == b.special_tokens
    assert a.encode(SAMPLE, allowed_special="all") == b.encode(
        SAMPLE, allowed_special="all"
    )


@pytest.mark.parametrize("kind", ["basic", "regex-gpt4", "regex-gpt2", "gpt2"])
def test_round_trip_of_every_tokenizer(trained, kind, tmp_path):
    tok = trained[kind]
    path = tmp_path / "tok.bpe"
    save(tok, path)
    same(tok, load(path))
    same(tok, load(path, type(tok)))
    assert not list(tmp_path.glob("*.tmp")), "the temporary file was renamed into place"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specials=st.lists(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
        max_size=4,
        unique=True,
    ),
    pattern_piece=st.text(max_size=10),
)
def test_any_special_token_and_any_pattern_round_trip(
    tmp_path, specials, pattern_piece
):
    """Specials with spaces, quotes, newlines, U+2028, NUL…; a pattern with surrounding
    whitespace and newlines. Only strings that are valid Unicode can be tokens."""
    pattern = f" \n{regex.escape(pattern_piece)}|\\S+|\\s+"
    tok = RegexTokenizer(pattern).train("some text to train on, some text", 265)
    tok.register_special_tokens({s: 300 + n for n, s in enumerate(specials)})
    path = tmp_path / "any.bpe"
    save(tok, path)
    with pytest.raises(TokenizerFileError, match="not one of the known ones"):
        load(path)  # an arbitrary pattern is refused unless trusted
    loaded = load(path, trusted_patterns={pattern})
    assert loaded.pattern == pattern
    assert loaded.special_tokens == tok.special_tokens
    assert list(loaded.merges) == list(tok.merges)


def test_the_file_is_plain_and_readable(trained, tmp_path):
    path = tmp_path / "basic.bpe"
    save(trained["basic"], path)
    lines = path.read_text(encoding="ascii").split("\n")
    assert lines[:5] == [
        "zero-to-hero bpe 1",
        "class BasicTokenizer",
        'pattern ""',
        "bytes identity",
        "specials 0",
    ]
    assert lines[5] == "merges 256" and lines[-2:] == ["end", ""]


@pytest.fixture
def good_file(tmp_path):
    tok = RegexTokenizer().train("aaabdaaabac and more text", 260)
    tok.register_special_tokens({"<|end|>": 260})
    path = tmp_path / "good.bpe"
    save(tok, path)
    return path


def corrupt(path, old, new, count=1):
    text = path.read_text(encoding="ascii")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="ascii")
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda p: corrupt(p, "bpe 1", "bpe 2"),
            "version '2'; this code reads version 1",
        ),
        (
            lambda p: corrupt(p, "zero-to-hero bpe", "something else"),
            "is not a zero-to-hero",
        ),
        (
            lambda p: corrupt(p, "class RegexTokenizer", "class GPT9"),
            "line 2: unknown class",
        ),
        (
            lambda p: corrupt(p, 'pattern "', "pattern '"),
            "line 3: expected a JSON-quoted",
        ),
        (
            lambda p: corrupt(p, "specials 1", "specials 2"),
            "line 7: expected a JSON-quoted",
        ),
        (lambda p: corrupt(p, '"<|end|>" 260', '"<|end|>"260'), "a space and its id"),
        (
            lambda p: corrupt(p, '"<|end|>" 260', '"<|end|>" 5'),
            "belong to ordinary tokens",
        ),
        (lambda p: corrupt(p, "merges 4", "merges 5"), "expected a merge"),
        (lambda p: corrupt(p, "merges 4", "merges 3"), "expected 'end'"),
        (lambda p: corrupt(p, "merges 4", "merges four"), "expected 'merges <number>'"),
        (
            lambda p: corrupt(p, "\n97 97\n", "\n97 300\n"),
            "merge 0 joins (97, 300), but only the ids 0..255 exist",
        ),
        (
            lambda p: corrupt(p, "\n97 97\n", "\n97 97 97\n"),
            "two ids separated by a space",
        ),
        (
            lambda p: corrupt(p, "bytes identity", "bytes 1 2 3"),
            "'identity' or 256 ids",
        ),
        (lambda p: corrupt(p, "end\n", "end\nmore\n"), "after the 'end' line"),
        (lambda p: corrupt(p, "end\n", ""), "ends where 'end' was expected"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), "not plain ASCII text"),
        (lambda p: p.write_text(""), "is not a zero-to-hero bpe file"),
        (lambda p: p.write_text("minbpe v1\n\n0\n97 97\n"), "is a minbpe .model file"),
    ],
)
def test_corrupt_and_foreign_files_are_clear_errors(good_file, edit, message):
    edit(good_file)
    with pytest.raises(TokenizerFileError, match=regex.escape(message)):
        load(good_file)


def test_loading_into_the_wrong_class_or_a_missing_file(good_file, tmp_path):
    with pytest.raises(
        ValueError, match="holds a RegexTokenizer, not a BasicTokenizer"
    ):
        load(good_file, BasicTokenizer)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.bpe")


def test_a_bad_save_leaves_no_file(tmp_path):
    with pytest.raises(TypeError, match="can only save"):
        save(Tokenizer(), tmp_path / "x.bpe")
    assert not list(tmp_path.iterdir())


def test_vocab_dump_lists_every_token_readably(trained):
    dump = vocab_dump(trained["regex-gpt4"]).split("\n")
    assert len(dump) == 1024
    assert dump[10] == "10 [\\n]" and dump[32] == "32 [ ]"
    assert dump[0xE2] == "226 [\\xe2]"
    merged = dump[256]
    assert merged.startswith("256 [") and " = [" in merged and "] + [" in merged
    gpt2 = vocab_dump(trained["gpt2"]).split("\n")
    assert gpt2[-1] == "50256 [<|endoftext|>] special"


def test_tokens_html_shows_every_token_once_and_escapes_markup(trained):
    import html as html_lib
    import re

    tok = trained["regex-gpt4"]
    text = "<b>bold</b> & more\n"
    out = tokens_html(tok, text)
    spans = re.findall(r'title="(\d+)">(.*?)</span>', out)
    assert [int(i) for i, _ in spans] == tok.encode(text)
    assert (
        "".join(html_lib.unescape(s.replace("↵<br>", "\n")) for _, s in spans) == text
    )
    assert "<b>" not in out
    # a character split over several tokens shows its bytes
    assert "\\xe6" in tokens_html(tok, "日")
