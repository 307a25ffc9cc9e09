"""Reading the GPU results file: what the pages print with and without one."""

from __future__ import annotations

import pytest

from zero_to_hero.cuda import results as gpu

FAKE = {  # the shape bench_cuda writes, with made-up numbers
    "provenance": {"commit": "abc", "date": "2026-01-01 00:00 UTC", "torch": "2.11.0"},
    "device": {"name": "Test GPU", "driver": "580.1", "sms": 2},
    "versions": {"numba-cuda": "0.30.4", "nvidia-nvvm": "not installed"},
    "table": {
        "headers": ["workload", "size", "implementation", "rate"],
        "rows": [["vector add", 8, "copy", 10], ["matmul", 4, "cuBLAS", 100]],
    },
    "measurements": [
        {
            "workload": "matmul",
            "size": 4,
            "name": "cuBLAS",
            "rate": 100.0,
            "baseline": "",
        },
        {
            "workload": "matmul",
            "size": 4,
            "name": "naive",
            "rate": 12.5,
            "baseline": "cuBLAS",
        },
        {
            "workload": "matmul",
            "size": 2,
            "name": "naive",
            "rate": 99.0,
            "baseline": "cuBLAS",
        },
    ],
}


def test_missing_file_means_none_and_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu, "RESULTS_DIR", tmp_path)
    assert gpu.gpu_results() is None
    assert "No GPU measurement has been recorded yet" in gpu.NO_GPU_YET


def test_share_of_baseline_at_one_size():
    assert gpu.share_of_baseline(FAKE, "matmul", 4) == {"naive": 12.5}


def test_table_keeps_one_workload():
    table = gpu.results_table(FAKE, "matmul")
    assert "cuBLAS" in table and "copy" not in table and "workload" not in table


def test_provenance_names_device_commit_and_installed_software():
    note = gpu.provenance_note(FAKE)
    for text in ["Test GPU", "580.1", "`abc`", "numba-cuda 0.30.4", "torch 2.11.0"]:
        assert text in note
    assert "nvidia-nvvm" not in note


def test_a_results_file_that_exists_is_loaded(tmp_path, monkeypatch):
    import json

    monkeypatch.setattr(gpu, "RESULTS_DIR", tmp_path)
    (tmp_path / "cuda.json").write_text(json.dumps(FAKE))
    monkeypatch.setattr(
        gpu,
        "load_results",
        lambda name: json.loads((tmp_path / f"{name}.json").read_text()),
    )
    assert gpu.gpu_results()["device"]["name"] == "Test GPU"


@pytest.mark.parametrize("workload", ["vector add", "matmul"])
def test_table_has_a_header_and_rows(workload):
    lines = gpu.results_table(FAKE, workload).splitlines()
    assert lines[0].startswith("| size") and len(lines) == 3
