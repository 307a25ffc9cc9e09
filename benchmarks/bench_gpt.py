"""GPT: nanoGPT's CPU "baby GPT" recipe against this chapter's `fast` recipe, side by
side.

Both train the same model size (4 layers, 4 heads, 128 channels, a context of 64) on the
same sequence of 2000 batches of 12 windows, interleaved step by step in one process on
one thread, so that machine noise hits both alike (the order rotates every step). Two
more runs add the `fast` recipe's changes one at a time, to show what each is worth.
Reported:

* validation loss over the whole validation split (non-overlapping windows: no sampling
  noise), and nanoGPT's kind of estimate (20 batches of each split) along the way;
* throughput in tokens/s: from wall-clock time (median step, and end to end) and from
  the process's CPU time, which other processes on a shared machine do not inflate;
* model FLOP utilisation: training FLOP/s (6N + 12·L·T·C per token) over the best
  single-thread fp32 matmul FLOP/s measured in the same process;
* samples from the reference and the `fast` model.

    python -m benchmarks gpt [--iters N]
    # the lecture's 10.8M model, on a GPU
    python -m benchmarks gpt --lecture --device cuda

The second form writes `gpt_lecture.json` instead of `gpt.json`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import asdict

import torch

from benchmarks.common import Metric, start, write_results
from zero_to_hero.gpt.data import shakespeare
from zero_to_hero.gpt.flops import flops_per_token, matmul_flops_per_second
from zero_to_hero.gpt.recipes import recipe
from zero_to_hero.gpt.training import Trainer, split_loss
from zero_to_hero.reference import anchor

# name: (label, recipe, overrides). The middle two add the `fast` recipe's changes one
# by one.
RUNS = {
    "baby": ("nanoGPT's baby GPT (the reference)", "baby", {}),
    "schedule": (
        "+ learning rate 3e-3 decaying to 0, fused AdamW",
        "fast",
        {"position": "learned", "activation": "gelu"},
    ),
    "rotary": ("+ rotary positions", "fast", {"activation": "gelu"}),
    "fast": ("+ ReLU: this chapter's `fast` recipe", "fast", {}),
}


def peak_flops(device: str) -> float:
    """Best fp32 matmul FLOP/s over two sizes (the larger is often faster on a CPU)."""
    return max(
        matmul_flops_per_second(n, repeats=8, device=device) for n in (1024, 2048)
    )


def sample(trainer: Trainer, n_chars: int) -> str:
    vocab = trainer.data.vocab
    prompt = torch.tensor([vocab.encode("\n")], device=trainer.device)
    out = trainer.model.generate(
        prompt, n_chars, generator=torch.Generator().manual_seed(0)
    )
    return vocab.decode(out[0, 1:].tolist())


def side_by_side(args: argparse.Namespace) -> None:
    load = start()
    data = shakespeare()
    peak = peak_flops("cpu")
    trainers = {
        name: Trainer(
            *recipe(base, data.vocab.size, max_iters=args.iters, **changes), data
        )
        for name, (_, base, changes) in RUNS.items()
    }
    wall = {name: [] for name in RUNS}
    cpu = {name: [] for name in RUNS}
    curves = {name: [trainer.evaluate()] for name, trainer in trainers.items()}
    order = list(RUNS)
    for step in range(1, args.iters + 1):
        for name in order:
            t_wall, t_cpu = time.perf_counter(), time.process_time()
            trainers[name].step()
            cpu[name].append(time.process_time() - t_cpu)
            wall[name].append(time.perf_counter() - t_wall)
        order = order[1:] + order[:1]  # no recipe always goes first
        if step % args.eval_interval == 0 or step == args.iters:
            for name, trainer in trainers.items():
                curves[name].append(trainer.evaluate())
        if step % 100 == 0:
            print(
                f"step {step}: "
                + ", ".join(f"{n} {curves[n][-1].val_loss:.3f}" for n in RUNS)
            )
    # measured again at the end: keep the undisturbed one
    peak = max(peak, peak_flops("cpu"))

    runs = {}
    for name, trainer in trainers.items():
        tokens = trainer.tc.batch_size * trainer.config.block_size
        fpt = flops_per_token(trainer.model)
        cpu_tok_s = tokens / statistics.median(cpu[name])
        runs[name] = {
            "label": RUNS[name][0],
            "params": trainer.model.num_params(),
            "val_loss": round(
                split_loss(trainer.model, data.val, trainer.config.block_size), 4
            ),
            "val_estimate": round(curves[name][-1].val_loss, 4),
            "train_estimate": round(curves[name][-1].train_loss, 4),
            "tok_s_wall_median": round(tokens / statistics.median(wall[name])),
            "tok_s_wall_end_to_end": round(tokens * args.iters / sum(wall[name])),
            "tok_s_cpu": round(cpu_tok_s),
            "flops_per_token": fpt,
            "mfu": round(fpt * cpu_tok_s / peak, 4),
            "curve": [
                [r.step, round(r.train_loss, 4), round(r.val_loss, 4)]
                for r in curves[name]
            ],
            "train_config": asdict(trainer.tc),
            "model_config": trainer.config.to_dict(),
        }
    samples = {
        name: sample(trainers[name], args.sample_chars) for name in ("baby", "fast")
    }

    baby, fast = runs["baby"], runs["fast"]
    speed_ratio = fast["tok_s_cpu"] / baby["tok_s_cpu"]
    wall_ratio = fast["tok_s_wall_median"] / baby["tok_s_wall_median"]
    headers = [
        "recipe",
        "val loss (whole split)",
        "val estimate (20 batches)",
        "tokens/s (CPU time)",
        "tokens/s (wall, median step)",
        "tokens/s (wall, all steps)",
        "MFU",
    ]
    rows = [
        [
            r["label"],
            f"{r['val_loss']:.4f}",
            f"{r['val_estimate']:.4f}",
            f"{r['tok_s_cpu']:,}",
            f"{r['tok_s_wall_median']:,}",
            f"{r['tok_s_wall_end_to_end']:,}",
            f"{r['mfu']:.0%}",
        ]
        for r in runs.values()
    ]
    published = anchor("gpt.baby.val")
    metrics = [
        Metric(
            "fast_val_loss",
            f"validation loss after {args.iters} steps, this chapter's recipe",
            fast["val_loss"],
            "nats",
            baby["val_loss"],
            f"nanoGPT's recipe, same run (nanoGPT itself: {published.value}, a "
            "20-batch estimate)",
            "≤ 1.80",
            fast["val_loss"] <= 1.80,
        ),
        Metric(
            "speed_ratio_cpu",
            "training throughput, this recipe over nanoGPT's (CPU time)",
            round(speed_ratio, 3),
            "×",
            1.0,
            "nanoGPT's recipe, same run, interleaved",
            "≥ 1.0×",
            speed_ratio >= 1.0,
        ),
        Metric(
            "speed_ratio_wall",
            "training throughput, this recipe over nanoGPT's (wall clock, median step)",
            round(wall_ratio, 3),
            "×",
            1.0,
            "nanoGPT's recipe, same run, interleaved",
        ),
        Metric(
            "fast_tok_s",
            "this recipe, tokens/s (CPU time, 1 thread)",
            fast["tok_s_cpu"],
            "tok/s",
            baby["tok_s_cpu"],
            "nanoGPT's recipe, same run",
        ),
        Metric(
            "fast_mfu",
            "model FLOP utilisation, this recipe, of the single-thread fp32 matmul "
            "peak",
            round(100 * fast["mfu"], 1),
            "%",
            round(100 * baby["mfu"], 1),
            "nanoGPT's recipe, same run",
        ),
        Metric(
            "matmul_peak_gflops",
            "single-thread fp32 matmul peak of this machine (best of 1024² and 2048²)",
            round(peak / 1e9, 1),
            "GFLOP/s",
        ),
    ]
    write_results(
        "gpt",
        headers,
        rows,
        load,
        metrics,
        iters=args.iters,
        matmul_peak_flops=round(peak),
        runs=runs,
        samples=samples,
        gpu="not measured: no GPU was available for this run",
    )


def lecture_on_gpu(args: argparse.Namespace) -> None:
    """The lecture's 10.8M-parameter model (5000 steps) on one device, with its MFU."""
    load = start()
    data = shakespeare()
    model_config, tc = recipe(
        "lecture", data.vocab.size, device=args.device, max_iters=args.lecture_iters
    )
    trainer = Trainer(model_config, tc, data, device=args.device)
    on_gpu = trainer.device.type == "cuda"
    sync = torch.cuda.synchronize if on_gpu else (lambda: None)
    clock = time.perf_counter if on_gpu else time.process_time  # as the peak is timed
    peak = peak_flops(args.device)
    times = []
    for step in range(1, tc.max_iters + 1):
        t0 = clock()
        trainer.step()
        sync()
        times.append(clock() - t0)
        if step % tc.eval_interval == 0:
            print(f"step {step}: val {trainer.evaluate().val_loss:.4f}")
    tokens = tc.batch_size * model_config.block_size
    tok_s = tokens / statistics.median(times)
    val = split_loss(trainer.model, data.val, model_config.block_size)
    mfu = flops_per_token(trainer.model) * tok_s / peak
    device = (
        torch.cuda.get_device_name() if trainer.device.type == "cuda" else args.device
    )
    write_results(
        "gpt_lecture",
        [
            "model",
            "device",
            "val loss (whole split)",
            "tokens/s",
            "MFU (fp32 matmul peak)",
        ],
        [["lecture GPT", device, f"{val:.4f}", f"{tok_s:,.0f}", f"{mfu:.0%}"]],
        load,
        [
            Metric(
                "lecture_val_loss",
                f"the lecture's model, validation loss after {tc.max_iters} steps",
                round(val, 4),
                "nats",
                anchor("gpt.lecture.val").value,
                anchor("gpt.lecture.val").source,
            ),
            Metric("lecture_mfu", "model FLOP utilisation", round(100 * mfu, 1), "%"),
        ],
        device=device,
        matmul_peak_flops=round(peak),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iters", type=int, default=2000, help="steps per recipe")
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--sample-chars", type=int, default=500)
    parser.add_argument(
        "--lecture", action="store_true", help="the 10.8M model instead"
    )
    parser.add_argument("--device", default="cpu", help="for --lecture: cuda, cpu, …")
    parser.add_argument("--lecture-iters", type=int, default=5000, help="for --lecture")
    args = parser.parse_args(argv)
    if args.lecture:
        lecture_on_gpu(args)
    else:
        side_by_side(args)


if __name__ == "__main__":
    main()
