"""The GPU benchmark's code path, run in the simulator at toy sizes (it cannot be timed
here, but every kernel launch, correctness check, table row and headline metric is
exercised)."""

from __future__ import annotations

import pytest

import zero_to_hero.cuda as zcuda
from benchmarks import bench_cuda
from zero_to_hero.pages import RESULTS_DIR


def results_files() -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in RESULTS_DIR.glob("*.json")}


@pytest.mark.skipif(
    not zcuda.on_simulator(), reason="the simulated run needs the simulator"
)
def test_the_simulated_benchmark_runs_every_kernel_and_writes_nothing(capsys):
    before = results_files()
    bench_cuda.main(["--simulate", "--sizes", "19", "--log2-n", "9"])
    out = capsys.readouterr().out
    for name in [
        "vec_add (a thread per element)",
        "vec_add_grid_stride",
        *zcuda.MATMUL_KERNELS,
    ]:
        assert f"| {name}" in out
    for name in [
        "torch.softmax",
        *(f"softmax_{k}" for k in ("naive", "block", "online")),
        "layernorm_forward",
        "layernorm_backward + layernorm_param_grads",
        "F.scaled_dot_product_attention",
        "attention (fused, ours)",
    ]:
        assert f"| {name} |" in out, name
    for metric in [
        "vec_add_pct_of_copy",
        "tiled_pct",
        "blocktiled_pct",
        "softmax_online_gbps",
        "layernorm_forward_gbps",
        "layernorm_backward_gbps",
        "attention_fused_gflops",
    ]:
        assert f"{metric}:" in out
    assert "nothing written" in out
    assert results_files() == before


@pytest.mark.skipif(not zcuda.on_simulator(), reason="a GPU is present")
def test_without_a_gpu_it_says_so_and_writes_nothing(capsys):
    before = results_files()
    bench_cuda.main([])
    assert "needs a GPU" in capsys.readouterr().out
    assert results_files() == before


@pytest.mark.skipif(
    not zcuda.on_simulator(), reason="missing barriers may go unnoticed on a GPU"
)
# the racing kernel computes garbage
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_wrong_kernel_is_caught():
    from zero_to_hero.cuda import mistakes
    from zero_to_hero.cuda.launch import MatmulKernel

    kernel = MatmulKernel(
        "broken", mistakes.matmul_tiled_no_barriers, (16, 16), (16, 16)
    )
    dev = bench_cuda.Device(simulate=True)
    with pytest.raises(AssertionError, match="matmul broken at 16 is wrong"):
        bench_cuda.bench_matmul(dev, 16, {"broken": kernel})


def test_a_gpt_kernel_that_disagrees_with_torch_stops_the_run():
    import numpy as np

    expected = np.array([[1.0, 200.0]])
    bench_cuda.check_close("ok", expected + 1e-3, expected, 1e-5)  # relative to 200
    with pytest.raises(AssertionError, match="softmax_online is wrong"):
        bench_cuda.check_close("softmax_online", expected + 1, expected, 1e-4)
