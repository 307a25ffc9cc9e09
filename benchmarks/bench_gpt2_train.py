"""GPT-2's production training recipe, piece by piece, at a small scale on one CPU
thread, and our training step against Hugging Face's `GPT2LMHeadModel`.

A small GPT-2 (4 layers, 4 heads, 256 channels) with GPT-2's real vocabulary of 50,257
tokens (the vocabulary is most of the work at this width, which is what padding is
about) trains on Tiny Shakespeare encoded with GPT-2's tokenizer, read from uint16
shards by `ShardLoader`. Every variant starts from the same weights (a random
`transformers.GPT2LMHeadModel`, saved and loaded into ours) and sees the same batches;
the variants take their steps in turns, step by step, the order rotating, so that
load on the shared machine falls on all of them alike. The first step of each is a
warm-up and is not timed; tokens/s are the tokens of a step over the median CPU time
of the others (single-threaded, so other processes do not inflate it). The
torch.compile variant's first step compiles: its wall time is reported apart, with a
fresh compiler cache.

The rows add one piece at a time to the float32 recipe: the plain step (AdamW
for-each, no decay, a constant learning rate, no clipping), weight decay on matrices
only, fused AdamW, warm-up then cosine, clipping at 1.0, accumulation over k
micro-batches of the same tokens per step. Then, each on top of that recipe alone:
bfloat16 autocast, torch.compile, the vocabulary padded to 50,304. Last, Hugging Face's
model trained with the recipe's very step (same optimizer, same loss computed from its
logits, dropout 0), and ours padded against it.

Data parallel apart: the training loop (`gpt2.train.train`, recipe "small") launched by
`torchrun` in one process and in two (gloo, one thread each), on the same tokens per
step, in alternating rounds: its wall-clock tokens/s (processes share no CPU time) and
the losses, which must agree.

    python -m benchmarks gpt2_train [--steps N] [--batch B] [--seq T] [--micro K]
        [--ddp-steps N] [--ddp-rounds R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from benchmarks.common import Metric, start, write_results
from zero_to_hero.gpt2 import GPT2
from zero_to_hero.gpt2.data import ShardLoader, encode_shakespeare
from zero_to_hero.gpt2.recipes import recipe
from zero_to_hero.gpt2.train import (
    TrainConfig,
    load_checkpoint,
    make_optimizer,
    prepare_model,
    train_step,
)

SHAPE = dict(n_layer=4, n_head=4, n_embd=256)
MAX_LR = 1e-3  # larger than GPT-3 small's 6e-4: a small model, a few dozen steps
PADDED = 128  # GPT-2's 50,257 rows → 50,304

# Each row: the recipe so far. plain: AdamW on every parameter, no decay, constant
# rate, no clipping; "recipe": everything up to accumulation.
ROWS = [
    "plain step (float32, AdamW for-each)",
    "+ weight decay on matrices only",
    "+ fused AdamW",
    "+ warm-up and cosine decay",
    "+ gradient clipping at 1.0",
    "+ accumulation ({k} micro-batches, same tokens)",
    "recipe + bfloat16 autocast",
    "recipe + torch.compile",
    "recipe + vocabulary padded to 50,304",
    "Hugging Face GPT2LMHeadModel, the recipe's step",
]
RECIPE, BF16, COMPILE, PAD, HF = 5, 6, 7, 8, 9


class HFLogits(nn.Module):
    """A `GPT2LMHeadModel` whose forward returns the logits only, so that the same
    `loss_of` and `train_step` train it."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.model(idx).logits


