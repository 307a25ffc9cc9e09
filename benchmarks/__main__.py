"""Run benchmarks: `python -m benchmarks` runs them all, `python -m benchmarks NAME
[args]` one.

Each prints a table and writes benchmarks/results/NAME.json. Run with OMP_NUM_THREADS=1
(`make bench` sets it) on an otherwise quiet machine, and commit the results files.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "micrograd": "benchmarks.bench_micrograd",
    "makemore": "benchmarks.bench_makemore",
    "makemore2": "benchmarks.bench_makemore2",
    "gpt": "benchmarks.bench_gpt",
    "gpt_ablations": "benchmarks.bench_gpt_ablations",
    "bpe": "benchmarks.bench_bpe",
    "gpt2": "benchmarks.bench_gpt2",
    "gpt2_train": "benchmarks.bench_gpt2_train",
    "gpt2_shakespeare": "benchmarks.bench_gpt2_shakespeare",
    "torch_basics": "benchmarks.bench_torch_basics",
    "microgpt": "benchmarks.bench_microgpt",
    # GPU only: elsewhere it says so and writes nothing
    "cuda": "benchmarks.bench_cuda",
}


def main(argv: list[str]) -> None:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__, "\nbenchmarks:", ", ".join(BENCHMARKS))
        return
    if argv and argv[0] not in BENCHMARKS:
        raise SystemExit(
            f"unknown benchmark {argv[0]!r}; choose from {', '.join(BENCHMARKS)}"
        )
    names = [argv[0]] if argv else list(BENCHMARKS)
    for name in names:
        print(f"\n== {name} ==")
        importlib.import_module(BENCHMARKS[name]).main(argv[1:] if argv else [])


if __name__ == "__main__":
    main(sys.argv[1:])
