"""`zero-to-hero makemore train|sample|eval`: train a model, draw names from it, measure
it.

    # the lecture's BatchNorm MLP
    zero-to-hero makemore train --model bn-mlp --out bn.pt
    zero-to-hero makemore sample --checkpoint bn.pt -n 10
    zero-to-hero makemore eval --checkpoint bn.pt

`--model` is `bigram` (counts), `neural-bigram`, or a recipe of
`zero_to_hero.makemore.recipes`.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

MODELS = ("bigram", "neural-bigram")  # plus every recipe name
# Kept here rather than imported, so that `--help` does not import torch; a test checks
# them.
RECIPE_NAMES = (
    "mlp",
    "mlp-softmax-fix",
    "mlp-tanh-fix",
    "mlp-kaiming",
    "mlp-bn-b1",
    "bn-mlp",
    "deep",
    "beyond",
    "flat-ctx3",
    "flat-ctx8",
    "tree-bn-bug",
    "tree",
    "wavenet",
)
SAMPLE_SEED = 2147483647 + 10  # the lectures' seed for drawing names after training


def _clear_errors(command: Callable[[argparse.Namespace], int]):
    """Report bad input (also a wrong recipe name or setting, which the model code
    raises as ValueError or KeyError) as one line on stderr and exit status 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from zero_to_hero.checkpoint import CheckpointError
        from zero_to_hero.data import DataSetError

        try:
            return command(args)
        except (
            ValueError,
            KeyError,
            FileNotFoundError,
            CheckpointError,
            DataSetError,
        ) as err:
            message = err.args[0] if isinstance(err, KeyError) and err.args else err
            print(f"zero-to-hero makemore: error: {message}", file=sys.stderr)
            return 1

    return run


def _words(path: str | None) -> list[str]:
    from zero_to_hero.data import load_names

    return load_names(path)


@_clear_errors
def _train(args: argparse.Namespace) -> int:
    import torch
    from tqdm import tqdm

    from zero_to_hero.makemore.bigram import (
        BigramCounts,
        NeuralBigram,
        train_neural_bigram,
    )
    from zero_to_hero.makemore.dataset import make_splits
    from zero_to_hero.makemore.recipes import LECTURE_SEED, recipe, run_recipe
    from zero_to_hero.makemore.saving import save_model
    from zero_to_hero.makemore.train import split_losses
    from zero_to_hero.options import check_output

    if args.steps is not None and args.steps < 0:
        raise ValueError(f"--steps must be >= 0, got {args.steps}")
    if args.out:  # before training: a bad --out must not cost a whole run
        check_output(args.out, args.data, overwrite=args.force)
    words = _words(args.data)
    if args.model == "bigram":
        splits = make_splits(words, block_size=1)
        model = BigramCounts.fit(
            splits.train.words, splits.vocab, smoothing=args.smoothing
        )
    elif args.model == "neural-bigram":
        splits = make_splits(words, block_size=1)
        steps = 500 if args.steps is None else args.steps
        model = NeuralBigram(
            splits.vocab.size, generator=torch.Generator().manual_seed(LECTURE_SEED)
        )
        with tqdm(total=steps, desc="training", unit="step") as bar:

            def show_bigram(record):
                bar.set_postfix(loss=f"{record.loss:.4f}")
                bar.update()

            train_neural_bigram(
                model, splits.train.X, splits.train.Y, steps, on_step=show_bigram
            )
    else:
        r = recipe(args.model)
        splits = make_splits(words, block_size=r.block_size)
        steps = r.training.steps if args.steps is None else args.steps
        with tqdm(total=steps, desc=r.name, unit="step", mininterval=0.5) as bar:

            def show(step: int, loss: float) -> None:
                if step % 100 == 0:
                    bar.set_postfix(loss=f"{loss:.4f}")
                bar.update()

            model = run_recipe(r, splits, steps, splits_to_eval=(), on_step=show).model
    losses = split_losses(model, splits, ("train", "val"))
    print(f"{args.model}: {model.num_parameters():,} parameters")
    for name, loss in losses.items():
        print(f"{name:5s} loss {loss:.4f}")
    if args.out:
        path = save_model(
            args.out, model, splits.vocab, model_name=args.model, **losses
        )
        print(f"saved {path}")
    return 0


@_clear_errors
def _sample(args: argparse.Namespace) -> int:
    import torch

    from zero_to_hero.makemore.sampling import sample_names
    from zero_to_hero.makemore.saving import load_model

    if args.n < 1:
        raise ValueError(f"-n must be >= 1, got {args.n}")
    model, vocab, _ = load_model(args.checkpoint)
    g = torch.Generator().manual_seed(args.seed)
    for name in sample_names(model, vocab, model.block_size, args.n, g):
        print(name)
    return 0


@_clear_errors
def _eval(args: argparse.Namespace) -> int:
    from zero_to_hero.makemore.dataset import make_splits
    from zero_to_hero.makemore.saving import load_model
    from zero_to_hero.makemore.train import split_losses

    model, vocab, _ = load_model(args.checkpoint)
    splits = make_splits(_words(args.data), block_size=model.block_size, vocab=vocab)
    for name, loss in split_losses(model, splits, ("train", "val", "test")).items():
        print(f"{name:5s} loss {loss:.4f}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `makemore` command and its sub-commands."""
    parser = commands.add_parser(
        "makemore", help="character-level language models of names"
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    data_help = "a names file, one per line (default: the course's names.txt)"

    train = sub.add_parser("train", help="train a model and report its train/val loss")
    train.add_argument(
        "--model",
        default="bn-mlp",
        help=f"one of {', '.join(MODELS + RECIPE_NAMES)} (default bn-mlp)",
    )
    train.add_argument(
        "--steps", type=int, help="training steps (default: the recipe's)"
    )
    train.add_argument(
        "--smoothing", type=float, default=1.0, help="bigram pseudo-count"
    )
    train.add_argument("--data", help=data_help)
    train.add_argument(
        "--out",
        help="write a checkpoint here (e.g. model.pt); an existing file is kept unless "
        "--force",
    )
    train.add_argument(
        "--force", action="store_true", help="replace the --out file if it exists"
    )
    train.set_defaults(run=_train)

    sample = sub.add_parser("sample", help="draw names from a checkpoint")
    sample.add_argument("--checkpoint", required=True)
    sample.add_argument("-n", type=int, default=10, help="how many names (default 10)")
    sample.add_argument(
        "--seed", type=int, default=SAMPLE_SEED, help="random seed of the draws"
    )
    sample.set_defaults(run=_sample)

    evaluate = sub.add_parser("eval", help="train/val/test loss of a checkpoint")
    evaluate.add_argument("--checkpoint", required=True)
    evaluate.add_argument("--data", help=data_help)
    evaluate.set_defaults(run=_eval)