def hugging_face(directory: str, block_size: int):
    """A random `GPT2LMHeadModel` of our shape, dropout off, saved to `directory`."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=50257,
        n_positions=block_size,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        use_cache=False,  # training: no key/value cache to return
        **SHAPE,
    )
    model = transformers.GPT2LMHeadModel(config)
    model.save_pretrained(directory)
    return model.train()


def variants(
    args, directory: str, theirs: nn.Module
) -> list[tuple[nn.Module, torch.optim.Optimizer, dict]]:
    """(module to train, optimizer, how to step) for every row, in `ROWS` order:
    ours loaded from `directory`, where Hugging Face's `theirs` was saved."""
    steps = args.steps
    constant = dict(min_lr=MAX_LR, warmup_steps=0, max_steps=10**6, grad_clip=None)
    schedule = dict(min_lr=MAX_LR / 10, warmup_steps=max(1, steps // 10))
    schedule["max_steps"] = steps
    recipe = TrainConfig(max_lr=MAX_LR, fused=True, **schedule)
    configs = [
        TrainConfig(max_lr=MAX_LR, weight_decay=0.0, fused=False, **constant),
        TrainConfig(max_lr=MAX_LR, fused=False, **constant),
        TrainConfig(max_lr=MAX_LR, fused=True, **constant),
        TrainConfig(max_lr=MAX_LR, fused=True, **schedule, grad_clip=None),
        recipe,
        recipe,
        TrainConfig(max_lr=MAX_LR, fused=True, bf16=True, **schedule),
        TrainConfig(max_lr=MAX_LR, fused=True, compile=True, **schedule),
        recipe,
        recipe,
    ]
    out = []
    for row, tc in enumerate(configs):
        if row == HF:
            module = HFLogits(theirs)
        else:
            multiple = PADDED if row == PAD else 1
            model = GPT2.from_pretrained(directory, vocab_multiple=multiple).train()
            module = prepare_model(model, tc)
        if row == 0:  # every parameter alike, PyTorch's multi-tensor (for-each) AdamW
            optimizer = torch.optim.AdamW(
                module.parameters(),
                lr=MAX_LR,
                betas=tc.betas,
                weight_decay=0.0,
                foreach=True,
            )
        else:
            optimizer = make_optimizer(module, tc)
        micro = args.micro if row >= RECIPE else 1
        out.append((module, optimizer, {"tc": tc, "micro": micro}))
    return out


def data_parallel(shards: str, steps: int, rounds: int) -> dict:
    """The training loop on the same tokens per step in 1 and in 2 processes
    (torchrun, gloo, one thread each), alternating, `rounds` runs of `steps` steps
    each: tokens/s of the median step (wall clock, the first step of a run left out)
    and each run's last training and validation losses."""
    eval_steps = recipe("small")[1].eval_steps
    runs = {n: {"tok_s": [], "loss": [], "val": []} for n in (1, 2)}
    for _ in tqdm(range(rounds), desc="data parallel"):
        for nproc in (1, 2):
            with tempfile.TemporaryDirectory() as out:
                command = [sys.executable, "-m", "torch.distributed.run"]
                command += ["--standalone", f"--nproc_per_node={nproc}"]
                command += ["-m", "zero_to_hero.cli", "gpt2", "train", "--quiet"]
                command += ["--recipe", "small", "--data", shards, "--out", out]
                command += ["--steps", str(steps), "--eval-interval", str(steps)]
                # the validation micro-batches are per process: the same tokens
                command += ["--eval-steps", str(eval_steps // nproc)]
                env = {**os.environ, "OMP_NUM_THREADS": "1"}
                subprocess.run(command, env=env, check=True, capture_output=True)
                history = load_checkpoint(Path(out) / "last.pt")["history"]
            runs[nproc]["tok_s"] += history["tokens_per_s"][1:]
            runs[nproc]["loss"].append(history["loss"][-1])
            runs[nproc]["val"].append(history["val_loss"][-1])
    return {
        f"{n} process" + ("es" if n > 1 else ""): {
            "tok_s_wall": round(statistics.median(r["tok_s"])),
            "last_loss": r["loss"],
            "val_loss": r["val"],
        }
        for n, r in runs.items()
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpt2_train")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--micro", type=int, default=2)
    parser.add_argument("--ddp-steps", type=int, default=20)
    parser.add_argument("--ddp-rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if args.steps < 3 or args.batch % args.micro:
        raise SystemExit("need --steps >= 3 and --batch a multiple of --micro")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download anything
    import transformers

    load = start()
    # a fresh compiler cache: the compile time is the time of a first compilation
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp()
    B, T = args.batch, args.seq
    shards = tempfile.TemporaryDirectory()
    encode_shakespeare(shards.name)
    loader = ShardLoader(shards.name, B, T, split="train")
    batches = [loader.next_batch() for _ in range(args.steps)]
    with tempfile.TemporaryDirectory() as d:
        theirs = hugging_face(d, T)  # the weights every row starts from
        rows = variants(args, d, theirs)

    n = len(rows)
    cpu = [[] for _ in range(n)]
    wall0 = [0.0] * n
    losses = [[] for _ in range(n)]
    order = list(range(n))
    for step in tqdm(range(args.steps), desc="steps"):
        x, y = batches[step]
        for i in order:
            module, optimizer, how = rows[i]
            k = how["micro"]
            micro = list(zip(x.chunk(k), y.chunk(k)))
            c, w = time.process_time(), time.perf_counter()
            loss, _ = train_step(module, optimizer, micro, step, how["tc"])
            c, w = time.process_time() - c, time.perf_counter() - w
            if step == 0:
                wall0[i] = w
            else:
                cpu[i].append(c)
            losses[i].append(loss)
        order = order[1:] + order[:1]

    ddp = data_parallel(shards.name, args.ddp_steps, args.ddp_rounds)
    shards.cleanup()
    one, two = ddp["1 process"], ddp["2 processes"]
    ddp_gap = max(abs(a - b) for a, b in zip(one["last_loss"], two["last_loss"]))
    val_gap = max(abs(a - b) for a, b in zip(one["val_loss"], two["val_loss"]))

    tokens = B * T
    tok_s = [tokens / statistics.median(c) for c in cpu]
    compile_s = wall0[COMPILE] - statistics.median(cpu[COMPILE])
    names = [r.format(k=args.micro) for r in ROWS]
    headers = ["variant", "tokens/s (CPU time)", "× plain step"]
    headers += [f"loss after {args.steps} steps"]
    table = [
        [name, round(t), f"{t / tok_s[0]:.2f}", f"{losses[i][-1]:.4f}"]
        for i, (name, t) in enumerate(zip(names, tok_s))
    ]
    ratio, ratio_padded = tok_s[RECIPE] / tok_s[HF], tok_s[PAD] / tok_s[HF]
    hf_label = f"transformers {transformers.__version__} GPT2LMHeadModel, same run"
    metrics = [
        Metric(
            "step_vs_hugging_face",
            "our training step's tokens/s over Hugging Face's (float32 recipe)",
            round(ratio, 3),
            "×",
            1.0,
            hf_label,
            "≥ 1.1×",
            ratio >= 1.1,
        ),
        Metric(
            "padded_step_vs_hugging_face",
            "our training step with the vocabulary padded to 50,304, over Hugging "
            "Face's",
            round(ratio_padded, 3),
            "×",
            1.0,
            hf_label,
            "≥ 1.1×",
            ratio_padded >= 1.1,
        ),
        Metric(
            "recipe_tok_s",
            "the float32 recipe's training step (CPU time, 1 thread)",
            round(tok_s[RECIPE]),
            "tok/s",
            round(tok_s[0]),
            "the plain step, same run",
        ),
        Metric(
            "bf16_speedup",
            "bfloat16 autocast over float32, the recipe's step on this CPU",
            round(tok_s[BF16] / tok_s[RECIPE], 3),
            "×",
            1.0,
            "float32, same run",
        ),
        Metric(
            "compile_speedup",
            "torch.compile over eager, the recipe's step",
            round(tok_s[COMPILE] / tok_s[RECIPE], 3),
            "×",
            1.0,
            "eager, same run",
        ),
        Metric(
            "padded_speedup",
            "vocabulary padded to 50,304 over 50,257, the recipe's step",
            round(tok_s[PAD] / tok_s[RECIPE], 3),
            "×",
            1.0,
            "unpadded, same run",
        ),
    ]
    metrics += [
        Metric(
            "ddp_speedup",
            "the training loop in 2 processes (torchrun, gloo) over 1, same tokens per "
            "step (wall clock, 2 cores)",
            round(two["tok_s_wall"] / one["tok_s_wall"], 3),
            "×",
            1.0,
            "1 process, same run",
        ),
        Metric(
            "ddp_loss_gap",
            f"largest difference of the last training loss after {args.ddp_steps} "
            "steps, 2 processes against 1",
            float(f"{ddp_gap:.2g}"),
            "nats",
            goal="≤ 1e-5",
            met=ddp_gap <= 1e-5,
        ),
        Metric(
            "ddp_val_gap",
            f"largest difference of the validation loss after {args.ddp_steps} "
            "steps, 2 processes against 1",
            float(f"{val_gap:.2g}"),
            "nats",
            goal="≤ 1e-5",
            met=val_gap <= 1e-5,
        ),
    ]
    write_results(
        "gpt2_train",
        headers,
        table,
        load,
        metrics,
        transformers=transformers.__version__,
        hf_attention=theirs.config._attn_implementation,
        shape=SHAPE | {"vocab_size": 50257, "batch": B, "seq_len": T},
        steps=args.steps,
        micro_batches=args.micro,
        max_lr=MAX_LR,
        compile_s=round(compile_s, 1),
        data_parallel={"recipe": "small", "steps": args.ddp_steps, "runs": ddp},
        variants={
            name: {
                "tok_s": round(t),
                "cpu_s": [round(c, 4) for c in cpu[i]],
                "losses": [round(v, 5) for v in losses[i]],
            }
            for i, (name, t) in enumerate(zip(names, tok_s))
        },
    )
    print(f"compile (first step, wall): {compile_s:.1f} s")
    for name, run in ddp.items():
        print(f"training loop, {name}: {run['tok_s_wall']:,} tokens/s (wall)", end="")
        print(f", last losses {run['last_loss']}")
