"""The GPT kernels (softmax, LayerNorm forward and backward, fused attention) against
PyTorch, on the simulator (or a GPU when there is one): ragged shapes, rows of large
magnitude, masked rows, sequence lengths that are not a multiple of the tile."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import zero_to_hero.cuda as zcuda
from zero_to_hero.cuda import gpt_kernels
from zero_to_hero.cuda.gpt_ops import (
    SOFTMAX_KERNELS,
    attention,
    layer_norm,
    layer_norm_backward,
    softmax,
)

# Small blocks: the simulator runs each thread as a Python thread.
THREADS = 16
# rows x columns: one column, fewer columns than threads, several strides of a block
SHAPES = [(3, 37), (4, 1), (2, 11)]


def torch_softmax(x: np.ndarray) -> np.ndarray:
    return torch.softmax(torch.from_numpy(x), dim=-1).numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", SOFTMAX_KERNELS)
def test_softmax_matches_torch_on_ragged_shapes(kernel, shape):
    x = np.random.default_rng(sum(shape)).standard_normal(shape, dtype=np.float32)
    p = softmax(x, kernel, threads=THREADS)
    np.testing.assert_allclose(p, torch_softmax(x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("kernel", SOFTMAX_KERNELS)
def test_softmax_of_large_rows_does_not_overflow(kernel):
    rng = np.random.default_rng(1)
    # exp(89) is already inf in float32; these rows reach 3e4 and -3e4
    x = (rng.standard_normal((3, 21)) * 50).astype(np.float32)
    x[0] += 30_000
    x[1] -= 30_000
    with np.errstate(over="ignore"):  # the row that overflows without the maximum
        assert np.isinf(np.exp(x[0])).all()
    p = softmax(x, kernel, threads=THREADS)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p, torch_softmax(x), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kernel", SOFTMAX_KERNELS)
def test_a_row_masked_but_for_one_entry_is_one_hot(kernel):
    x = np.full((2, 19), -np.inf, dtype=np.float32)
    x[0, 13] = 5.0  # the one entry left, late in the row: after many -inf
    x[1, 0] = -7.0  # and first
    x[1, 5:9] = -7.0
    p = softmax(x, kernel, threads=THREADS)
    np.testing.assert_array_equal(p[0], np.eye(19, dtype=np.float32)[13])
    np.testing.assert_allclose(p, torch_softmax(x), rtol=1e-6, atol=0)


@settings(max_examples=6)
@given(
    rows=st.integers(1, 3),
    cols=st.integers(1, 40),
    log2_threads=st.integers(0, 4),
    scale=st.sampled_from([0.1, 1.0, 100.0]),
    seed=st.integers(0, 2**16),
    kernel=st.sampled_from(["block", "online"]),
)
def test_softmax_for_any_shape_and_block_size(
    rows, cols, log2_threads, scale, seed, kernel
):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((rows, cols)) * scale).astype(np.float32)
    p = softmax(x, kernel, threads=2**log2_threads)
    np.testing.assert_allclose(p, torch_softmax(x), rtol=1e-5, atol=1e-7)


def online_reference(x: np.ndarray) -> tuple[float, float]:
    """The recurrence of Milakov and Gimelshein in plain Python, in float64."""
    m, d = -np.inf, 0.0
    for v in x.astype(np.float64):
        m_new = max(m, v)
        d = d * np.exp(m - m_new) + np.exp(v - m_new)
        m = m_new
    return m, d


def test_the_online_recurrence_gives_the_maximum_and_the_sum():
    x = np.random.default_rng(2).standard_normal(50) * 10
    m, d = online_reference(x)
    assert m == x.max()
    assert d == pytest.approx(np.exp(x - x.max()).sum(), rel=1e-12)


# --- LayerNorm ------------------------------------------------------------------------


def layer_norm_inputs(rows: int, cols: int, seed: int, offset: float = 0.0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((rows, cols)) + offset).astype(np.float32)
    w = rng.standard_normal(cols).astype(np.float32)
    b = rng.standard_normal(cols).astype(np.float32)
    return x, w, b


@pytest.mark.parametrize("shape", [(3, 37), (2, 5), (1, 1)], ids=str)
def test_layer_norm_matches_torch(shape):
    x, w, b = layer_norm_inputs(*shape, seed=shape[1])
    out, mean, rstd = layer_norm(x, w, b, 1e-5, threads=THREADS)
    xt = torch.from_numpy(x)
    expected = F.layer_norm(xt, (shape[1],), torch.from_numpy(w), torch.from_numpy(b))
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-5, atol=1e-5)
    var, mu = torch.var_mean(xt, dim=1, unbiased=False)
    np.testing.assert_allclose(mean, mu.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(rstd, (var + 1e-5).rsqrt().numpy(), rtol=1e-5)


def test_layer_norm_is_accurate_when_the_mean_dwarfs_the_spread():
    """Two passes: E[x²] - E[x]² would cancel to nothing at a mean of 10⁴."""
    x, w, b = layer_norm_inputs(2, 29, seed=3, offset=1e4)
    out, _, rstd = layer_norm(x, w, b, 1e-5, threads=THREADS)
    x64 = x.astype(np.float64)
    var = x64.var(axis=1, keepdims=True)
    expected = (x64 - x64.mean(axis=1, keepdims=True)) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-3)
    # the one-pass formula in float32 is far off
    x32 = x.astype(np.float32)
    one_pass = (x32 * x32).mean(axis=1) - x32.mean(axis=1) ** 2
    assert (
        np.abs(one_pass - var[:, 0]).max()
        > 100 * np.abs(1 / rstd**2 - 1e-5 - var[:, 0]).max()
    )


@pytest.mark.parametrize("shape", [(3, 37), (5, 4), (1, 1)], ids=str)
def test_layer_norm_backward_matches_torch_autograd(shape):
    x, w, b = layer_norm_inputs(*shape, seed=10 + shape[0])
    dout = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    _, mean, rstd = layer_norm(x, w, b, 1e-5, threads=THREADS)
    dx, dw, db = layer_norm_backward(dout, x, w, mean, rstd, threads=THREADS)
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    F.layer_norm(xt, (shape[1],), wt, bt, 1e-5).backward(torch.from_numpy(dout))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_layer_norm_with_no_rows():
    x = np.zeros((0, 3), np.float32)
    w = np.ones(3, np.float32)
    out, mean, rstd = layer_norm(x, w, w, threads=4)
    assert out.shape == (0, 3) and mean.shape == rstd.shape == (0,)
    dx, dw, db = layer_norm_backward(x, x, w, mean, rstd, threads=4)
    assert dx.shape == (0, 3)
    np.testing.assert_array_equal(dw, np.zeros(3, np.float32))
    np.testing.assert_array_equal(db, np.zeros(3, np.float32))


# --- attention ------------------------------------------------------------------------


def qkv(heads: int, T: int, D: int, seed: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((heads, T, D)) * scale).astype(np.float32)
        for _ in range(3)
    ]


def torch_attention(q, k, v, causal: bool) -> np.ndarray:
    q, k, v = (torch.from_numpy(a) for a in (q, k, v))
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal).numpy()


@pytest.mark.parametrize("causal", [True, False], ids=["causal", "full"])
@pytest.mark.parametrize(
    "heads,T,D,tile", [(2, 11, 8, 4), (1, 5, 3, 8), (3, 1, 4, 4)], ids=str
)
def test_attention_matches_torch_sdpa(heads, T, D, tile, causal):
    q, k, v = qkv(heads, T, D, seed=T + D)
    out = attention(q, k, v, causal=causal, tile=tile)
    np.testing.assert_allclose(
        out, torch_attention(q, k, v, causal), rtol=1e-5, atol=1e-5
    )


def test_causal_attention_first_query_sees_only_the_first_key():
    """Row 0 of the causal mask is masked but for one entry: its output is v[0]."""
    q, k, v = qkv(2, 6, 4, seed=5)
    out = attention(q, k, v, causal=True, tile=4)
    np.testing.assert_allclose(out[:, 0], v[:, 0], rtol=1e-6)


def test_attention_with_large_scores_does_not_overflow():
    # scores of order 10^4: exp overflows without the running maximum
    q, k, v = qkv(1, 9, 4, seed=6, scale=30.0)
    out = attention(q, k, v, causal=True, tile=4)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(
        out, torch_attention(q, k, v, True), rtol=1e-4, atol=1e-4
    )


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [0, 3, 2048, 2.0])
def test_block_sizes_are_checked(threads):
    with pytest.raises(ValueError, match="threads must be"):
        gpt_kernels.make_softmax_online(threads)


def test_bad_arguments_are_explained():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="unknown softmax kernel"):
        softmax(x, "fastest")
    with pytest.raises(TypeError, match="float32"):
        softmax(x.astype(np.float64))
    with pytest.raises(ValueError, match="weight has 4 entries; x has 3 columns"):
        layer_norm(x, np.ones(4, np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="0 columns"):
        layer_norm(
            np.ones((2, 0), np.float32), np.ones(0, np.float32), np.ones(0, np.float32)
        )
    q = np.ones((1, 4, 2), np.float32)
    with pytest.raises(ValueError, match="one shape"):
        attention(q, q, np.ones((1, 4, 3), np.float32))
    with pytest.raises(ValueError, match="tile must be"):
        gpt_kernels.make_attention(0, 4)


@pytest.mark.skipif(zcuda.on_simulator(), reason="GPU sizes: minutes in the simulator")
def test_gpt_kernels_at_gpu_sizes():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((300, 1000)).astype(np.float32)
    for kernel in SOFTMAX_KERNELS:
        p = softmax(x, kernel)
        np.testing.assert_allclose(p, torch_softmax(x), rtol=1e-4, atol=1e-6)
    q, k, v = qkv(4, 300, 64, seed=1)
    np.testing.assert_allclose(
        attention(q, k, v), torch_attention(q, k, v, True), rtol=1e-4, atol=1e-4
    )


def test_the_cli_demo_runs_the_gpt_kernels(capsys):
    from zero_to_hero.cuda import cli

    assert cli._demo_gpt(np.random.default_rng(0), 6)
    out = capsys.readouterr().out
    for name in ["softmax naive", "softmax online", "layer_norm", "attention"]:
        assert name in out
    assert "WRONG" not in out
