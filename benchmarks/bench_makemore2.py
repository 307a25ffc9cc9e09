"""makemore, parts 4–5: the manual-backprop MLP, the WaveNet series, and a model beyond
them.

- the manual-backprop lecture's network (n_hidden 200), 200,000 SGD steps with the
  hand-written backward pass only, BatchNorm calibrated on the training set afterwards;
  then the very same run with autograd's backward pass, to show that the two agree (and
  which is faster);
- the WaveNet lecture's performance log, each stage a 200,000-step run
  (`WAVENET_STAGES`), the last of which must reproduce the lecture's published losses;
- the beyond-the-lectures recipe (`gpt.names.BEYOND_GPT`: the GPT chapter's model
  reading whole names), on one CPU thread.

Each run records its train/val/test loss, wall and CPU time, the validation loss every
10,000 steps and the minibatch loss averaged over every 1,000 steps (the pages draw
their curves from these), and a few sampled names.

    python -m benchmarks makemore2 [--quick] [--dry-run] [--only NAME ...]

`--quick` trains every run for 300 steps (a smoke test of this script); `--dry-run` does
not write the results file. With `--only`, the runs not named are kept from the existing
results file, each with the commit and date it was measured at (the file's provenance is
the latest run's). NAME is `backprop`, `autograd`, a stage of `WAVENET_STAGES`, or
`beyond`.
"""

from __future__ import annotations

import argparse
import json

import torch
from tqdm import tqdm

from benchmarks.common import (
    RESULTS_DIR,
    Metric,
    beyond_metrics,
    provenance,
    start,
    write_results,
)
from zero_to_hero.data import load_names
from zero_to_hero.gpt.names import (
    BEYOND_GPT,
    evaluate_names,
    name_sequences,
    sample_gpt_names,
    train_names_gpt,
)
from zero_to_hero.makemore.backprop import (
    BackpropConfig,
    BackpropMLP,
    calibrate,
    train_by_hand,
)
from zero_to_hero.makemore.dataset import make_splits
from zero_to_hero.makemore.layers import Module
from zero_to_hero.makemore.plots import loss_curve
from zero_to_hero.makemore.recipes import LECTURE_SEED, WAVENET_STAGES, run_recipe
from zero_to_hero.makemore.sampling import sample_names
from zero_to_hero.makemore.train import (
    History,
    evaluate,
    split_losses,
    step_decay,
    train,
)
from zero_to_hero.reference import agrees_across_cpus, anchor

SPLITS = ("train", "val", "test")
STEPS = 200_000
EVAL_EVERY = 10_000
SPREAD = 0.01  # run-to-run spread of these 200k-step recipes (see the lecture anchors)
BEYOND_GOAL_VAL, BEYOND_GOAL_CPU_S, BEYOND_GOAL_PARAMS = 1.93, 20 * 60, 500_000
NAMES = ("backprop", "autograd", *WAVENET_STAGES, "beyond")


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


def record(model, history: History, losses: dict, splits, reference: dict) -> dict:
    """What the results file keeps of one run."""
    curve = loss_curve(history, window=1000)
    g = torch.Generator().manual_seed(LECTURE_SEED + 10)
    if isinstance(model, Module):
        params = model.num_parameters()
        samples = sample_names(
            model, splits.vocab, splits.block_size, n=12, generator=g
        )
    else:  # the GPT of the beyond run
        params, samples = (
            model.num_params(),
            sample_gpt_names(model, splits.vocab, 12, g),
        )
    return {
        "params": params,
        "steps": history.steps,
        "losses": losses,
        "reference": reference,
        "wall_s": round(history.seconds, 2),
        "cpu_s": round(history.cpu_seconds, 2),
        "ms_per_step_cpu": round(1000 * history.cpu_seconds / max(1, history.steps), 4),
        "first_loss": history.losses[0],
        "samples": samples,
        "curve": {
            "window": curve["window"],
            "train_loss_per_window": [
                round(x, 5) for x in curve["train_loss_per_window"]
            ],
            "val": [[step, round(loss, 5)] for step, loss in curve["val"]],
        },
    }


