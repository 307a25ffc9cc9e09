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
