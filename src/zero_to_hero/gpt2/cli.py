r"""`zero-to-hero gpt2 train|sample|bench`: train a GPT-2 on token shards, sample it
(or a Hugging Face checkpoint), measure its speed.

Several processes (one per GPU, or CPU processes with gloo):

    torchrun --nproc_per_node=2 -m zero_to_hero.cli gpt2 train --recipe small \
        --out out-gpt2
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from zero_to_hero.options import (
    OptionError,
    clear_errors,
    positive_float,
    positive_int,
)

# Command-line flag → GPT2Config / TrainConfig field, for the settings worth changing
# by hand.
_OVERRIDES = {
    "steps": positive_int,
    "max_steps": positive_int,
    "warmup_steps": int,
    "batch_size": positive_int,
    "tokens_per_step": positive_int,
    "max_lr": positive_float,
    "min_lr": float,
    "eval_interval": positive_int,
    "eval_steps": positive_int,
    "seed": int,
    "device": str,
    "block_size": positive_int,
    "n_layer": positive_int,
    "n_head": positive_int,
    "n_embd": positive_int,
}


def _overrides(args: argparse.Namespace) -> dict:
    values = {k: getattr(args, k) for k in _OVERRIDES if getattr(args, k) is not None}
    for flag in ("bf16", "compile"):
        if getattr(args, flag):
            values[flag] = True
    return values


def _check_out_dir(out: Path, force: bool, resume: bool) -> None:
    """Before any work: `out` can hold this run; it holds no other run unless
    `--force` (replace it) or `--resume` (go on with it)."""
    from zero_to_hero.options import check_output

    if out.exists() and not out.is_dir():
        raise OptionError(f"--out {out} is a file: name a directory for the run")
    last = out / "last.pt"
    if resume and not last.is_file():
        raise OptionError(f"--resume: {out} holds no run to go on with (no last.pt)")
    if last.exists() and not (resume or force):
        raise OptionError(
            f"{out} already holds a run (last.pt): pass --resume to go on with it, "
            "--force to replace it, or choose another --out"
        )
    check_output(last, overwrite=True)  # a folder that can be written


def _default_data(out: Path) -> Path:
    """Tiny Shakespeare as GPT-2 token shards in `out/data` (encoded once)."""
    from zero_to_hero.gpt2.data import encode_shakespeare, list_shards

    folder = out / "data"
    if not (folder.is_dir() and list_shards(folder, "train")):
        encode_shakespeare(folder, overwrite=True)
    return folder


def _train(args: argparse.Namespace) -> int:
    import torch.distributed as dist

    from zero_to_hero.gpt.training import join_process_group, resolve_device
    from zero_to_hero.gpt2.recipes import recipe
    from zero_to_hero.gpt2.train import train

    out = Path(args.out)
    model_config, tc = recipe(args.recipe, **_overrides(args))
    _check_out_dir(out, args.force, args.resume)
    if args.data is not None and not Path(args.data).is_dir():
        raise OptionError(f"--data {args.data} is not a directory of token shards")
    device = resolve_device(tc.device, int(os.environ.get("LOCAL_RANK", "0")))
    rank = join_process_group(device)
    try:
        if rank.is_main and args.force and not args.resume:
            (out / "last.pt").unlink(missing_ok=True)
        data = Path(args.data) if args.data is not None else out / "data"
        if args.data is None and rank.is_main:
            _default_data(out)
        if rank.world_size > 1:
            dist.barrier()  # the shards are written before anyone reads them
        model, history = train(
            model_config,
            tc,
            data,
            out,
            resume=args.resume,
            progress=not args.quiet,
        )
    finally:
        if rank.joined_here:
            dist.destroy_process_group()
    if rank.is_main:
        speeds = sorted(history.tokens_per_s)
        print(
            f"step {history.step[-1] if history.step else 0}: train loss "
            f"{history.loss[-1]:.4f}, val loss {history.val_loss[-1]:.4f}; "
            f"{sum(p.numel() for p in model.parameters()):,} parameters; "
            f"{speeds[len(speeds) // 2]:,.0f} tokens/s; checkpoint {out / 'last.pt'}"
        )
    return 0


def _load(checkpoint: str, device: str):
    """A model from a checkpoint of ours or a Hugging Face directory."""
    from zero_to_hero.gpt2 import GPT2
    from zero_to_hero.gpt2.train import load_model

    path = Path(checkpoint)
    if path.is_dir():
        return GPT2.from_pretrained(path).to(device)
    return load_model(path, device)[0]


def _sample(args: argparse.Namespace) -> int:
    import torch

    from zero_to_hero.bpe import load_gpt2
    from zero_to_hero.gpt.training import resolve_device
    from zero_to_hero.gpt2.data import EOT
    from zero_to_hero.gpt2.fast import for_generation

    device = resolve_device(args.device, 0)
    # the same tokens as the listed model, with its matrices laid out for generation
    model = for_generation(_load(args.checkpoint, device))
    tokenizer = load_gpt2()
    prompt = tokenizer.encode(args.prompt or EOT, allowed_special={EOT})
    ids = torch.tensor([prompt] * args.num_samples, device=device)
    generator = torch.Generator(device).manual_seed(args.seed)
    out = model.generate(
        ids,
        args.max_new_tokens,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        generator=generator,
    )
    for i, row in enumerate(out[:, len(prompt) :].tolist()):
        if i:
            print("\n" + "-" * 40)
        print(args.prompt + tokenizer.decode(row))
    return 0


def _bench(args: argparse.Namespace) -> int:
    import time

    import torch

    from zero_to_hero.gpt.training import resolve_device
    from zero_to_hero.gpt2 import GPT2
    from zero_to_hero.gpt2.fast import for_generation
    from zero_to_hero.gpt2.recipes import recipe
    from zero_to_hero.gpt2.train import make_optimizer, prepare_model, train_step
    from zero_to_hero.pages import markdown_table

    config, tc = recipe(args.recipe, **_overrides(args))
    device = resolve_device(tc.device, 0)

    def timed(fn) -> float:
        fn()  # warm-up: allocations, kernels, compilation
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        return sorted(times)[len(times) // 2]

    torch.manual_seed(tc.seed)
    model = GPT2(config).to(device)
    net = prepare_model(model, tc)
    optimizer = make_optimizer(model, tc)
    g = torch.Generator().manual_seed(tc.seed)
    shape = (tc.batch_size, config.block_size)
    x = torch.randint(config.vocab_size, shape, generator=g).to(device)
    y = torch.randint(config.vocab_size, shape, generator=g).to(device)
    step = timed(lambda: train_step(net, optimizer, [(x, y)], 0, tc))
    prompt = torch.randint(config.vocab_size, (1, 16), generator=g).to(device)
    new = min(args.new_tokens, config.block_size - 16)
    if new < 1:
        raise OptionError(f"block_size {config.block_size} leaves no room after 16")
    fast = for_generation(model)
    generate = timed(lambda: fast.generate(prompt, new, temperature=0))
    n = sum(p.numel() for p in model.parameters())
    rows = [
        [
            f"training step ({tc.batch_size}×{config.block_size} tokens)",
            f"{step * 1e3:,.1f}",
            f"{x.numel() / step:,.0f}",
        ],
        [
            f"cached generation, for_generation ({new} tokens after 16)",
            f"{generate * 1e3:,.1f}",
            f"{new / generate:,.0f}",
        ],
    ]
    print(f"recipe {args.recipe}: {n:,} parameters on {device}")
    print(markdown_table(["what", "ms (median)", "tokens/s"], rows))
    return 0


def _add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recipe", default="small", help="small (default, a CPU) or 124m (GPUs)"
    )
    for name, kind in _OVERRIDES.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    parser.add_argument("--lr", dest="max_lr", type=positive_float, help="= --max-lr")
    parser.add_argument(
        "--bf16", action="store_true", help="bfloat16 autocast in the forward pass"
    )
    parser.add_argument(
        "--compile", action="store_true", help="torch.compile the model"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `gpt2` command and its sub-commands."""
    parser = commands.add_parser("gpt2", help="GPT-2: train, sample, measure")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    train = sub.add_parser(
        "train",
        help="train a GPT-2 (under torchrun: data-parallel over processes)",
        description="Train a GPT-2 on token shards; writes OUT/last.pt at every "
        "evaluation and at the end.",
    )
    _add_overrides(train)
    train.add_argument(
        "--data",
        default=None,
        help="a directory of token shards (*_train_*.npy, *_val_*.npy; default: "
        "Tiny Shakespeare, encoded into OUT/data)",
    )
    train.add_argument("--out", default="out-gpt2", help="run directory")
    train.add_argument("--resume", action="store_true", help="go on from OUT/last.pt")
    train.add_argument(
        "--force", action="store_true", help="replace the run already in --out"
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=clear_errors(_train))

    sample = sub.add_parser(
        "sample", help="generate text from a checkpoint or a Hugging Face directory"
    )
    sample.add_argument(
        "--checkpoint",
        default="out-gpt2/last.pt",
        help="a checkpoint of `gpt2 train`, or a Hugging Face-format directory",
    )
    sample.add_argument(
        "--prompt", default="", help="text to continue (default: <|endoftext|>)"
    )
    sample.add_argument("--max-new-tokens", type=positive_int, default=100)
    sample.add_argument("--temperature", type=float, default=1.0)
    sample.add_argument("--top-k", type=positive_int, default=None)
    sample.add_argument("--top-p", type=positive_float, default=None)
    sample.add_argument("--num-samples", type=positive_int, default=1)
    sample.add_argument("--seed", type=int, default=1337)
    sample.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    sample.set_defaults(run=clear_errors(_sample))

    bench = sub.add_parser(
        "bench", help="tokens/s of a training step and of cached generation"
    )
    _add_overrides(bench)
    bench.add_argument("--repeats", type=positive_int, default=3)
    bench.add_argument("--new-tokens", type=positive_int, default=64)
    bench.set_defaults(run=clear_errors(_bench))
