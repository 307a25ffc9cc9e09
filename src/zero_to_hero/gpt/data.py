"""Tiny Shakespeare as tensors of character ids, and random windows of it as training
batches.

The whole text becomes one long sequence of ids. The first 90 % is for training, the
last 10 % for validation (the lecture's split: the validation text is a contiguous
passage the model never trains on, so its loss measures generalisation, not memory). A
batch is `batch_size` windows of `block_size + 1` characters taken at random offsets;
the targets are the inputs shifted by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from zero_to_hero.data import load_shakespeare
from zero_to_hero.vocab import CharVocab

__all__ = ["CharDataset", "shakespeare", "get_batch", "batch_offsets", "windows"]


@dataclass(frozen=True)
class CharDataset:
    """A text encoded with its character vocabulary and split into train and validation
    ids."""

    vocab: CharVocab
    train: torch.Tensor
    val: torch.Tensor

    @classmethod
    def from_text(cls, text: str, val_fraction: float = 0.1) -> CharDataset:
        """Encode `text` with its own vocabulary; the last `val_fraction` is validation.

        >>> ds = CharDataset.from_text("hello world, hello there")
        >>> ds.vocab.size, len(ds.train), len(ds.val)
        (10, 21, 3)
        """
        if not 0 < val_fraction < 1:
            raise ValueError(
                f"val_fraction must be between 0 and 1, got {val_fraction!r}"
            )
        vocab = CharVocab.from_text(text)
        ids = torch.tensor(vocab.encode(text), dtype=torch.long)
        n_train = int((1 - val_fraction) * len(ids))
        return cls(vocab, ids[:n_train], ids[n_train:])


def shakespeare(val_fraction: float = 0.1) -> CharDataset:
    """Tiny Shakespeare: 65 characters, about 1.0M training and 0.1M validation ids."""
    return CharDataset.from_text(load_shakespeare(), val_fraction)


def batch_offsets(
    n_ids: int,
    batch_size: int,
    block_size: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """`batch_size` random start positions of windows of `block_size + 1` ids."""
    if block_size < 1 or batch_size < 1:
        raise ValueError(
            f"block_size and batch_size must be >= 1, got {block_size} and {batch_size}"
        )
    if n_ids <= block_size:
        raise ValueError(
            f"the data has {n_ids} ids: too short for windows of block_size + 1 = "
            f"{block_size + 1}"
        )
    return torch.randint(n_ids - block_size, (batch_size,), generator=generator)


def windows(data: torch.Tensor, offsets: torch.Tensor, block_size: int):
    """Inputs `x` and next-character targets `y`, both `(len(offsets), block_size)`."""
    rows = offsets[:, None] + torch.arange(block_size + 1)  # one gather, no Python loop
    chunk = data[rows]
    return chunk[:, :-1], chunk[:, 1:]


def get_batch(
    data: torch.Tensor,
    batch_size: int,
    block_size: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A random batch: `x[b, t]` is a character and `y[b, t]` the one that follows
    it."""
    return windows(
        data, batch_offsets(len(data), batch_size, block_size, generator), block_size
    )
