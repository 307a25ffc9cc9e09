"""The compile check: every kernel compiles to PTX for a Hopper GPU (sm_90), with no GPU
present.

The simulator runs kernels as Python, so it accepts code the CUDA compiler rejects (a
list comprehension, say) and cannot see precision: a float64 literal that turns a
float32 loop into double-precision arithmetic gives the same answers there. This check
compiles each kernel for real, with NVIDIA's NVVM (from the `cuda-toolkit` wheels of the
`cuda` extra), and then

* scans the PTX for float64 instructions (`.f64`), which the chapter's kernels must not
  have;
* assembles it with ptxas (through nvJitLink) and reads what ptxas reports: registers
  per thread, shared memory per block, spills and barriers, which set the occupancy.

It needs the real numba-cuda target, not the simulator, so it runs in a process started
with `NUMBA_ENABLE_CUDASIM=0`:

    python -m zero_to_hero.cuda.compile_check  # a table; exit status 1 on a problem
    python -m zero_to_hero.cuda.compile_check --json  # the same as JSON
    python -m zero_to_hero.cuda.compile_check --ptx matmul_tiled16  # one kernel's PTX

From a process that uses the simulator (a test, a page), `report()` runs it in a
subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from types import SimpleNamespace
from typing import Any
from unittest import mock

from numba import cuda, types
from numba.cuda import dispatcher as cuda_dispatcher

from zero_to_hero.cuda import exercises, gpt_kernels, gpt_ops, kernels, mistakes
from zero_to_hero.cuda.launch import MATMUL_KERNELS, THREADS_PER_BLOCK
from zero_to_hero.cuda.occupancy import SM90, occupancy
from zero_to_hero.cuda.target import SIMULATOR_ENV

__all__ = [
    "KernelSpec",
    "KernelReport",
    "kernel_specs",
    "gpt_kernel_specs",
    "compile_to_ptx",
    "float64_instructions",
    "static_shared_bytes",
    "PtxasUsage",
    "parse_ptxas_report",
    "ptxas_usage",
    "check",
    "report",
    "main",
]

#: Hopper: the H100 and H200.
COMPUTE_CAPABILITY = (9, 0)

VEC = types.float32[::1]  # a contiguous float32 vector
MAT = types.float32[:, ::1]  # a row-major float32 matrix
HEADS = types.float32[:, :, ::1]  # (heads, T, D) for attention


@dataclass(frozen=True)
class KernelSpec:
    """A kernel to check: its name, the numba kernel, the argument types, its block
    size.

    Attributes:
        name: Name in the report.
        kernel: The numba kernel (its Python function is compiled).
        signature: numba types of the arguments.
        threads_per_block: The block size it is launched with (for the occupancy).
        expect_float64: True only for the fixture that demonstrates the float64 mistake.
    """

    name: str
    kernel: Any
    signature: tuple[Any, ...]
    threads_per_block: int
    expect_float64: bool = False


def kernel_specs() -> list[KernelSpec]:
    """Every kernel of the chapter, its exercises and its teaching fixtures."""
    specs = [
        KernelSpec("vec_add", kernels.vec_add, (VEC, VEC, VEC), THREADS_PER_BLOCK),
        KernelSpec(
            "vec_add_grid_stride",
            kernels.vec_add_grid_stride,
            (VEC, VEC, VEC),
            THREADS_PER_BLOCK,
        ),
    ]
    for name, mm in MATMUL_KERNELS.items():
        threads = 1
        for n in mm.threads:
            threads *= n
        specs.append(KernelSpec(f"matmul_{name}", mm.kernel, (MAT, MAT, MAT), threads))
    specs += gpt_kernel_specs()
    specs += [
        KernelSpec(
            "exercise saxpy",
            exercises.saxpy,
            (types.float32, VEC, VEC),
            THREADS_PER_BLOCK,
        ),
        KernelSpec(
            "exercise transpose",
            exercises.transpose,
            (MAT, MAT),
            exercises.TRANSPOSE_TILE**2,
        ),
        KernelSpec(
            "exercise block_sum", exercises.block_sum, (VEC, VEC), exercises.SUM_THREADS
        ),
        KernelSpec(
            "mistake vec_add_unguarded",
            mistakes.vec_add_unguarded,
            (VEC, VEC, VEC),
            THREADS_PER_BLOCK,
        ),
        KernelSpec(
            "mistake matmul_tiled_no_barriers",
            mistakes.matmul_tiled_no_barriers,
            (MAT, MAT, MAT),
            mistakes.TILE**2,
        ),
        KernelSpec(
            "mistake saxpy with a Python float",  # a float `a` is typed float64
            exercises.saxpy,
            (types.float64, VEC, VEC),
            THREADS_PER_BLOCK,
            expect_float64=True,
        ),
        KernelSpec(
            "mistake matmul_naive_float64",
            mistakes.matmul_naive_float64,
            (MAT, MAT, MAT),
            256,
            expect_float64=True,
        ),
    ]
    return specs


def gpt_kernel_specs() -> list[KernelSpec]:
    """The kernels of `gpt_kernels`, in the configurations the GPU benchmark runs."""
    threads = gpt_kernels.BLOCK_THREADS
    forward, backward = gpt_ops.layernorm_kernels(threads)
    row = (MAT, MAT)
    return [
        KernelSpec("softmax_naive", gpt_kernels.softmax_naive, row, threads),
        KernelSpec("softmax_block", gpt_ops.softmax_kernel("block"), row, threads),
        KernelSpec("softmax_online", gpt_ops.softmax_kernel("online"), row, threads),
        KernelSpec(
            "layernorm_forward",
            forward,
            (MAT, VEC, VEC, types.float32, MAT, VEC, VEC),
            threads,
        ),
        KernelSpec(
            "layernorm_backward", backward, (MAT, MAT, VEC, VEC, VEC, MAT), threads
        ),
        KernelSpec(
            "layernorm_param_grads",
            gpt_kernels.layernorm_param_grads,
            (MAT, MAT, VEC, VEC, VEC, VEC),
            threads,
        ),
        KernelSpec(
            "attention",
            gpt_ops.attention_kernel(),
            (HEADS, HEADS, HEADS, HEADS, types.float32, types.boolean),
            gpt_kernels.ATTENTION_TILE,
        ),
    ]


def compile_to_ptx(spec: KernelSpec, cc: tuple[int, int] = COMPUTE_CAPABILITY) -> str:
    """The PTX (virtual GPU assembly) of one kernel for compute capability `cc`."""
    if cuda.compile_ptx is None:  # numba-cuda's simulator has no compiler
        raise RuntimeError(
            "the compile check needs the real CUDA target: start Python with "
            f"{SIMULATOR_ENV}=0, e.g. `python -m zero_to_hero.cuda.compile_check`, or "
            "call report() from here"
        )
    # A kernel that calls a device function (`@cuda.jit(device=True)`) has numba
    # compile that function for the compute capability of the *current device*, which
    # needs a driver; with no GPU, tell it the capability we compile for.
    no_gpu = SimpleNamespace(compute_capability=cc)
    try:
        with mock.patch.object(cuda_dispatcher, "get_current_device", lambda: no_gpu):
            ptx, _ = cuda.compile_ptx(spec.kernel.py_func, spec.signature, cc=cc)
    except Exception as err:  # numba's TypingError and friends: say which kernel
        raise RuntimeError(f"{spec.name} does not compile for CUDA: {err}") from err
    return ptx


def float64_instructions(ptx: str) -> list[str]:
    """The PTX lines that declare or compute with float64 values (`add.f64`,
    `cvt.f64.f32`...).

    Example:
        >>> float64_instructions("add.f32 %f1, %f2, %f3;\\ncvt.f64.f32 %fd1, %f1;")
        ['cvt.f64.f32 %fd1, %f1;']
    """
    lines = (line.split("//")[0].strip() for line in ptx.splitlines())
    return [line for line in lines if re.search(r"\.f64\b", line)]


def static_shared_bytes(ptx: str) -> int:
    """Bytes of the `.shared` arrays a PTX module declares (`.shared .align 4 .b8
    name[1024];`).

    Example:
        >>> static_shared_bytes(".shared .align 4 .b8 _cudapy_smem_1[1024];")
        1024
    """
    sizes = re.findall(
        r"^\s*(?:\.visible\s+)?\.shared\s+(?:\.align\s+\d+\s+)?\.b8\s+\w+\[(\d+)\]",
        ptx,
        re.M,
    )
    return sum(int(n) for n in sizes)


@dataclass(frozen=True)
class PtxasUsage:
    """What ptxas reports for one kernel (`ptxas -v`)."""

    registers: int
    shared_bytes: int
    barriers: int
    spill_stores: int
    spill_loads: int
    stack_bytes: int


def parse_ptxas_report(text: str) -> dict[str, PtxasUsage]:
    """Each kernel's figures from the verbose report of ptxas (`ptxas -v`, `nvcc
    --resource-usage`), by the kernel's (mangled) name."""
    out = {}
    for match in re.finditer(
        r"Compiling entry function '([^']+)'(.*?)(?=Compiling entry|\Z)", text, re.S
    ):
        body = match.group(2)

        def number(pattern: str, body: str = body) -> int:
            found = re.search(pattern, body)
            return int(found.group(1)) if found else 0

        if "Used" not in body:
            raise RuntimeError(f"no register count in the ptxas report:\n{text}")
        out[match.group(1)] = PtxasUsage(
            registers=number(r"Used (\d+) registers"),
            shared_bytes=number(r"(\d+) bytes smem"),
            barriers=number(r"used (\d+) barriers"),
            spill_stores=number(r"(\d+) bytes spill stores"),
            spill_loads=number(r"(\d+) bytes spill loads"),
            stack_bytes=number(r"(\d+) bytes stack frame"),
        )
    return out


def ptxas_usage(ptx: str, arch: str = "sm_90") -> PtxasUsage:
    """Assemble the PTX of one kernel to machine code with ptxas (through nvJitLink) and
    return what its `-v` report says."""
    from cuda.bindings import nvjitlink

    options = [f"-arch={arch}", "-Xptxas=-v"]
    handle = nvjitlink.create(len(options), options)
    try:
        data = ptx.encode()
        try:
            nvjitlink.add_data(
                handle, nvjitlink.InputType.PTX, data, len(data), "kernel"
            )
            nvjitlink.complete(handle)
        except nvjitlink.nvJitLinkError as err:
            log = bytearray(nvjitlink.get_error_log_size(handle))
            nvjitlink.get_error_log(handle, log)
            raise RuntimeError(
                f"ptxas rejected the PTX: {log.decode(errors='replace')}"
            ) from err
        log = bytearray(nvjitlink.get_info_log_size(handle))
        nvjitlink.get_info_log(handle, log)
    finally:
        nvjitlink.destroy(handle)
    (usage,) = parse_ptxas_report(log.decode(errors="replace")).values()
    # Linked through nvJitLink, ptxas leaves the kernel's `.shared` arrays out of its
    # smem figure (they are module-level symbols); the PTX of one kernel declares them
    # all.
    return replace(
        usage, shared_bytes=max(usage.shared_bytes, static_shared_bytes(ptx))
    )


@dataclass(frozen=True)
class KernelReport:
    """The compile check's findings for one kernel."""

    name: str
    threads_per_block: int
    ptx_lines: int
    float64_lines: list[str]
    expect_float64: bool
    registers: int
    shared_bytes: int
    barriers: int
    spill_bytes: int
    blocks_per_sm: int
    occupancy: float
    limited_by: list[str]

    @property
    def ok(self) -> bool:
        """No float64 unless expected, and no spills to local memory."""
        return bool(self.float64_lines) == self.expect_float64 and self.spill_bytes == 0


def check(specs: list[KernelSpec] | None = None) -> list[KernelReport]:
    """Compile every kernel for sm_90 and report float64 use, resources and
    occupancy."""
    reports = []
    for spec in specs if specs is not None else kernel_specs():
        ptx = compile_to_ptx(spec)
        usage = ptxas_usage(ptx)
        occ = occupancy(
            spec.threads_per_block, usage.registers, usage.shared_bytes, usage.barriers
        )
        reports.append(
            KernelReport(
                name=spec.name,
                threads_per_block=spec.threads_per_block,
                ptx_lines=ptx.count("\n"),
                float64_lines=float64_instructions(ptx),
                expect_float64=spec.expect_float64,
                registers=usage.registers,
                shared_bytes=usage.shared_bytes,
                barriers=usage.barriers,
                spill_bytes=usage.spill_stores + usage.spill_loads,
                blocks_per_sm=occ.blocks_per_sm,
                occupancy=occ.occupancy,
                limited_by=list(occ.limited_by),
            )
        )
    return reports


def report(timeout: float = 300) -> list[dict[str, Any]]:
    """Run the compile check in a fresh process (with the real CUDA target) and return
    its rows.

    This is what a process that uses the simulator (the tests, the site build) calls.
    """
    env = {**os.environ, SIMULATOR_ENV: "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "zero_to_hero.cuda.compile_check", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    # 1 means "ran, and found a problem": the rows say which
    if proc.returncode not in (
        0,
        1,
    ):
        raise RuntimeError(f"the compile check failed to run:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    """Print the compile check's table (or JSON); exit status 1 if any kernel fails
    it."""
    parser = argparse.ArgumentParser(prog="python -m zero_to_hero.cuda.compile_check")
    parser.add_argument(
        "--json", action="store_true", help="print JSON instead of a table"
    )
    parser.add_argument(
        "--ptx", metavar="KERNEL", help="print one kernel's PTX and stop"
    )
    args = parser.parse_args(argv)
    if args.ptx:
        specs = {spec.name: spec for spec in kernel_specs()}
        if args.ptx not in specs:
            parser.error(f"unknown kernel {args.ptx!r}; choose from {', '.join(specs)}")
        print(compile_to_ptx(specs[args.ptx]))
        return 0
    reports = check()
    if args.json:
        print(json.dumps([{**asdict(r), "ok": r.ok} for r in reports], indent=1))
    else:
        print(
            f"PTX for sm_{''.join(map(str, COMPUTE_CAPABILITY))}, occupancy on "
            f"{SM90.name}\n"
        )
        heads = ["threads", "regs", "smem B", "spill", "f64", "blocks/SM", "occupancy"]
        print(f"{'kernel':34}", *(f"{h:>9}" for h in heads))
        for r in reports:
            flag = "" if r.ok else "   <-- PROBLEM"
            cells = [r.threads_per_block, r.registers, r.shared_bytes, r.spill_bytes]
            cells += [len(r.float64_lines), r.blocks_per_sm]
            print(
                f"{r.name:34}", *(f"{c:9d}" for c in cells), f"{r.occupancy:9.0%}{flag}"
            )
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
