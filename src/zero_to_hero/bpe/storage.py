"""Save and load tokenizers in a small, versioned, line-based text format.

A file looks like this (`#` comments are not part of it):

```text
zero-to-hero bpe 1          # format name and version
class RegexTokenizer        # BasicTokenizer or RegexTokenizer
pattern "'(?i:[sdmt]|ll|…"  # a JSON string: any pattern, whitespace and newlines
                            # included
bytes identity              # or: bytes, then the 256 ids of the bytes 0..255
specials 1                  # how many lines follow
"<|endoftext|>" 512         # a JSON string and its id
merges 256                  # how many lines follow; line k merges into id 256 + k
101 32
…
end
```

Strings are JSON-quoted, so a special token or a pattern may hold spaces, quotes,
newlines or any Unicode character and still round-trip. Loading checks every line and
stops at the first problem with the file name, the line number and what was expected
there. The pattern must be GPT-2's or GPT-4's (or one the caller trusts, see `load`): a
regular expression from a file is code that runs on every text encoded. Saving goes
through `files.atomic_write`, so a crash never leaves a half-written tokenizer behind.

Example:
    >>> import os, tempfile
    >>> from zero_to_hero.bpe import BasicTokenizer
    >>> tok = BasicTokenizer().train("aaabdaaabac", 259)
    >>> path = os.path.join(tempfile.mkdtemp(), "wiki.bpe")
    >>> save(tok, path)
    >>> load(path).merges == tok.merges
    True
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path

from zero_to_hero.bpe.tokenizer import (
    GPT2_SPLIT_PATTERN,
    GPT4_SPLIT_PATTERN,
    BasicTokenizer,
    RegexTokenizer,
    Tokenizer,
)
from zero_to_hero.errors import ZeroToHeroError
from zero_to_hero.files import atomic_write

__all__ = ["FORMAT", "VERSION", "KNOWN_PATTERNS", "TokenizerFileError", "save", "load"]

FORMAT = "zero-to-hero bpe"
VERSION = 1
_CLASSES: dict[str, type[Tokenizer]] = {
    "BasicTokenizer": BasicTokenizer,
    "RegexTokenizer": RegexTokenizer,
}


class TokenizerFileError(ZeroToHeroError, ValueError):
    """A tokenizer file is corrupt, truncated, of another version, or not one at all."""


def save(tokenizer: Tokenizer, path: str | os.PathLike) -> None:
    """Write `tokenizer` to `path` (see the module docstring for the format)."""
    name = type(tokenizer).__name__
    if name not in _CLASSES:
        raise TypeError(f"can only save {' or '.join(_CLASSES)}, got {name}")
    lines = [
        f"{FORMAT} {VERSION}",
        f"class {name}",
        f"pattern {_quote(tokenizer.pattern)}",
    ]
    if tokenizer.byte_ids == tuple(range(256)):
        lines.append("bytes identity")
    else:
        lines.append("bytes " + " ".join(map(str, tokenizer.byte_ids)))
    lines.append(f"specials {len(tokenizer.special_tokens)}")
    lines += [f"{_quote(s)} {i}" for s, i in tokenizer.special_tokens.items()]
    lines.append(f"merges {len(tokenizer.merges)}")
    lines += [f"{a} {b}" for a, b in tokenizer.merges]
    lines.append("end")
    with atomic_write(path) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))


def _quote(text: str) -> str:
    # ensure_ascii keeps the file pure ASCII: no line separator other than \n can
    # appear.
    return json.dumps(text, ensure_ascii=True)


class _Lines:
    """The lines of a file, handed out one at a time with their numbers, for error
    messages."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.lines, self.n = path, lines, 0

    def error(self, message: str) -> TokenizerFileError:
        return TokenizerFileError(f"{self.path}, line {self.n}: {message}")

    def next(self, what: str) -> str:
        if self.n >= len(self.lines):
            raise TokenizerFileError(
                f"{self.path}: the file ends where {what} was expected"
            )
        self.n += 1
        return self.lines[self.n - 1]

    def field(self, key: str) -> str:
        line = self.next(f"the '{key}' line")
        name, _, value = line.partition(" ")
        if name != key:
            raise self.error(
                f"expected a line starting with '{key} ', got {line[:60]!r}"
            )
        return value

    def count(self, key: str) -> int:
        value = self.field(key)
        if not value.isdigit():
            raise self.error(f"expected '{key} <number>', got {value[:60]!r}")
        return int(value)

    def string(self, text: str) -> tuple[str, str]:
        """A JSON string at the start of `text`, and what follows it."""
        try:
            value, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as err:
            raise self.error(f"expected a JSON-quoted string: {err.msg}") from None
        if not isinstance(value, str):
            raise self.error(f"expected a JSON-quoted string, got {text[:60]!r}")
        return value, text[end:]

    def ints(self, text: str, n: int, what: str) -> list[int]:
        parts = text.split(" ")
        if len(parts) != n or not all(p.isdigit() for p in parts):
            raise self.error(f"expected {what}, got {text[:60]!r}")
        return [int(p) for p in parts]


