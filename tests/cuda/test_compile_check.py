"""The compile check: every kernel compiles for sm_90 with no GPU, with no float64
instruction, no register spills, and the resources the occupancy page quotes."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys

import pytest

import zero_to_hero.cuda as zcuda
from zero_to_hero.cuda import compile_check, exercises, gpt_kernels, kernels, mistakes
from zero_to_hero.cuda.compile_check import float64_instructions, static_shared_bytes
from zero_to_hero.cuda.occupancy import occupancy


@pytest.fixture(scope="module")
def rows():
    """The compile check, run once in its own process with the real CUDA target."""
    return {row["name"]: row for row in compile_check.report()}


def test_every_kernel_compiles_without_float64_or_spills(rows):
    for name, row in rows.items():
        assert row["ok"], f"{name}: {row}"
        if not row["expect_float64"]:
            assert row["float64_lines"] == [], f"{name} computes in float64"
        assert row["spill_bytes"] == 0 and row["registers"] > 0


def test_the_check_finds_the_float64_accumulator(rows):
    leak = rows["mistake matmul_naive_float64"]
    assert leak["expect_float64"] and leak["ok"]
    assert any(
        re.match(r"(add|fma\.rn|cvt\.\w+)\.f64", line) for line in leak["float64_lines"]
    )


def _is_device_function(obj) -> bool:
    """A `cuda.jit(device=True)` function: compiled inside the kernels that call it."""
    if hasattr(obj, "_device"):  # the simulator's stand-in
        return bool(obj._device)
    return bool(getattr(obj, "targetoptions", {}).get("device"))


def _kernels_of(module) -> set[str]:
    """Names of the numba kernels a module defines at top level."""
    return {
        name
        for name, obj in vars(module).items()
        if hasattr(obj, "py_func")
        and inspect.getmodule(obj.py_func) is module
        and not _is_device_function(obj)
    }


def test_every_kernel_of_the_chapter_is_checked(rows):
    checked = {spec.kernel for spec in compile_check.kernel_specs()}
    for module in (kernels, exercises, mistakes, gpt_kernels):
        for name in _kernels_of(module):
            assert getattr(module, name) in checked, (
                f"{module.__name__}.{name} is not checked"
            )
    assert len(rows) == len(compile_check.kernel_specs())


def test_the_gpt_kernels_compile_and_use_the_shared_memory_they_declare(rows):
    threads, tile = gpt_kernels.BLOCK_THREADS, gpt_kernels.ATTENTION_TILE
    assert gpt_kernels.block_max.__name__ not in rows  # device functions: inlined
    expected_shared = {
        "softmax_naive": 0,
        "softmax_block": threads * 4,  # one float per thread
        "softmax_online": 2 * threads * 4,  # a running maximum and a sum per thread
        "layernorm_forward": threads * 4,
        "layernorm_backward": threads * 4,
        "layernorm_param_grads": 0,
        "attention": 3 * tile * gpt_kernels.ATTENTION_HEAD_DIM * 4,  # Q, K, V tiles
    }
    for name, shared in expected_shared.items():
        assert rows[name]["shared_bytes"] == shared, name
        assert rows[name]["float64_lines"] == [] and rows[name]["ok"], name


def test_resources_and_occupancy_are_consistent(rows):
    tiled16, tiled32 = rows["matmul_tiled16"], rows["matmul_tiled32"]
    assert tiled16["shared_bytes"] == 2 * 16 * 16 * 4  # two 16 x 16 float32 tiles
    assert tiled32["shared_bytes"] == 2 * 32 * 32 * 4
    assert rows["matmul_blocktiled"]["shared_bytes"] == 2 * 128 * 8 * 4
    assert rows["matmul_naive"]["shared_bytes"] == 0 and tiled16["barriers"] == 1
    for row in rows.values():
        occ = occupancy(
            row["threads_per_block"],
            row["registers"],
            row["shared_bytes"],
            row["barriers"],
        )
        assert (row["blocks_per_sm"], row["occupancy"]) == (
            occ.blocks_per_sm,
            occ.occupancy,
        )


@pytest.mark.skipif(
    shutil.which("ptxas") is None, reason="no standalone ptxas on the PATH"
)
def test_nvjitlink_reports_what_standalone_ptxas_reports(tmp_path):
    """Cross-check the in-process ptxas (nvJitLink) with the CUDA toolkit's own `ptxas
    -v`."""
    ptx = subprocess.run(
        [
            sys.executable,
            "-m",
            "zero_to_hero.cuda.compile_check",
            "--ptx",
            "matmul_tiled16",
        ],
        env={**os.environ, "NUMBA_ENABLE_CUDASIM": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (tmp_path / "k.ptx").write_text(ptx)
    out = subprocess.run(
        ["ptxas", "-arch=sm_90", "-v", "k.ptx", "-o", "k.cubin"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0 and "Unsupported .version" in out.stderr:
        pytest.skip(f"the toolkit's ptxas is older than the PTX: {out.stderr.strip()}")
    assert out.returncode == 0, out.stderr
    usage = compile_check.ptxas_usage(ptx)
    assert f"Used {usage.registers} registers" in out.stderr
    assert f"{usage.shared_bytes} bytes smem" in out.stderr


def test_float64_scanner():
    ptx = "\n".join(
        [
            "\t.reg .f32 \t%f<9>;",
            "\tadd.f32 \t%f3, %f1, %f2;",
            "\tcvt.f64.f32 \t%fd1, %f3;  // widen",
            "\tfma.rn.f64 \t%fd2, %fd1, %fd1, %fd1;",
            "\t// add.f64 in a comment is no instruction",
        ]
    )
    assert float64_instructions(ptx) == [
        "cvt.f64.f32 \t%fd1, %f3;",
        "fma.rn.f64 \t%fd2, %fd1, %fd1, %fd1;",
    ]
    assert float64_instructions("\tadd.f32 %f1, %f2, %f3;") == []


def test_shared_memory_declarations_are_summed():
    ptx = (
        ".visible .shared .align 4 .b8 a[1024];\n"
        ".shared .align 4 .b8 b[64];\n"
        ".global .b8 c[8];"
    )
    assert static_shared_bytes(ptx) == 1088


@pytest.mark.skipif(not zcuda.on_simulator(), reason="the simulator's missing compiler")
def test_compiling_from_the_simulator_says_how_to_run_the_check():
    spec = compile_check.kernel_specs()[0]
    with pytest.raises(RuntimeError, match="NUMBA_ENABLE_CUDASIM=0"):
        compile_check.compile_to_ptx(spec)
