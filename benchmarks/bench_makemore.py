"""makemore: train every model of the chapter with its full recipe, on one thread.

- the bigram counts (on all 228,146 bigrams, as the lecture, and on the training split);
- the neural bigram, full-batch gradient descent (lr 50) for 500 steps (all bigrams, and
  the training split);
- the initialization lecture's six 200,000-step runs (`recipes.INIT_FIXES`), the last of
  which must reproduce the lecture's BatchNorm MLP to every printed digit;
- the lecture's deeper network for its 1,000 steps, and the beyond-the-lectures recipe.

Each run prints its train/val/test loss, steps, wall and CPU time and steps per second;
the results file keeps them with the validation loss every 10,000 steps and the
minibatch loss averaged over every 1,000 steps (the chapter pages draw their curves from
these).

    python -m benchmarks makemore [--quick] [--dry-run] [--only NAME ...]

`--quick` trains every recipe for 200 steps (a smoke test of this script); `--dry-run`
does not write the results file; `--only` re-measures those recipes and keeps the other
runs of the results file as they are (the provenance records the update).
"""

from __future__ import annotations

import argparse
import time

import torch

from benchmarks.common import (
    Metric,
    beyond_metrics,
    start,
    update_results,
    write_results,
)
from zero_to_hero.data import load_names
from zero_to_hero.makemore.bigram import (
    BigramCounts,
    NeuralBigram,
    count_bigrams,
    train_neural_bigram,
)
from zero_to_hero.makemore.dataset import build_windows, make_splits
from zero_to_hero.makemore.deep import DeepMLP, calibrate_batchnorm
from zero_to_hero.makemore.plots import loss_curve
from zero_to_hero.makemore.recipes import INIT_FIXES, LECTURE_SEED, RECIPES, run_recipe
from zero_to_hero.makemore.sampling import sample_names
from zero_to_hero.makemore.train import evaluate, split_losses
from zero_to_hero.reference import agrees_across_cpus, anchor

SPLITS = ("train", "val", "test")
NEURAL_STEPS = 500
EVAL_EVERY = 10_000
# The lecture MLP's run-to-run spread from the minibatch draws (see the anchors): how
# close a re-run of a recipe whose exact random draws or arithmetic may differ can be
# expected to be.
SPREAD = 0.01


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


def row(name, params, steps, losses, wall, cpu, reference=""):
    rate = f"{steps / cpu:,.0f}" if steps and cpu > 0 else "—"
    return [
        name,
        f"{params:,}",
        f"{steps:,}",
        *(fmt(losses.get(s)) for s in SPLITS),
        f"{wall:.1f}",
        f"{cpu:.1f}",
        rate,
        reference,
    ]


