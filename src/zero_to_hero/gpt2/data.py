"""Token shards: a corpus encoded once with GPT-2's tokenizer, saved in pieces, and read
back as training batches, each process of a data-parallel run reading its own slice.

The format is the one build-nanogpt uses for FineWeb-edu: each shard is a NumPy `.npy`
file (`numpy.save`) holding a 1-D array of `uint16` token ids. GPT-2's ids are below
50,257, so two bytes per token are enough, and a shard of 100 million tokens takes
200 MB. The shards of a corpus are named `{prefix}_{split}_{index:06d}.npy`, the split
being `train` or `val` and the index counting over both splits, e.g.
`shakespeare_val_000000.npy`, `shakespeare_train_000001.npy`; sorted by name, the
shards of a split come in reading order. Each document starts with `<|endoftext|>`, so
the model sees where one text ends and the next begins.

`ShardLoader` reads a split as one process of `world_size` would. A step takes
`world_size` consecutive windows of `B·T + 1` tokens; the process of rank `r` takes
the `r`-th, makes its inputs from the first `B·T` tokens and its targets from the last
`B·T` (the same tokens shifted by one), and the next step starts `world_size·B·T`
tokens further on. A window never spans two shards: when the next step does not fit in
what is left of a shard, that rest is skipped and reading goes on at the start of the
next shard, and after the last shard at the start of the first (a new epoch).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from zero_to_hero.errors import ZeroToHeroError
from zero_to_hero.files import atomic_write

if TYPE_CHECKING:
    from zero_to_hero.bpe.tokenizer import Tokenizer

__all__ = [
    "ShardError",
    "SPLITS",
    "EOT",
    "shard_name",
    "check_token_ids",
    "write_shard",
    "read_shard",
    "write_shards",
    "list_shards",
    "encode_text_to_shards",
    "encode_shakespeare",
    "ShardLoader",
]

SPLITS = ("train", "val")
EOT = "<|endoftext|>"
_LIMIT = 2**16  # uint16 holds 0 .. 65535
_NAME = re.compile(r"_(train|val)_(\d{6})\.npy$")


class ShardError(ZeroToHeroError, ValueError):
    """Token ids that do not fit a shard, or shards that cannot be read as asked."""


def shard_name(prefix: str, split: str, index: int) -> str:
    """The file name of shard `index` of `split`, e.g. `shakespeare_train_000001.npy`.

    Example:
        >>> shard_name("shakespeare", "val", 0)
        'shakespeare_val_000000.npy'
    """
    if split not in SPLITS:
        raise ShardError(f"split must be one of {SPLITS}, got {split!r}")
    if not prefix or "/" in prefix or os.sep in prefix:
        raise ShardError(f"prefix must be a plain, non-empty name, got {prefix!r}")
    if not 0 <= index < 10**6:
        raise ShardError(f"shard index must be in 0..999999, got {index}")
    return f"{prefix}_{split}_{index:06d}.npy"


def check_token_ids(tokens: Iterable[int] | np.ndarray | torch.Tensor) -> np.ndarray:
    """`tokens` as a 1-D `uint16` array, or a `ShardError` saying which id does not
    fit (a negative id or one >= 65536 is never wrapped around silently)."""
    if isinstance(tokens, torch.Tensor):
        tokens = tokens.detach().cpu().numpy()
    array = np.asarray(tokens if isinstance(tokens, np.ndarray) else list(tokens))
    if array.ndim != 1:
        raise ShardError(f"token ids must be a 1-D sequence, got shape {array.shape}")
    if array.size == 0:
        return array.astype(np.uint16)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise ShardError(f"token ids must be integers, got dtype {array.dtype}")
    bad = np.flatnonzero((array < 0) | (array >= _LIMIT))
    if bad.size:
        i = int(bad[0])
        raise ShardError(
            f"token id {int(array[i])} at position {i} does not fit a uint16 shard: "
            f"ids must be in 0..{_LIMIT - 1} ({bad.size} ids out of range)"
        )
    return array.astype(np.uint16)


def write_shard(path: str | os.PathLike, tokens: Iterable[int]) -> Path:
    """Save `tokens` as one `.npy` shard of `uint16`, atomically: after a failure
    there is either the old file or none, never a part of one."""
    array = check_token_ids(tokens)
    path = Path(path)
    with atomic_write(path, "wb") as f:
        np.save(f, array, allow_pickle=False)
    return path


def read_shard(path: str | os.PathLike, *, mmap: bool = False) -> np.ndarray:
    """The `uint16` token ids of one shard (memory-mapped if `mmap`, so that a large
    shard is read only where it is used).

    Raises:
        ShardError: the file is missing, not a `.npy` file, or not a 1-D `uint16`
            array.
    """
    path = Path(path)
    if not path.is_file():
        raise ShardError(f"{path} is not a shard file (it does not exist)")
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError) as err:
        raise ShardError(f"{path} is not a .npy shard: {err}") from None
    if not isinstance(array, np.ndarray) or array.dtype != np.uint16 or array.ndim != 1:
        raise ShardError(
            f"{path} holds {getattr(array, 'dtype', type(array).__name__)} of shape "
            f"{getattr(array, 'shape', '?')}: a shard is a 1-D array of uint16"
        )
    return array


def _shards_of(directory: str | os.PathLike, prefix: str, split: str) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{glob.escape(prefix)}_{split}_[0-9]*.npy"))


def list_shards(directory: str | os.PathLike, split: str) -> list[Path]:
    """The shards of `split` in `directory`, sorted by name (their reading order)."""
    if split not in SPLITS:
        raise ShardError(f"split must be one of {SPLITS}, got {split!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise ShardError(f"{directory} is not a directory of shards")
    found = []
    for path in directory.iterdir():
        match = _NAME.search(path.name)
        if match and match.group(1) == split and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.name)


def write_shards(
    tokens: Iterable[int] | np.ndarray | torch.Tensor,
    directory: str | os.PathLike,
    shard_size: int,
    *,
    prefix: str,
    split: str = "train",
    first_index: int = 0,
) -> list[Path]:
    """Cut `tokens` into shards of `shard_size` ids (the last one may be shorter) and
    save them in `directory` as `{prefix}_{split}_{index:06d}.npy`, the index counting
    from `first_index`.

    Every id is checked before anything is written, and each shard is written
    atomically. Returns the paths, in order; no tokens, no shards.

    Raises:
        ShardError: an id outside 0..65535, a shard size < 1, or a bad name.
    """
    if isinstance(shard_size, bool) or not isinstance(shard_size, int):
        raise ShardError(f"shard_size must be a whole number, got {shard_size!r}")
    if shard_size < 1:
        raise ShardError(f"shard_size must be >= 1, got {shard_size}")
    array = check_token_ids(tokens)
    count = -(-array.size // shard_size)
    names = [shard_name(prefix, split, first_index + k) for k in range(count)]
    directory = Path(directory)
    paths = []
    for k, name in enumerate(names):
        piece = array[k * shard_size : (k + 1) * shard_size]
        paths.append(write_shard(directory / name, piece))
    return paths


def encode_text_to_shards(
    text: str | Iterable[str],
    directory: str | os.PathLike,
    *,
    prefix: str,
    shard_size: int = 10**8,
    val_fraction: float = 0.1,
    tokenizer: Tokenizer | None = None,
    overwrite: bool = False,
) -> dict[str, list[Path]]:
    """Encode `text` (one document, or an iterable of documents) with GPT-2's
    tokenizer, each document after an `<|endoftext|>`, and save the ids as shards.

    The last `val_fraction` of the ids (a contiguous passage, as the GPT chapter's
    split) become the `val` shards, indexed from 0; the rest the `train` shards, whose
    indices go on after the val shards' (as FineWeb-edu's `..._val_000000`,
    `..._train_000001`, …). Special-token strings inside the text are encoded as
    ordinary text.

    Args:
        text: The corpus.
        directory: Where the shards go (created if missing).
        prefix: The start of every shard's name.
        shard_size: Ids per shard.
        val_fraction: The share of the ids kept for validation, in [0, 1).
        tokenizer: A tokenizer with `encode_ordinary` and an `<|endoftext|>` special
            token (default: GPT-2's, `zero_to_hero.bpe.load_gpt2()`).
        overwrite: Replace the shards of `prefix` already in `directory` (those the
            new ones do not replace are removed, so no stale shard is read later).

    Returns:
        `{"train": [paths], "val": [paths]}`.

    Raises:
        ShardError: a bad fraction, shard size or name, the tokenizer lacks
            `<|endoftext|>`, or shards of `prefix` exist and not `overwrite`.
    """
    if not 0 <= val_fraction < 1:
        raise ShardError(f"val_fraction must be in [0, 1), got {val_fraction!r}")
    shard_name(prefix, "train", 0)  # a bad prefix fails before the encoding
    old = [p for split in SPLITS for p in _shards_of(directory, prefix, split)]
    if old and not overwrite:
        raise ShardError(
            f"{directory} already holds {len(old)} shards named {prefix}_*: choose "
            "another prefix or directory, or pass overwrite=True to replace them"
        )
    if tokenizer is None:
        from zero_to_hero.bpe import load_gpt2

        tokenizer = load_gpt2()
    eot = tokenizer.special_tokens.get(EOT)
    if eot is None:
        raise ShardError(f"the tokenizer has no {EOT} special token to end documents")
    documents = [text] if isinstance(text, str) else list(text)
    ids: list[int] = []
    for document in documents:
        ids.append(eot)
        ids.extend(tokenizer.encode_ordinary(document))
    n_val = int(len(ids) * val_fraction)
    cut = len(ids) - n_val
    val = write_shards(ids[cut:], directory, shard_size, prefix=prefix, split="val")
    train = write_shards(
        ids[:cut],
        directory,
        shard_size,
        prefix=prefix,
        split="train",
        first_index=len(val),
    )
    for path in set(old) - set(train) - set(val):
        path.unlink(missing_ok=True)
    return {"train": train, "val": val}


def encode_shakespeare(
    directory: str | os.PathLike,
    *,
    shard_size: int = 10**8,
    val_fraction: float = 0.1,
    overwrite: bool = False,
) -> dict[str, list[Path]]:
    """Tiny Shakespeare (`zero_to_hero.data.load_shakespeare`) as GPT-2 token shards
    named `shakespeare_*`: one document, its last `val_fraction` for validation."""
    from zero_to_hero.data import load_shakespeare

    return encode_text_to_shards(
        load_shakespeare(),
        directory,
        prefix="shakespeare",
        shard_size=shard_size,
        val_fraction=val_fraction,
        overwrite=overwrite,
    )


def _whole(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ShardError(f"{name} must be a whole number >= {low}, got {value!r}")
    return value


class ShardLoader:
    """Batches `(x, y)` of shape `(B, T)` from token shards, for process `rank` of
    `world_size` (see the module's docstring for the order).

    Args:
        source: A directory of shards (those of `split` are read, sorted by name), or
            a list of shard files (read in the given order).
        batch_size: `B`, rows per batch of this process.
        seq_len: `T`, tokens per row.
        split: `"train"` or `"val"`; needed with a directory, ignored with a list.
        rank: This process's rank, in `0 .. world_size - 1`.
        world_size: Number of processes reading the shards together.

    Raises:
        ShardError: no shards, a shard shorter than one step (`world_size·B·T + 1`
            tokens), a rank out of range, or a bad size.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> _ = write_shards(range(20), folder, 10, prefix="demo")
        >>> x, y = ShardLoader(folder, 2, 3, split="train").next_batch()
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """

    def __init__(
        self,
        source: str | os.PathLike | Sequence[str | os.PathLike],
        batch_size: int,
        seq_len: int,
        *,
        split: str | None = None,
        rank: int = 0,
        world_size: int = 1,
    ):
        self.B = _whole("batch_size", batch_size, 1)
        self.T = _whole("seq_len", seq_len, 1)
        self.world_size = _whole("world_size", world_size, 1)
        self.rank = _whole("rank", rank, 0)
        if self.rank >= self.world_size:
            raise ShardError(
                f"rank must be in 0..{self.world_size - 1} for world_size "
                f"{self.world_size}, got {self.rank}"
            )
        if isinstance(source, (str, os.PathLike)):
            if split is None:
                raise ShardError("give split='train' or split='val' with a directory")
            self.files = list_shards(source, split)
            if not self.files:
                raise ShardError(
                    f"{source} holds no {split} shards (files named "
                    f"PREFIX_{split}_NNNNNN.npy)"
                )
        else:
            self.files = [Path(f) for f in source]
            if not self.files:
                raise ShardError("the list of shard files is empty")
        step = self.B * self.T * self.world_size + 1
        self.lengths = []
        for path in self.files:
            n = len(read_shard(path, mmap=True))
            if n < step:
                raise ShardError(
                    f"{path} holds {n} tokens, fewer than one step needs: "
                    f"world_size·B·T + 1 = {step}; use smaller batches or larger shards"
                )
            self.lengths.append(n)
        self._tokens: np.ndarray | None = None
        self.reset()

    def reset(self) -> None:
        """Start again from the first token of the first shard."""
        self._load(0)
        self.position = 0  # where the current step starts, the same for all ranks

    def _load(self, shard: int) -> None:
        self.shard = shard
        self._tokens = read_shard(self.files[shard], mmap=True)

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next `(x, y)`: int64 tensors of shape `(B, T)`, `y` shifted by one."""
        B, T = self.B, self.T
        if self.position + B * T * self.world_size + 1 > self.lengths[self.shard]:
            self._load((self.shard + 1) % len(self.files))
            self.position = 0
        start = self.position + self.rank * B * T
        window = np.asarray(self._tokens[start : start + B * T + 1], dtype=np.int64)
        window = torch.from_numpy(window)
        self.position += B * T * self.world_size
        return window[:-1].view(B, T), window[1:].view(B, T)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.next_batch()

    def state(self) -> dict[str, int]:
        """Where reading stands, to save with a checkpoint: `{"shard", "position"}`."""
        return {"shard": self.shard, "position": self.position}

    def load_state(self, state: dict[str, int]) -> None:
        """Go on from a `state()` (of a loader over the same shards).

        Raises:
            ShardError: the state names a shard or position these shards lack.
        """
        try:
            shard, position = int(state["shard"]), int(state["position"])
        except (KeyError, TypeError, ValueError):
            raise ShardError(
                f"a loader state is {{'shard': int, 'position': int}}, got {state!r}"
            ) from None
        if not 0 <= shard < len(self.files):
            raise ShardError(
                f"state names shard {shard}, but there are {len(self.files)} shards"
            )
        if not 0 <= position <= self.lengths[shard]:
            raise ShardError(
                f"state names position {position} of {self.files[shard]}, which holds "
                f"{self.lengths[shard]} tokens"
            )
        self._load(shard)
        self.position = position
