"""The CUDA C++ listings compile with nvcc for sm_90, in float32, with the same shared
memory as the numba kernels; and the ptxas report parser reads what ptxas prints."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from zero_to_hero.cuda.compile_check import float64_instructions, parse_ptxas_report
from zero_to_hero.cuda.cuda_c import (
    GPT_KERNELS,
    GPT_SOURCE,
    SOURCE,
    nvcc_resource_usage,
)

needs_nvcc = pytest.mark.skipif(
    shutil.which("nvcc") is None, reason="no nvcc on the PATH"
)

REPORT = """ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_Z1fv' for 'sm_90'
ptxas info    : Function properties for _Z1fv
    8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 2048 bytes smem, 400 bytes cmem[0]
ptxas info    : Compiling entry function '_Z1gv' for 'sm_90'
ptxas info    : Function properties for _Z1gv
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers
"""


def test_parse_ptxas_report():
    report = parse_ptxas_report(REPORT)
    f, g = report["_Z1fv"], report["_Z1gv"]
    assert (f.registers, f.shared_bytes, f.barriers) == (40, 2048, 1)
    assert (f.stack_bytes, f.spill_stores, f.spill_loads) == (8, 4, 12)
    assert (g.registers, g.shared_bytes, g.spill_loads) == (12, 0, 0)


def test_a_report_without_register_counts_is_an_error():
    with pytest.raises(RuntimeError, match="no register count"):
        parse_ptxas_report("ptxas info    : Compiling entry function 'k' for 'sm_90'\n")


@needs_nvcc
def test_the_listings_compile_with_the_shared_memory_of_their_tiles():
    usage = nvcc_resource_usage()
    assert usage["matmul_tiled16"].shared_bytes == 2 * 16 * 16 * 4
    assert usage["matmul_tiled32"].shared_bytes == 2 * 32 * 32 * 4
    assert usage["vec_add"].shared_bytes == 0 and usage["matmul_naive"].barriers == 0
    assert all(u.registers > 0 and u.spill_loads == 0 for u in usage.values())


@needs_nvcc
def test_the_listings_are_float32(tmp_path):
    out = tmp_path / "kernels.ptx"
    subprocess.run(
        ["nvcc", "-arch=sm_90", "-ptx", "-o", str(out), str(SOURCE)], check=True
    )
    assert float64_instructions(out.read_text()) == []


@needs_nvcc
def test_the_gpt_listings_compile_in_float32_without_spills(tmp_path):
    usage = nvcc_resource_usage(source=GPT_SOURCE, kernels=GPT_KERNELS)
    assert usage["softmax_online"].shared_bytes == 2 * 128 * 4  # maxima and sums
    assert usage["layernorm_forward"].shared_bytes == 128 * 4
    assert usage["attention"].shared_bytes == 3 * 32 * 64 * 4  # Q, K and V tiles
    assert all(u.spill_loads == u.spill_stores == 0 for u in usage.values())
    out = tmp_path / "gpt_kernels.ptx"
    subprocess.run(
        ["nvcc", "-arch=sm_90", "-ptx", "-o", str(out), str(GPT_SOURCE)], check=True
    )
    assert float64_instructions(out.read_text()) == []