def bigrams(names, splits1, quick):
    """The counts and the neural bigram; returns table rows, metrics and extra
    fields."""
    vocab = splits1.vocab
    X_all, Y_all = build_windows(names, vocab, 1)
    rows, metrics, extra = [], [], {}

    t0, c0 = time.perf_counter(), time.process_time()
    N_all = count_bigrams(names, vocab)
    nll = BigramCounts(N_all, 0.0).nll(X_all, Y_all)
    nll_smoothed = BigramCounts(N_all, 1.0).nll(X_all, Y_all)
    counts = BigramCounts.fit(splits1.train.words, vocab, smoothing=1.0)
    losses = {s: counts.nll(splits1[s].X, splits1[s].Y) for s in SPLITS}
    extra["bigram_counts_losses"] = losses
    rows.append(
        row(
            "bigram counts (+1 smoothing)",
            0,
            0,
            losses,
            time.perf_counter() - t0,
            time.process_time() - c0,
            f"all bigrams: {nll:.6f} (no smoothing), {nll_smoothed:.6f} (+1)",
        )
    )
    for key, value, ref in [
        ("bigram_nll", nll, "makemore.bigram.nll"),
        ("bigram_nll_smoothed", nll_smoothed, "makemore.bigram.nll_smoothed"),
    ]:
        published = anchor(ref).value
        metrics.append(
            Metric(
                key,
                "bigram counts, NLL over all 228,146 bigrams, "
                + ("+1 smoothing" if "smoothed" in key else "no smoothing"),
                round(value, 6),
                "nats",
                published,
                anchor(ref).source,
                "= reference (6 decimals)",
                round(value, 6) == published,
            )
        )

    steps = 20 if quick else NEURAL_STEPS
    g = torch.Generator().manual_seed(LECTURE_SEED)
    model = NeuralBigram(vocab.size, generator=g)
    t0, c0 = time.perf_counter(), time.process_time()
    history = train_neural_bigram(model, X_all, Y_all, steps=steps + 1)
    wall_all, cpu_all = time.perf_counter() - t0, time.process_time() - c0
    extra["neural_bigram_all"] = {
        "loss": [round(h.loss, 6) for h in history],
        "nll": [round(h.nll, 6) for h in history],
        "wall_s": round(wall_all, 2),
        "cpu_s": round(cpu_all, 2),
    }
    for step in (100, 300, 500):
        if step <= steps:
            published = anchor(f"makemore.neural_bigram.step{step}").value
            value = history[step].loss
            metrics.append(
                Metric(
                    f"neural_bigram_step{step}",
                    "neural bigram, full-batch loss (with regularization) at step "
                    f"{step}",
                    round(value, 4),
                    "nats",
                    published,
                    anchor(f"makemore.neural_bigram.step{step}").source,
                    "= reference (4 decimals)",
                    round(value, 4) == published,
                )
            )

    model = NeuralBigram(
        vocab.size, generator=torch.Generator().manual_seed(LECTURE_SEED)
    )
    t0, c0 = time.perf_counter(), time.process_time()
    train_neural_bigram(model, splits1.train.X, splits1.train.Y, steps=steps)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    losses = split_losses(model, splits1, SPLITS)
    rows.append(
        row(
            f"neural bigram, full batch, lr 50, {steps} steps",
            model.num_parameters(),
            steps,
            losses,
            wall,
            cpu,
            f"all bigrams: {history[-1].loss:.4f} with reg. at step {steps} "
            f"(lecture {anchor('makemore.neural_bigram.loss').value})",
        )
    )
    return rows, metrics, extra


