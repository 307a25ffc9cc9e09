"""Training GPT-2 the way it is trained in production: AdamW with weight decay on the
matrices only, a warm-up then a cosine decay of the learning rate, gradients clipped at
norm 1.0, and gradient accumulation.

GPT-3's recipe (Brown et al., 2020, https://arxiv.org/abs/2005.14165), which
reproductions of GPT-2 follow, takes each optimizer step on about half a million tokens:
far more than one forward pass holds in memory. Gradient accumulation splits the batch
into micro-batches, runs forward and backward on each, and adds up their gradients
before the step. As the loss is a mean over the batch, each micro-batch's loss is
divided by their number: the sum of the gradients is then the gradient of the whole
batch's mean loss, and the step is the one the whole batch would have taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from zero_to_hero.schedules import warmup_cosine

__all__ = [
    "TrainConfig",
    "lr_at",
    "make_optimizer",
    "prepare_model",
    "loss_of",
    "accumulate_gradients",
    "train_step",
]


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the model's shape lives in `GPT2Config`). The defaults are GPT-3
    small's, which GPT-2 reproductions use.

    Attributes:
        max_lr: Learning rate at the end of the warm-up.
        min_lr: Learning rate at the end of the cosine decay (and after it).
        warmup_steps: Steps of linear warm-up from `max_lr / warmup_steps`.
        max_steps: Steps until the decay reaches `min_lr`.
        weight_decay: AdamW's decay, on matrices and embeddings only.
        betas: AdamW's moment coefficients.
        grad_clip: Largest global gradient norm (None: no clipping).
        bf16: Run the forward pass under bfloat16 autocast (the matrix products in
            bfloat16, the weights, gradients and optimizer in float32).
        fused: AdamW updates every parameter in one kernel (None: PyTorch's choice).
        compile: Compile the model with `torch.compile` before training.
    """

    max_lr: float = 6e-4
    min_lr: float = 6e-5
    warmup_steps: int = 715
    max_steps: int = 19073
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float | None = 1.0
    bf16: bool = False
    fused: bool | None = None
    compile: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.min_lr <= self.max_lr:
            raise ValueError(
                f"need 0 <= min_lr <= max_lr, got {self.min_lr!r} and {self.max_lr!r}"
            )
        if not 0 <= self.warmup_steps < self.max_steps:
            raise ValueError(
                f"need 0 <= warmup_steps < max_steps, got {self.warmup_steps!r} and "
                f"{self.max_steps!r}"
            )
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip must be None or > 0, got {self.grad_clip!r}")


def lr_at(step: int, tc: TrainConfig) -> float:
    """The learning rate of optimizer step `step` (0-based): a linear warm-up to
    `max_lr`, then half a cosine down to `min_lr`, then `min_lr` (the course's one
    schedule, `zero_to_hero.schedules.warmup_cosine`)."""
    return warmup_cosine(step, tc.max_lr, tc.warmup_steps, tc.max_steps, tc.min_lr)


def make_optimizer(
    model: nn.Module, tc: TrainConfig, fused: bool | None = None
) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices and embeddings (every parameter of two
    or more dimensions), none on biases and LayerNorm gains, which decay would only
    pull toward switching their channel off. `fused`: one kernel updates all the
    parameters (None: the config's `fused`)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {
            "params": [p for p in params if p.dim() >= 2],
            "weight_decay": tc.weight_decay,
        },
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    if fused is None:
        fused = tc.fused
    return torch.optim.AdamW(groups, lr=tc.max_lr, betas=tc.betas, fused=fused)


def prepare_model(model: nn.Module, tc: TrainConfig) -> nn.Module:
    """The module to train: `model` itself, or with `tc.compile` the same parameters
    behind `torch.compile`, which fuses the element-wise operations between the
    matrix products into generated kernels (it needs a C++ compiler on a CPU)."""
    return torch.compile(model) if tc.compile else model


def loss_of(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, bf16: bool = False
) -> torch.Tensor:
    """The mean cross-entropy of the model's predictions for `x` `(B, T)` against the
    next tokens `y` `(B, T)`; with `bf16`, the forward pass runs under bfloat16
    autocast and the loss is computed in float32."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(x)
    return F.cross_entropy(logits.float().flatten(0, 1), y.flatten())


def accumulate_gradients(
    model: nn.Module,
    micro_batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    bf16: bool = False,
) -> float:
    """Add to the parameters' `.grad` the gradient of the mean loss over all the
    micro-batches (of equal size), one forward and backward at a time; return that
    mean loss."""
    sizes = {tuple(x.shape) for x, _ in micro_batches}
    if len(sizes) != 1:
        raise ValueError(
            f"micro-batches must all have the same shape, got {sorted(sizes)}: the "
            "mean of their means is the batch's mean only then"
        )
    total = 0.0
    for x, y in micro_batches:
        # each contributes 1/n of the whole batch's mean
        loss = loss_of(model, x, y, bf16) / len(micro_batches)
        loss.backward()
        total += loss.item()
    return total


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    micro_batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    step: int,
    tc: TrainConfig,
) -> tuple[float, float]:
    """One optimizer step on the micro-batches: accumulate, clip, set the learning
    rate, step. Returns the mean loss and the gradient norm before clipping."""
    optimizer.zero_grad(set_to_none=True)
    loss = accumulate_gradients(model, micro_batches, tc.bf16)
    if tc.grad_clip is not None:
        norm = nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip).item()
    else:
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norm = torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item()
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step, tc)
    optimizer.step()
    return loss, norm
