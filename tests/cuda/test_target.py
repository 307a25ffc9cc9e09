"""Choosing the simulator or the GPU: automatic without a driver, overridable, and loud
when numba.cuda was imported too early to choose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zero_to_hero.cuda.target import SIMULATOR_ENV, driver_found

no_driver = pytest.mark.skipif(driver_found(), reason="this machine has a CUDA driver")


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in (SIMULATOR_ENV, "NUMBA_CUDA_DRIVER")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


@no_driver
def test_without_a_driver_the_simulator_is_chosen_before_numba_is_imported():
    out = run(
        "import zero_to_hero.cuda as z, numba.cuda, os\n"
        "print(z.TARGET, numba.cuda.core.config.ENABLE_CUDASIM, "
        "os.environ['NUMBA_ENABLE_CUDASIM'])"
    )
    assert out.stdout.split() == ["simulator", "1", "1"], out.stderr


@no_driver
def test_an_explicit_setting_wins():
    out = run(
        "import zero_to_hero.cuda as z; print(z.TARGET)", NUMBA_ENABLE_CUDASIM="0"
    )
    assert out.stdout.strip() == "gpu", out.stderr


@no_driver
def test_a_gpu_launch_without_a_driver_fails_clearly():
    code = (
        "import numpy as np, zero_to_hero.cuda as z\n"
        "z.vector_add(np.ones(3, np.float32), np.ones(3, np.float32))"
    )
    out = run(code, NUMBA_ENABLE_CUDASIM="0")
    assert out.returncode != 0 and "CudaSupportError" in out.stderr
    assert "driver" in out.stderr.lower()


@no_driver
def test_importing_numba_cuda_first_is_an_error_that_says_what_to_do():
    out = run("import numba.cuda\nimport zero_to_hero.cuda")
    assert out.returncode != 0
    assert (
        "numba.cuda was imported before zero_to_hero.cuda and chose the GPU"
        in out.stderr
    )
    assert "Set NUMBA_ENABLE_CUDASIM=1 before starting Python" in out.stderr


def test_numba_cuda_driver_counts_as_a_driver(monkeypatch):
    monkeypatch.setenv("NUMBA_CUDA_DRIVER", "/opt/somewhere/libcuda.so")
    assert driver_found()
