"""The kernels inside a GPT, written with numba-cuda: softmax over rows, LayerNorm
(forward and backward) and fused causal attention.

Matrix multiplication (`kernels`) does most of a transformer's arithmetic; these
kernels do the rest. They are all *reductions* along a row (a maximum, a sum, a mean),
so they share one pattern: a block of threads per row, each thread handling a strided
slice of the row, and the partial results combined through shared memory.

Rules, as in `kernels`: float32 throughout (`float32(0)`, never `0.0`; math on float32
stays float32), a bounds guard for any shape, and x as the fast index. The block
reductions need a power-of-two number of threads per block; the factories check it.

Launch them through [`zero_to_hero.cuda.gpt_ops`][zero_to_hero.cuda.gpt_ops].
"""

from __future__ import annotations

import math
from typing import Any

from numba import cuda, float32

__all__ = [
    "check_block_threads",
    "softmax_naive",
    "block_max",
    "block_sum",
    "make_softmax_block",
    "online_update",
    "online_merge",
    "block_max_sum",
    "make_softmax_online",
    "make_layernorm_forward",
    "make_layernorm_backward",
    "layernorm_param_grads",
    "make_attention",
    "BLOCK_THREADS",
    "ATTENTION_TILE",
    "ATTENTION_HEAD_DIM",
]

#: Threads per block of the row kernels in their GPU configuration (4 warps).
BLOCK_THREADS = 128
#: Queries (and keys) per tile of the fused attention kernel on a GPU.
ATTENTION_TILE = 32
#: The head size of GPT-2 (768 channels / 12 heads).
ATTENTION_HEAD_DIM = 64


def check_block_threads(threads: int) -> None:
    """Raise ValueError unless `threads` is a power of two from 1 to 1024 (the block
    reductions halve it)."""
    if not isinstance(threads, int) or not 1 <= threads <= 1024:
        raise ValueError(f"threads must be an int from 1 to 1024, got {threads!r}")
    if threads & (threads - 1):
        raise ValueError(
            f"threads must be a power of two (the block reductions halve it), got "
            f"{threads}"
        )


# --- softmax, three passes, one thread per row ----------------------------------------


@cuda.jit
def softmax_naive(x, out):
    """out[r] = softmax(x[r]), one thread per row, reading the row three times."""
    row = cuda.grid(1)
    if row < x.shape[0]:
        n = x.shape[1]
        # pass 1: the maximum, so that no exponent is positive (exp(89) overflows)
        m = float32(-math.inf)
        for j in range(n):
            m = max(m, x[row, j])
        # pass 2: the normaliser
        total = float32(0)
        for j in range(n):
            total += math.exp(x[row, j] - m)
        # pass 3: the probabilities
        for j in range(n):
            out[row, j] = math.exp(x[row, j] - m) / total


# --- reductions across a block --------------------------------------------------------


@cuda.jit(device=True)
def block_max(buf, value):
    """The maximum of `value` over all threads of the block, returned to every thread.

    `buf` is a shared array with one slot per thread; blockDim.x a power of two.
    """
    t = cuda.threadIdx.x
    buf[t] = value
    cuda.syncthreads()
    stride = cuda.blockDim.x // 2
    while stride > 0:  # halve: thread t folds in the slot `stride` away
        if t < stride:
            buf[t] = max(buf[t], buf[t + stride])
        cuda.syncthreads()
        stride //= 2
    result = buf[0]
    cuda.syncthreads()  # everyone has read buf[0] before buf is reused
    return result


@cuda.jit(device=True)
def block_sum(buf, value):
    """The sum of `value` over all threads of the block, returned to every thread."""
    t = cuda.threadIdx.x
    buf[t] = value
    cuda.syncthreads()
    stride = cuda.blockDim.x // 2
    while stride > 0:
        if t < stride:
            buf[t] += buf[t + stride]
        cuda.syncthreads()
        stride //= 2
    result = buf[0]
    cuda.syncthreads()
    return result


# --- softmax, one block per row -------------------------------------------------------


def make_softmax_block(threads: int) -> Any:
    """Build the softmax with one block of `threads` threads per row.

    Each pass over the row is split between the threads (thread t takes columns t,
    t + threads, ...: neighbouring threads read neighbouring floats), and the partial
    maxima and sums are combined through shared memory.

    Raises:
        ValueError: `threads` is not a power of two from 1 to 1024.
    """
    check_block_threads(threads)

    @cuda.jit
    def softmax_block(x, out):
        """out[r] = softmax(x[r]); block r handles row r."""
        buf = cuda.shared.array(threads, float32)
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        n = x.shape[1]
        m = float32(-math.inf)
        for j in range(t, n, threads):
            m = max(m, x[row, j])
        m = block_max(buf, m)
        total = float32(0)
        for j in range(t, n, threads):
            total += math.exp(x[row, j] - m)
        total = block_sum(buf, total)
        for j in range(t, n, threads):
            out[row, j] = math.exp(x[row, j] - m) / total

    return softmax_block


