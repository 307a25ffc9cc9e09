"""The occupancy calculation, against hand-worked cases and against NVIDIA's own
calculator (`cuda_occupancy.h`, compiled here with the host C++ compiler)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.cuda.occupancy import SM90, occupancy

# the cudart wheel
HEADER_DIRS = [
    *(Path(p) / "cu13" / "include" for p in __import__("nvidia").__path__),
    Path("/usr/local/cuda/include"),
]

ORACLE = r"""
#include <cstdio>
#include <cuda_occupancy.h>
int main() {
    cudaOccDeviceProp p;  // an H100 SXM: compute capability 9.0
    p.computeMajor = 9; p.computeMinor = 0; p.warpSize = 32;
    p.maxThreadsPerBlock = 1024; p.maxThreadsPerMultiprocessor = 2048;
    p.regsPerBlock = 65536; p.regsPerMultiprocessor = 65536; p.numSms = 132;
    p.sharedMemPerBlock = 49152; p.sharedMemPerMultiprocessor = 233472;
    p.sharedMemPerBlockOptin = 232448; p.reservedSharedMemPerBlock = 1024;
    cudaOccDeviceState state;
    int threads, regs, barriers; long smem;
    while (scanf("%d %d %ld %d", &threads, &regs, &smem, &barriers) == 4) {
        cudaOccFuncAttributes attr;
        attr.maxThreadsPerBlock = 1024; attr.numRegs = regs;
        attr.sharedSizeBytes = smem;
        attr.numBlockBarriers = barriers;
        cudaOccResult result;
        int err = cudaOccMaxActiveBlocksPerMultiprocessor(
            &result, &p, &attr, &state, threads, 0);
        printf("%d %d\n", err, result.activeBlocksPerMultiprocessor);
    }
}
"""


@pytest.fixture(scope="module")
def nvidia_calculator(tmp_path_factory):
    """A function (threads, registers, shared, barriers) -> blocks per SM, from the
    header."""
    header = next((d for d in HEADER_DIRS if (d / "cuda_occupancy.h").is_file()), None)
    compiler = shutil.which("g++") or shutil.which("c++")
    if header is None or compiler is None:
        pytest.skip(
            "needs cuda_occupancy.h (the cuda extra's cudart wheel) and a C++ compiler"
        )
    work = tmp_path_factory.mktemp("occupancy")
    (work / "oracle.cpp").write_text(ORACLE)
    exe = work / "oracle"
    subprocess.run(
        [compiler, "-O1", f"-I{header}", "oracle.cpp", "-o", str(exe)],
        cwd=work,
        check=True,
    )

    def blocks(cases: list[tuple[int, int, int, int]]) -> list[int]:
        stdin = "".join(f"{t} {r} {s} {b}\n" for t, r, s, b in cases)
        out = subprocess.run(
            [str(exe)], input=stdin, capture_output=True, text=True, check=True
        )
        rows = [line.split() for line in out.stdout.splitlines()]
        assert all(err == "0" for err, _ in rows), out.stdout
        return [int(n) for _, n in rows]

    return blocks


def test_hand_worked_cases():
    tiled16 = occupancy(256, 32, 2048)  # 8 blocks x 8 warps fill all 64 warp slots
    assert (tiled16.blocks_per_sm, tiled16.occupancy) == (8, 1.0)
    # 32 x 256 x 8 = all 65536 registers
    assert tiled16.limited_by == (
        "warps",
        "registers",
    )
    tiled32 = occupancy(1024, 32, 8192)
    assert (tiled32.blocks_per_sm, tiled32.warps_per_sm) == (2, 64)
    # 148 registers: 4736 per warp, allocated as 4864; a quarter of the register file
    # (16384) holds 3 such warps, so the SM holds 12 warps: one block of 8.
    heavy = occupancy(256, 148, 8192)
    assert heavy.limits["registers"] == 1 and heavy.occupancy == 8 / 64
    # 40 KB of shared memory (+1 KB reserved) per block: 228 KB hold 5 blocks.
    assert occupancy(128, 16, 40 * 1024).limits["shared memory"] == 5
    # 32 blocks of one warp: half the slots
    assert occupancy(32, 16).limited_by == ("blocks",)


def test_what_cannot_launch_gets_zero_blocks():
    assert occupancy(2048, 16).blocks_per_sm == 0  # more than 1024 threads per block
    # 65 x 1024 registers > 65536 per block
    assert occupancy(1024, 65).blocks_per_sm == 0
    # over 48 KB of static shared
    assert occupancy(256, 32, 48 * 1024 + 4).blocks_per_sm == 0


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            dict(threads_per_block=0, registers_per_thread=32),
            "threads_per_block must be an int ≥ 1",
        ),
        (dict(threads_per_block=64, registers_per_thread=-1), "registers_per_thread"),
        (
            dict(
                threads_per_block=64, registers_per_thread=8, shared_bytes_per_block=1.5
            ),
            "shared",
        ),
    ],
)
def test_bad_input_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        occupancy(**kwargs)


CASES = st.tuples(
    st.integers(1, 1100),
    st.integers(1, SM90.max_registers_per_thread),
    st.integers(0, 50 * 1024),
    st.integers(0, 2),
)


@settings(max_examples=30)
@given(cases=st.lists(CASES, min_size=20, max_size=20))
def test_agrees_with_nvidias_calculator(nvidia_calculator, cases):
    ours = [occupancy(*case).blocks_per_sm for case in cases]
    assert ours == nvidia_calculator(cases)


def test_agrees_with_nvidias_calculator_on_the_chapters_kernels(nvidia_calculator):
    cases = [
        (256, 15, 0, 0),
        (256, 32, 2048, 1),
        (1024, 32, 8192, 1),
        (256, 148, 8192, 1),
    ]
    cases += [(256, 128, 8192, 1), (128, 14, 512, 1), (96, 255, 0, 1), (1024, 64, 0, 1)]
    assert [occupancy(*c).blocks_per_sm for c in cases] == nvidia_calculator(cases)
