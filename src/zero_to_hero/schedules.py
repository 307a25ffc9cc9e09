"""The learning-rate schedule every trainer of the course shares: a linear warm-up,
then half a cosine down to a floor.

At the start the weights are random and the gradients large and unreliable, so the rate
climbs from almost zero (Goyal et al., 2017, arXiv:1706.02677); then it decays along a
cosine, so that the last steps make small adjustments (Loshchilov and Hutter, 2017,
arXiv:1608.03983, without the restarts).
"""

from __future__ import annotations

import math

__all__ = ["linear_warmup", "warmup_cosine"]


def linear_warmup(step: int, peak: float, warmup: int) -> float:
    """The rate of step `step` (0-based) of a warm-up of `warmup` steps:
    `peak / (warmup + 1)` at step 0, rising in equal steps, so that step `warmup` (the
    first step after it) would be exactly `peak`."""
    return peak * (step + 1) / (warmup + 1)


def warmup_cosine(
    step: int, peak: float, warmup: int, decay_steps: int, final: float = 0.0
) -> float:
    """The rate of step `step` (0-based): `linear_warmup` for the first `warmup` steps,
    then half a cosine from `peak` (at step `warmup`) down to `final` (at step
    `decay_steps`), and `final` from then on."""
    if step < warmup:
        return linear_warmup(step, peak, warmup)
    if step >= decay_steps:
        return final
    progress = (step - warmup) / max(1, decay_steps - warmup)
    return final + 0.5 * (1 + math.cos(math.pi * progress)) * (peak - final)
