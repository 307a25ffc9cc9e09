"""Save a trained makemore model to a checkpoint and load it back, whatever its kind.

A checkpoint (`zero_to_hero.checkpoint`) holds the weights, the configuration that
rebuilds the model, and the vocabulary. It loads with `torch.load(...,
weights_only=True)`, so opening a file never runs code from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zero_to_hero.checkpoint import (
    CheckpointError,
    load_checkpoint,
    read_payload,
    save_checkpoint,
)
from zero_to_hero.makemore.backprop import BackpropConfig, BackpropMLP
from zero_to_hero.makemore.bigram import BigramCounts, NeuralBigram
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.layers import Module
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.wavenet import WaveNet, WaveNetConfig
from zero_to_hero.vocab import CharVocab

__all__ = ["KINDS", "save_model", "load_model"]


def _build(kind: str, config: dict[str, Any]) -> Module:
    if kind == BigramCounts.kind:
        return BigramCounts.from_config(**config)
    if kind == NeuralBigram.kind:
        return NeuralBigram(**config)
    if kind == MLP.kind:
        return MLP(MLPConfig(**config))
    if kind == WaveNet.kind:
        return WaveNet(WaveNetConfig(**config))
    if kind == BackpropMLP.kind:
        return BackpropMLP(BackpropConfig(**config))
    return DeepMLP(DeepMLPConfig(**config))


#: The model kinds a makemore checkpoint can hold.
KINDS = (
    BigramCounts.kind,
    NeuralBigram.kind,
    MLP.kind,
    DeepMLP.kind,
    WaveNet.kind,
    BackpropMLP.kind,
)


def save_model(
    path: str | os.PathLike, model: Module, vocab: CharVocab, **extra: Any
) -> Path:
    """Write `model` (any makemore model), its configuration and `vocab` to `path`.

    `extra` keeps plain values alongside (the recipe name, the final losses).
    """
    if getattr(model, "kind", None) not in KINDS:
        raise TypeError(f"cannot save a {type(model).__name__}: not a makemore model")
    return save_checkpoint(
        path, model.kind, model.config_dict(), vocab, model.state_dict(), **extra
    )


def load_model(
    path: str | os.PathLike, vocab: CharVocab | None = None
) -> tuple[Module, CharVocab, dict[str, Any]]:
    """Rebuild the model saved at `path`, in evaluation mode.

    Args:
        path: A checkpoint written by `save_model`.
        vocab: If given, the checkpoint's vocabulary must be this one.

    Returns:
        `(model, vocab, extra)`.

    Raises:
        CheckpointError: the file is not a makemore checkpoint, or has another
            vocabulary.
    """
    path = Path(path)
    kind = read_payload(path).get("kind")  # first the kind: which model to rebuild
    if kind not in KINDS:
        raise CheckpointError(
            f"{path} holds a {kind!r} model, not a makemore model ({', '.join(KINDS)})"
        )
    config, saved_vocab, state, extra = load_checkpoint(path, kind, vocab)
    try:
        model = _build(kind, config)
    except (ValueError, TypeError) as err:  # an edited or foreign file
        raise CheckpointError(
            f"{path}: its config does not describe a {kind} model: {err}"
        ) from None
    try:
        model.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError) as err:
        raise CheckpointError(
            f"{path}: the weights do not fit the model its config describes: {err}"
        ) from None
    model.eval()
    return model, saved_vocab, extra
