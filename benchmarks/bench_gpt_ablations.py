"""GPT's choices, one at a time: nanoGPT's CPU baby GPT, and one run per choice flipped.

The baseline is the `baby` recipe (GELU, tied embeddings, pre-LN, residual projections
initialised with std 0.02/√(2·n_layer), no dropout, weight decay on matrices only, 100
warm-up steps). Each other run flips exactly one of those choices and keeps everything
else: the seed (so the same initial weights wherever the shapes agree) and the same
sequence of 2000 batches. One more run removes the warm-up from post-LN as well (Xiong
et al., 2020, say that post-LN needs it), and two more repeat the baseline with other
seeds, whose spread says how large a difference must be to mean something.

All runs train in one process on one thread, interleaved step by step (the order
rotates every step), so that the noise of a shared machine hits them alike. Reported:
validation loss over the whole validation split (no sampling noise), the parameter
count, and throughput in tokens/s of the process's CPU time.

    python -m benchmarks gpt_ablations            # about 25 minutes of one core
    python -m benchmarks gpt_ablations --quick    # a smoke test; writes nothing
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import asdict
from typing import Any

from tqdm.auto import tqdm

from benchmarks.common import Metric, start, write_results
from zero_to_hero.gpt.data import shakespeare
from zero_to_hero.gpt.recipes import recipe
from zero_to_hero.gpt.training import Trainer, split_loss

BASELINE_SEED = 1337  # the `baby` recipe's (TrainConfig's default)

# name: (the choice, what the run does instead, overrides of the `baby` recipe)
ABLATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "baseline": ("none (the baseline)", "nanoGPT's baby GPT", {}),
    "relu": ("GELU", "ReLU", {"activation": "relu"}),
    "untied": ("tied embeddings", "separate output layer", {"tie_weights": False}),
    "post_ln": ("pre-LN", "post-LN", {"norm_position": "post"}),
    "post_ln_no_warmup": (
        "pre-LN, warm-up",
        "post-LN without warm-up",
        {"norm_position": "post", "warmup_iters": 0},
    ),
    "unscaled_init": (
        "residual init 0.02/√(2·n_layer)",
        "0.02 everywhere",
        {"init": "normal"},
    ),
    "dropout": ("no dropout", "dropout 0.2", {"dropout": 0.2}),
    "decay_all": (
        "weight decay on matrices only",
        "on every parameter",
        {"decay_vectors": True},
    ),
    "no_warmup": ("100 warm-up steps", "no warm-up", {"warmup_iters": 0}),
}
EXTRA_SEEDS = (1338, 1339)


def runs_to_train() -> dict[str, dict[str, Any]]:
    """Every run's overrides of the `baby` recipe: the ablations, then the seeds."""
    runs = {name: changes for name, (_, _, changes) in ABLATIONS.items()}
    for seed in EXTRA_SEEDS:
        runs[f"seed_{seed}"] = {"seed": seed}
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iters", type=int, default=2000, help="steps per run")
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument(
        "--quick", action="store_true", help="20 steps each, to test; writes nothing"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.iters, args.eval_interval = 20, 10

    load = start()
    data = shakespeare()
    overrides = runs_to_train()
    trainers = {
        name: Trainer(
            *recipe(
                "baby",
                data.vocab.size,
                max_iters=args.iters,
                lr_decay_iters=args.iters,
                eval_interval=args.eval_interval,
                **changes,
            ),
            data,
        )
        for name, changes in overrides.items()
    }
    cpu: dict[str, list[float]] = {name: [] for name in trainers}
    curves = {name: [trainer.evaluate()] for name, trainer in trainers.items()}
    order = list(trainers)
    for step in tqdm(range(1, args.iters + 1), desc="steps (all runs)", unit="step"):
        for name in order:
            t_cpu = time.process_time()
            trainers[name].step()
            cpu[name].append(time.process_time() - t_cpu)
        order = order[1:] + order[:1]  # no run always goes first
        if step % args.eval_interval == 0 or step == args.iters:
            for name, trainer in trainers.items():
                curves[name].append(trainer.evaluate())

    runs = {}
    for name, trainer in tqdm(trainers.items(), desc="validation split", unit="run"):
        tokens = trainer.tc.batch_size * trainer.config.block_size
        runs[name] = {
            "params": trainer.model.num_params(),
            "val_loss": round(
                split_loss(trainer.model, data.val, trainer.config.block_size), 4
            ),
            "val_estimate": round(curves[name][-1].val_loss, 4),
            "train_estimate": round(curves[name][-1].train_loss, 4),
            "tok_s_cpu": round(tokens / statistics.median(cpu[name])),
            "curve": [
                [r.step, round(r.train_loss, 4), round(r.val_loss, 4)]
                for r in curves[name]
            ],
            "train_config": asdict(trainer.tc),
            "model_config": trainer.config.to_dict(),
        }
    baseline = runs["baseline"]
    seeds = [baseline["val_loss"]] + [
        runs[f"seed_{s}"]["val_loss"] for s in EXTRA_SEEDS
    ]
    spread = round(max(seeds) - min(seeds), 4)

    headers = [
        "choice",
        "flipped to",
        "val loss (whole split)",
        "Δ from baseline",
        "parameters",
        "tokens/s (CPU time)",
    ]
    rows = [
        [
            choice,
            instead,
            f"{runs[name]['val_loss']:.4f}",
            f"{runs[name]['val_loss'] - baseline['val_loss']:+.4f}",
            f"{runs[name]['params']:,}",
            f"{runs[name]['tok_s_cpu']:,}",
        ]
        for name, (choice, instead, _) in ABLATIONS.items()
    ]
    for seed in EXTRA_SEEDS:
        r = runs[f"seed_{seed}"]
        rows.append(
            [
                "the baseline",
                f"seed {seed}",
                f"{r['val_loss']:.4f}",
                f"{r['val_loss'] - baseline['val_loss']:+.4f}",
                f"{r['params']:,}",
                f"{r['tok_s_cpu']:,}",
            ]
        )
    metrics = [
        Metric(
            "baseline_val_loss",
            f"baby GPT, validation loss after {args.iters} steps, seed {BASELINE_SEED}",
            baseline["val_loss"],
            "nats",
        ),
        Metric(
            "seed_spread",
            f"baby GPT, spread of the validation loss over seeds {BASELINE_SEED}, "
            + ", ".join(map(str, EXTRA_SEEDS)),
            spread,
            "nats",
        ),
    ]
    metrics += [
        Metric(
            f"{name}_val_loss",
            f"validation loss, {choice} → {instead}",
            runs[name]["val_loss"],
            "nats",
            baseline["val_loss"],
            "the baseline, same seed and batches",
        )
        for name, (choice, instead, _) in ABLATIONS.items()
        if name != "baseline"
    ]
    if args.quick:
        from zero_to_hero.pages import markdown_table

        print(markdown_table(headers, rows))
        print("\n--quick: nothing written")
        return
    write_results(
        "gpt_ablations",
        headers,
        rows,
        load,
        metrics,
        iters=args.iters,
        baseline_seed=BASELINE_SEED,
        extra_seeds=list(EXTRA_SEEDS),
        seed_spread=spread,
        runs=runs,
    )


if __name__ == "__main__":
    main()
