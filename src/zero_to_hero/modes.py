"""Evaluation mode for the length of a block.

BatchNorm uses its running statistics and dropout is off in evaluation mode; training
must go on in training mode afterwards, even when the block raises. One context manager
does that for every model of the course: `torch.nn.Module`s and the makemore chapter's
own layers alike (anything with a `training` flag and `train(mode)`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol, TypeVar

__all__ = ["eval_mode"]


class Switchable(Protocol):
    training: bool

    def train(self, mode: bool = True) -> object: ...


M = TypeVar("M", bound=Switchable)


@contextlib.contextmanager
def eval_mode(model: M) -> Iterator[M]:
    """Put `model` in evaluation mode inside the block, and back in the mode it had
    before after it.

    Example:
        >>> import torch
        >>> net = torch.nn.Dropout(0.5)
        >>> with eval_mode(net):
        ...     net.training
        False
        >>> net.training
        True
    """
    was_training = model.training
    model.train(False)
    try:
        yield model
    finally:
        model.train(was_training)
