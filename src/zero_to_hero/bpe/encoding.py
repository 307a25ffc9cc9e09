"""Encoding fast: apply learned merges to the ids of one chunk of text.

Both functions give the ids of the chapter's straightforward rule (of all neighbouring
pairs, merge the one learned first, everywhere; repeat until no pair is a merge), each
quickly in its own range:

* `apply_merges` scans a Python list. It is the quicker one for the short chunks of a
  split pattern, but it can rescan the whole list for every merge: quadratic in the
  worst case.
* `apply_merges_heap` keeps a linked list and a heap of `(merge id, position)`:
  O(n log n), for long chunks (a `BasicTokenizer` treats the whole text as one chunk).

A tokenizer picks between them by length: from `LONG_CHUNK` ids on, the heap.

Example:
    >>> merges = {(97, 97): 256, (256, 97): 257}  # aa -> 256, then aaa -> 257
    >>> apply_merges(list(b"aaaaab"), merges)
    [256, 257, 98]
    >>> apply_merges_heap(list(b"aaaaab"), merges)
    [256, 257, 98]
"""

from __future__ import annotations

import heapq
import itertools

from zero_to_hero.bpe.basics import Pair

__all__ = ["LONG_CHUNK", "apply_merges", "apply_merges_heap"]

#: From this many ids on, a chunk is merged with the heap (n log n) algorithm.
LONG_CHUNK = 64


def apply_merges(ids: list[int], merges: dict[Pair, int]) -> list[int]:
    """Merge the pair with the lowest merge id, everywhere, until no pair is a merge.

    Args:
        ids: The ids of one chunk (not modified).
        merges: `(a, b) -> new id`; a lower id was learned earlier.
    """
    ids = list(ids)
    while len(ids) >= 2:
        ranks = list(map(merges.get, itertools.pairwise(ids)))  # None: not a merge
        new = min(filter(None, ranks), default=None)  # merged ids are never 0
        if new is None:
            return ids
        i = ranks.index(new)  # the first occurrence; replace it and any later ones
        a, b = ids[i], ids[i + 1]
        while i >= 0:
            ids[i : i + 2] = (new,)
            j, i = i + 1, -1
            while a in ids[j:]:
                j = ids.index(a, j)
                if j + 1 < len(ids) and ids[j + 1] == b:
                    i = j
                    break
                j += 1
    return ids


def apply_merges_heap(ids: list[int], merges: dict[Pair, int]) -> list[int]:
    """The same result as `apply_merges` in O(n log n): a linked list and a heap of
    (merge id, position).

    A merge only creates pairs holding the new id, which rank after it, so all
    occurrences of one merge are applied left to right before any later merge.
    """
    n = len(ids)
    if n < 2:
        return list(ids)
    tokens = list(ids)
    nxt = list(range(1, n + 1))
    nxt[-1] = -1
    prv = list(range(-1, n - 1))
    heap = [
        (merges[p], i, p) for i, p in enumerate(itertools.pairwise(ids)) if p in merges
    ]
    heapq.heapify(heap)
    while heap:
        new, i, pair = heapq.heappop(heap)
        j = nxt[i]
        if tokens[i] != pair[0] or j == -1 or tokens[j] != pair[1]:
            continue  # this occurrence was consumed by an earlier merge
        tokens[i], tokens[j] = new, -1
        k = nxt[j]
        nxt[i] = k
        if k != -1:
            prv[k] = i
            if (new, tokens[k]) in merges:
                heapq.heappush(heap, (merges[new, tokens[k]], i, (new, tokens[k])))
        h = prv[i]
        if h != -1 and (tokens[h], new) in merges:
            heapq.heappush(heap, (merges[tokens[h], new], h, (tokens[h], new)))
    return [t for t in tokens if t != -1]
