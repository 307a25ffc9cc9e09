"""CUDA programming: vector addition and matrix multiplication kernels, written with
numba-cuda.

The kernels run on an NVIDIA GPU when a CUDA driver is installed, and otherwise in
numba's CUDA simulator, which executes every CUDA thread as a Python thread on the CPU:
slow, but exact about indices, shared memory and barriers. Importing this package makes
that choice (see [`target`][zero_to_hero.cuda.target]) before numba is imported; numba
itself is imported only when a kernel or a launch helper is first used, so the command
line stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from zero_to_hero.cuda.target import select_target

#: `"simulator"` or `"gpu"`: where this process runs the kernels.
TARGET = select_target()  # before anything imports numba.cuda

# name -> submodule that defines it, imported on first use
_LAZY = {
    "vector_add": "launch",
    "matmul": "launch",
    "blocks_for": "launch",
    "MATMUL_KERNELS": "launch",
    "BlockTiling": "kernels",
}

__all__ = ["TARGET", "on_simulator", *_LAZY]


def on_simulator() -> bool:
    """Whether the kernels run in numba's CUDA simulator (True) or on a GPU (False)."""
    return TARGET == "simulator"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(
            importlib.import_module(f"zero_to_hero.cuda.{_LAZY[name]}"), name
        )
    raise AttributeError(f"module 'zero_to_hero.cuda' has no attribute {name!r}")
