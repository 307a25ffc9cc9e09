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
    return 0 if ok and _demo_gpt(rng, s) else 1


def _demo_gpt(rng, s: int) -> bool:
    """The GPT kernels once each, against numpy in float64; True if all agree."""
    import time

    import numpy as np

    import zero_to_hero.cuda as zcuda
    from zero_to_hero.cuda import gpt_ops

    sim = zcuda.on_simulator()
    threads = 16 if sim else gpt_ops.BLOCK_THREADS  # the simulator: a thread each
    tile = 8 if sim else gpt_ops.ATTENTION_TILE
    x = rng.standard_normal((s, s + 1), dtype=np.float32) * 10
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=1, keepdims=True))
    w, b = (rng.standard_normal(s + 1, dtype=np.float32) for _ in range(2))
    ln = (x64 - x64.mean(axis=1, keepdims=True)) / np.sqrt(
        x64.var(axis=1, keepdims=True) + 1e-5
    ) * w + b
    q, k, v = (rng.standard_normal((2, s, 8), dtype=np.float32) for _ in range(3))
    scores = q.astype(np.float64) @ k.transpose(0, 2, 1) / np.sqrt(8)
    scores[:, np.triu(np.ones((s, s), dtype=bool), 1)] = -np.inf
    p = np.exp(scores - scores.max(axis=-1, keepdims=True))
    att = p / p.sum(axis=-1, keepdims=True) @ v
    cases = {
        f"softmax {name}": (
            lambda name=name: gpt_ops.softmax(x, name, threads=threads),
            e / e.sum(axis=1, keepdims=True),
        )
        for name in gpt_ops.SOFTMAX_KERNELS
    }
    cases["layer_norm"] = (
        lambda: gpt_ops.layer_norm(x, w, b, threads=threads)[0],
        ln,
    )
    cases["attention"] = (lambda: gpt_ops.attention(q, k, v, tile=tile), att)
    ok = True
    for name, (run, expected) in cases.items():
        t0 = time.perf_counter()
        err = float(np.abs(run() - expected).max())
        good = err < 1e-4 * max(1.0, float(np.abs(expected).max()))
        ok &= good
        print(
            f"{name:<18} max error {err:.1e}{'' if good else '  WRONG'}  "
            f"{time.perf_counter() - t0:.2f} s"
        )
    return ok


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `cuda` command and its sub-commands."""
    parser = commands.add_parser(
        "cuda", help="CUDA kernels: vector add, matmul, softmax, LayerNorm, attention"
    )
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
