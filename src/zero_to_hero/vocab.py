"""Character vocabularies: the map between characters and the integer ids a model sees.

The makemore chapters use the 26 letters plus a boundary token `.` that marks both the
start and the end of a name (id 0, so `a` is 1 and `z` is 26). The GPT chapter uses
every distinct character of Tiny Shakespeare, with no boundary token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["CharVocab"]


@dataclass(frozen=True)
class CharVocab:
    """An ordered set of characters; a character's id is its position.

    Args:
        chars: The characters, each once, in id order (a string or a sequence of 1-char
            strings).
        boundary: The boundary token, if the vocabulary has one (it must be among
            `chars`).

    Example:
        >>> vocab = CharVocab.from_words(["emma", "ava"])
        >>> vocab.chars, vocab.encode("ava"), vocab.decode([1, 4, 0])
        ('.aemv', [1, 4, 1], 'av.')
    """

    chars: str
    boundary: str | None = None

    def __post_init__(self) -> None:
        chars = "".join(self.chars)
        object.__setattr__(self, "chars", chars)
        if not chars:
            raise ValueError("a vocabulary needs at least one character")
        if any(len(c) != 1 for c in self.chars):
            raise ValueError("every vocabulary entry must be a single character")
        if len(set(chars)) != len(chars):
            dupes = sorted({c for c in chars if chars.count(c) > 1})
            raise ValueError(
                f"characters appear more than once in the vocabulary: {dupes}"
            )
        if self.boundary is not None and self.boundary not in chars:
            raise ValueError(
                f"the boundary token {self.boundary!r} is not in the vocabulary"
            )
        object.__setattr__(self, "_stoi", {c: i for i, c in enumerate(chars)})

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """Every distinct character of `text`, sorted by code point."""
        return cls("".join(sorted(set(text))))

    @classmethod
    def from_words(cls, words: Iterable[str], boundary: str = ".") -> CharVocab:
        """The boundary token (id 0), then every character used in `words`, sorted."""
        letters = sorted(set("".join(words)))
        if boundary in letters:
            raise ValueError(
                f"the boundary token {boundary!r} also appears inside a word"
            )
        return cls(boundary + "".join(letters), boundary=boundary)

    @property
    def size(self) -> int:
        """Number of characters (the number of ids)."""
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def stoi(self, char: str) -> int:
        """The id of one character."""
        try:
            return self._stoi[char]  # type: ignore[attr-defined]
        except KeyError:
            raise ValueError(
                f"character {char!r} is not in the vocabulary ({self.size} characters: "
                f"{self.chars!r})"
            ) from None

    def itos(self, i: int) -> str:
        """The character of one id."""
        if not 0 <= i < self.size:
            raise ValueError(
                f"id {i} is out of range: the vocabulary has ids 0..{self.size - 1}"
            )
        return self.chars[i]

    def encode(self, text: str) -> list[int]:
        """Ids of the characters of `text`; an unknown character is a clear error."""
        stoi = self._stoi  # type: ignore[attr-defined]
        try:
            return [stoi[c] for c in text]
        except KeyError:
            pos = next(i for i, c in enumerate(text) if c not in stoi)
            raise ValueError(
                f"character {text[pos]!r} at position {pos} of {text[:40]!r} is not in "
                f"the vocabulary ({self.size} characters: {self.chars!r})"
            ) from None

    def decode(self, ids: Sequence[int]) -> str:
        """The string of a sequence of ids."""
        return "".join(self.itos(int(i)) for i in ids)
