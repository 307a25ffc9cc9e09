"""Byte-level BPE tokenizers: `BasicTokenizer` (raw bytes) and `RegexTokenizer` (split
first).

A tokenizer is a list of merges plus a few choices:

* `merges`: `(a, b) -> new id`, in the order they were learned; merge `k` makes id
  `256 + k`.
* `byte_ids`: the id of each of the 256 single-byte tokens. A trained tokenizer uses id
  `b` for byte `b`; GPT-2 numbers its bytes in another order, and loading it keeps that
  order.
* `pattern`: the split pattern (`RegexTokenizer` only). Merges never cross its pieces.
* `special_tokens`: strings such as `<|endoftext|>` that map to one id of their own and
  are never produced by merges.

The classes here are the tools; `zero_to_hero.bpe.lecture` has the same tokenizers
written to be read, giving the same merges, ids and text. The fast encoder lives in
`zero_to_hero.bpe.encoding`, the special-token checks in `zero_to_hero.bpe.specials`. A
tokenizer knows nothing of files or of showing tokens: `zero_to_hero.bpe.storage` saves
and loads it, `zero_to_hero.bpe.render` shows it.

Example:
    >>> tok = BasicTokenizer().train("aaabdaaabac", vocab_size=256 + 3)
    >>> tok.encode("aaabdaaabac")
    [258, 100, 258, 97, 99]
    >>> tok.decode([258, 100])
    'aaabd'
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Self

import regex

from zero_to_hero.bpe.basics import Pair, train_straightforward
from zero_to_hero.bpe.encoding import LONG_CHUNK, apply_merges, apply_merges_heap
from zero_to_hero.bpe.fast import train_fast
from zero_to_hero.bpe.specials import (
    AllowedSpecial,
    allowed_tokens,
    check_special_tokens,
    special_pattern,
    split_around,
)

__all__ = [
    "GPT2_SPLIT_PATTERN",
    "GPT4_SPLIT_PATTERN",
    "TrainingStoppedEarly",
    "Tokenizer",
    "BasicTokenizer",
    "RegexTokenizer",
]

#: GPT-2's split: contractions, runs of letters, of digits, of other symbols (each may
#: take one leading space), then whitespace (a run of spaces leaves its last one to the
#: next word).
GPT2_SPLIT_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)
#: GPT-4's split (cl100k): case-insensitive contractions, numbers of at most three
#: digits, newlines kept apart from other whitespace, and no space-before-word exception
#: for letters.
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}|"""
    r""" ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"""
)

_IDENTITY = tuple(range(256))
_CACHE_LIMIT = 1 << 16  # chunks remembered by a RegexTokenizer's encoder


class TrainingStoppedEarly(UserWarning):
    """Training ran out of pairs to merge before reaching the requested vocabulary
    size."""