# --- the online softmax (Milakov and Gimelshein, 2018) --------------------------------


@cuda.jit(device=True)
def online_update(m, d, x):
    """Fold one value `x` into a running maximum `m` and sum `d` of exp(x_i - m)."""
    m_new = max(m, x)
    if m_new > float32(-math.inf):  # else all -inf so far: nothing to add, d stays 0
        d = d * math.exp(m - m_new) + math.exp(x - m_new)
    return m_new, d


@cuda.jit(device=True)
def online_merge(m1, d1, m2, d2):
    """Combine two running (maximum, sum) pairs, each over its own part of a row."""
    m = max(m1, m2)
    if m == float32(-math.inf):
        return m, float32(0)
    return m, d1 * math.exp(m1 - m) + d2 * math.exp(m2 - m)


@cuda.jit(device=True)
def block_max_sum(buf_m, buf_d, m, d):
    """`online_merge` over all threads of the block, returned to every thread."""
    t = cuda.threadIdx.x
    buf_m[t] = m
    buf_d[t] = d
    cuda.syncthreads()
    stride = cuda.blockDim.x // 2
    while stride > 0:
        if t < stride:
            buf_m[t], buf_d[t] = online_merge(
                buf_m[t], buf_d[t], buf_m[t + stride], buf_d[t + stride]
            )
        cuda.syncthreads()
        stride //= 2
    m, d = buf_m[0], buf_d[0]
    cuda.syncthreads()
    return m, d


def make_softmax_online(threads: int) -> Any:
    """Build the online softmax: the maximum and the sum in *one* pass over the row,
    then one pass to write; two reads of the row instead of three.

    Raises:
        ValueError: `threads` is not a power of two from 1 to 1024.
    """
    check_block_threads(threads)

    @cuda.jit
    def softmax_online(x, out):
        """out[r] = softmax(x[r]); block r handles row r."""
        buf_m = cuda.shared.array(threads, float32)
        buf_d = cuda.shared.array(threads, float32)
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        n = x.shape[1]
        m, d = float32(-math.inf), float32(0)
        for j in range(t, n, threads):  # one read: running maximum and sum together
            m, d = online_update(m, d, x[row, j])
        m, d = block_max_sum(buf_m, buf_d, m, d)
        for j in range(t, n, threads):
            out[row, j] = math.exp(x[row, j] - m) / d

    return softmax_online


# --- LayerNorm ------------------------------------------------------------------------


def make_layernorm_forward(threads: int) -> Any:
    """Build the LayerNorm forward kernel, one block of `threads` threads per row.

    Two passes over the row, mean first, then the mean of squared deviations: the
    one-pass formula E[x²] - E[x]² subtracts two large, nearly equal numbers when the
    mean is large against the spread, and loses every digit in float32. Welford's
    algorithm avoids that in one pass, but its block-level merge is longer; a row of a
    GPT (768 floats) fits in the L1 cache, so the second read is cheap.

    Raises:
        ValueError: `threads` is not a power of two from 1 to 1024.
    """
    check_block_threads(threads)

    @cuda.jit
    def layernorm_forward(x, weight, bias, eps, out, mean, rstd):
        """out[r] = (x[r] - mean) / sqrt(var + eps) * weight + bias; also saves the
        mean and 1 / std of each row for the backward pass."""
        buf = cuda.shared.array(threads, float32)
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        n = x.shape[1]
        s = float32(0)
        for j in range(t, n, threads):
            s += x[row, j]
        mu = block_sum(buf, s) / float32(n)  # float32(n): an int would make a float64
        s = float32(0)
        for j in range(t, n, threads):
            s += (x[row, j] - mu) * (x[row, j] - mu)
        var = block_sum(buf, s) / float32(n)  # biased, as PyTorch's LayerNorm
        r = float32(1) / math.sqrt(var + eps)
        for j in range(t, n, threads):
            out[row, j] = (x[row, j] - mu) * r * weight[j] + bias[j]
        if t == 0:
            mean[row] = mu
            rstd[row] = r

    return layernorm_forward


def make_layernorm_backward(threads: int) -> Any:
    """Build the LayerNorm backward kernel for the input, one block per row.

    With xhat = (x - mean) * rstd and g = dout * weight, the gradient of the input is

        dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),

    two sums over the row, the same block reduction as the forward pass.

    Raises:
        ValueError: `threads` is not a power of two from 1 to 1024.
    """
    check_block_threads(threads)

    @cuda.jit
    def layernorm_backward(dout, x, weight, mean, rstd, dx):
        """dx[r], the gradient of the loss with respect to x[r]; block r handles row
        r."""
        buf = cuda.shared.array(threads, float32)
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        n = x.shape[1]
        mu, r = mean[row], rstd[row]
        s_g = float32(0)
        s_gx = float32(0)
        for j in range(t, n, threads):
            g = dout[row, j] * weight[j]
            s_g += g
            s_gx += g * (x[row, j] - mu) * r
        mean_g = block_sum(buf, s_g) / float32(n)
        mean_gx = block_sum(buf, s_gx) / float32(n)
        for j in range(t, n, threads):
            xhat = (x[row, j] - mu) * r
            g = dout[row, j] * weight[j]
            dx[row, j] = r * (g - mean_g - xhat * mean_gx)

    return layernorm_backward


