"""A fast BPE trainer that learns exactly the merges of `train_straightforward`.

Three ideas, each removing a factor from the straightforward trainer's cost:

1. **Count each distinct chunk once.** A text of a million characters splits into a
   quarter of a million chunks but only some fifteen thousand distinct ones. Train on
   the distinct chunks ("words"), each weighted by how often it occurs.
2. **Update pair counts, never recount them.** Merging `(a, b)` at one place changes
   only the pairs around it: `(x, a)` and `(b, y)` disappear, `(x, ab)` and `(ab, y)`
   appear. Each word is a linked list of tokens, and every pair knows the positions
   where it occurs, so a merge touches only its own occurrences.
3. **Find the best pair with a priority queue.** A heap holds `(-count, first position,
   pair)`. Entries are never updated in place ("lazy deletion"): a pair that gains
   occurrences gets a fresh entry; an entry whose count is too high (the pair lost
   occurrences since) is pushed back with the current count when it surfaces, or dropped
   if the pair is gone.

The tie rule is the straightforward trainer's: among the most frequent pairs, the one
that occurs first in the text. Lay the distinct words end to end in order of first
appearance and number every byte: a token's position is the number of its first byte.
The first occurrence of a pair in the text is then the smallest position among its
occurrences, and positions never change when other merges happen. The heap entry of a
pair may hold a position that is too small (an early occurrence was merged away since);
it is checked when it reaches the top and pushed back with the true first position if it
was out of date. Keying the heap by the tie rule matters: at a large vocabulary most
merges are ties between pairs that occur two or three times, and scanning a tied group
for its earliest member at every merge is many times slower.

Example:
    >>> from zero_to_hero.bpe.basics import train_straightforward
    >>> chunks = ["low", " lower", " lowest", " low"]
    >>> train_fast(chunks, 5) == train_straightforward(chunks, 5)
    True
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

from zero_to_hero.bpe.basics import Pair

__all__ = ["train_fast"]

# A pair (a, b) is stored as the int a * SHIFT + b: ints hash faster than tuples and
# cost no allocation. Token ids stay far below 2**24.
SHIFT = 1 << 24


def train_fast(chunks: Iterable[str], num_merges: int) -> list[Pair]:
    """Learn up to `num_merges` merges from `chunks`; the same result as
    `train_straightforward`.

    Args:
        chunks: Pieces of text that no merge may cross, in text order.
        num_merges: How many merges to learn; merge number `k` creates the id `256 + k`.

    Returns:
        The merged pairs in order. Fewer than `num_merges` if the text runs out of
        pairs.
    """
    if 256 + num_merges >= SHIFT:
        raise ValueError(
            f"at most {SHIFT - 257:,} merges are supported, got {num_merges:,}"
        )
    # distinct chunks, in order of first appearance, with counts
    words = Counter(chunks)
    encoded = [word.encode("utf-8") for word in words]
    text = b"".join(encoded)  # the distinct words end to end: position = byte number
    token = list(text)  # token id starting at each position (-1: merged into its left)
    # next token's position in the word (-1: end of word)
    nxt = list(range(1, len(text) + 1))
    # previous token's position in the word (-1: start)
    prv = list(range(-1, len(text) - 1))
    # how often the word holding this position occurs in the text
    weight: list[int] = []
    pairs = [a * SHIFT + b for a, b in itertools.pairwise(text)]
    start = 0
    for data, freq in zip(encoded, words.values()):
        end = start + len(data)
        if end > start:
            prv[start] = nxt[end - 1] = -1
            if end - 1 < len(pairs):
                pairs[end - 1] = -1  # no pair across two words
        weight.extend([freq] * len(data))
        start = end
    # pair -> positions of its left token
    where: dict[int, list[int]] = defaultdict(list)
    for pos, pair in enumerate(pairs):
        # in increasing order: the first one is the first occurrence
        where[pair].append(pos)
    where.pop(-1, None)
    counts = {pair: sum(map(weight.__getitem__, ps)) for pair, ps in where.items()}
    heap = [(-counts[pair], ps[0], pair) for pair, ps in where.items()]
    heapq.heapify(heap)

    merges: list[Pair] = []
    while len(merges) < num_merges and heap:
        neg_count, first, pair = heapq.heappop(heap)
        count = counts.get(pair, 0)
        if count != -neg_count:  # the pair lost occurrences since this entry was pushed
            if count:
                heapq.heappush(heap, (-count, first, pair))
            continue
        a, b = divmod(pair, SHIFT)
        # `where` keeps positions the pair has left (checking them here is cheaper than
        # removing them at every merge): skip those to find the true first occurrence.
        positions = sorted(where[pair])
        for n, i in enumerate(positions):  # noqa: B007 (n is used after the loop)
            j = nxt[i]
            if token[i] == a and j != -1 and token[j] == b:
                break
        # an earlier occurrence was merged away: requeue with the true first
        if i != first:
            where[pair] = positions[n:]
            heapq.heappush(heap, (neg_count, i, pair))
            continue
        new = 256 + len(merges)
        merges.append((a, b))
        born: set[int] = set()  # the pairs holding `new`, created by this merge
        for i in positions[n:]:  # left to right, as `merge` does
            j = nxt[i]
            if token[i] != a or j == -1 or token[j] != b:
                # no longer here: a run like a a a, or a position the pair had left
                continue
            freq = weight[i]
            h, k = prv[i], nxt[j]
            if h != -1:  # (x, a) at h becomes (x, new)
                x = token[h] * SHIFT
                counts[x + a] -= freq
                if x + new in counts:
                    counts[x + new] += freq
                else:
                    counts[x + new] = freq
                    born.add(x + new)
                where[x + new].append(h)
            if k != -1:  # (b, y) at j disappears, (new, y) appears at i
                y = token[k]
                counts[b * SHIFT + y] -= freq
                if new * SHIFT + y in counts:
                    counts[new * SHIFT + y] += freq
                else:
                    counts[new * SHIFT + y] = freq
                    born.add(new * SHIFT + y)
                where[new * SHIFT + y].append(i)
            token[i], token[j] = new, -1
            nxt[i] = k
            if k != -1:
                prv[k] = i
        del counts[pair], where[pair]
        # Pairs that lost occurrences keep their old, too-high entries (see the top of
        # the loop); the new pairs get their first entries. Their positions came in
        # increasing order.
        for other in born:
            if counts[other]:
                heapq.heappush(heap, (-counts[other], where[other][0], other))
    return merges
