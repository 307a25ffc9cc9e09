"""The CUDA tests run on a GPU when a driver is installed, else in numba's CUDA
simulator.

`zero_to_hero.cuda` makes that choice when it is first imported, before numba.cuda is;
importing it here makes sure that happens before any test module imports numba directly.
"""

from __future__ import annotations

import numpy as np
import pytest

import zero_to_hero.cuda as zcuda

on_simulator = pytest.mark.skipif(
    not zcuda.on_simulator(),
    reason="shows what the simulator does; a GPU does something else",
)


def random_matrix(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A float32 matrix of standard normal entries."""
    return rng.standard_normal((rows, cols), dtype=np.float32)


def assert_matmul_close(C: np.ndarray, A: np.ndarray, B: np.ndarray) -> None:
    """C equals A @ B up to float32 rounding: compared with the float64 product, scaled
    by the size of the terms summed."""
    exact = A.astype(np.float64) @ B.astype(np.float64)
    scale = np.abs(A).astype(np.float64) @ np.abs(B).astype(np.float64) + 1e-30
    assert C.dtype == np.float32 and C.shape == exact.shape
    rel = np.abs(C - exact) / scale
    assert rel.max() <= 4 * A.shape[1] * np.finfo(np.float32).eps, (
        f"max error {rel.max():.2e}"
    )
