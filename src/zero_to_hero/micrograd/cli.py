"""`zero-to-hero micrograd ...`: train the two-moons demo from the command line."""

from __future__ import annotations

import argparse

from zero_to_hero.options import positive_int


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from zero_to_hero.micrograd.demo import train_moons

    with tqdm(total=args.steps, desc="training", unit="step") as bar:

        def show(record):
            bar.set_postfix(loss=f"{record.loss:.4f}", acc=f"{record.accuracy:.0%}")
            bar.update()

        model, history = train_moons(steps=args.steps, seed=args.seed, on_step=show)
    last = history[-1]
    print(
        f"step {last.step}: loss {last.loss!r}, accuracy {last.accuracy:.0%}, "
        f"{len(model.parameters())} parameters"
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `micrograd` command and its sub-commands."""
    parser = commands.add_parser("micrograd", help="the scalar autograd engine")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser("train", help="train the MLP of the two-moons demo")
    train.add_argument(
        "--steps", type=positive_int, default=100, help="SGD steps (default 100)"
    )
    train.add_argument(
        "--seed", type=int, default=1337, help="data and init seed (default 1337)"
    )
    train.set_defaults(run=_train)
