"""Solutions to the exercises of the BPE chapter (the page "BPE exercises").

Example:
    >>> tied_merges(["cdab", "abcd"], 3)
    [0, 2]
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Sequence

from zero_to_hero.bpe.basics import Pair, count_pairs, merge
from zero_to_hero.bpe.encoding import apply_merges
from zero_to_hero.bpe.tokenizer import RegexTokenizer, Tokenizer

__all__ = ["tied_merges", "decode_stream", "bytes_per_token", "merges_from_ranks"]


def tied_merges(chunks: Sequence[str], num_merges: int) -> list[int]:
    """The numbers (from 0) of the merges, among the first `num_merges`, at which two or
    more pairs were tied at the top count."""
    ids = [list(chunk.encode("utf-8")) for chunk in chunks]
    tied = []
    for k in range(num_merges):
        counts: dict[Pair, int] = {}
        for chunk_ids in ids:
            count_pairs(chunk_ids, counts)
        if not counts:
            break
        top = max(counts.values())
        if sum(1 for c in counts.values() if c == top) > 1:
            tied.append(k)
        best = next(p for p, c in counts.items() if c == top)
        ids = [merge(chunk_ids, best, 256 + k) for chunk_ids in ids]
    return tied


def decode_stream(tokenizer: Tokenizer, ids: Iterable[int]) -> Iterator[str]:
    """Decode ids one at a time, as a model produces them, never printing half a
    character.

    An incremental UTF-8 decoder keeps the bytes of an unfinished character until the
    rest arrives, so the pieces never contain U+FFFD for valid text, and they join to
    `decode(ids)`.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for i in ids:
        piece = decoder.decode(tokenizer.decode_bytes([i]))
        if piece:
            yield piece
    tail = decoder.decode(b"", final=True)  # bytes left over: an unfinished character
    if tail:
        yield tail


def bytes_per_token(
    text: str, vocab_sizes: Iterable[int], pattern: str
) -> dict[int, float]:
    """Average UTF-8 bytes per token of `text`, for a `RegexTokenizer` trained on it at
    each vocabulary size."""
    n_bytes = len(text.encode("utf-8"))
    return {
        v: n_bytes / len(RegexTokenizer(pattern).train(text, v).encode(text))
        for v in vocab_sizes
    }


def merges_from_ranks(ranks: dict[bytes, int]) -> list[Pair]:
    """Recover the merge list from a tiktoken-style rank table (token bytes -> rank).

    tiktoken stores only each token's bytes and rank. The pair that made a token is
    found by encoding its bytes with the merges of lower rank only: that must leave
    exactly two tokens. The first 256 ranks must be the single bytes, in byte order.
    """
    order = sorted(ranks.items(), key=lambda item: item[1])
    if [token for token, _ in order[:256]] != [bytes([b]) for b in range(256)]:
        raise ValueError(
            "the first 256 ranks must be the single bytes 0..255, in order"
        )
    merges: dict[Pair, int] = {}
    pairs: list[Pair] = []
    for token, rank in order[256:]:
        parts = apply_merges(list(token), merges)
        if len(parts) != 2:
            raise ValueError(
                f"token {token!r} (rank {rank}) is not two lower-ranked tokens"
            )
        merges[parts[0], parts[1]] = 256 + len(pairs)
        pairs.append((parts[0], parts[1]))
    return pairs
