"""What every benchmark shares: timing, provenance, and writing the results file."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from zero_to_hero.files import atomic_write
from zero_to_hero.pages import RESULTS_DIR, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return float("nan")


def provenance(load_before: float) -> dict[str, Any]:
    """Where and when a measurement was made: the fields every results file carries."""
    import numpy
    import torch

    commit = _git("rev-parse", "--short=12", "HEAD")
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    return {
        "commit": commit,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{_cpu_model()}, {os.cpu_count()} cores ({platform.machine()})",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "load_before": load_before,
        "load_after": _load(),
    }


def start() -> float:
    """Call at the start of a benchmark: returns the load average, for the
    provenance."""
    return _load()


def time_call(fn: Callable[[], Any]) -> float:
    """Seconds taken by one call of `fn`, with the garbage left by earlier calls
    collected beforehand so it is not billed to this one."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median(xs: list[float]) -> float:
    return statistics.median(xs)


@dataclass(frozen=True)
class Metric:
    """One headline number of a benchmark, with the reference it is compared against.

    The results page lists every metric of every results file: value, reference, goal
    and the file's provenance.
    """

    name: str  # stable identifier, e.g. "demo_step_speedup"
    # what it is, for people: "demo training step, speed-up over micrograd 0.1.0"
    label: str
    value: float
    unit: str = ""  # "ms", "×", "nats", "tok/s", "MB/s", "%"…
    reference: float | None = None  # the number it is compared with, if any
    reference_label: str = (
        ""  # where that comes from: "micrograd 0.1.0, same run", a lecture…
    )
    goal: str = ""  # the target, in words: "≥ 10×", "= published", "≤ 2.05"
    met: bool | None = None  # whether the goal is met (None: no goal)


def write_results(
    name: str,
    headers: list[str],
    rows: list[list[Any]],
    load_before: float,
    metrics: list[Metric],
    **extra: Any,
) -> Path:
    """Print the table and write `benchmarks/results/<name>.json` (atomically)."""
    print(markdown_table(headers, rows))
    payload = {
        "benchmark": name,
        "provenance": provenance(load_before),
        "table": {"headers": headers, "rows": rows},
        "metrics": [asdict(m) for m in metrics],
        **extra,
    }
    path = RESULTS_DIR / f"{name}.json"
    with atomic_write(path, "w") as f:
        f.write(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {path}")
    return path


def update_results(
    name: str,
    headers: list[str],
    rows: list[list[Any]],
    load_before: float,
    metrics: list[Metric],
    **extra: Any,
) -> Path:
    """Re-measure part of `benchmarks/results/<name>.json`: rows with the same first
    cell, metrics with the same name and the entries of dict-valued extras (`runs`) are
    replaced in place, new ones appended, the rest kept; the provenance lists the
    update (which runs, which commit, when)."""
    print(markdown_table(headers, rows))
    path = RESULTS_DIR / f"{name}.json"
    old = json.loads(path.read_text(encoding="utf-8"))
    if old["table"]["headers"] != headers:
        raise SystemExit(f"{path}: its table has other columns; rerun it whole")
    fresh = {row[0]: row for row in rows}
    kept = [fresh.pop(row[0], row) for row in old["table"]["rows"]]
    by_name = {m.name: asdict(m) for m in metrics}
    merged = [by_name.pop(m["name"], m) for m in old["metrics"]]
    payload = {
        **old,
        "table": {"headers": headers, "rows": kept + list(fresh.values())},
        "metrics": merged + list(by_name.values()),
    }
    for key, value in extra.items():
        payload[key] = (
            {**old.get(key, {}), **value} if isinstance(value, dict) else value
        )
    updated = sorted(extra.get("runs", {}))
    payload["provenance"] = {
        **old["provenance"],
        "updates": [
            *old["provenance"].get("updates", []),
            {"runs": updated, **provenance(load_before)},
        ],
    }
    with atomic_write(path, "w") as f:
        f.write(json.dumps(payload, indent=2) + "\n")
    print(f"\nupdated {', '.join(updated)} in {path}")
    return path


def beyond_metrics(
    run: dict[str, Any],
    *,
    reference: float,
    reference_label: str,
    goal_val: float,
    goal_cpu_s: int,
    goal_params: int | None = None,
) -> list[Metric]:
    """The headline numbers of a beyond-the-lectures run (a results-file record with
    `losses`, `cpu_s`, `wall_s` and `params`): its validation loss, its CPU time on one
    thread and, if the goal limits it, its number of parameters, each against its
    goal."""
    metrics = [
        Metric(
            "beyond_val",
            "beyond the lectures: validation loss",
            run["losses"]["val"],
            "nats",
            reference,
            reference_label,
            f"≤ {goal_val}",
            run["losses"]["val"] <= goal_val,
        ),
        Metric(
            "beyond_cpu_minutes",
            "beyond the lectures: training time on one CPU thread (CPU time)",
            round(run["cpu_s"] / 60, 2),
            "min",
            None,
            f"wall clock on the shared machine: {run['wall_s'] / 60:.2f} min",
            f"≤ {goal_cpu_s // 60} min",
            run["cpu_s"] <= goal_cpu_s,
        ),
    ]
    if goal_params is not None:
        metrics.append(
            Metric(
                "beyond_params",
                "beyond the lectures: parameters",
                run["params"],
                "",
                None,
                "",
                f"≤ {goal_params:,}",
                run["params"] <= goal_params,
            )
        )
    return metrics
