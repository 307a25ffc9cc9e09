"""PyTorch basics: what minibatching and float64 cost, and how reliably the worked
examples reach their stated accuracy.

1. One epoch of the three-spirals example (300 points, minibatches of 32, forward,
   backward and Adam step per batch), with the minibatches made three ways, interleaved
   epoch by epoch: a `DataLoader` over a `TensorDataset` (what `fit` uses: one
   `__getitem__` per example, then a collate that stacks them), a `DataLoader` whose
   sampler yields whole batches of indices (one indexing operation per batch), and plain
   slicing of a `randperm`.
2. float32 against float64, interleaved: the same epoch (first way), and a 1024 × 1024
   matrix product, where the arithmetic rather than Python's overhead sets the time.
3. Both worked examples trained from ten seeds each: test accuracy (min, median, max)
   against the goal the tests check with seed 0.

    python -m benchmarks torch_basics [--rounds N] [--seeds N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset
from tqdm import tqdm

from benchmarks.common import Metric, median, start, write_results
from zero_to_hero.pages import markdown_table
from zero_to_hero.torch_basics.examples import (
    BINARY_GOAL,
    MULTICLASS_GOAL,
    spirals,
    train_binary,
    train_multiclass,
)
from zero_to_hero.torch_basics.training import MLP

BATCH = 32


def per_example_loader(X, y, gen):
    return DataLoader(
        TensorDataset(X, y), batch_size=BATCH, shuffle=True, generator=gen
    )


def per_batch_loader(X, y, gen):
    # The sampler yields lists of 32 indices; TensorDataset indexes with the whole list
    # at once, and batch_size=None turns off the per-example collate.
    sampler = BatchSampler(
        RandomSampler(X, generator=gen), batch_size=BATCH, drop_last=False
    )
    return DataLoader(TensorDataset(X, y), sampler=sampler, batch_size=None)


def sliced(X, y, gen):
    order = torch.randperm(len(X), generator=gen)
    for i in range(0, len(X), BATCH):
        idx = order[i : i + BATCH]
        yield X[idx], y[idx]


METHODS = {
    "DataLoader, one example at a time (as in fit)": per_example_loader,
    "DataLoader, whole batches of indices": per_batch_loader,
    "randperm and slicing, no DataLoader": sliced,
}
MATMUL = 1024


def epoch_fn(make_batches, dtype):
    torch.manual_seed(0)
    X, y = spirals(100, seed=0)
    X = X.to(dtype)
    model = MLP(2, [64, 64], 3).to(dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)

    def epoch():
        for xb, yb in make_batches(X, y, gen):
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


def matmul_fn(dtype):
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(MATMUL, MATMUL, generator=gen, dtype=dtype)
    b = torch.randn(MATMUL, MATMUL, generator=gen, dtype=dtype)
    return lambda: a @ b


def interleaved_ms(fns: dict, rounds: int) -> dict[str, float]:
    """Median milliseconds per call of each function, calling them in turn, `rounds`
    times."""
    for fn in fns.values():  # warm-up: first-call allocations, lazy imports
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in tqdm(range(rounds), desc="timing", leave=False):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: 1000 * median(t) for name, t in times.items()}


def seeds_row(name, train, goal, seeds):
    accuracies, seconds = [], []
    for seed in tqdm(range(seeds), desc=name, leave=False):
        t0 = time.perf_counter()
        accuracies.append(train(seed=seed, device=torch.device("cpu")).test_accuracy)
        seconds.append(time.perf_counter() - t0)
    row = [
        name,
        f"{min(accuracies):.1%}",
        f"{statistics.median(accuracies):.1%}",
        f"{max(accuracies):.1%}",
        f"≥ {goal:.0%}",
        f"{sum(a >= goal for a in accuracies)} of {seeds}",
        f"{statistics.median(seconds):.2f} s",
    ]
    return row, accuracies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=30, help="interleaved calls of each timing"
    )
    parser.add_argument(
        "--seeds", type=int, default=10, help="seeds per worked example"
    )
    args = parser.parse_args(argv)
    load = start()

    fns = {name: epoch_fn(make, torch.float32) for name, make in METHODS.items()}
    fns["epoch, float64"] = epoch_fn(per_example_loader, torch.float64)
    fns["matmul, float32"] = matmul_fn(torch.float32)
    fns["matmul, float64"] = matmul_fn(torch.float64)
    ms = interleaved_ms(fns, args.rounds)
    baseline = ms[next(iter(METHODS))]
    headers = ["minibatches made by", "one epoch, median", "speed vs the first row"]
    rows = [
        [name, f"{ms[name]:.1f} ms", f"{baseline / ms[name]:.1f}×"] for name in METHODS
    ]
    epoch_ratio = ms["epoch, float64"] / baseline
    matmul_ratio = ms["matmul, float64"] / ms["matmul, float32"]
    dtype_table = {
        "title": "float32 against float64, same run",
        "headers": ["work", "float32", "float64", "float64 / float32"],
        "rows": [
            [
                "one spirals epoch (DataLoader per example)",
                f"{baseline:.1f} ms",
                f"{ms['epoch, float64']:.1f} ms",
                f"{epoch_ratio:.2f}×",
            ],
            [
                f"{MATMUL} × {MATMUL} matrix product",
                f"{ms['matmul, float32']:.1f} ms",
                f"{ms['matmul, float64']:.1f} ms",
                f"{matmul_ratio:.2f}×",
            ],
        ],
    }

    binary_row, binary_acc = seeds_row(
        "two moons (binary)", train_binary, BINARY_GOAL, args.seeds
    )
    multi_row, multi_acc = seeds_row(
        "three spirals (3 classes)", train_multiclass, MULTICLASS_GOAL, args.seeds
    )
    accuracy_table = {
        "title": f"Test accuracy after training from {args.seeds} seeds",
        "headers": [
            "example",
            "min",
            "median",
            "max",
            "goal",
            "seeds meeting it",
            "time/run",
        ],
        "rows": [binary_row, multi_row],
    }
    sliced_speedup = baseline / ms["randperm and slicing, no DataLoader"]
    metrics = [
        Metric(
            "binary_min_accuracy",
            f"two moons: lowest test accuracy over {args.seeds} seeds",
            round(min(binary_acc), 4),
            "",
            BINARY_GOAL,
            "the goal the tests check (seed 0)",
            f"≥ {BINARY_GOAL}",
            min(binary_acc) >= BINARY_GOAL,
        ),
        Metric(
            "multiclass_min_accuracy",
            f"three spirals: lowest test accuracy over {args.seeds} seeds",
            round(min(multi_acc), 4),
            "",
            MULTICLASS_GOAL,
            "the goal the tests check (seed 0)",
            f"≥ {MULTICLASS_GOAL}",
            min(multi_acc) >= MULTICLASS_GOAL,
        ),
        Metric(
            "float64_epoch_ratio",
            "one spirals epoch in float64, time relative to float32",
            round(epoch_ratio, 2),
            "×",
            1.0,
            "the same epoch in float32, same run",
        ),
        Metric(
            "float64_matmul_ratio",
            f"{MATMUL} × {MATMUL} matrix product in float64, time relative to float32",
            round(matmul_ratio, 2),
            "×",
            1.0,
            "the same product in float32, same run",
        ),
        Metric(
            "slicing_speedup",
            "one spirals epoch, randperm slicing vs DataLoader per example",
            round(sliced_speedup, 2),
            "×",
            1.0,
            "DataLoader over a TensorDataset, same run",
        ),
    ]
    write_results(
        "torch_basics",
        headers,
        rows,
        load,
        metrics,
        title=(
            "One epoch of the spirals example (300 points, batches of 32), CPU, "
            "1 thread"
        ),
        accuracy_table=accuracy_table,
        dtype_table=dtype_table,
        rounds=args.rounds,
        median_ms={k: round(v, 2) for k, v in ms.items()},
        accuracies={"binary": binary_acc, "multiclass": multi_acc},
    )
    for table in (dtype_table, accuracy_table):
        print(f"\n{table['title']}\n")
        print(markdown_table(table["headers"], table["rows"]))


if __name__ == "__main__":
    main()
