"""A small GPT-2 trained on Tiny Shakespeare's GPT-2 tokens, on one CPU thread.

Tiny Shakespeare is encoded with our GPT-2 tokenizer into uint16 shards (its last
10 % for validation), and the `small` recipe (`zero_to_hero.gpt2.recipes`) trains on
them with `zero_to_hero.gpt2.train.train`: the loop the page lists, seeded, so a
rerun gives the same losses. The results file keeps the whole history (loss,
learning rate, gradient norm and tokens/s of every step, the validation losses), the
final validation loss, the wall and CPU time, and a few samples decoded with our
tokenizer. The training page plots and quotes it.

    python -m benchmarks gpt2_shakespeare [--steps N] [--samples N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from dataclasses import asdict

import torch

from benchmarks.common import Metric, start, write_results

NAME = "gpt2_shakespeare"


def main(argv: list[str]) -> None:
    from zero_to_hero.bpe import load_gpt2
    from zero_to_hero.gpt2.data import EOT, encode_shakespeare
    from zero_to_hero.gpt2.recipes import recipe
    from zero_to_hero.gpt2.train import train

    parser = argparse.ArgumentParser(prog=f"python -m benchmarks {NAME}")
    parser.add_argument("--steps", type=int, default=None, help="default: recipe's")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--sample-tokens", type=int, default=64)
    args = parser.parse_args(argv)
    overrides = {} if args.steps is None else {"max_steps": args.steps}
    config, tc = recipe("small", **overrides)

    load = start()
    with tempfile.TemporaryDirectory() as folder:
        encode_shakespeare(folder)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        model, history = train(config, tc, folder)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    tokenizer = load_gpt2()
    prompt = torch.tensor([[tokenizer.special_tokens[EOT]]] * args.samples)
    generator = torch.Generator().manual_seed(tc.seed)
    out = model.generate(prompt, args.sample_tokens, top_k=50, generator=generator)
    samples = [tokenizer.decode(row[1:]) for row in out.tolist()]

    params = sum(p.numel() for p in model.parameters())
    tokens = tc.tokens_per_step * len(history.step)
    tok_s = statistics.median(history.tokens_per_s)
    val = history.val_loss[-1]
    uniform = math.log(config.vocab_size)
    headers = ["recipe", "parameters", "steps", "tokens", "train loss", "val loss"]
    headers += ["tokens/s (median step)", "wall s"]
    rows = [
        [
            "small",
            f"{params:,}",
            len(history.step),
            f"{tokens:,}",
            f"{history.loss[-1]:.3f}",
            f"{val:.3f}",
            f"{tok_s:,.0f}",
            f"{wall:.0f}",
        ]
    ]
    metrics = [
        Metric(
            "gpt2_shakespeare_val",
            "small GPT-2 on Tiny Shakespeare tokens: validation loss",
            round(val, 4),
            "nats",
            round(uniform, 4),
            "uniform over GPT-2's 50,257 tokens (ln 50257)",
            "< ln 50257",
            val < uniform,
        ),
        Metric(
            "gpt2_shakespeare_tok_s",
            "small GPT-2 training on one CPU thread: tokens/s (median step)",
            round(tok_s),
            "tok/s",
        ),
    ]
    for i, text in enumerate(samples):
        print(f"\n--- sample {i} ---\n{text}")
    write_results(
        NAME,
        headers,
        rows,
        load,
        metrics,
        config=asdict(config),
        train_config=asdict(tc),
        params=params,
        tokens=tokens,
        history=history.to_dict(),
        val_loss=val,
        tokens_per_s=tok_s,
        wall_s=round(wall, 1),
        cpu_s=round(cpu, 1),
        samples=samples,
        sample_settings={"tokens": args.sample_tokens, "top_k": 50, "seed": tc.seed},
    )