def by_hand(splits, steps: int, manual: bool) -> dict:
    """The manual-backprop lecture's full run, with the hand-written or autograd's
    backward."""
    g = torch.Generator().manual_seed(LECTURE_SEED)
    model = BackpropMLP(BackpropConfig(n_hidden=200), generator=g)
    val = {"val": (splits.val.X, splits.val.Y)}
    if manual:
        history = train_by_hand(
            model,
            splits.train.X,
            splits.train.Y,
            steps,
            generator=g,
            eval_every=EVAL_EVERY,
            eval_data=val,
        )
    else:
        history = History()

        # what train_by_hand measures
        def calibrated_eval(step: int, _loss: float) -> None:
            if (step + 1) % EVAL_EVERY == 0 or step == steps - 1:
                calibrate(model, splits.train.X)
                history.evals.append((step + 1, {"val": evaluate(model, *val["val"])}))

        train(
            model,
            splits.train.X,
            splits.train.Y,
            steps,
            lr=step_decay(),
            generator=g,
            on_step=calibrated_eval,
            history=history,
        )
    calibrate(model, splits.train.X)
    losses = split_losses(model, splits, SPLITS)
    reference = {s: anchor(f"makemore.backprop.{s}").value for s in ("train", "val")}
    return record(model, history, losses, splits, reference)


def beyond(splits, steps: int | None) -> dict:
    """The beyond-the-lectures GPT, trained and measured on the lecture split's
    words."""
    length = BEYOND_GPT.model.block_size
    data = {s: name_sequences(splits[s].words, splits.vocab, length) for s in SPLITS}
    bar = tqdm(
        total=steps or BEYOND_GPT.training.max_iters, desc="beyond", mininterval=10
    )
    model, history = train_names_gpt(
        BEYOND_GPT,
        *data["train"],
        steps,
        eval_every=EVAL_EVERY,
        eval_data={"val": data["val"]},
        on_step=lambda _i, _loss: bar.update(),
    )
    bar.close()
    losses = {s: evaluate_names(model, *data[s]) for s in SPLITS}
    reference = {"train": None, "val": anchor("makemore.wavenet.val").value}
    return record(model, history, losses, splits, reference)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 steps per run")
    parser.add_argument(
        "--dry-run", action="store_true", help="do not write the results file"
    )
    parser.add_argument("--only", nargs="*", choices=NAMES, help="only these runs")
    args = parser.parse_args(argv)
    load = start()
    names = load_names()
    splits_by_context = {}

    def splits_for(block_size: int):
        if block_size not in splits_by_context:
            splits_by_context[block_size] = make_splits(names, block_size=block_size)
        return splits_by_context[block_size]

    wanted = [n for n in NAMES if not args.only or n in args.only]
    runs: dict[str, dict] = {}
    for name in wanted:
        print(f"{name} …", flush=True)
        if name in ("backprop", "autograd"):
            steps = 300 if args.quick else STEPS
            runs[name] = by_hand(splits_for(3), steps, manual=name == "backprop")
            runs[name]["description"] = "manual-backprop MLP (n_hidden 200), " + (
                "hand-written backward pass"
                if name == "backprop"
                else "autograd's backward"
            )
        elif name == "beyond":
            runs[name] = beyond(splits_for(3), 300 if args.quick else None)
            runs[name]["description"] = BEYOND_GPT.description
        else:
            r = WAVENET_STAGES[name]
            splits = splits_for(r.block_size)
            steps = 300 if args.quick else r.training.steps
            run = run_recipe(
                r,
                splits,
                steps,
                splits_to_eval=SPLITS,
                eval_every=EVAL_EVERY,
                eval_data={"val": (splits.val.X, splits.val.Y)},
            )
            reference = {
                s: anchor(f"makemore.stage.{name}.{s}").value for s in ("train", "val")
            }
            runs[name] = record(run.model, run.history, run.losses, splits, reference)
            runs[name]["description"] = r.description
        rec = runs[name]
        rec["measured"] = {k: provenance(load)[k] for k in ("commit", "date")}
        timing = f"{rec['cpu_s']:.0f} s CPU, {rec['wall_s']:.0f} s wall"
        print(f"  {rec['losses']}: {timing}", flush=True)

    previous = RESULTS_DIR / "makemore2.json"
    # keep the runs not measured now
    if args.only and not args.quick and previous.is_file():
        kept = json.loads(previous.read_text(encoding="utf-8")).get("runs", {})
        runs = {
            n: runs[n] if n in runs else kept[n]
            for n in NAMES
            if n in runs or n in kept
        }
    headers = [
        "run",
        "params",
        "steps",
        *SPLITS,
        "wall s",
        "CPU s",
        "ms/step (CPU)",
        "lecture",
    ]
    rows = []
    for name, rec in runs.items():
        ref = rec["reference"]
        lecture = " / ".join(
            fmt(ref[s]) for s in ("train", "val") if ref.get(s) is not None
        )
        rows.append(
            [
                f"`{name}`: {rec['description']}",
                f"{rec['params']:,}",
                f"{rec['steps']:,}",
                *(fmt(rec["losses"][s]) for s in SPLITS),
                f"{rec['wall_s']:.1f}",
                f"{rec['cpu_s']:.1f}",
                f"{rec['ms_per_step_cpu']:.3f}",
                lecture,
            ]
        )

    metrics = [] if args.quick else make_metrics(runs)
    if args.dry_run:
        from zero_to_hero.pages import markdown_table

        print(markdown_table(headers, rows))
        return
    write_results("makemore2", headers, rows, load, metrics, runs=runs)


