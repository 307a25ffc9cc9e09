"""The chapter's tokenizers, written to be read: a small base class, then one idea per
subclass.

* `Tokenizer` holds the merges and the vocabulary and trains, encodes and decodes. What
  it leaves open is where the text may be cut: `split` returns the pieces that no merge
  may cross.
* `BasicTokenizer` never cuts: merges run over the raw bytes of the whole text.
* `RegexTokenizer` cuts with a split pattern and adds special tokens.

These are the classes the chapter's pages list. The package's own tokenizers in
`zero_to_hero.bpe.tokenizer` learn the same merges and give the same ids and text (the
tests check it); they add what a tool needs and a lesson does not: a fast trainer and
encoder, checks with clear error messages, GPT-2's byte order, and loading from merges.

Example:
    >>> tok = BasicTokenizer().train("aaabdaaabac", vocab_size=256 + 3)
    >>> tok.encode("aaabdaaabac")
    [258, 100, 258, 97, 99]
    >>> tok.decode([258, 100])
    'aaabd'
"""

from __future__ import annotations

import regex

from zero_to_hero.bpe.basics import Pair, count_pairs, merge, train_straightforward
from zero_to_hero.bpe.tokenizer import GPT4_SPLIT_PATTERN

__all__ = ["Tokenizer", "BasicTokenizer", "RegexTokenizer"]


class Tokenizer:
    """Merges and vocabulary, with training, encoding and decoding; a subclass says how
    to `split` the text."""

    def __init__(self) -> None:
        self.merges: dict[Pair, int] = {}  # (a, b) -> the id of the merged token
        self.vocab = {i: bytes([i]) for i in range(256)}  # id -> its bytes

    def split(self, text: str) -> list[str]:
        """The pieces of `text` that no merge may cross."""
        raise NotImplementedError

    def train(self, text: str, vocab_size: int) -> "Tokenizer":
        """Learn `vocab_size - 256` merges from `text` (a fresh tokenizer only)."""
        pairs = train_straightforward(self.split(text), vocab_size - 256)
        for new_id, (a, b) in enumerate(pairs, start=256):
            self.merges[a, b] = new_id
            self.vocab[new_id] = self.vocab[a] + self.vocab[b]
        return self

    def encode_piece(self, piece: str) -> list[int]:
        """The ids of one piece: its bytes, merged in the order the merges were
        learned."""
        ids = list(piece.encode("utf-8"))
        # while some neighbouring pairs are merges, merge the one learned first
        while known := [pair for pair in count_pairs(ids) if pair in self.merges]:
            pair = min(known, key=self.merges.get)
            ids = merge(ids, pair, self.merges[pair])
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`."""
        return [i for piece in self.split(text) for i in self.encode_piece(piece)]

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")


class BasicTokenizer(Tokenizer):
    """BPE over the bytes of the whole text: merges may cross words and spaces."""

    def split(self, text: str) -> list[str]:
        """The whole text is one piece."""
        return [text]


class RegexTokenizer(Tokenizer):
    """BPE inside the pieces of a split pattern, plus special tokens."""

    def __init__(self, pattern: str = GPT4_SPLIT_PATTERN) -> None:
        super().__init__()
        self.pattern = pattern
        self.special_tokens: dict[str, int] = {}  # "<|endoftext|>" -> its id

    def split(self, text: str) -> list[str]:
        """The matches of the split pattern, in order."""
        return regex.findall(self.pattern, text)

    def register_special_tokens(self, special_tokens: dict[str, int]) -> None:
        """Give each string its own id, above the ids of the merges."""
        for token, i in special_tokens.items():
            self.special_tokens[token] = i
            self.vocab[i] = token.encode("utf-8")

    def encode(self, text: str, allowed_special: str | set[str] = "raise") -> list[int]:
        """Token ids of `text`. `allowed_special` says which special-token strings in
        the text become their ids: "all", "none" (all are ordinary text), "raise" (the
        default: any of them is an error) or a set of them (the others are errors)."""
        if allowed_special == "none":
            return super().encode(text)
        if allowed_special == "all":
            allowed = set(self.special_tokens)
        elif allowed_special == "raise":
            allowed = set()
        else:
            allowed = set(allowed_special)
        # cut the text around the allowed special tokens, longest first, keeping them
        longest_first = sorted(allowed, key=len, reverse=True)
        cut = "(" + "|".join(regex.escape(token) for token in longest_first) + ")"
        parts = regex.split(cut, text) if allowed else [text]
        ids = []
        for part in parts:
            if part in allowed:
                ids.append(self.special_tokens[part])
                continue
            for token in self.special_tokens:
                if token in part:
                    raise ValueError(f"the special token {token!r} is not allowed")
            ids.extend(super().encode(part))
        return ids
