"""Byte-pair encoding, the straightforward way: count pairs, merge the most frequent,
repeat.

This is the version that teaches the idea. Every merge recounts every adjacent pair of
the whole text from scratch, so training costs (text length) × (number of merges). The
fast trainer in `zero_to_hero.bpe.fast` learns exactly the same merges, much sooner.

Example:
    >>> count_pairs([1, 2, 2, 2, 3])
    {(1, 2): 1, (2, 2): 2, (2, 3): 1}
    >>> merge([1, 2, 2, 2, 3], (2, 2), 256)
    [1, 256, 2, 3]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from tqdm import tqdm

__all__ = ["Pair", "count_pairs", "merge", "train_straightforward"]

#: Two adjacent token ids.
Pair = tuple[int, int]


def count_pairs(
    ids: Sequence[int], counts: dict[Pair, int] | None = None
) -> dict[Pair, int]:
    """Count every adjacent pair of `ids`, adding to `counts` if given.

    Overlapping pairs count: `[a, a, a]` holds the pair `(a, a)` twice. The dict keeps
    its keys in the order of their first occurrence, which is what breaks ties in
    training.
    """
    counts = {} if counts is None else counts
    for pair in itertools.pairwise(ids):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every occurrence of `pair` in `ids` by `new_id`, scanning left to right.

    Occurrences never overlap: `[a, a, a]` with the pair `(a, a)` becomes `[new_id, a]`.
    """
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_straightforward(
    chunks: Iterable[str], num_merges: int, progress: bool = False
) -> list[Pair]:
    """Learn up to `num_merges` merges from `chunks`, recounting all pairs before each
    merge.

    Each chunk is a piece of text that no merge may cross (the whole text for a
    `BasicTokenizer`, the pieces of the split pattern for a `RegexTokenizer`). Merge
    number `k` creates the token id `256 + k`.

    The tie rule: among pairs with the highest count, the one that occurs first in the
    (partly merged) text wins. It comes for free: `count_pairs` fills the dict in text
    order and `max` returns the first maximal key.

    Returns:
        The merged pairs in order. Fewer than `num_merges` if the text runs out of
        pairs.
    """
    ids = [list(chunk.encode("utf-8")) for chunk in chunks]
    merges: list[Pair] = []
    for k in tqdm(range(num_merges), desc="merges", disable=not progress):
        counts: dict[Pair, int] = {}
        for chunk_ids in ids:
            count_pairs(chunk_ids, counts)
        if not counts:  # every chunk is a single token: nothing is left to merge
            break
        best = max(counts, key=counts.get)  # the first of the most frequent pairs
        ids = [merge(chunk_ids, best, 256 + k) for chunk_ids in ids]
        merges.append(best)
    return merges