class Tokenizer:
    """What both tokenizers share: the merges, the vocabulary, encoding and decoding.

    Use `BasicTokenizer` or `RegexTokenizer`; this class is their common base.
    """

    pattern: str = ""

    def __init__(self) -> None:
        self.merges: dict[Pair, int] = {}
        self.byte_ids: tuple[int, ...] = _IDENTITY
        self.special_tokens: dict[str, int] = {}
        self._rebuild()

    # ---------------------------------------------------------------------------- state
    def _rebuild(self) -> None:
        """Derive the vocabulary and the decode table from merges, byte ids and
        specials."""
        vocab: dict[int, bytes] = {i: bytes([b]) for b, i in enumerate(self.byte_ids)}
        for (a, b), new in self.merges.items():
            vocab[new] = vocab[a] + vocab[b]
        self.vocab = vocab
        self._decode_table = {**vocab}
        self._decode_table.update(
            {i: s.encode("utf-8") for s, i in self.special_tokens.items()}
        )
        self._special_pattern: regex.Pattern | None = None
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        """Number of tokens: 256 bytes, one per merge, one per special token."""
        return len(self.vocab) + len(self.special_tokens)

    @classmethod
    def from_merges(
        cls,
        merges: Iterable[Pair],
        byte_ids: Sequence[int] | None = None,
        special_tokens: dict[str, int] | None = None,
        **options: Any,
    ) -> Self:
        """A tokenizer built from its merges, checked for consistency (what loaders
        use).

        Args:
            merges: The merged pairs in the order they were learned: merge `k` makes
                the id `256 + k` and may join only ids below that.
            byte_ids: The id of each byte value 0..255 (default: byte `b` is id `b`;
                GPT-2 numbers its bytes in another order).
            special_tokens: Special tokens to register, `string -> id`.
            **options: Passed to the constructor: a `RegexTokenizer`'s `pattern`.

        Raises:
            ValueError: the merges, byte ids or special tokens are inconsistent.

        Example:
            >>> tok = BasicTokenizer.from_merges([(97, 97), (256, 97)])
            >>> tok.encode("aaaa"), tok.vocab[257]
            ([256, 256], b'aaa')
        """
        tokenizer = cls(**options)
        tokenizer._set_state(
            list(merges), _IDENTITY if byte_ids is None else byte_ids, special_tokens
        )
        return tokenizer

    def _set_state(
        self,
        merges: Sequence[Pair],
        byte_ids: Sequence[int] = _IDENTITY,
        special_tokens: dict[str, int] | None = None,
    ) -> None:
        """Replace the whole state, checking that it is consistent (`from_merges` and
        `train` use it)."""
        byte_ids = _IDENTITY if tuple(byte_ids) == _IDENTITY else tuple(byte_ids)
        if sorted(byte_ids) != list(range(256)):
            raise ValueError("byte_ids must list each of the ids 0..255 exactly once")
        table: dict[Pair, int] = {}
        for k, (a, b) in enumerate(merges):
            new = 256 + k
            if not (0 <= a < new and 0 <= b < new):
                raise ValueError(
                    f"merge {k} joins ({a}, {b}), but only the ids 0..{new - 1} exist "
                    "before it"
                )
            if (a, b) in table:
                raise ValueError(
                    f"merge {k} repeats the pair ({a}, {b}) of merge {table[a, b]}"
                )
            table[a, b] = new
        self.merges, self.byte_ids, self.special_tokens = table, byte_ids, {}
        self._rebuild()
        if special_tokens:
            self.register_special_tokens(special_tokens)

    # ------------------------------------------------------------------------- training
    def _chunks(self, text: str) -> list[str]:
        """The pieces of `text` that merges never cross."""
        raise NotImplementedError

    def train(
        self,
        text: str,
        vocab_size: int,
        *,
        trainer: Literal["fast", "straightforward"] = "fast",
        progress: bool = False,
    ) -> Tokenizer:
        """Learn `vocab_size - 256` merges from `text`, replacing any earlier merges.

        Both trainers give identical merges; ties go to the pair that occurs first in
        the text. If the text runs out of pairs first, training stops there with a
        `TrainingStoppedEarly` warning. Registered special tokens are kept (their ids
        must lie above the new vocabulary) and are never learned from the text.

        Args:
            text: The training text.
            vocab_size: 256 byte tokens plus the number of merges wanted.
            trainer: `"fast"` (default) or `"straightforward"` (recounts every pair per
                merge).
            progress: Show a progress bar (straightforward trainer only; the fast one is
                quick).

        Returns:
            The tokenizer itself, so `tok = RegexTokenizer().train(text, 512)` works.
        """
        if not isinstance(text, str):
            raise TypeError(
                f"train() needs the text as a str, got {type(text).__name__}"
            )
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
            raise TypeError(f"vocab_size must be an int, got {vocab_size!r}")
        if vocab_size < 256:
            raise ValueError(
                "vocab_size must be at least 256 (one token per byte value), got "
                f"{vocab_size}"
            )
        clash = {s: i for s, i in self.special_tokens.items() if i < vocab_size}
        if clash:
            raise ValueError(
                f"special tokens {clash} have ids below vocab_size={vocab_size}, where "
                "merged tokens will go: register special tokens with ids >= "
                f"{vocab_size}"
            )
        num_merges = vocab_size - 256
        chunks = self._chunks(text)
        if trainer == "fast":
            pairs = train_fast(chunks, num_merges)
        elif trainer == "straightforward":
            pairs = train_straightforward(chunks, num_merges, progress=progress)
        else:
            raise ValueError(
                f"trainer must be 'fast' or 'straightforward', got {trainer!r}"
            )
        if len(pairs) < num_merges:
            warnings.warn(
                f"training stopped after {len(pairs)} of {num_merges} merges: no two "
                "adjacent tokens are left to merge in this text, so the vocabulary has "
                f"{256 + len(pairs)} tokens, not {vocab_size}",
                TrainingStoppedEarly,
                stacklevel=2,
            )
        specials = self.special_tokens
        self._set_state(pairs, _IDENTITY, specials)
        return self

    # ------------------------------------------------------------------------- specials
    def register_special_tokens(self, special_tokens: dict[str, int]) -> None:
        """Add special tokens: each string encodes to its own id (when allowed, see
        `encode`).

        Ids must not be used by an ordinary token (ids `0 .. 255 + len(merges)`) or by
        another special token. Any non-empty string works, spaces and newlines included.
        """
        self.special_tokens = check_special_tokens(
            special_tokens, self.special_tokens, len(self.vocab)
        )
        self._rebuild()

    # ------------------------------------------------------------------------- encoding
    def _encode_chunk(self, text: str) -> list[int]:
        """Encode one piece of text with the merges, lowest merge first."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as err:
            bad = text[err.start]
            raise ValueError(
                f"the text holds {bad!r}, a lone surrogate: not a character of valid "
                "Unicode text, so it has no UTF-8 bytes to encode (text decoded with "
                "errors='surrogateescape' carries such code points for bytes that were "
                "not UTF-8)"
            ) from None
        ids = (
            list(data)
            if self.byte_ids is _IDENTITY
            else [self.byte_ids[b] for b in data]
        )
        if len(ids) >= LONG_CHUNK:
            return apply_merges_heap(ids, self.merges)
        return apply_merges(ids, self.merges)

    def encode_ordinary(self, text: str) -> list[int]:
        """Encode `text`, treating special-token strings as ordinary text."""
        if not isinstance(text, str):
            raise TypeError(f"encode() needs a str, got {type(text).__name__}")
        out: list[int] = []
        for chunk in self._chunks(text):
            out.extend(self._encode_chunk(chunk))
        return out

    def encode(self, text: str, allowed_special: AllowedSpecial = "raise") -> list[int]:
        """Encode `text` into token ids.

        Args:
            text: Any string.
            allowed_special: What to do with registered special-token strings in the
                text (the same choices as tiktoken's): `"raise"` (default) raises
                `ValueError` if one occurs, so text from users can never smuggle in an
                `<|endoftext|>`; `"all"` encodes each as its id; `"none"` encodes them
                as ordinary text; a set of special tokens encodes those as ids and
                raises for the others.

        Raises:
            ValueError: a special token that is not allowed occurs in the text, or
                `allowed_special` names an unknown special token.
        """
        if not isinstance(text, str):
            raise TypeError(f"encode() needs a str, got {type(text).__name__}")
        if allowed_special == "none" or not self.special_tokens:
            return self.encode_ordinary(text)
        allowed = allowed_tokens(allowed_special, self.special_tokens)
        ids: list[int] = []
        for part in split_around(text, allowed):
            if part in allowed:
                ids.append(self.special_tokens[part])
                continue
            self._refuse_specials(part, allowed)
            ids.extend(self.encode_ordinary(part))
        return ids

    def _refuse_specials(self, text: str, allowed: set[str]) -> None:
        if self._special_pattern is None:
            self._special_pattern = special_pattern(self.special_tokens)
        for found in self._special_pattern.finditer(text):
            token = found.group()
            if token not in allowed:
                raise ValueError(
                    f"the text contains the special token {token!r} (id "
                    f"{self.special_tokens[token]}). Pass allowed_special='all' or "
                    f"{{{token!r}}} to encode it as that id, or allowed_special='none' "
                    "to encode it as ordinary text."
                )

    # ------------------------------------------------------------------------- decoding
    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """The bytes the ids stand for, concatenated (lossless, unlike `decode`)."""
        table = self._decode_table
        ids = ids if isinstance(ids, (list, tuple)) else list(ids)
        # 1.0 and True would find the entry of 1 (equal keys hash alike): refuse them
        if not all(type(i) is int for i in ids):
            for i in ids:
                if isinstance(i, bool) or not isinstance(i, numbers.Integral):
                    raise TypeError(f"token ids must be ints, got {i!r}")
            ids = [int(i) for i in ids]  # numpy's integers
        try:
            return b"".join([table[i] for i in ids])
        except KeyError:
            for i in ids:
                if i not in table:
                    specials = sorted(self.special_tokens.values())
                    also = f" and the special ids {specials}" if specials else ""
                    raise ValueError(
                        f"unknown token id {i}: this tokenizer has the ids "
                        f"0..{len(self.vocab) - 1}{also}"
                    ) from None
            raise

    def decode(self, ids: Iterable[int]) -> str:
        """The text the ids stand for.

        A token can end in the middle of a character (a byte sequence that is not valid
        UTF-8 on its own); such bytes become U+FFFD, the replacement character, instead
        of an error. `decode(encode(s)) == s` holds for every string `s`.
        """
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        extra = f", pattern={self.pattern[:24]!r}…" if self.pattern else ""
        return (
            f"{type(self).__name__}(merges={len(self.merges)}, "
            f"special_tokens={len(self.special_tokens)}{extra})"
        )


class BasicTokenizer(Tokenizer):
    """BPE over the raw UTF-8 bytes of the whole text: merges may cross words and
    spaces.

    Example:
        >>> tok = BasicTokenizer().train("hello hello hello", vocab_size=261)
        >>> tok.encode("hello hello"), tok.vocab[260]  # a token that ends in a space
        ([260, 259], b'hello ')
    """

    def _chunks(self, text: str) -> list[str]:
        return [text] if text else []


class RegexTokenizer(Tokenizer):
    """BPE over the pieces of a split pattern: merges never cross from one piece to the
    next.

    Encoding remembers the ids of up to 65,536 distinct pieces, so common words are
    merged once, not every time they appear.

    Args:
        pattern: A `regex` pattern (default: GPT-4's split). Its matches must cover the
            text: anything between matches would be lost, so such a pattern is refused
            when it shows.

    Example:
        >>> tok = RegexTokenizer().train("hello hello hello", vocab_size=261)
        >>> # GPT-4's split keeps the space in front
        >>> tok.encode("hello hello"), tok.vocab[260]
        ([259, 260], b' hello')
    """

    def __init__(self, pattern: str = GPT4_SPLIT_PATTERN) -> None:
        if not isinstance(pattern, str):
            raise TypeError(f"pattern must be a str, got {type(pattern).__name__}")
        try:
            self._compiled = regex.compile(pattern)
        except regex.error as err:
            raise ValueError(f"the split pattern does not compile: {err}") from None
        self.pattern = pattern
        super().__init__()

    def _chunks(self, text: str) -> list[str]:
        chunks = self._compiled.findall(text)
        if sum(map(len, chunks)) != len(text):
            raise ValueError(
                "the split pattern skips part of the text (its matches must cover "
                "every character, or decode(encode(text)) would lose text)"
            )
        return chunks

    def encode_ordinary(self, text: str) -> list[int]:
        """Encode `text`, treating special-token strings as ordinary text."""
        if not isinstance(text, str):
            raise TypeError(f"encode() needs a str, got {type(text).__name__}")
        cache = self._cache
        out: list[int] = []
        for chunk in self._chunks(text):
            ids = cache.get(chunk)
            if ids is None:
                ids = self._encode_chunk(chunk)
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[chunk] = ids
            out.extend(ids)
        return out
