"""Read the GPU benchmark's results file (`benchmarks/results/cuda.json`) for the pages.

The benchmark runs only on a GPU, so the file exists only once someone has run it on one
and committed it. Until then every helper here says so instead of showing a number.
"""

from __future__ import annotations

from typing import Any

from zero_to_hero.pages import RESULTS_DIR, load_results, markdown_table

__all__ = [
    "GOALS_PCT",
    "NO_GPU_YET",
    "gpu_results",
    "provenance_note",
    "results_table",
    "share_of_baseline",
]

#: The GPU benchmark's goals, in percent of its reference: vector addition against a
#: device-to-device copy, the tiled and the register-blocked matmuls against cuBLAS's
#: float32 SGEMM at the largest size.
GOALS_PCT = {"vec_add_pct_of_copy": 90, "tiled_pct": 20, "blocktiled_pct": 50}

#: What the pages print when no GPU run has been recorded.
NO_GPU_YET = (
    "**No GPU measurement has been recorded yet.** The site is built on machines "
    "without a GPU; the numbers will appear here once `scripts/gpu_bench.sh` has been "
    "run on one and its results file (`benchmarks/results/cuda.json`) committed."
)


def gpu_results(name: str = "cuda") -> dict[str, Any] | None:
    """The recorded GPU results, or None when there are none yet."""
    if not (RESULTS_DIR / f"{name}.json").is_file():
        return None
    return load_results(name)


def provenance_note(results: dict[str, Any]) -> str:
    """One line: which GPU, when, at which commit, with which software."""
    p, d, v = results["provenance"], results["device"], results.get("versions", {})
    software = ", ".join(f"{k} {val}" for k, val in v.items() if val != "not installed")
    return (
        f"<small>Measured on an {d['name']} (driver {d.get('driver', '?')}, "
        f"{d.get('sms', '?')} SMs) on {p['date']} at commit `{p['commit']}`: torch "
        f"{p['torch']}, {software}.</small>"
    )


def results_table(results: dict[str, Any], workload: str) -> str:
    """The benchmark's table, restricted to one workload ("vector add" or "matmul")."""
    headers, rows = results["table"]["headers"], results["table"]["rows"]
    keep = [row for row in rows if row[0] == workload]
    return markdown_table(headers[1:], [row[1:] for row in keep])


def share_of_baseline(
    results: dict[str, Any], workload: str, size: int
) -> dict[str, float]:
    """implementation -> its rate as a % of its baseline's, at one size."""
    rows = [
        m
        for m in results["measurements"]
        if m["workload"] == workload and m["size"] == size
    ]
    rate = {m["name"]: m["rate"] for m in rows}
    return {
        m["name"]: 100 * m["rate"] / rate[m["baseline"]] for m in rows if m["baseline"]
    }