#: The split patterns a tokenizer file may name without being trusted explicitly.
KNOWN_PATTERNS = frozenset({GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN})


def load(
    path: str | os.PathLike,
    kind: type[Tokenizer] = Tokenizer,
    *,
    trusted_patterns: Collection[str] = KNOWN_PATTERNS,
) -> Tokenizer:
    """Read a tokenizer written by `save`, of the class recorded in the file.

    Args:
        path: The file.
        kind: The class the file must hold (default: any tokenizer).
        trusted_patterns: The split patterns the file may hold (a regular expression
            from a file runs on every text encoded, and a crafted one can backtrack for
            minutes): GPT-2's and GPT-4's unless you add your own.

    Raises:
        FileNotFoundError: there is no such file.
        TokenizerFileError: the file is not a tokenizer of this format and version, or
            it is truncated or inconsistent; the message names the line.
        ValueError: the file holds a tokenizer of another class than `kind`.
    """
    path = Path(path)
    raw = path.read_bytes()
    if not raw:
        raise TokenizerFileError(f"{path} is empty: it is not a {FORMAT} file")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise TokenizerFileError(
            f"{path} is not a {FORMAT} file: it is not plain ASCII text"
        ) from None
    lines = _Lines(path, text.removesuffix("\n").split("\n"))
    header = lines.next("the header")
    if header.startswith("minbpe"):
        raise TokenizerFileError(
            f"{path} is a minbpe .model file, not a {FORMAT} file: this format stores "
            "the pattern and special tokens quoted, so they round-trip exactly"
        )
    name, _, version = header.rpartition(" ")
    if name != FORMAT:
        raise TokenizerFileError(
            f"{path} is not a {FORMAT} file: its first line is {header[:60]!r}, "
            f"expected {FORMAT!r} and a version number"
        )
    if version != str(VERSION):
        raise TokenizerFileError(
            f"{path} is {FORMAT} version {version!r}; this code reads version "
            f"{VERSION} only"
        )
    cls_name = lines.field("class")
    if cls_name not in _CLASSES:
        raise lines.error(
            f"unknown class {cls_name!r}; expected one of {sorted(_CLASSES)}"
        )
    pattern, rest = lines.string(lines.field("pattern"))
    if rest:
        raise lines.error(f"unexpected text after the pattern: {rest[:60]!r}")
    byte_field = lines.field("bytes")
    if byte_field == "identity":
        byte_ids = list(range(256))
    else:
        byte_ids = lines.ints(byte_field, 256, "'identity' or 256 ids")
        if sorted(byte_ids) != list(range(256)):
            raise lines.error("the byte ids must be 0..255, each exactly once")
    specials: dict[str, int] = {}
    for _ in range(lines.count("specials")):
        token, rest = lines.string(lines.next("a special token"))
        if not rest.startswith(" "):
            raise lines.error(
                "expected a JSON-quoted special token, a space and its id"
            )
        (i,) = lines.ints(rest[1:], 1, "the id of the special token")
        if token in specials:
            raise lines.error(f"the special token {token!r} appears twice")
        specials[token] = i
    merges = []
    for _ in range(lines.count("merges")):
        a, b = lines.ints(
            lines.next("a merge"), 2, "a merge: two ids separated by a space"
        )
        merges.append((a, b))
    if lines.next("'end'") != "end":
        raise lines.error(
            "expected 'end' after the merges (more merges than announced?)"
        )
    if lines.n < len(lines.lines):
        raise TokenizerFileError(f"{path}: unexpected text after the 'end' line")

    cls = _CLASSES[cls_name]
    if not issubclass(cls, kind):
        raise ValueError(
            f"{path} holds a {cls_name}, not a {kind.__name__}: load it as a "
            f"{cls_name} or as any Tokenizer"
        )
    if cls is BasicTokenizer and pattern:
        raise TokenizerFileError(
            f"{path}: a BasicTokenizer has no pattern, got {pattern!r}"
        )
    if cls is RegexTokenizer and pattern not in trusted_patterns:
        raise TokenizerFileError(
            f"{path}: its split pattern is not one of the known ones (GPT-2's or "
            "GPT-4's). A pattern from a file runs on every text you encode, and a "
            "crafted one can take minutes on a short text; pass it in "
            "`trusted_patterns` if you wrote it"
        )
    options = {"pattern": pattern} if cls is RegexTokenizer else {}
    try:
        return cls.from_merges(merges, byte_ids, specials, **options)
    except ValueError as err:  # a pattern that does not compile, a bad merge...
        raise TokenizerFileError(f"{path}: {err}") from None
