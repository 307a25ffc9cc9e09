"""Choose where the kernels run: a real GPU when a CUDA driver is installed, else the
simulator.

numba-cuda reads `NUMBA_ENABLE_CUDASIM` once, when `numba.cuda` is first imported, and
never again. So the choice has to be made before that import: `zero_to_hero.cuda`
imports this module first, and this module imports only the standard library.

The rule:

1. `NUMBA_ENABLE_CUDASIM` set by you (to `0` or `1`) always wins;
2. otherwise, when no CUDA driver library (`libcuda`) can be found, the simulator is
   switched on, so the same kernels run on any laptop or CI machine, slowly but with
   real thread semantics (thread and block indices, shared memory, barriers);
3. otherwise the GPU is used.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

__all__ = ["driver_found", "select_target", "SIMULATOR_ENV"]

#: The environment variable numba-cuda reads at import time.
SIMULATOR_ENV = "NUMBA_ENABLE_CUDASIM"


def driver_found() -> bool:
    """Whether a CUDA driver library is installed (not whether a GPU is free to use).

    `NUMBA_CUDA_DRIVER` is numba's own way to point at a driver in an unusual place.
    """
    return (
        bool(os.environ.get("NUMBA_CUDA_DRIVER"))
        or ctypes.util.find_library("cuda") is not None
    )


def select_target() -> str:
    """Switch numba-cuda to its simulator when no CUDA driver is found; say which was
    chosen.

    Must run before the first `import numba.cuda` (numba-cuda reads the variable once).

    Returns:
        `"simulator"` or `"gpu"`: what `numba.cuda` will use once it is imported.

    Raises:
        RuntimeError: `numba.cuda` was imported earlier with a different choice, which
            can no longer be changed in this process.
    """
    if SIMULATOR_ENV not in os.environ and not driver_found():
        os.environ[SIMULATOR_ENV] = (
            "1"  # before numba.cuda is imported, or it has no effect
        )
    wanted = (
        "simulator" if os.environ.get(SIMULATOR_ENV, "0") not in ("", "0") else "gpu"
    )
    config = sys.modules.get("numba.cuda.core.config")
    if config is not None and bool(config.ENABLE_CUDASIM) != (wanted == "simulator"):
        raise RuntimeError(
            f"numba.cuda was imported before zero_to_hero.cuda and chose the "
            f"{'simulator' if config.ENABLE_CUDASIM else 'GPU'}; this process needs "
            f"the {wanted}. Set {SIMULATOR_ENV}={int(wanted == 'simulator')} before "
            "starting Python, or import zero_to_hero.cuda before numba."
        )
    return wanted