def make_metrics(runs: dict[str, dict]) -> list[Metric]:
    metrics = []
    if "backprop" in runs:
        b = runs["backprop"]
        delta = max(abs(b["losses"][s] - b["reference"][s]) for s in ("train", "val"))
        metrics.append(
            Metric(
                "backprop_val",
                "manual backprop, 200k steps: validation loss (BatchNorm calibrated)",
                b["losses"]["val"],
                "nats",
                b["reference"]["val"],
                anchor("makemore.backprop.val").source,
                f"train and val within {SPREAD} of published (run-to-run spread)",
                delta <= SPREAD,
            )
        )
    if "backprop" in runs and "autograd" in runs:
        b, a = runs["backprop"], runs["autograd"]
        delta = max(abs(b["losses"][s] - a["losses"][s]) for s in SPLITS)
        metrics += [
            Metric(
                "backprop_vs_autograd",
                "the same 200k-step run with autograd's backward: largest loss "
                "difference",
                round(delta, 6),
                "nats",
                None,
                "train, val and test losses of the two runs",
                f"≤ {SPREAD} (the run-to-run spread)",
                delta <= SPREAD,
            ),
            Metric(
                "backprop_speedup",
                "hand-written backward step against autograd's, CPU time per step",
                round(a["ms_per_step_cpu"] / b["ms_per_step_cpu"], 2),
                "×",
                1.0,
                "autograd, same run, same process",
            ),
        ]
    for name in WAVENET_STAGES:
        if name not in runs:
            continue
        rec = runs[name]
        ours, ref = rec["losses"], rec["reference"]
        if name == "wavenet":
            metrics.append(
                Metric(
                    "wavenet_train",
                    "WaveNet, 200k steps: training loss",
                    ours["train"],
                    "nats",
                    anchor("makemore.wavenet.train").value,
                    anchor("makemore.wavenet.train").source,
                    "= published to 6 digits (CPU_RTOL)",
                    agrees_across_cpus(
                        ours["train"], anchor("makemore.wavenet.train").value
                    ),
                )
            )
            published = anchor("makemore.wavenet.val").value
            metrics.append(
                Metric(
                    "wavenet_val",
                    "WaveNet, 200k steps: validation loss",
                    ours["val"],
                    "nats",
                    published,
                    anchor("makemore.wavenet.val").source,
                    "within 1e-5 of published",
                    abs(ours["val"] - published) <= 1e-5,
                )
            )
        else:
            delta = max(abs(ours[s] - ref[s]) for s in ("train", "val"))
            metrics.append(
                Metric(
                    f"{name}_val",
                    f"WaveNet series, {rec['description']}: validation loss",
                    ours["val"],
                    "nats",
                    ref["val"],
                    anchor(f"makemore.stage.{name}.val").source,
                    f"train and val within {SPREAD} of published",
                    delta <= SPREAD,
                )
            )
    if "beyond" in runs:
        metrics += beyond_metrics(
            runs["beyond"],
            reference=anchor("makemore.wavenet.val").value,
            reference_label="the lecture's WaveNet",
            goal_val=BEYOND_GOAL_VAL,
            goal_cpu_s=BEYOND_GOAL_CPU_S,
            goal_params=BEYOND_GOAL_PARAMS,
        )
    return metrics


if __name__ == "__main__":
    main()
