"""`zero-to-hero cuda ...`: where the kernels run, the compile check, and a correctness
demo."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from zero_to_hero.options import positive_int


def _info(args: argparse.Namespace) -> int:
    from importlib.metadata import PackageNotFoundError, version

    import zero_to_hero.cuda as zcuda

    rows = [("kernels run on", zcuda.TARGET)]
    for package in (
        "numba",
        "numba-cuda",
        "cuda-bindings",
        "nvidia-nvvm",
        "nvidia-nvjitlink",
    ):
        try:
            rows.append((package, version(package)))
        except PackageNotFoundError:
            rows.append((package, "not installed: pip install -e '.[cuda]'"))
    if not zcuda.on_simulator():
        from numba import cuda

        device = cuda.get_current_device()
        name = device.name.decode() if isinstance(device.name, bytes) else device.name
        cc = ".".join(map(str, device.compute_capability))
        rows.append(("GPU", f"{name} (compute capability {cc})"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _check(args: argparse.Namespace) -> int:
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0"}
    return subprocess.run(
        [sys.executable, "-m", "zero_to_hero.cuda.compile_check"], env=env
    ).returncode


def _demo(args: argparse.Namespace) -> int:
    import time

    import numpy as np

    import zero_to_hero.cuda as zcuda

    rng = np.random.default_rng(args.seed)
    print(f"running on the {zcuda.TARGET}")
    a, b = (
        rng.standard_normal(args.n, dtype=np.float32),
        rng.standard_normal(args.n, dtype=np.float32),
    )
    t0 = time.perf_counter()
    ok = bool(np.array_equal(zcuda.vector_add(a, b), a + b))
    verdict = "matches numpy" if ok else "WRONG"
    print(f"vector_add  n={args.n:<8} {verdict}  {time.perf_counter() - t0:.2f} s")
    s = args.size
    A, B = (
        rng.standard_normal((s, s + 1), dtype=np.float32),
        rng.standard_normal((s + 1, s + 2), dtype=np.float32),
    )
    exact = A.astype(np.float64) @ B.astype(np.float64)
    for name in zcuda.MATMUL_KERNELS:
        t0 = time.perf_counter()
        err = float(np.abs(zcuda.matmul(A, B, kernel=name) - exact).max())
        good = err < 1e-3 * max(1.0, float(np.abs(exact).max()))
        ok &= good
        print(
            f"matmul {name:<11} {s}×{s + 1} @ {s + 1}×{s + 2}  max error {err:.1e}"
            f"{'' if good else '  WRONG'}  {time.perf_counter() - t0:.2f} s"
        )
    return 0 if ok else 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `cuda` command and its sub-commands."""
    parser = commands.add_parser("cuda", help="CUDA kernels: vector add and matmul")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("info", help="where the kernels run, and the versions").set_defaults(
        run=_info
    )
    sub.add_parser(
        "check", help="compile every kernel for sm_90: float64, registers, occupancy"
    ).set_defaults(run=_check)
    demo = sub.add_parser("demo", help="run every kernel once and compare with numpy")
    demo.add_argument(
        "--n", type=positive_int, default=1000, help="vector length (default 1000)"
    )
    demo.add_argument(
        "--size",
        type=positive_int,
        default=20,
        help="matrix size (default 20; the simulator is slow)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_demo)
