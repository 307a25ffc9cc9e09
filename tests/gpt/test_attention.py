"""Self-attention written out, against PyTorch's own implementations."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.gpt.aggregation import (
    running_mean_loops,
    running_mean_matmul,
    running_mean_softmax,
)
from zero_to_hero.gpt.attention import (
    Head,
    MultiHeadAttention,
    attention,
    causal_mask,
    merge_heads,
    rotary_tables,
    rotate,
    split_heads,
)

# (B, n_head, T, head_size)
shapes = st.tuples(
    st.integers(1, 3), st.integers(1, 4), st.integers(1, 12), st.integers(1, 9)
)


@given(shapes, st.integers(0, 2**31 - 1))
def test_the_three_running_means_are_equal(shape, seed):
    B, _, T, C = shape
    x = torch.randn(
        B, T, C, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )
    loops = running_mean_loops(x)
    torch.testing.assert_close(running_mean_matmul(x), loops)
    torch.testing.assert_close(running_mean_softmax(x), loops)
    # the last row averages everything
    torch.testing.assert_close(loops[:, -1], x.mean(dim=1))


def test_running_means_reject_a_wrong_shape():
    for fn in (running_mean_loops, running_mean_matmul, running_mean_softmax):
        with pytest.raises(ValueError, match=r"expected x of shape \(B, T, C\)"):
            fn(torch.zeros(4, 4))


def test_causal_mask_keeps_the_diagonal_and_hides_the_future():
    mask = causal_mask(5)
    assert mask.diagonal().all()
    assert not mask.triu(diagonal=1).any()
    # everything on and below the diagonal is allowed
    assert mask.tril().sum() == 5 * 6 // 2


@pytest.mark.parametrize("causal", [True, False])
@given(shapes, st.integers(0, 2**31 - 1))
def test_attention_equals_torch_scaled_dot_product_attention(causal, shape, seed):
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(*shape, generator=g, dtype=torch.float64) for _ in range(3))
    ours, weights = attention(q, k, v, causal=causal)
    theirs = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(
        weights.sum(-1), torch.ones(shape[:-1], dtype=torch.float64)
    )
    if causal:
        assert (weights.masked_select(~causal_mask(shape[2])) == 0).all()


def test_attention_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="q and k must have the same shape"):
        attention(torch.zeros(1, 4, 8), torch.zeros(1, 4, 6), torch.zeros(1, 4, 8))


def copy_into_torch(mha: MultiHeadAttention) -> torch.nn.MultiheadAttention:
    bias = mha.qkv.bias is not None
    theirs = torch.nn.MultiheadAttention(
        mha.n_embd, mha.n_head, bias=bias, batch_first=True, dtype=torch.float64
    )
    with torch.no_grad():
        theirs.in_proj_weight.copy_(mha.qkv.weight)
        theirs.out_proj.weight.copy_(mha.proj.weight)
        if bias:
            theirs.in_proj_bias.copy_(mha.qkv.bias)
            theirs.out_proj.bias.copy_(mha.proj.bias)
    return theirs


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("n_embd,n_head", [(12, 1), (12, 3), (16, 4)])
def test_multi_head_attention_equals_torch_multihead_attention(
    causal, bias, n_embd, n_head
):
    torch.manual_seed(n_embd * n_head)
    ours = MultiHeadAttention(n_embd, n_head, causal=causal, bias=bias).double()
    # away from a small init, so differences show
    torch.nn.init.normal_(ours.qkv.weight)
    theirs = copy_into_torch(ours)
    x = torch.randn(2, 7, n_embd, dtype=torch.float64)
    # torch's mask is the opposite convention: True where attention is *not* allowed
    mask = ~causal_mask(7) if causal else None
    expected, expected_weights = theirs(
        x, x, x, attn_mask=mask, average_attn_weights=False
    )
    torch.testing.assert_close(ours(x), expected)
    torch.testing.assert_close(ours.weights(x), expected_weights)


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("rotary", [None, 8])
def test_the_fused_kernel_computes_the_written_out_attention(causal, rotary):
    """forward (one fused kernel) against `attention` on the same queries, keys and
    values, whose weights `weights` returns."""
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4, causal, rotary_block_size=rotary).double()
    x = torch.randn(2, 8, 16, dtype=torch.float64)
    written, weights = attention(*mha.queries_keys_values(x), causal=causal)
    torch.testing.assert_close(mha(x), mha.proj(merge_heads(written)))
    torch.testing.assert_close(mha.weights(x), weights)
    assert mha.weights(x).shape == (2, 4, 8, 8)


def test_multi_head_attention_is_its_heads_side_by_side():
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4, bias=True).double()
    x = torch.randn(3, 5, 16, dtype=torch.float64)
    heads = mha.as_heads()
    assert len(heads) == 4 and heads[0].query.weight.shape == (4, 16)
    concatenated = torch.cat([head(x) for head in heads], dim=-1)
    torch.testing.assert_close(mha(x), mha.proj(concatenated))


def test_a_single_head_is_attention_over_its_projections():
    torch.manual_seed(0)
    head = Head(8, 4)
    x = torch.randn(2, 6, 8)
    out, weights = head(x), head.weights(x)
    assert out.shape == (2, 6, 4) and weights.shape == (2, 6, 6)
    expected, expected_weights = attention(head.query(x), head.key(x), head.value(x))
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(weights, expected_weights)
    torch.testing.assert_close(weights @ head.value(x), out)


@given(shapes)
def test_split_and_merge_heads_round_trip_exactly(shape):
    B, n_head, T, hs = shape
    x = torch.randn(B, T, n_head * hs)
    heads = split_heads(x, n_head)
    assert heads.shape == (B, n_head, T, hs)
    last = n_head - 1
    assert torch.equal(heads[:, last], x[..., last * hs : (last + 1) * hs])
    assert torch.equal(merge_heads(heads), x)


def test_view_after_transpose_fails_and_reshape_does_not():
    """Learners' classic: merging heads with `view` on the transposed (non-contiguous)
    tensor.

    Attention's output is laid out head by head, (B, n_head, T, hs), like this one."""
    heads = torch.randn(2, 3, 5, 4)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        heads.transpose(1, 2).view(2, 5, 12)
    assert merge_heads(heads).shape == (2, 5, 12)