@cuda.jit
def layernorm_param_grads(dout, x, mean, rstd, dweight, dbias):
    """dweight and dbias: sums over the rows, one thread per column (neighbouring
    threads read neighbouring columns: coalesced, and no atomics)."""
    j = cuda.grid(1)
    if j < x.shape[1]:
        dw = float32(0)
        db = float32(0)
        for row in range(x.shape[0]):
            dw += dout[row, j] * (x[row, j] - mean[row]) * rstd[row]
            db += dout[row, j]
        dweight[j] = dw
        dbias[j] = db


# --- attention, fused -----------------------------------------------------------------


def make_attention(tile: int, head_dim: int) -> Any:
    """Build the fused attention kernel: softmax(q k^T * scale) v, one head at a time,
    without ever writing the T × T scores (the FlashAttention idea, Dao et al., 2022).

    A block of `tile` threads takes `tile` consecutive queries of one head, a thread
    per query. It walks over the keys `tile` at a time: the block stages the tile's keys
    and values in shared memory, each thread computes its `tile` scores into registers,
    and folds them into its output with the online softmax: a running maximum `m`, a
    running sum `d`, and the output accumulated so far, all rescaled by exp(m_old -
    m_new) when the maximum grows.

    Args:
        tile: Queries per block and keys per step (shared memory: 3 × tile × head_dim
            floats).
        head_dim: The head size D, fixed at compile time (it sizes the register arrays).

    Returns:
        A kernel `attention(q, k, v, out, scale, causal)` on (heads, T, head_dim)
        arrays, launched with a grid of `(ceil(T / tile), heads)` blocks of `tile`
        threads.

    Raises:
        ValueError: `tile` or `head_dim` is out of range.
    """
    if not isinstance(tile, int) or not 1 <= tile <= 1024:
        raise ValueError(f"tile must be an int from 1 to 1024, got {tile!r}")
    if not isinstance(head_dim, int) or not 1 <= head_dim <= 256:
        raise ValueError(f"head_dim must be an int from 1 to 256, got {head_dim!r}")

    @cuda.jit
    def attention(q, k, v, out, scale, causal):
        """out = softmax(q k^T * scale, causally masked if `causal`) v, per head."""
        sQ = cuda.shared.array((tile, head_dim), float32)
        sK = cuda.shared.array((tile, head_dim), float32)
        sV = cuda.shared.array((tile, head_dim), float32)
        acc = cuda.local.array(head_dim, float32)  # this query's output, unnormalised
        s = cuda.local.array(tile, float32)  # its scores against one tile of keys
        h = cuda.blockIdx.y
        t = cuda.threadIdx.x
        q0 = cuda.blockIdx.x * tile
        i = q0 + t  # this thread's query
        T = q.shape[1]
        # Stage the block's queries; consecutive threads load consecutive floats.
        for e in range(t, tile * head_dim, tile):
            r, c = e // head_dim, e % head_dim
            sQ[r, c] = q[h, q0 + r, c] * scale if q0 + r < T else float32(0)
        for c in range(head_dim):
            acc[c] = float32(0)
        m = float32(-math.inf)
        d = float32(0)  # the running sum of exp(score - m), as in the softmax
        # With the causal mask, keys past the block's last query are never needed.
        end = min(T, q0 + tile) if causal else T
        for k0 in range(0, end, tile):
            for e in range(t, tile * head_dim, tile):
                r, c = e // head_dim, e % head_dim
                inside = k0 + r < T
                sK[r, c] = k[h, k0 + r, c] if inside else float32(0)
                sV[r, c] = v[h, k0 + r, c] if inside else float32(0)
            cuda.syncthreads()  # the tile is loaded
            m_tile = float32(-math.inf)
            for j in range(tile):
                score = float32(-math.inf)  # masked: exp(-inf - m) = 0
                if k0 + j < T and (not causal or k0 + j <= i):
                    score = float32(0)
                    for c in range(head_dim):
                        score += sQ[t, c] * sK[j, c]
                s[j] = score
                m_tile = max(m_tile, score)
            m_new = max(m, m_tile)
            if m_new > float32(-math.inf):  # else the whole tile is masked: skip it
                correction = math.exp(m - m_new)  # rescale what was summed so far
                d *= correction
                for c in range(head_dim):
                    acc[c] *= correction
                for j in range(tile):
                    p = math.exp(s[j] - m_new)
                    d += p
                    for c in range(head_dim):
                        acc[c] += p * sV[j, c]
                m = m_new
            cuda.syncthreads()  # all done with the tile before the next load
        if i < T:
            for c in range(head_dim):
                out[h, i, c] = acc[c] / d

    return attention
