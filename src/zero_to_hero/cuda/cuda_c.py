"""The same kernels in CUDA C++ (`kernels.cu`), compiled with NVIDIA's `nvcc` for
comparison.

Nothing here runs a kernel: CUDA C needs a GPU to run. What a CPU machine with the CUDA
toolkit can do is compile it, and ptxas then reports registers and shared memory per
kernel, to set beside what the numba versions use (see `compile_check`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from zero_to_hero.cuda.compile_check import PtxasUsage, parse_ptxas_report

__all__ = ["SOURCE", "KERNELS", "GPT_SOURCE", "GPT_KERNELS", "nvcc_resource_usage"]

#: The CUDA C++ source of the listings.
SOURCE = Path(__file__).with_name("kernels.cu")

#: Name in the reports -> the C++ (mangled) name of the kernel in `kernels.cu`.
KERNELS = {
    "vec_add": "_Z7vec_addPKfS0_Pfi",
    "matmul_naive": "_Z12matmul_naivePKfS0_Pfiii",
    "matmul_tiled16": "_Z12matmul_tiledILi16EEvPKfS1_Pfiii",
    "matmul_tiled32": "_Z12matmul_tiledILi32EEvPKfS1_Pfiii",
}

#: The CUDA C++ source of the GPT kernels (`gpt_kernels.py`).
GPT_SOURCE = Path(__file__).with_name("gpt_kernels.cu")

#: Name in the reports -> the C++ (mangled) name of the kernel in `gpt_kernels.cu`.
GPT_KERNELS = {
    "softmax_online": "_Z14softmax_onlineILi128EEvPKfPfi",
    "layernorm_forward": "_Z17layernorm_forwardILi128EEvPKfS1_S1_fPfS2_S2_i",
    "attention": "_Z9attentionILi32ELi64EEvPKfS1_S1_Pffbi",
}


def nvcc_resource_usage(
    arch: str = "sm_90", source: Path = SOURCE, kernels: dict[str, str] | None = None
) -> dict[str, PtxasUsage]:
    """Compile `source` (`kernels.cu` by default) with `nvcc --resource-usage` and
    return the figures of each of its `kernels` (for `kernels.cu`: `KERNELS`; pass
    `GPT_SOURCE` with `GPT_KERNELS` for the GPT kernels).

    Raises:
        FileNotFoundError: nvcc is not on the PATH.
        RuntimeError: nvcc failed; the message carries its output.
    """
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise FileNotFoundError(
            "nvcc is not on the PATH: the CUDA C listings need NVIDIA's CUDA toolkit"
        )
    with tempfile.TemporaryDirectory() as tmp:
        cubin = Path(tmp) / "kernels.cubin"
        cmd = [
            nvcc,
            f"-arch={arch}",
            "-cubin",
            "--resource-usage",
            "-o",
            str(cubin),
            str(source),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"nvcc failed:\n{proc.stdout}{proc.stderr}")
    if kernels is None:
        kernels = KERNELS if source == SOURCE else {}
    report = parse_ptxas_report(proc.stdout + proc.stderr)
    missing = set(kernels.values()) - set(report)
    if missing:
        raise RuntimeError(f"nvcc reported no figures for {sorted(missing)}")
    return {name: report[mangled] for name, mangled in kernels.items()}
