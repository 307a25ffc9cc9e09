"""The performance models: memory segments per warp, arithmetic intensity, the
roofline."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.cuda.analysis import (
    intensity_matmul,
    intensity_vec_add,
    roofline,
    warp_segments,
)


def test_warp_segments_of_the_two_naive_mappings():
    # 32 x 32 blocks: a warp is one row of the block
    assert warp_segments("naive", K=1024, N=1024, block=(32, 32)) == {
        "A": 1,
        "B": 1,
        "C": 1,
    }
    assert warp_segments("naive_rows", K=1024, N=1024, block=(32, 32)) == {
        "A": 32,
        "B": 1,
        "C": 32,
    }
    # tiny matrices: rows 8 floats apart share segments even in the bad mapping
    # 16 rows × 32 B = 4 segments
    assert warp_segments("naive_rows", K=8, N=8)["A"] == 4


@given(K=st.integers(32, 4096), N=st.integers(32, 4096), k=st.integers(0, 31))
def test_the_coalesced_mapping_never_needs_more_segments(K, N, k):
    good = warp_segments("naive", K, N, k=k)
    bad = warp_segments("naive_rows", K, N, k=k)
    assert sum(good.values()) <= sum(bad.values())
    # 16 neighbouring floats: one segment, two when they straddle a boundary
    assert good["B"] <= 2


def test_warp_segments_rejects_bad_input():
    with pytest.raises(ValueError, match="kernel must be"):
        warp_segments("tiled16", 64, 64)
    with pytest.raises(ValueError, match="smaller than a warp"):
        warp_segments("naive", 64, 64, block=(4, 4))


def test_arithmetic_intensity_by_counting():
    assert intensity_vec_add() == 1 / 12
    # a T x T tile per block, one step of k: T + T floats loaded, T * T multiply-adds
    for T in (1, 16, 32):
        assert intensity_matmul(T, T) == (2 * T * T) / (2 * T * 4) == T / 4


def test_roofline_is_the_lower_of_the_two_roofs():
    assert roofline(0.25, bandwidth=4e12, peak=60e12) == 1e12
    assert roofline(100.0, bandwidth=4e12, peak=60e12) == 60e12
    with pytest.raises(ValueError, match="positive"):
        roofline(0.0, 1.0, 1.0)


def test_attention_traffic_counts_the_loads_of_the_kernel():
    from zero_to_hero.cuda.analysis import attention_floats_per_token

    for T, D, tile, causal in [(11, 3, 4, True), (11, 3, 4, False), (64, 8, 16, True)]:
        # the kernel's loop: block b loads K and V rows k0 .. k0 + tile - 1 (those < T)
        # for k0 in range(0, end, tile)
        rows = 0
        for q0 in range(0, T, tile):
            end = min(T, q0 + tile) if causal else T
            rows += sum(min(tile, T - k0) for k0 in range(0, end, tile))
        got = attention_floats_per_token(T, D, tile, causal)
        assert got["fused"] == 2 * D + 2 * D * rows / T
        assert got["naive"] == 4 * T + 4 * D
    causal = attention_floats_per_token(4096, 64, 64, causal=True)["fused"] - 2 * 64
    full = attention_floats_per_token(4096, 64, 64, causal=False)["fused"] - 2 * 64
    assert full / 2 < causal < full / 2 * 1.02  # the mask halves K and V, about


def test_the_block_ops_matmuls_are_the_gpt_blocks_linear_layers():
    """2 FLOP per weight per token: the matmul rows add up to twice the weights of the
    linear layers of one block of the chapter's GPT."""
    import torch

    from zero_to_hero.cuda.analysis import transformer_block_ops
    from zero_to_hero.gpt.model import GPT, GPTConfig

    C, H, T = 64, 4, 32
    model = GPT(GPTConfig(vocab_size=10, block_size=T, n_layer=1, n_head=H, n_embd=C))
    linear = sum(
        m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear)
    )
    head = model.config.vocab_size * C  # the output layer, outside the blocks
    ops = transformer_block_ops(C, H, T)
    matmul = sum(op.flop for op in ops if op.kind == "matmul")
    assert matmul == 2 * (linear - head) == 24 * C * C
    assert [op.kind for op in ops].count("layernorm") == 2
    by_kind = {op.kind: op.intensity for op in ops}
    assert by_kind["layernorm"] == 1 and by_kind["matmul"] > 10 * by_kind["softmax"]
