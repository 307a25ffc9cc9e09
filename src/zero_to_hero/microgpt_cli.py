"""`zero-to-hero microgpt train`: train the capstone's GPT on the names, print the loss
as it goes, the time per step, and samples at the end.

`python -m zero_to_hero.microgpt [--steps N] [--seed S]` runs the same command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from zero_to_hero.options import positive_float, positive_int


def _train(args: argparse.Namespace) -> int:
    from zero_to_hero.data import load_names
    from zero_to_hero.microgpt import GPT, Config, Tokenizer, report, sample, train

    docs = [name for name in load_names(args.names) if name]
    tokenizer = Tokenizer(docs)
    model = GPT(Config(vocab_size=tokenizer.vocab_size, seed=args.seed))
    print(f"{len(docs):,} names, {len(model.parameters()):,} parameters")
    every = max(1, args.steps // 20)

    def show(step: int, steps: int, loss: float, seconds: float) -> None:
        if step % every == 0 or step == steps - 1:
            report(step, steps, loss, seconds)

    losses = train(model, tokenizer, docs, args.steps, seed=args.seed, on_step=show)
    print(f"final loss {losses[-1]:.4f}")
    print("samples:")
    for name in sample(model, tokenizer, args.samples, args.temperature, args.seed):
        print(f"  {name}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `microgpt` command and its sub-commands."""
    parser = commands.add_parser(
        "microgpt", help="the capstone: a GPT in pure Python on micrograd"
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser("train", help="train it on the names and sample")
    add_arguments(train)
    train.set_defaults(run=_train)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `microgpt train`."""
    parser.add_argument(
        "--steps", type=positive_int, default=1000, help="training steps (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed (default 42)")
    parser.add_argument(
        "--samples", type=positive_int, default=10, help="names to sample (default 10)"
    )
    parser.add_argument(
        "--temperature",
        type=positive_float,
        default=0.5,
        help="sampling temperature (default 0.5)",
    )
    parser.add_argument(
        "--names", default=None, help="your own names file (default: the data set)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m zero_to_hero.microgpt`: the same as `zero-to-hero microgpt train`."""
    from zero_to_hero.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    return cli_main(["microgpt", "train", *args])
