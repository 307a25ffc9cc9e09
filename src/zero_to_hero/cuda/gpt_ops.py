"""Launch the GPT kernels of [`gpt_kernels`][zero_to_hero.cuda.gpt_kernels]: softmax,
LayerNorm forward and backward, fused attention.

Like [`launch`][zero_to_hero.cuda.launch], each helper takes numpy arrays (copied to the
device and back) or arrays already on the device (which stay there), checks them, and
computes the grid: one block per row for the row kernels, one block per `tile`
queries of one head for attention.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from numba import cuda

from zero_to_hero.cuda import gpt_kernels
from zero_to_hero.cuda.gpt_kernels import (
    ATTENTION_HEAD_DIM,
    ATTENTION_TILE,
    BLOCK_THREADS,
)
from zero_to_hero.cuda.launch import blocks_for, device_arrays

__all__ = [
    "SOFTMAX_KERNELS",
    "softmax_kernel",
    "softmax",
    "layernorm_kernels",
    "layer_norm",
    "layer_norm_backward",
    "attention_kernel",
    "attention",
]

#: The softmax kernels, slowest first.
SOFTMAX_KERNELS = ("naive", "block", "online")


@functools.cache
def softmax_kernel(name: str, threads: int = BLOCK_THREADS) -> Any:
    """The softmax kernel `name` ("naive", "block" or "online") for blocks of
    `threads`."""
    if name == "naive":
        return gpt_kernels.softmax_naive
    if name == "block":
        return gpt_kernels.make_softmax_block(threads)
    if name == "online":
        return gpt_kernels.make_softmax_online(threads)
    raise ValueError(f"unknown softmax kernel {name!r}; choose from {SOFTMAX_KERNELS}")


def _finish(host: bool, *arrays: Any) -> Any:
    out = tuple(a.copy_to_host() if host else a for a in arrays)
    return out[0] if len(out) == 1 else out


def softmax(
    x: Any, kernel: str = "online", *, threads: int = BLOCK_THREADS, stream: Any = 0
) -> Any:
    """The softmax of each row of `x` on the device.

    Args:
        x: A float32 matrix (rows × columns), on the host or on the device.
        kernel: "naive" (a thread per row, three passes), "block" (a block per row,
            three passes) or "online" (a block per row, two passes).
        threads: Threads per block: a power of two (for "naive", threads per block of
            rows).
        stream: The CUDA stream to launch on.

    Returns:
        The probabilities, same shape: numpy if `x` was numpy, else a device array.

    Example:
        >>> import numpy as np
        >>> softmax(np.array([[0, 0, 0, 0], [0, 0, 0, -np.inf]], np.float32), threads=2)
        array([[0.25      , 0.25      , 0.25      , 0.25      ],
               [0.33333334, 0.33333334, 0.33333334, 0.        ]], dtype=float32)
    """
    (x_d,), host = device_arrays({"x": x}, ndim=2)
    kern = softmax_kernel(kernel, threads)
    rows, cols = x_d.shape
    out = cuda.device_array((rows, cols), dtype=np.float32)
    if rows and cols:
        if kernel == "naive":
            kern[blocks_for(rows, threads), threads, stream](x_d, out)
        else:
            kern[rows, threads, stream](x_d, out)
    return _finish(host, out)


@functools.cache
def layernorm_kernels(threads: int = BLOCK_THREADS) -> tuple[Any, Any]:
    """The LayerNorm forward and backward kernels for blocks of `threads`."""
    return (
        gpt_kernels.make_layernorm_forward(threads),
        gpt_kernels.make_layernorm_backward(threads),
    )


def _check_row_params(x_d: Any, named: dict[str, Any]) -> None:
    cols = x_d.shape[1]
    if cols == 0:
        raise ValueError("x has 0 columns: there is nothing to normalise")
    for name, p in named.items():
        if p.shape[0] != cols:
            raise ValueError(
                f"{name} has {p.shape[0]} entries; x has {cols} columns, one each"
            )


def layer_norm(
    x: Any,
    weight: Any,
    bias: Any,
    eps: float = 1e-5,
    *,
    threads: int = BLOCK_THREADS,
    stream: Any = 0,
) -> tuple[Any, Any, Any]:
    """LayerNorm over the last axis of `x`, as `torch.nn.functional.layer_norm`.

    Args:
        x: A float32 matrix (rows × channels).
        weight: float32 gains, one per channel.
        bias: float32 offsets, one per channel; all in the same place as `x`.
        eps: Added to the variance before the square root.
        threads: Threads per block (a block per row), a power of two.
        stream: The CUDA stream to launch on.

    Returns:
        (out, mean, rstd): the normalised rows, and each row's mean and 1 / std,
        which the backward pass needs.
    """
    (x_d,), host = device_arrays({"x": x}, ndim=2)
    (w_d, b_d), host_p = device_arrays({"weight": weight, "bias": bias}, ndim=1)
    if host != host_p:
        raise TypeError("x, weight and bias must all be on the host or on the device")
    _check_row_params(x_d, {"weight": w_d, "bias": b_d})
    rows, cols = x_d.shape
    out = cuda.device_array((rows, cols), dtype=np.float32)
    mean = cuda.device_array(rows, dtype=np.float32)
    rstd = cuda.device_array(rows, dtype=np.float32)
    if rows:
        forward, _ = layernorm_kernels(threads)
        forward[rows, threads, stream](x_d, w_d, b_d, np.float32(eps), out, mean, rstd)
    return _finish(host, out, mean, rstd)


def layer_norm_backward(
    dout: Any,
    x: Any,
    weight: Any,
    mean: Any,
    rstd: Any,
    *,
    threads: int = BLOCK_THREADS,
    stream: Any = 0,
) -> tuple[Any, Any, Any]:
    """The gradients of LayerNorm, given the gradient `dout` of its output.

    Args:
        dout: float32, rows × channels, the gradient of the loss with respect to the
            output.
        x: The forward pass's input.
        weight: The gains.
        mean: Each row's mean, from `layer_norm`.
        rstd: Each row's 1 / std, from `layer_norm`.
        threads: Threads per block, a power of two.
        stream: The CUDA stream to launch on.

    Returns:
        (dx, dweight, dbias).
    """
    (dout_d, x_d), host = device_arrays({"dout": dout, "x": x}, ndim=2)
    (w_d, mean_d, rstd_d), host_p = device_arrays(
        {"weight": weight, "mean": mean, "rstd": rstd}, ndim=1
    )
    if host != host_p:
        raise TypeError("the arguments must all be on the host or on the device")
    if dout_d.shape != x_d.shape:
        raise ValueError(
            f"dout has shape {tuple(dout_d.shape)} and x {tuple(x_d.shape)}: "
            "they must match"
        )
    _check_row_params(x_d, {"weight": w_d})
    rows, cols = x_d.shape
    for name, a in {"mean": mean_d, "rstd": rstd_d}.items():
        if a.shape[0] != rows:
            raise ValueError(f"{name} has {a.shape[0]} entries; x has {rows} rows")
    dx = cuda.device_array((rows, cols), dtype=np.float32)
    # zeros: with no rows, the sums over rows are empty
    dweight = cuda.to_device(np.zeros(cols, dtype=np.float32))
    dbias = cuda.to_device(np.zeros(cols, dtype=np.float32))
    if rows:
        _, backward = layernorm_kernels(threads)
        backward[rows, threads, stream](dout_d, x_d, w_d, mean_d, rstd_d, dx)
        grads = gpt_kernels.layernorm_param_grads  # a thread per column
        grads[blocks_for(cols, threads), threads, stream](
            dout_d, x_d, mean_d, rstd_d, dweight, dbias
        )
    return _finish(host, dx, dweight, dbias)


@functools.cache
def attention_kernel(
    tile: int = ATTENTION_TILE, head_dim: int = ATTENTION_HEAD_DIM
) -> Any:
    """The fused attention kernel for one tile size and head size."""
    return gpt_kernels.make_attention(tile, head_dim)


def attention(
    q: Any,
    k: Any,
    v: Any,
    *,
    causal: bool = True,
    tile: int = ATTENTION_TILE,
    stream: Any = 0,
) -> Any:
    """softmax(q kᵀ / √D) v per head, masked causally if `causal`, never writing the
    scores.

    Args:
        q: float32 queries, (heads, T, D): batch and heads flattened into one axis.
        k: Keys, the same shape.
        v: Values, the same shape; all three in the same place.
        causal: Query i sees only keys 0..i (a GPT's decoder).
        tile: Queries per block and keys per step.
        stream: The CUDA stream to launch on.

    Returns:
        The output, (heads, T, D): numpy if the inputs were numpy, else a device array.
    """
    (q_d, k_d, v_d), host = device_arrays({"q": q, "k": k, "v": v}, ndim=3)
    if not (q_d.shape == k_d.shape == v_d.shape):
        raise ValueError(
            f"q, k and v must have one shape (heads, T, D), got {tuple(q_d.shape)}, "
            f"{tuple(k_d.shape)} and {tuple(v_d.shape)}"
        )
    heads, T, D = q_d.shape
    out = cuda.device_array((heads, T, D), dtype=np.float32)
    if heads and T and D:
        kernel = attention_kernel(tile, D)
        grid = (blocks_for(T, tile), heads)
        kernel[grid, tile, stream](
            q_d, k_d, v_d, out, np.float32(1 / math.sqrt(D)), bool(causal)
        )
    return _finish(host, out)