def lecture_reference(name: str) -> tuple[float | None, float | None]:
    key = f"makemore.init.{name}"
    try:
        return anchor(f"{key}.train").value, anchor(f"{key}.val").value
    except KeyError:
        return None, None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 steps per recipe")
    parser.add_argument(
        "--dry-run", action="store_true", help="do not write the results file"
    )
    parser.add_argument(
        "--only", nargs="*", choices=list(RECIPES), help="only these recipes"
    )
    args = parser.parse_args(argv)
    load = start()
    names = load_names()
    headers = [
        "model",
        "params",
        "steps",
        "train",
        "val",
        "test",
        "wall s",
        "CPU s",
        "steps/s (CPU)",
        "lecture",
    ]
    rows, metrics, extra = bigrams(names, make_splits(names, block_size=1), args.quick)
    runs = {}
    splits_by_context = {}
    for name, r in RECIPES.items():
        if args.only and name not in args.only:
            continue
        if r.block_size not in splits_by_context:
            splits_by_context[r.block_size] = make_splits(
                names, block_size=r.block_size
            )
        splits = splits_by_context[r.block_size]
        steps = min(200, r.training.steps) if args.quick else r.training.steps
        print(f"{name}: {steps:,} steps …", flush=True)
        run = run_recipe(
            r,
            splits,
            steps,
            splits_to_eval=SPLITS,
            eval_every=EVAL_EVERY,
            eval_data={"val": (splits.val.X, splits.val.Y)},
        )
        h = run.history
        print(
            f"  losses {run.losses} ({h.steps:,} steps, {h.seconds:.1f} s wall, "
            f"{h.cpu_seconds:.1f} s CPU)",
            flush=True,
        )
        ref_train, ref_val = lecture_reference(name)
        if name == "deep":
            ref_train, ref_val = (
                anchor(f"makemore.deep.{s}_1k").value for s in ("train", "val")
            )
        reference = f"{ref_train} / {ref_val}" if ref_train is not None else ""
        rows.append(
            row(
                f"`{name}`: {r.description}",
                run.model.num_parameters(),
                h.steps,
                run.losses,
                h.seconds,
                h.cpu_seconds,
                reference,
            )
        )
        g = torch.Generator().manual_seed(LECTURE_SEED + 10)
        samples = sample_names(run.model, splits.vocab, r.block_size, n=12, generator=g)
        if isinstance(run.model, DeepMLP):
            # What re-measuring the BatchNorm statistics on the training set would
            # change.
            calibrate_batchnorm(run.model, splits.train.X)
            val_calibrated = evaluate(run.model, splits.val.X, splits.val.Y)
        else:
            val_calibrated = None
        curve = loss_curve(h, window=1000)
        runs[name] = {
            "description": r.description,
            "params": run.model.num_parameters(),
            "steps": h.steps,
            "losses": run.losses,
            "reference": {"train": ref_train, "val": ref_val},
            "wall_s": round(h.seconds, 2),
            "cpu_s": round(h.cpu_seconds, 2),
            "ms_per_step_cpu": round(1000 * h.cpu_seconds / max(1, h.steps), 4),
            "first_loss": h.losses[0],
            "val_after_calibration": val_calibrated,
            "samples": samples,
            "curve": {
                "window": curve["window"],
                "train_loss_per_window": [
                    round(x, 5) for x in curve["train_loss_per_window"]
                ],
                "val": [[step, round(loss, 5)] for step, loss in curve["val"]],
            },
        }
        if name in INIT_FIXES and ref_train is not None and not args.quick:
            delta = max(
                abs(run.losses["train"] - ref_train), abs(run.losses["val"] - ref_val)
            )
            runs[name]["largest_difference_from_lecture"] = delta
            if name == "bn-mlp":  # the lecture's final recipe, published to every digit
                goal = "= published to 6 digits (train and val; CPU_RTOL)"
                met = agrees_across_cpus(
                    run.losses["train"], ref_train
                ) and agrees_across_cpus(run.losses["val"], ref_val)
            else:
                goal = f"train and val within {SPREAD} of published (run-to-run spread)"
                met = delta <= SPREAD
            metrics.append(
                Metric(
                    f"{name}_val",
                    f"{r.description}: validation loss after {h.steps:,} steps",
                    run.losses["val"],
                    "nats",
                    ref_val,
                    anchor(f"makemore.init.{name}.val").source,
                    goal,
                    met,
                )
            )
    if "bn-mlp" in runs:
        metrics.append(
            Metric(
                "bn_mlp_ms_per_step",
                "BatchNorm MLP, CPU time per training step (one thread)",
                runs["bn-mlp"]["ms_per_step_cpu"],
                "ms",
                0.77,
                "re-measured lecture notebook, 154 s for 200k steps (wall, 1 thread)",
            )
        )
    if "beyond" in runs and not args.quick:
        metrics += beyond_metrics(
            runs["beyond"],
            reference=anchor("makemore.init.bn-mlp.val").value,
            reference_label="the lecture's BatchNorm MLP",
            goal_val=2.05,
            goal_cpu_s=10 * 60,
        )
    if args.dry_run:
        from zero_to_hero.pages import markdown_table

        print(markdown_table(headers, rows))
        return
    if args.only:  # the other runs of the results file stay as they were measured
        update_results("makemore", headers, rows, load, metrics, runs=runs, **extra)
    else:
        write_results("makemore", headers, rows, load, metrics, runs=runs, **extra)


if __name__ == "__main__":
    main()
