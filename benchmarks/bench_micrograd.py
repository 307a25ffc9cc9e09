"""micrograd: one training step of the demo, ours against PyPI's micrograd 0.1.0,
interleaved.

A step is what the demo does 100 times: forward over all 100 points (loss and accuracy),
zero the gradients, backward, SGD update. Both engines run the same model shape on the
same data in the same process, alternating step by step so that machine noise hits both
alike. Each is timed with the garbage collector on (normal use) and paused (to show
where the time goes).

Also: backward through a chain of 1,000,000 additions (ours; the original's recursive
sort stops near 1,000), and through a balanced sum tree of 50,000 leaves (both).

    python -m benchmarks micrograd [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import random
import time

from benchmarks.common import Metric, median, start, time_call, write_results
from zero_to_hero.micrograd import MLP, Value
from zero_to_hero.micrograd.demo import make_moons, max_margin_loss

CHAIN = 1_000_000
TREE_LEAVES = 50_000


def ours_step_fn(X, y):
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))

    def step():
        loss, _ = max_margin_loss(model, X, y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad

    return step


def upstream_step_fn(X, y):
    from micrograd.engine import Value as UValue
    from micrograd.nn import MLP as UMLP

    random.seed(1337)
    model = UMLP(2, [16, 16, 1])

    def step():
        inputs = [[UValue(v) for v in x] for x in X]
        scores = [model(x) for x in inputs]
        hinge = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        loss = sum(hinge) * (1.0 / len(hinge)) + 1e-4 * sum(
            p * p for p in model.parameters()
        )
        _ = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad

    return step


def timed(step, gc_on: bool) -> float:
    if gc_on:
        return time_call(step)
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        step()
        return time.perf_counter() - t0
    finally:
        gc.enable()


def sum_tree(value_cls, n: int):
    leaves = [value_cls(float(i % 7)) for i in range(n)]
    level = leaves
    while len(level) > 1:
        level = [
            level[i] + level[i + 1] if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return leaves, level[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=15, help="interleaved steps per engine"
    )
    args = parser.parse_args(argv)
    load = start()
    X, y = make_moons(100, noise=0.1, seed=1337)
    steps = {"ours": ours_step_fn(X, y), "micrograd 0.1.0": upstream_step_fn(X, y)}
    times: dict[tuple[str, bool], list[float]] = {
        (k, g): [] for k in steps for g in (True, False)
    }
    for _ in range(args.rounds):
        for gc_on in (True, False):
            for name, step in steps.items():
                times[name, gc_on].append(timed(step, gc_on))
    ms = {key: 1000 * median(v) for key, v in times.items()}
    speedup = ms["micrograd 0.1.0", True] / ms["ours", True]

    # backward of a long chain: ours only (the original's recursive sort overflows)
    x = start_node = Value(0.0)
    for _ in range(CHAIN):
        x = x + 1
    chain_s = min(time_call(x.backward) for _ in range(3))
    assert start_node.grad == 3.0, "three backward() calls accumulate 3 in the leaf"
    del x, start_node

    from micrograd.engine import Value as UValue

    u = UValue(0.0)
    for _ in range(1000):
        u = u + 1
    try:
        u.backward()
        upstream_chain = "ok"
    except RecursionError:
        upstream_chain = "RecursionError already at 1,000 nodes"

    tree_s = {}
    for name, cls in (("ours", Value), ("micrograd 0.1.0", UValue)):
        _, root = sum_tree(cls, TREE_LEAVES)
        tree_s[name] = min(time_call(root.backward) for _ in range(3))

    headers = ["workload", "ours", "micrograd 0.1.0", "speed-up"]
    rows = [
        [
            "demo training step, median (GC on)",
            f"{ms['ours', True]:.1f} ms",
            f"{ms['micrograd 0.1.0', True]:.1f} ms",
            f"**{speedup:.1f}×**",
        ],
        [
            "demo training step, median (GC paused)",
            f"{ms['ours', False]:.1f} ms",
            f"{ms['micrograd 0.1.0', False]:.1f} ms",
            f"{ms['micrograd 0.1.0', False] / ms['ours', False]:.1f}×",
        ],
        [
            f"backward, sum tree of {TREE_LEAVES:,} leaves",
            f"{1000 * tree_s['ours']:.0f} ms",
            f"{1000 * tree_s['micrograd 0.1.0']:.0f} ms",
            f"{tree_s['micrograd 0.1.0'] / tree_s['ours']:.1f}×",
        ],
        [
            f"backward, chain of {CHAIN:,} additions",
            f"{chain_s:.2f} s",
            upstream_chain,
            "—",
        ],
    ]
    metrics = [
        Metric(
            "demo_step_ms",
            "demo training step, median, GC on",
            round(ms["ours", True], 2),
            "ms",
            round(ms["micrograd 0.1.0", True], 2),
            "micrograd 0.1.0, same run",
        ),
        Metric(
            "demo_step_speedup",
            "demo training step, speed-up over micrograd 0.1.0",
            round(speedup, 1),
            "×",
            1.0,
            "micrograd 0.1.0, same run",
            "≥ 10×",
            speedup >= 10,
        ),
        Metric(
            "chain_backward_s",
            f"backward through a chain of {CHAIN:,} additions",
            round(chain_s, 3),
            "s",
            None,
            "micrograd 0.1.0: RecursionError at 1,000",
            "no RecursionError",
            True,
        ),
    ]
    write_results(
        "micrograd",
        headers,
        rows,
        load,
        metrics,
        rounds=args.rounds,
        step_ms={
            f"{k} ({'gc on' if g else 'gc paused'})": round(v, 2)
            for (k, g), v in ms.items()
        },
        speedup_gc_on=round(speedup, 2),
        chain_backward_s=round(chain_s, 3),
        upstream_gc_share=round(
            1 - ms["micrograd 0.1.0", False] / ms["micrograd 0.1.0", True], 3
        ),
    )


if __name__ == "__main__":
    main()
