"""Model FLOP utilisation (MFU): how much of the machine's arithmetic the training uses.

Training a transformer costs about `6 N` floating-point operations per token for its `N`
weights (2 for the multiply-add of the forward pass, 4 for the two matmuls of the
backward pass), plus `12 · n_layer · T · n_embd` for attention's own matmuls over a
context of `T` (the accounting of the PaLM paper, which nanoGPT's `estimate_mfu` uses
too). Divide the FLOP/s this implies by the best FLOP/s a plain matrix multiplication
reaches on the same device, and you know how far the training is from the hardware's
limit.
"""

from __future__ import annotations

import time

import torch

from zero_to_hero.gpt.model import GPT

__all__ = ["flops_per_token", "matmul_flops_per_second"]


def flops_per_token(model: GPT) -> int:
    """Training FLOPs (forward + backward) per token at full context.

    `N` counts the weights used in matmuls: every parameter except the position
    embeddings (a lookup, no arithmetic) and an untied token embedding (also a lookup);
    a tied one is counted once, as the output layer.
    """
    c = model.config
    n = model.num_params(non_embedding=True)
    return 6 * n + 12 * c.n_layer * c.block_size * c.n_embd


def matmul_flops_per_second(
    n: int = 1024,
    repeats: int = 10,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device = "cpu",
) -> float:
    """The best FLOP/s of `repeats` timed `(n, n) @ (n, n)` products: the device's
    practical peak for dense matmuls, with this process's thread settings.

    On a CPU the time is the process's CPU time, which other processes sharing the
    machine do not inflate (time training steps the same way to compare); on a GPU it is
    wall-clock time after synchronising.
    """
    if n < 1 or repeats < 1:
        raise ValueError(f"n and repeats must be >= 1, got {n} and {repeats}")
    device = torch.device(device)
    g = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(n, n, dtype=dtype, device=device, generator=g)
    b = torch.randn(n, n, dtype=dtype, device=device, generator=g)
    on_gpu = device.type == "cuda"
    sync = torch.cuda.synchronize if on_gpu else (lambda: None)
    clock = time.perf_counter if on_gpu else time.process_time
    a @ b  # warm-up: first-call allocation and kernel selection are not the matmul
    sync()
    best = float("inf")
    for _ in range(repeats):
        t0 = clock()
        a @ b
        sync()
        best = min(best, clock() - t0)
    return 2 * n**3 / best
