"""From a list of names to the tensors a model trains on: context windows and the
lecture split.

A language model over characters predicts the next character from the ones before it.
With a context of `block_size` characters, every name gives one example per character
plus one for the end: the context starts as `block_size` boundary tokens (`.`), and
after each step the context slides one character to the right. `emma` with
`block_size=3` gives

    ...  → e
    ..e  → m
    .em  → m
    emm  → a
    mma  → .

The split is by *words*, not by examples, so no name is seen in training and then again
in validation. The lectures shuffle the list with Python's `random` seeded with 42 and
cut it at 80 % and 90 %; the number of examples per split is then the same for every
`block_size`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from zero_to_hero.vocab import CharVocab

__all__ = [
    "check_words",
    "build_windows",
    "lecture_split",
    "Windows",
    "Splits",
    "make_splits",
    "SPLITS",
]

#: The names of the three splits, in order.
SPLITS = ("train", "val", "test")


def check_words(words: Sequence[str]) -> None:
    """Refuse anything but a list of non-empty strings, saying which word is wrong."""
    if isinstance(words, str):
        raise TypeError("expected a list of words, got a single string")
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(f"word {i} is a {type(word).__name__}, expected a str")
        if not word:
            raise ValueError(f"word {i} is empty: a name needs at least one character")


def build_windows(
    words: Sequence[str], vocab: CharVocab, block_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (context, next character) pair of `words`, as two integer tensors.

    Args:
        words: The names.
        vocab: A vocabulary with a boundary token (it pads the start and marks the end).
        block_size: How many characters of context each example has (1 for a bigram
            model).

    Returns:
        `(X, Y)`: contexts of shape `(N, block_size)` and next-character ids of shape
        `(N,)`, both `int64`, with `N = sum(len(word) + 1 for word in words)`.

    Examples:
        >>> vocab = CharVocab.from_words(["emma"])
        >>> X, Y = build_windows(["emma"], vocab, block_size=3)
        >>> [
        ...     vocab.decode(x) + " → " + vocab.itos(y)
        ...     for x, y in zip(X.tolist(), Y.tolist())
        ... ]
        ['... → e', '..e → m', '.em → m', 'emm → a', 'mma → .']
    """
    if (
        isinstance(block_size, bool)
        or not isinstance(block_size, int)
        or block_size < 1
    ):
        raise ValueError(f"block_size must be a positive int, got {block_size!r}")
    if vocab.boundary is None:
        raise ValueError(
            "the vocabulary needs a boundary token to pad contexts and end names"
        )
    check_words(words)
    start = vocab.stoi(vocab.boundary)
    contexts, targets = [], []
    for word in words:
        context = [start] * block_size
        # the boundary after the last letter ends it
        for ix in [
            *vocab.encode(word),
            start,
        ]:
            contexts.append(context)
            targets.append(ix)
            context = [*context[1:], ix]  # slide the window one character to the right
    X = torch.tensor(contexts, dtype=torch.int64).reshape(len(contexts), block_size)
    Y = torch.tensor(targets, dtype=torch.int64)
    return X, Y


def lecture_split(
    words: Sequence[str], seed: int = 42, cuts: tuple[float, float] = (0.8, 0.9)
) -> tuple[list[str], list[str], list[str]]:
    """Shuffle a copy of `words` and cut it into train, validation and test words.

    The shuffle is Python's `random.shuffle` after `random.seed(seed)`, on a private
    generator (the global one is left alone), so it reproduces the lectures' split
    exactly.

    Args:
        words: The names (not modified).
        seed: The shuffle seed; 42 in the lectures.
        cuts: Where the validation and the test words start, as fractions of the list.

    Examples:
        >>> train, val, test = lecture_split([f"w{i}" for i in range(10)])
        >>> len(train), len(val), len(test)
        (8, 1, 1)
    """
    lo, hi = cuts
    if not 0 < lo <= hi < 1:
        raise ValueError(f"cuts must satisfy 0 < first <= second < 1, got {cuts!r}")
    check_words(words)
    shuffled = list(words)
    # the same sequence as random.seed(seed); shuffle()
    random.Random(seed).shuffle(shuffled)
    n1, n2 = int(lo * len(shuffled)), int(hi * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


@dataclass(frozen=True)
class Windows:
    """The examples of one split: contexts `X` `(N, block_size)` and targets `Y`
    `(N,)`."""

    X: torch.Tensor
    Y: torch.Tensor
    words: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.Y)


@dataclass(frozen=True)
class Splits:
    """Train, validation and test examples of one data set at one context length."""

    vocab: CharVocab
    block_size: int
    train: Windows
    val: Windows
    test: Windows

    def __getitem__(self, name: str) -> Windows:
        """One split by name: `"train"`, `"val"` or `"test"`."""
        if name not in SPLITS:
            raise KeyError(f"no split {name!r}; choose from {', '.join(SPLITS)}")
        return getattr(self, name)

    def sizes(self) -> dict[str, int]:
        """Number of examples per split."""
        return {name: len(self[name]) for name in SPLITS}


def make_splits(
    words: Sequence[str] | None = None,
    block_size: int = 3,
    seed: int = 42,
    vocab: CharVocab | None = None,
) -> Splits:
    """The lectures' data: names → vocabulary → shuffled 80/10/10 split → context
    windows.

    Args:
        words: The names; by default the course's `names.txt`
            (`zero_to_hero.data.load_names`).
        block_size: Characters of context per example.
        seed: The shuffle seed (42 in the lectures).
        vocab: The vocabulary; by default the boundary token plus the letters of
            `words`.

    Examples:
        >>> splits = make_splits(block_size=3)
        >>> splits.sizes()
        {'train': 182625, 'val': 22655, 'test': 22866}
    """
    if words is None:
        from zero_to_hero.data import load_names

        words = load_names()
    if vocab is None:
        vocab = CharVocab.from_words(words)
    parts = lecture_split(words, seed)
    windows = [
        Windows(*build_windows(part, vocab, block_size), tuple(part)) for part in parts
    ]
    return Splits(vocab, block_size, *windows)
