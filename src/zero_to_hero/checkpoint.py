"""Save and load model checkpoints: weights, the config that rebuilds the model, the
vocabulary.

A checkpoint is a plain dictionary of tensors, strings, numbers and lists, so it loads
with `torch.load(..., weights_only=True)`: loading never runs code from the file. It is
written to a temporary file and renamed into place, so an interrupted save never leaves
a half-written file. Loading checks that the file holds the kind of model and the
vocabulary the caller expects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from zero_to_hero.errors import ZeroToHeroError
from zero_to_hero.files import atomic_write
from zero_to_hero.vocab import CharVocab

__all__ = [
    "CheckpointError",
    "save_checkpoint",
    "load_checkpoint",
    "read_payload",
    "FORMAT_VERSION",
]

FORMAT_VERSION = 1


REQUIRED_KEYS = {"format_version", "kind", "config", "vocab", "state_dict", "extra"}


class CheckpointError(ZeroToHeroError, ValueError):
    """A checkpoint is unreadable, or holds another model or vocabulary than
    expected."""


def save_checkpoint(
    path: str | os.PathLike,
    kind: str,
    config: dict[str, Any],
    vocab: CharVocab,
    state_dict: dict[str, torch.Tensor],
    **extra: Any,
) -> Path:
    """Write a checkpoint atomically: an interrupted save leaves the previous file.

    Args:
        path: Where to write it (conventionally `*.pt`).
        kind: Which model class it is for, e.g. "makemore.mlp" or "gpt".
        config: Keyword arguments that rebuild the model (plain numbers, strings,
            lists).
        vocab: The vocabulary the model was trained with.
        state_dict: `model.state_dict()`.
        **extra: Anything else worth keeping (step, losses), as plain values.
    """
    path = Path(path)
    payload = {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "config": dict(config),
        "vocab": {"chars": vocab.chars, "boundary": vocab.boundary},
        "state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
        "extra": dict(extra),
    }
    with atomic_write(path) as f:
        torch.save(payload, f)
    return path


def read_payload(path: str | os.PathLike) -> dict[str, Any]:
    """The dictionary a checkpoint file holds, read with `weights_only=True` (tensors
    and plain values only: nothing else is unpickled).

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: the file is empty, truncated, or not a saved dictionary.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): not a checkpoint")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # pickle errors, truncated zip, foreign objects refused
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(err).__name__}"
            + (f": {reason})" if reason else ")")
        ) from None
    if not isinstance(payload, dict):
        raise CheckpointError(f"{path} is not a zero_to_hero checkpoint")
    return payload


def load_checkpoint(
    path: str | os.PathLike, kind: str, vocab: CharVocab | None = None
) -> tuple[dict[str, Any], CharVocab, dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint written by `save_checkpoint`, refusing anything unexpected.

    Args:
        path: The checkpoint file.
        kind: The model kind the caller can rebuild; another kind is an error.
        vocab: If given, the checkpoint's vocabulary must be exactly this one.

    Returns:
        `(config, vocab, state_dict, extra)`.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: not a checkpoint of this project, or another kind or
            vocabulary.
    """
    path = Path(path)
    payload = read_payload(path)
    if payload.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} is not a zero_to_hero checkpoint (format version {FORMAT_VERSION})"
        )
    missing = sorted(REQUIRED_KEYS - payload.keys())
    if missing:
        raise CheckpointError(
            f"{path} lacks {', '.join(missing)}: a damaged checkpoint"
        )
    if payload["kind"] != kind:
        raise CheckpointError(
            f"{path} holds a {payload['kind']!r} model, but a {kind!r} model was asked "
            "for"
        )
    try:
        saved = CharVocab(payload["vocab"]["chars"], payload["vocab"]["boundary"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path} holds a damaged vocabulary ({err})") from None
    if vocab is not None and saved != vocab:
        raise CheckpointError(
            f"{path} was trained with another vocabulary ({saved.size} characters "
            f"{saved.chars!r}) than this one ({vocab.size} characters {vocab.chars!r})"
        )
    return payload["config"], saved, payload["state_dict"], payload["extra"]
