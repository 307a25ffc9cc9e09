r"""`zero-to-hero gpt train|sample`: train a character-level GPT on Tiny Shakespeare,
sample it.

Several processes (one per GPU, or CPU processes with gloo):

    torchrun --nproc_per_node=2 -m zero_to_hero.cli gpt train --recipe tiny \
        --out out-gpt
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from zero_to_hero.options import clear_errors, positive_float, positive_int

# Command-line flag → TrainConfig / GPTConfig field, for the settings worth changing by
# hand.
_OVERRIDES = {
    "max_iters": positive_int,
    "batch_size": positive_int,
    "learning_rate": positive_float,
    "min_lr": float,
    "warmup_iters": int,
    "schedule": str,
    "eval_interval": positive_int,
    "eval_iters": positive_int,
    "grad_clip": float,
    "weight_decay": float,
    "seed": int,
    "device": str,
    "block_size": positive_int,
    "n_layer": positive_int,
    "n_head": positive_int,
    "n_embd": positive_int,
    "dropout": float,
}


def _check_out_dir(out: str, force: bool) -> None:
    """Before any training: `out` can hold this run, and holds no other run (training
    starts its best checkpoint from scratch, so it would replace a better model)."""
    from zero_to_hero.options import OptionError, check_output

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OptionError(
            f"--out {out} is a file: name a directory for the checkpoints"
        )
    existing = [n for n in ("best.pt", "last.pt") if (folder / n).exists()]
    if existing and not force:
        raise OptionError(
            f"{out} already holds a run ({', '.join(existing)}): choose another --out, "
            "or pass --force to replace it"
        )
    check_output(folder / "best.pt", overwrite=True)  # a folder that can be written


def _train(args: argparse.Namespace) -> int:
    from zero_to_hero.data import load_shakespeare
    from zero_to_hero.gpt.data import CharDataset
    from zero_to_hero.gpt.recipes import recipe
    from zero_to_hero.gpt.training import train

    _check_out_dir(args.out, args.force)
    data = CharDataset.from_text(load_shakespeare(args.data))
    overrides = {
        k: getattr(args, k) for k in _OVERRIDES if getattr(args, k) is not None
    }
    model_config, train_config = recipe(args.recipe, data.vocab.size, **overrides)
    result = train(
        model_config, train_config, data, out_dir=args.out, progress=not args.quiet
    )
    if int(os.environ.get("RANK", "0")) == 0:
        last = result.history[-1]
        print(
            f"step {last.step}: train loss {last.train_loss:.4f}, val loss "
            f"{last.val_loss:.4f}; best val {result.best_val:.4f} at step "
            f"{result.best_step}; {result.model.num_params():,} parameters; "
            f"{result.tokens_per_second:,.0f} tokens/s; checkpoints in {args.out}/"
        )
    return 0


def _sample(args: argparse.Namespace) -> int:
    import torch

    from zero_to_hero.gpt.training import load_model

    model, vocab, _ = load_model(args.checkpoint)
    prompt = args.prompt if args.prompt else "\n"
    # unknown characters: error
    ids = torch.tensor([vocab.encode(prompt)] * args.num_samples)
    generator = torch.Generator().manual_seed(args.seed)
    out = model.generate(
        ids, args.max_new_tokens, args.temperature, args.top_k, generator
    )
    for i, row in enumerate(out.tolist()):
        if i:
            print("\n" + "-" * 40)
        print(vocab.decode(row))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `gpt` command and its sub-commands."""
    parser = commands.add_parser("gpt", help="character-level GPT on Tiny Shakespeare")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    train = sub.add_parser(
        "train",
        help="train a GPT (under torchrun: data-parallel over processes)",
        description="Train a character-level GPT; writes OUT/best.pt and OUT/last.pt.",
    )
    train.add_argument(
        "--recipe",
        default="fast",
        help="fast (default), baby, lecture or tiny: see recipes.py",
    )
    train.add_argument(
        "--out",
        default="out-gpt",
        help="checkpoint directory (default out-gpt); one that already holds a run "
        "is refused before training, unless --force",
    )
    train.add_argument(
        "--force", action="store_true", help="replace the run already in --out"
    )
    train.add_argument(
        "--data", default=None, help="a text file instead of Tiny Shakespeare"
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    for name, kind in _OVERRIDES.items():
        train.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    train.set_defaults(run=clear_errors(_train))

    sample = sub.add_parser("sample", help="generate text from a checkpoint")
    sample.add_argument(
        "--checkpoint", default="out-gpt/best.pt", help="default out-gpt/best.pt"
    )
    sample.add_argument(
        "--prompt", default="", help="text to continue (default: a newline)"
    )
    sample.add_argument("--max-new-tokens", type=positive_int, default=500)
    sample.add_argument("--temperature", type=float, default=1.0)
    sample.add_argument("--top-k", type=positive_int, default=None)
    sample.add_argument("--num-samples", type=positive_int, default=1)
    sample.add_argument("--seed", type=int, default=1337)
    sample.set_defaults(run=clear_errors(_sample))
