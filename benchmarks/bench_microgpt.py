"""microgpt: the capstone's default training run on four engines, side by side.

The same GPT (microgpt's configuration: 16 channels, 4 heads, 1 layer, context 16), the
same initial weights and the same names in the same order, one name per step, Adam with
a linearly decaying learning rate, on:

* ours: `zero_to_hero.micrograd.engine.Value`, a dot product as one `weighted_sum` node;
* lecture-shaped: `zero_to_hero.micrograd.simple.Value` (the micrograd page's listing)
  with its own `weighted_sum`;
* straightforward: the same lecture-shaped `Value` with a dot product written as
  `sum(w * x ...)`: a node per product and per addition, a new node for the constant 0,
  a recursive topological sort: the scalar engine of the lecture (and of microgpt);
* PyTorch: the float64 tensor version (`zero_to_hero.microgpt_torch`), the same
  one-name-at-a-time loop.

The engines take their steps in turn (step 1 on each, then step 2 on each, ...), so
load on the shared machine hits them alike. The three scalar engines compute the same
numbers in the same order: their losses must be identical, and PyTorch's equal to 1e-9.
The straightforward engine is slow, so it runs `--slow-steps` steps (default: all);
its 1000-step time is then extrapolated, and the table says so.

    python -m benchmarks microgpt [--steps N] [--slow-steps M]
"""

from __future__ import annotations

import argparse
import gc
import time

from benchmarks.common import Metric, start, write_results
from zero_to_hero.data import load_names
from zero_to_hero.microgpt import GPT, Adam, Config, Tokenizer, sample
from zero_to_hero.microgpt_torch import weights_of
from zero_to_hero.micrograd import simple

SEED = 42
LR = 0.01


def lecture_dot(w, x):
    """The lecture-shaped engine's one-node dot product (its `weighted_sum`)."""
    return simple.weighted_sum(w, x, simple.Value(0.0))


def straightforward_dot(w, x):
    """A dot product the plain way: a node per product and per addition."""
    return sum(wi * xi for wi, xi in zip(w, x))


def scalar_runner(config: Config, **engine):
    model = GPT(config, **engine)
    optimizer = Adam(model.parameters())

    def step(tokens: list[int], lr: float) -> float:
        loss = model.loss(tokens)
        loss.backward()
        optimizer.step(lr)
        return loss.data

    return model, step


def torch_runner(config: Config):
    import torch

    from zero_to_hero.microgpt_torch import loss as torch_loss

    w = weights_of(GPT(config))
    optimizer = torch.optim.Adam(list(w.values()), lr=LR, betas=(0.85, 0.99), eps=1e-8)

    def step(tokens: list[int], lr: float) -> float:
        value = torch_loss(w, config, tokens)
        optimizer.zero_grad()
        value.backward()
        optimizer.param_groups[0]["lr"] = lr
        optimizer.step()
        return value.item()

    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1000, help="training steps")
    parser.add_argument(
        "--slow-steps",
        type=int,
        default=None,
        help="steps of the straightforward engine (default: --steps)",
    )
    args = parser.parse_args(argv)
    steps = args.steps
    slow_steps = min(args.slow_steps or steps, steps)
    load = start()
    import random

    docs = [name for name in load_names() if name]
    tokenizer = Tokenizer(docs)
    config = Config(vocab_size=tokenizer.vocab_size, seed=SEED)
    order = list(docs)
    random.Random(SEED).shuffle(order)  # as microgpt.train shuffles them

    model, ours = scalar_runner(config)
    engines = {
        "ours": (ours, steps),
        "lecture-shaped": (
            scalar_runner(config, value=simple.Value, dot=lecture_dot)[1],
            steps,
        ),
        "straightforward": (
            scalar_runner(config, value=simple.Value, dot=straightforward_dot)[1],
            slow_steps,
        ),
        "PyTorch": (torch_runner(config), steps),
    }
    seconds = {name: [] for name in engines}
    losses = {name: [] for name in engines}
    for i in range(steps):
        doc = order[i % len(order)]
        tokens = [Tokenizer.BOS, *tokenizer.encode(doc), Tokenizer.BOS]
        lr = LR * (1 - i / steps)
        for name, (step, n) in engines.items():
            if i >= n:
                continue
            gc.collect()  # garbage of the previous step is not billed to this one
            t0 = time.perf_counter()
            losses[name].append(step(tokens, lr))
            seconds[name].append(time.perf_counter() - t0)
        if i % 50 == 0 or i == steps - 1:
            print(
                f"step {i + 1:4d}: "
                + ", ".join(f"{k} {v[-1] * 1000:.0f} ms" for k, v in seconds.items())
            )

    for name in ("lecture-shaped", "straightforward"):
        n = len(losses[name])
        assert losses[name] == losses["ours"][:n], f"{name} computed other losses"
    worst = max(abs(a - b) / abs(b) for a, b in zip(losses["ours"], losses["PyTorch"]))
    assert worst < 1e-9, f"PyTorch's losses differ by {worst:.2e} (relative)"

    # Over the steps every engine took, and over the whole run where it took them all.
    common = slow_steps
    common_s = {k: sum(v[:common]) for k, v in seconds.items()}
    total_s = {k: sum(v) for k, v in seconds.items()}
    full_s = dict(total_s)
    extrapolated = slow_steps < steps
    if extrapolated:
        # the same names cost the engines the same in proportion: scale ours's full run
        full_s["straightforward"] = (
            total_s["ours"] * common_s["straightforward"] / common_s["ours"]
        )
    speedup = common_s["straightforward"] / common_s["ours"]
    headers = [
        "engine",
        f"steps/s (first {common} steps)",
        f"{steps} steps",
        "time per step ÷ ours's",
        f"loss after {steps} steps",
    ]
    rows = []
    for name in engines:
        full = f"{full_s[name]:.0f} s"
        if name == "straightforward" and extrapolated:
            full += f" (extrapolated from {slow_steps})"
        rows.append(
            [
                name,
                f"{common / common_s[name]:.1f}",
                full,
                f"{common_s[name] / common_s['ours']:.2f}×",
                f"{losses[name][-1]:.4f}" if len(losses[name]) == steps else "—",
            ]
        )
    metrics = [
        Metric(
            "microgpt_speedup",
            "microgpt training, ours over a straightforward scalar engine",
            round(speedup, 1),
            "×",
            1.0,
            f"straightforward engine, same run, first {common} steps",
            "≥ 5×",
            speedup >= 5,
        ),
        Metric(
            "microgpt_steps_per_s",
            "microgpt training, steps per second (ours)",
            round(steps / total_s["ours"], 1),
            "steps/s",
            round(steps / total_s["PyTorch"], 1),
            "PyTorch float64, the same one-name loop, same run",
        ),
        Metric(
            "microgpt_final_loss",
            f"microgpt training loss, mean of the last 100 of {steps} steps",
            round(sum(losses["ours"][-100:]) / len(losses["ours"][-100:]), 4),
            "nats",
            round(sum(losses["PyTorch"][-100:]) / len(losses["PyTorch"][-100:]), 4),
            "PyTorch float64, same run",
        ),
    ]
    write_results(
        "microgpt",
        headers,
        rows,
        load,
        metrics,
        steps=steps,
        slow_steps=slow_steps,
        seconds={k: round(v, 3) for k, v in total_s.items()},
        seconds_common={k: round(v, 3) for k, v in common_s.items()},
        losses=[round(x, 6) for x in losses["ours"]],
        torch_max_relative_difference=worst,
        samples=sample(model, tokenizer, n=20, temperature=0.5, seed=SEED),
    )


if __name__ == "__main__":
    main()
