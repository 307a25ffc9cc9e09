"""`zero-to-hero torch-basics ...`: train the worked examples, check the documented
errors."""

from __future__ import annotations

import argparse

from zero_to_hero.options import positive_int


def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from zero_to_hero.torch_basics.examples import (
        BINARY_GOAL,
        MULTICLASS_GOAL,
        train_binary,
        train_multiclass,
    )
    from zero_to_hero.torch_basics.training import pick_device

    train, goal = {
        "binary": (train_binary, BINARY_GOAL),
        "multiclass": (train_multiclass, MULTICLASS_GOAL),
    }[args.task]
    device = pick_device()
    with tqdm(total=args.epochs, desc=f"{args.task} on {device}", unit="epoch") as bar:

        def show(record):
            bar.set_postfix(
                loss=f"{record.train_loss:.4f}", test=f"{record.test_accuracy:.1%}"
            )
            bar.update()

        trained = train(
            seed=args.seed, epochs=args.epochs, device=device, on_epoch=show
        )
    print(
        f"{args.task}: test accuracy {trained.test_accuracy:.1%} after {args.epochs} "
        f"epochs (goal {goal:.0%}: "
        f"{'met' if trained.test_accuracy >= goal else 'NOT met'})"
    )
    return 0


def _errors(args: argparse.Namespace) -> int:
    import torch

    from zero_to_hero.torch_basics.errors import ERRORS, MessageChangedError

    changed = 0
    for key, entry in ERRORS.items():
        try:
            entry.verify()
            print(f"same     {key}")
        except MessageChangedError as err:
            changed += 1
            print(f"CHANGED  {err}")
    same = len(ERRORS) - changed
    print(
        f"\ntorch {torch.__version__}: {same} of {len(ERRORS)} messages as documented"
    )
    return 1 if changed else 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `torch-basics` command and its sub-commands."""
    parser = commands.add_parser(
        "torch-basics", help="PyTorch basics: training loop, errors"
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser("train", help="train the binary or the multi-class example")
    train.add_argument("--task", choices=["binary", "multiclass"], default="binary")
    train.add_argument(
        "--epochs",
        type=positive_int,
        default=60,
        help="passes over the data (default 60)",
    )
    train.add_argument(
        "--seed", type=int, default=0, help="data, init and shuffling seed"
    )
    train.set_defaults(run=_train)
    errors = sub.add_parser(
        "errors",
        help="check that the installed torch raises the documented error messages",
    )
    errors.set_defaults(run=_errors)