def test_heads_must_divide_the_channels():
    with pytest.raises(ValueError, match="cannot be split into 5 equal heads"):
        split_heads(torch.zeros(1, 2, 12), 5)
    with pytest.raises(
        ValueError, match=r"n_embd \(12\) must be a multiple of n_head \(5\)"
    ):
        MultiHeadAttention(12, 5)


@pytest.mark.parametrize("head_size", [16, 64, 256])
def test_scaling_by_the_head_size_keeps_unit_variance(head_size):
    """q·k of unit-variance vectors has variance head_size; /√head_size brings it back
    to 1."""
    g = torch.Generator().manual_seed(head_size)
    q = torch.randn(4000, head_size, generator=g)
    k = torch.randn(4000, head_size, generator=g)
    raw = (q * k).sum(-1)
    assert raw.var().item() == pytest.approx(head_size, rel=0.1)
    assert (raw / math.sqrt(head_size)).var().item() == pytest.approx(1.0, rel=0.1)


@given(
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(1, 10),
    st.integers(0, 2**31 - 1),
)
def test_rotary_scores_depend_on_the_relative_position_only(t, s, shift, seed):
    """q rotated for position t against k rotated for s: the same score at t + δ, s +
    δ."""
    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, 1, 1, 8, generator=g, dtype=torch.float64)
    rotations = rotary_tables(40, 8)

    def at(x, position):  # x placed at `position` of a sequence, rotated there
        seq = torch.zeros(1, position + 1, 8, dtype=torch.float64)
        seq[0, position] = x[0, 0]
        return rotate(seq, rotations, n_head=1)[0, position]

    score = at(q, t) @ at(k, s)
    # the table is complex64, as the model's float32 needs: equal to float32 rounding
    torch.testing.assert_close(
        at(q, t + shift) @ at(k, s + shift), score, rtol=1e-5, atol=1e-5
    )
    # keeps lengths
    torch.testing.assert_close(at(q, t).norm(), q.norm(), rtol=1e-6, atol=0)


def test_rotary_attention_is_not_permutation_equivariant_and_rejects_odd_heads():
    torch.manual_seed(0)
    plain = MultiHeadAttention(16, 2, causal=False).double()
    rotary = MultiHeadAttention(16, 2, causal=False, rotary_block_size=8).double()
    rotary.load_state_dict(plain.state_dict())  # same weights; the table is not saved
    x = torch.randn(1, 8, 16, dtype=torch.float64)
    order = torch.randperm(8, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(plain(x[:, order]), plain(x)[:, order])
    assert not torch.allclose(rotary(x[:, order]), rotary(x)[:, order])
    with pytest.raises(ValueError, match="even head size"):
        rotary_tables(8, 5)
    with pytest.raises(ValueError, match="as_heads"):
        rotary.as_heads()
