"""CUDA: the chapter's kernels on a GPU, against the practical ceilings of the same GPU.

* Vector addition of 2^28 float32 (3 GiB moved per call, far above any L2 cache), in
  GB/s = 12 n / time, against a device-to-device copy (8 n bytes per call), the
  practical ceiling of memory bandwidth, and against `torch.add`.
* Matrix multiplication at 1024, 2048 and 4096, in GFLOP/s = 2 n³ / time, against
  `torch.matmul` in full fp32 (cuBLAS SGEMM; TF32 off), with the TF32 figure reported
  apart: the ladder naive (x → rows) → naive coalesced → shared-memory tiled 16 and 32 →
  register-blocked (with and without a 128-register cap for 2 blocks per SM).
* The kernels inside a GPT (`zero_to_hero.cuda.gpt_kernels`), at GPT-2 small shapes,
  against PyTorch in the same run: softmax over 16384 rows of 1024 (naive, a block per
  row, online) against `torch.softmax`; LayerNorm over 8 × 1024 tokens of 768 channels,
  forward against `F.layer_norm` and backward against ATen's layer-norm backward; and
  fused causal attention over 8 × 12 heads of 1024 × 64 against
  `F.scaled_dot_product_attention(is_causal=True)` and against the unfused PyTorch
  (scores written out, masked, softmaxed, multiplied by v). The row kernels are rated in
  effective GB/s (the bytes a kernel must read and write at least, over its time), the
  attention in TFLOP/s of useful work (4 T² D per head, halved by the causal mask).

Every kernel's output is checked against a float64 product (or the exact sum); a wrong
kernel stops the run before anything is written. Timing uses CUDA events around
back-to-back launches after a warm-up (which also compiles the numba kernels), and
reports the median and interquartile range of the repeats.

GPU only: it needs a CUDA driver and a CUDA build of torch. On a GPU machine, from the
repo root:

    # versions, the CUDA tests on the GPU, then this benchmark
    scripts/gpu_bench.sh
    # this benchmark alone; writes benchmarks/results/cuda.json
    python -m benchmarks cuda

`--simulate` runs the same code path in numba's CUDA simulator at toy sizes, timed by
the wall clock and with numpy baselines, and writes nothing: the tests use it to keep
this file working on machines without a GPU. Its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

import zero_to_hero.cuda as zcuda  # before numba: picks the GPU or the simulator
from benchmarks.common import Metric, start, write_results
from zero_to_hero.cuda import gpt_ops, kernels
from zero_to_hero.cuda.launch import (
    MATMUL_KERNELS,
    THREADS_PER_BLOCK,
    MatmulKernel,
    blocks_for,
)
from zero_to_hero.cuda.occupancy import occupancy
from zero_to_hero.cuda.results import GOALS_PCT
from zero_to_hero.files import atomic_write
from zero_to_hero.reference import anchor

GPU_SIZES = [1024, 2048, 4096]
GPU_LOG2_N = 28
SIM_SIZES = [20, 36]
SIM_LOG2_N = 10
# The GPT kernels: softmax (rows, columns), LayerNorm (tokens, channels), attention
# (batch × heads, T, head size): GPT-2 small with a batch of 8 sequences of 1024.
GPT_SHAPES = {
    "softmax": (16384, 1024),
    "layernorm": (8192, 768),
    "attention": (96, 1024, 64),
}
# In the simulator: toy shapes, and small blocks (each thread is a Python thread).
SIM_GPT_SHAPES = {"softmax": (3, 40), "layernorm": (3, 40), "attention": (2, 19, 8)}
SIM_THREADS, SIM_TILE = 16, 8
TIME_BUDGET_MS = 1500  # per row: the number of repeats adapts to the kernel's speed


@dataclass
class Row:
    """One implementation timed on one size."""

    # "vector add", "matmul", "softmax", "layernorm", "layernorm backward", "attention"
    workload: str
    # n for the vector add, the side of the square matrices for matmul, a shape
    # ("16384×1024") for the GPT kernels
    size: int | str
    name: str
    ms: list[float]
    work: float  # bytes moved (vector add) or FLOP (matmul) per call
    baseline: str = ""  # the row this one is compared with

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def iqr(self) -> float:
        if len(self.ms) < 4:
            return max(self.ms) - min(self.ms)
        q = statistics.quantiles(self.ms, n=4)
        return q[2] - q[0]

    @property
    def rate(self) -> float:
        """GB/s or GFLOP/s."""
        return self.work / (self.median * 1e-3) / 1e9

    @property
    def unit(self) -> str:
        return "GFLOP/s" if self.workload in ("matmul", "attention") else "GB/s"


class Device:
    """Arrays, launches and timers: torch tensors and CUDA events on a GPU; numpy arrays
    and the wall clock in the simulator."""

    def __init__(self, simulate: bool) -> None:
        self.simulate = simulate
        if simulate:
            self.stream = 0
            return
        import torch
        from numba import cuda

        self.torch = torch
        ptr = torch.cuda.current_stream().cuda_stream
        # Launch the numba kernels on torch's stream, so that the events bracket them.
        self.stream = cuda.external_stream(ptr) if ptr else cuda.default_stream()

    def random(self, shape: tuple[int, ...], seed: int) -> tuple[Any, Any]:
        """A standard normal float32 array: (the array for baselines, its numba
        view)."""
        from numba import cuda

        if self.simulate:
            host = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)
            return host, cuda.to_device(host)
        gen = self.torch.Generator(device="cuda").manual_seed(seed)
        t = self.torch.randn(
            shape, device="cuda", dtype=self.torch.float32, generator=gen
        )
        return t, cuda.as_cuda_array(t)

    def empty(self, shape: tuple[int, ...]) -> tuple[Any, Any]:
        from numba import cuda

        if self.simulate:
            host = np.zeros(shape, dtype=np.float32)
            return host, cuda.to_device(host)
        t = self.torch.empty(shape, device="cuda", dtype=self.torch.float32)
        return t, cuda.as_cuda_array(t)

    def to_numpy(self, array: Any, view: Any) -> np.ndarray:
        return view.copy_to_host() if self.simulate else array.cpu().numpy()

    def zero(self, array: Any, view: Any) -> None:
        if self.simulate:
            view.copy_to_device(np.zeros(view.shape, dtype=np.float32))
        else:
            array.zero_()

    def reference(self, A: Any, B: Any) -> tuple[Any, Any]:
        """A @ B in float64, and |A| @ |B| (the scale of float32 rounding errors)."""
        if self.simulate:
            A64, B64 = A.astype(np.float64), B.astype(np.float64)
        else:
            A64, B64 = A.double(), B.double()
        return A64 @ B64, abs(A64) @ abs(B64)

    def relative_error(self, C: Any, C_view: Any, exact: Any, scale: Any) -> float:
        if self.simulate:
            return float((np.abs(C_view.copy_to_host() - exact) / scale).max())
        return float(((C.double() - exact).abs() / scale).max())

    def time(self, fn: Callable[[], Any], inner: int = 1) -> list[float]:
        """Milliseconds per call of `fn`: warm up, then repeat until the time budget is
        spent. In the simulator, a single call (it is slow, and its time means
        nothing)."""
        if self.simulate:
            return [self._batch(fn, 1)]
        fn()  # warm-up: compiles numba kernels, loads cuBLAS
        first = self._batch(fn, 1)
        repeats = int(min(30, max(5, TIME_BUDGET_MS / max(first * inner, 1e-3))))
        return [self._batch(fn, inner) for _ in range(repeats)]

    def _batch(self, fn: Callable[[], Any], inner: int) -> float:
        if self.simulate:
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            return (time.perf_counter() - t0) * 1e3 / inner
        torch = self.torch
        begin, end = (
            torch.cuda.Event(enable_timing=True),
            torch.cuda.Event(enable_timing=True),
        )
        torch.cuda.synchronize()
        begin.record()
        # back to back: launch overhead overlaps the previous kernel
        for _ in range(inner):
            fn()
        end.record()
        end.synchronize()
        return begin.elapsed_time(end) / inner


def device_info(dev: Device) -> dict[str, Any]:
    """Name, size and software of the GPU, for the results file."""
    if dev.simulate:
        return {"name": "numba CUDA simulator (no GPU)", "sms": 1}
    torch = dev.torch
    props = torch.cuda.get_device_properties(0)
    try:
        driver = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")[0]
    except (OSError, subprocess.CalledProcessError):
        driver = "unknown"
    return {
        "name": props.name,
        "compute_capability": f"{props.major}.{props.minor}",
        "sms": props.multi_processor_count,
        "memory_gib": round(props.total_memory / 2**30, 1),
        "l2_mib": round(getattr(props, "L2_cache_size", 0) / 2**20, 1),
        "driver": driver,
        "torch_cuda": torch.version.cuda,
    }


def software_versions() -> dict[str, str]:
    out = {}
    for package in (
        "numba",
        "numba-cuda",
        "llvmlite",
        "cuda-bindings",
        "nvidia-nvvm",
        "nvidia-nvjitlink",
    ):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def bench_vector_add(dev: Device, log2_n: int, sms: int) -> list[Row]:
    n = 2**log2_n
    (a, a_v), (b, b_v) = dev.random((n,), 1), dev.random((n,), 2)
    c, c_v = dev.empty((n,))
    expected = dev.to_numpy(a, a_v) + dev.to_numpy(b, b_v)  # float32: the same rounding
    if dev.simulate:
        copy_name = "copy (numpy)"
        baselines = {
            copy_name: lambda: np.copyto(c, a),
            "numpy add": lambda: np.add(a, b, out=c),
        }
    else:
        torch = dev.torch
        copy_name = "device-to-device copy"
        baselines = {
            copy_name: lambda: c.copy_(a),
            "torch.add": lambda: torch.add(a, b, out=c),
        }
    rows = []
    for name, fn in baselines.items():
        copy = name == copy_name
        ms = dev.time(fn, inner=10)
        rows.append(
            Row(
                "vector add",
                n,
                name,
                ms,
                (8 if copy else 12) * n,
                "" if copy else copy_name,
            )
        )
    # as many blocks as the GPU holds at once
    one_wave = sms * 2048 // THREADS_PER_BLOCK
    launches = {
        "vec_add (a thread per element)": lambda: kernels.vec_add[
            blocks_for(n, THREADS_PER_BLOCK), THREADS_PER_BLOCK, dev.stream
        ](a_v, b_v, c_v),
        "vec_add_grid_stride (one wave of blocks)": lambda: kernels.vec_add_grid_stride[
            one_wave, THREADS_PER_BLOCK, dev.stream
        ](a_v, b_v, c_v),
    }
    for name, fn in launches.items():
        dev.zero(c, c_v)
        ms = dev.time(fn, inner=10)
        if not np.array_equal(dev.to_numpy(c, c_v), expected):
            raise AssertionError(f"{name} computed a wrong sum")
        rows.append(Row("vector add", n, name, ms, 12 * n, copy_name))
    return rows


def matmul_kernels(simulate: bool) -> dict[str, MatmulKernel]:
    """The ladder, plus the register-blocked kernel capped at 128 registers (on a
    GPU)."""
    ladder = dict(MATMUL_KERNELS)
    if not simulate:  # the simulator's jit has no launch bounds
        from numba import cuda

        blocked = MATMUL_KERNELS["blocktiled"]
        capped = cuda.jit(launch_bounds=(blocked.threads[0], 2))(blocked.kernel.py_func)
        ladder["blocktiled_2blocks"] = MatmulKernel(
            "blocktiled_2blocks", capped, blocked.threads, blocked.tile
        )
    return ladder


def bench_matmul(dev: Device, size: int, ladder: dict[str, MatmulKernel]) -> list[Row]:
    (A, A_v), (B, B_v) = (
        dev.random((size, size), 10 + size),
        dev.random((size, size), 20 + size),
    )
    C, C_v = dev.empty((size, size))
    exact, scale = dev.reference(A, B)
    # float32 rounding over K = size terms
    tolerance = 4 * size * float(np.finfo(np.float32).eps)

    def timed_and_checked(
        name: str, fn: Callable[[], Any], baseline: str, check: bool = True
    ):
        dev.zero(C, C_v)
        row = Row("matmul", size, name, dev.time(fn), 2.0 * size**3, baseline)
        error = dev.relative_error(C, C_v, exact, scale)
        if check and not error <= tolerance:
            raise AssertionError(
                f"matmul {name} at {size} is wrong: relative error {error:.2e}"
            )
        return row

    rows = []
    if dev.simulate:
        base = "numpy (float32)"
        # numpy computes into C on the host; the check reads the device copy, so copy it
        # over
        rows.append(
            timed_and_checked(
                base, lambda: C_v.copy_to_device(np.matmul(A, B, out=C)), ""
            )
        )
    else:
        torch = dev.torch
        base = "cuBLAS fp32 (torch.matmul)"
        torch.set_float32_matmul_precision("highest")  # TF32 off: plain fp32 SGEMM
        rows.append(timed_and_checked(base, lambda: torch.matmul(A, B, out=C), ""))
        # TF32 tensor cores: 10 mantissa bits
        torch.set_float32_matmul_precision("high")
        tf32 = "cuBLAS TF32 (torch.matmul)"
        rows.append(
            timed_and_checked(
                tf32, lambda: torch.matmul(A, B, out=C), base, check=False
            )
        )
        torch.set_float32_matmul_precision("highest")
    for name, mk in ladder.items():
        rows.append(
            timed_and_checked(
                name, lambda mk=mk: mk.launch(A_v, B_v, C_v, dev.stream), base
            )
        )
    return rows


def shape_label(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def check_close(name: str, got: np.ndarray, expected: np.ndarray, tol: float) -> None:
    """Stop the run if a kernel disagrees with PyTorch: the largest difference, relative
    to the largest value (at least 1)."""
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    error = float(np.abs(got - expected).max()) / scale if got.size else 0.0
    if not error <= tol:
        raise AssertionError(f"{name} is wrong: max |ours - torch| = {error:.2e}")


class Torch:
    """PyTorch on the benchmark's arrays: the GPU's tensors themselves, or in the
    simulator CPU tensors that share the host arrays."""

    def __init__(self, dev: Device) -> None:
        import torch
        import torch.nn.functional as F

        self.torch, self.F, self.simulate = torch, F, dev.simulate

    def __call__(self, array: Any) -> Any:
        return self.torch.from_numpy(array) if self.simulate else array

    @staticmethod
    def numpy(t: Any) -> np.ndarray:
        return t.detach().cpu().numpy()


def bench_softmax(dev: Device, shape: tuple[int, int], threads: int) -> list[Row]:
    """The three softmax kernels against torch.softmax: effective GB/s (read x, write
    the probabilities once)."""
    pt = Torch(dev)
    (x, x_v), (y, y_v) = dev.random(shape, 30), dev.empty(shape)
    xt = pt(x)
    expected = pt.numpy(pt.torch.softmax(xt, dim=-1))
    rows_, cols = shape
    size, work = shape_label(shape), 2 * 4 * rows_ * cols
    base = "torch.softmax"
    ms = dev.time(lambda: pt.torch.softmax(xt, dim=-1), inner=5)
    rows = [Row("softmax", size, base, ms, work)]
    for name in gpt_ops.SOFTMAX_KERNELS:
        kernel = gpt_ops.softmax_kernel(name, threads)
        grid = blocks_for(rows_, threads) if name == "naive" else rows_

        def launch(kernel=kernel, grid=grid):
            kernel[grid, threads, dev.stream](x_v, y_v)

        dev.zero(y, y_v)
        ms = dev.time(launch, inner=5)
        check_close(f"softmax_{name}", dev.to_numpy(y, y_v), expected, 1e-5)
        rows.append(Row("softmax", size, f"softmax_{name}", ms, work, base))
    return rows


def bench_layernorm(dev: Device, shape: tuple[int, int], threads: int) -> list[Row]:
    """LayerNorm forward against F.layer_norm, backward against ATen's backward:
    effective GB/s."""
    pt = Torch(dev)
    torch, F = pt.torch, pt.F
    R, C = shape
    (x, x_v), (w, w_v), (b, b_v) = (
        dev.random(shape, 40),
        dev.random((C,), 41),
        dev.random((C,), 42),
    )
    (dout, dout_v) = dev.random(shape, 43)
    (out, out_v), (_, mean_v), (_, rstd_v) = (
        dev.empty(shape),
        dev.empty((R,)),
        dev.empty((R,)),
    )
    (dx, dx_v), (dw, dw_v), (db, db_v) = (
        dev.empty(shape),
        dev.empty((C,)),
        dev.empty((C,)),
    )
    xt, wt, bt, doutt = pt(x), pt(w), pt(b), pt(dout)
    eps = 1e-5
    forward, backward = gpt_ops.layernorm_kernels(threads)
    size = shape_label(shape)

    # forward: read x, weight, bias; write the output
    work = 4 * (2 * R * C + 2 * C)
    base = "F.layer_norm"
    ms = dev.time(lambda: F.layer_norm(xt, (C,), wt, bt, eps), inner=5)
    rows = [Row("layernorm", size, base, ms, work)]

    def launch_forward():
        forward[R, threads, dev.stream](
            x_v, w_v, b_v, np.float32(eps), out_v, mean_v, rstd_v
        )

    ms = dev.time(launch_forward, inner=5)
    expected = pt.numpy(F.layer_norm(xt, (C,), wt, bt, eps))
    check_close("layernorm_forward", dev.to_numpy(out, out_v), expected, 1e-4)
    rows.append(Row("layernorm", size, "layernorm_forward", ms, work, base))

    # backward: read dout, x, weight, mean, rstd; write dx, dweight, dbias
    work = 4 * (3 * R * C + 2 * R + 3 * C)
    base = "ATen native_layer_norm_backward"
    _, t_mean, t_rstd = torch.ops.aten.native_layer_norm(xt, [C], wt, bt, eps)
    mask = [True, True, True]

    def torch_backward():
        return torch.ops.aten.native_layer_norm_backward(
            doutt, xt, [C], t_mean, t_rstd, wt, bt, mask
        )

    ms = dev.time(torch_backward, inner=5)
    rows.append(Row("layernorm backward", size, base, ms, work))
    grads = gpt_ops.gpt_kernels.layernorm_param_grads

    def launch_backward():
        backward[R, threads, dev.stream](dout_v, x_v, w_v, mean_v, rstd_v, dx_v)
        grads[blocks_for(C, threads), threads, dev.stream](
            dout_v, x_v, mean_v, rstd_v, dw_v, db_v
        )

    ms = dev.time(launch_backward, inner=5)
    for name, (got, got_v), want in zip(
        ["dx", "dweight", "dbias"],
        [(dx, dx_v), (dw, dw_v), (db, db_v)],
        torch_backward(),
        strict=True,
    ):
        # dweight and dbias are sums over all the rows: more rounding
        tol = 1e-4 if name == "dx" else 1e-3
        check_close(
            f"layernorm_backward {name}", dev.to_numpy(got, got_v), pt.numpy(want), tol
        )
    name = "layernorm_backward + layernorm_param_grads"
    rows.append(Row("layernorm backward", size, name, ms, work, base))
    return rows


def bench_attention(dev: Device, shape: tuple[int, int, int], tile: int) -> list[Row]:
    """Fused causal attention against F.scaled_dot_product_attention and the unfused
    PyTorch: TFLOP/s of useful work."""
    pt = Torch(dev)
    torch, F = pt.torch, pt.F
    heads, T, D = shape
    (q, q_v), (k, k_v), (v, v_v) = (dev.random(shape, 50 + i) for i in range(3))
    out, out_v = dev.empty(shape)
    qt, kt, vt = (pt(a).unsqueeze(0) for a in (q, k, v))  # (1, heads, T, D)
    if not dev.simulate:
        torch.set_float32_matmul_precision("highest")  # fp32, as our kernel
    # QK^T and PV: 2 T² D FLOP each per head; the mask keeps T (T + 1) / 2 of T² pairs
    work = 2.0 * heads * D * T * (T + 1)
    size = shape_label(shape)
    base = "F.scaled_dot_product_attention"
    ms = dev.time(lambda: F.scaled_dot_product_attention(qt, kt, vt, is_causal=True))
    rows = [Row("attention", size, base, ms, work)]
    expected = pt.numpy(F.scaled_dot_product_attention(qt, kt, vt, is_causal=True)[0])
    causal = torch.ones(T, T, dtype=torch.bool, device=qt.device).tril()

    def unfused():
        scores = (qt @ kt.transpose(-1, -2)) * (1 / math.sqrt(D))  # T × T, written
        scores = scores.masked_fill(~causal, float("-inf"))
        return torch.softmax(scores, dim=-1) @ vt

    ms = dev.time(unfused)
    check_close("unfused PyTorch attention", pt.numpy(unfused()[0]), expected, 1e-4)
    rows.append(
        Row("attention", size, "PyTorch unfused (scores in memory)", ms, work, base)
    )
    kernel = gpt_ops.attention_kernel(tile, D)
    scale = np.float32(1 / math.sqrt(D))

    def launch():
        kernel[(blocks_for(T, tile), heads), tile, dev.stream](
            q_v, k_v, v_v, out_v, scale, True
        )

    dev.zero(out, out_v)
    ms = dev.time(launch)
    check_close("attention (fused)", dev.to_numpy(out, out_v), expected, 1e-4)
    rows.append(Row("attention", size, "attention (fused, ours)", ms, work, base))
    return rows


def bench_gpt_kernels(dev: Device) -> list[Row]:
    """The GPT kernels at GPT-2 small shapes (toy shapes in the simulator)."""
    shapes = SIM_GPT_SHAPES if dev.simulate else GPT_SHAPES
    threads = SIM_THREADS if dev.simulate else gpt_ops.BLOCK_THREADS
    tile = SIM_TILE if dev.simulate else gpt_ops.ATTENTION_TILE
    rows = bench_softmax(dev, shapes["softmax"], threads)
    rows += bench_layernorm(dev, shapes["layernorm"], threads)
    rows += bench_attention(dev, shapes["attention"], tile)
    return rows


def gpt_metrics(rows: list[Row]) -> list[Metric]:
    """Each GPT kernel's best version, with PyTorch's rate in the same run as its
    reference (their ratio is the share of PyTorch's speed)."""
    out = []
    for workload, ours, key in [
        ("softmax", "softmax_online", "softmax_online"),
        ("layernorm", "layernorm_forward", "layernorm_forward"),
        (
            "layernorm backward",
            "layernorm_backward + layernorm_param_grads",
            "layernorm_backward",
        ),
        ("attention", "attention (fused, ours)", "attention_fused"),
    ]:
        mine = next(r for r in rows if r.workload == workload and r.name == ours)
        base = next(
            r for r in rows if r.workload == workload and r.name == mine.baseline
        )
        out.append(
            Metric(
                f"{key}_{'gflops' if mine.unit == 'GFLOP/s' else 'gbps'}",
                f"{ours} at {mine.size} ({100 * mine.rate / base.rate:.1f} % of "
                f"{base.name})",
                round(mine.rate, 1),
                mine.unit,
                round(base.rate, 1),
                f"{base.name}, same run",
            )
        )
    return out


def kernel_resources(ladder: dict[str, MatmulKernel]) -> list[dict[str, Any]]:
    """Registers and shared memory as the driver reports them for the compiled
    kernels."""

    def first(value: Any) -> int:
        return next(iter(value.values())) if isinstance(value, dict) else int(value)

    out = []
    named = {"vec_add": (kernels.vec_add, THREADS_PER_BLOCK)}
    named["vec_add_grid_stride"] = (kernels.vec_add_grid_stride, THREADS_PER_BLOCK)
    for name, mk in ladder.items():
        named[name] = (mk.kernel, int(np.prod(mk.threads)))
    for name, (kernel, threads) in named.items():
        regs, smem = (
            first(kernel.get_regs_per_thread()),
            first(kernel.get_shared_mem_per_block()),
        )
        occ = occupancy(threads, regs, smem)
        out.append(
            dict(
                kernel=name,
                threads=threads,
                registers=regs,
                shared_bytes=smem,
                occupancy=occ.occupancy,
            )
        )
    return out


def table_rows(rows: list[Row]) -> list[list[Any]]:
    by_name = {(r.workload, r.size, r.name): r for r in rows}
    out = []
    for r in rows:
        base = by_name.get((r.workload, r.size, r.baseline))
        share = f"{100 * r.rate / base.rate:.1f}" if base else ""
        out.append(
            [
                r.workload,
                r.size,
                r.name,
                f"{r.median:.3f}",
                f"{r.iqr:.3f}",
                f"{r.rate:,.0f}",
                r.unit,
                share,
                r.baseline,
            ]
        )
    return out


def headline_metrics(rows: list[Row], largest: int) -> list[Metric]:
    by_name = {(r.workload, r.size, r.name): r for r in rows}
    vec = [r for r in rows if r.workload == "vector add"]
    copy = next(r for r in vec if not r.baseline)
    add = by_name[("vector add", copy.size, "vec_add (a thread per element)")]
    mm = [r for r in rows if r.workload == "matmul" and r.size == largest]
    cublas = next(r for r in mm if not r.baseline)

    def pct(name: str) -> float:
        return round(100 * by_name[("matmul", largest, name)].rate / cublas.rate, 2)

    tiled = max(pct("tiled16"), pct("tiled32"))
    blocked = max(
        pct(n)
        for n in ("blocktiled", "blocktiled_2blocks")
        if ("matmul", largest, n) in by_name
    )
    vec_pct = round(100 * add.rate / copy.rate, 1)
    h100 = "Boehm's kernels rerun on an H100 (public report)"
    return [
        Metric(
            "vec_add_gbps",
            "vector add, one thread per element",
            round(add.rate, 1),
            "GB/s",
            round(copy.rate, 1),
            "device-to-device copy, same run",
        ),
        Metric(
            "vec_add_pct_of_copy",
            "vector add, % of the copy's bandwidth",
            vec_pct,
            "%",
            goal=f"≥ {GOALS_PCT['vec_add_pct_of_copy']} %",
            met=vec_pct >= GOALS_PCT["vec_add_pct_of_copy"],
        ),
        Metric(
            "cublas_fp32_gflops",
            f"cuBLAS SGEMM at {largest}",
            round(cublas.rate, 1),
            "GFLOP/s",
            anchor("cuda.boehm.h100.cublas_gflops").value,
            h100,
        ),
        Metric(
            "naive_rows_pct",
            f"naive matmul (x → rows), % of cuBLAS at {largest}",
            pct("naive_rows"),
            "%",
            anchor("cuda.boehm.h100.naive_pct").value,
            h100,
        ),
        Metric(
            "naive_pct",
            f"naive matmul, coalesced, % of cuBLAS at {largest}",
            pct("naive"),
            "%",
            anchor("cuda.boehm.h100.coalesced_pct").value,
            h100,
        ),
        Metric(
            "tiled_pct",
            f"shared-memory tiled (best of 16, 32), % of cuBLAS at {largest}",
            tiled,
            "%",
            anchor("cuda.boehm.h100.tiled_pct").value,
            h100,
            f"≥ {GOALS_PCT['tiled_pct']} %",
            tiled >= GOALS_PCT["tiled_pct"],
        ),
        Metric(
            "blocktiled_pct",
            f"register-blocked, % of cuBLAS at {largest}",
            blocked,
            "%",
            anchor("cuda.boehm.h100.blocktiled_2d_pct").value,
            h100,
            f"≥ {GOALS_PCT['blocktiled_pct']} %",
            blocked >= GOALS_PCT["blocktiled_pct"],
        ),
    ]


def run(args: argparse.Namespace) -> dict[str, Any] | None:
    """Measure; return everything the results file holds (None if there is no GPU)."""
    if not args.simulate:
        import torch

        if zcuda.on_simulator() or not torch.cuda.is_available():
            print(
                "the CUDA benchmark needs a GPU (a CUDA driver and a CUDA build of "
                f"torch); here the kernels run on the {zcuda.TARGET} and "
                f"torch.cuda.is_available() is {torch.cuda.is_available()}. Nothing "
                "measured, nothing written."
            )
            return None
    elif not zcuda.on_simulator():
        raise SystemExit(
            "--simulate needs the simulator: run with NUMBA_ENABLE_CUDASIM=1"
        )
    dev = Device(args.simulate)
    info = device_info(dev)
    print(f"device: {info['name']}")
    rows = bench_vector_add(dev, args.log2_n, info["sms"])
    ladder = matmul_kernels(args.simulate)
    for size in args.sizes:
        rows += bench_matmul(dev, size, ladder)
    rows += bench_gpt_kernels(dev)
    return {
        "rows": rows,
        "device": info,
        "versions": software_versions(),
        "kernels": [] if args.simulate else kernel_resources(ladder),
        "largest": max(args.sizes),
    }


HEADERS = [
    "workload",
    "size",
    "implementation",
    "median (ms)",
    "IQR (ms)",
    "rate",
    "unit",
    "% of baseline",
    "baseline",
]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks cuda", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"matmul sizes (default {GPU_SIZES})"
    )
    parser.add_argument(
        "--log2-n", type=int, help=f"vector length 2^N (default {GPU_LOG2_N})"
    )
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="toy sizes in the simulator; writes nothing",
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (SIM_SIZES if args.simulate else GPU_SIZES)
    args.log2_n = args.log2_n or (SIM_LOG2_N if args.simulate else GPU_LOG2_N)
    load = start()
    result = run(args)
    if result is None:
        return
    rows = table_rows(result["rows"])
    metrics = headline_metrics(result["rows"], result["largest"])
    metrics += gpt_metrics(result["rows"])
    measurements = [
        dict(
            workload=r.workload,
            size=r.size,
            name=r.name,
            median_ms=r.median,
            iqr_ms=r.iqr,
            rate=r.rate,
            unit=r.unit,
            baseline=r.baseline,
        )
        for r in result["rows"]
    ]
    if args.simulate:
        from zero_to_hero.pages import markdown_table

        print(markdown_table(HEADERS, rows))
        for m in metrics:
            print(f"{m.name}: {m.value} {m.unit}")
        print("\n(simulator: the numbers mean nothing; nothing written)")
        return
    path = write_results(
        "cuda",
        HEADERS,
        rows,
        load,
        metrics,
        device=result["device"],
        versions=result["versions"],
        kernels=result["kernels"],
        measurements=measurements,
    )
    _record_commit_if_unknown(path)


def _record_commit_if_unknown(path) -> None:
    """A copy of the repository without its .git (a rented GPU machine) cannot name its
    commit; scripts/gpu_bench.sh passes it in ZERO_TO_HERO_COMMIT."""
    commit = os.environ.get("ZERO_TO_HERO_COMMIT")
    data = json.loads(path.read_text(encoding="utf-8"))
    if commit and data["provenance"]["commit"].startswith("unknown"):
        data["provenance"]["commit"] = commit
        with atomic_write(path, "w") as f:
            f.write(json.dumps(data, indent=2) + "\n")
        print(f"commit recorded from ZERO_TO_HERO_COMMIT: {commit}")
