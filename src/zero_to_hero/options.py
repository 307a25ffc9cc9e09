"""Argument types for the command line: a bad number is refused before any work starts,
with a message that says what was expected (argparse turns it into a usage error, exit
status 2)."""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

from zero_to_hero.errors import ZeroToHeroError

__all__ = [
    "positive_int",
    "int_at_least",
    "positive_float",
    "OptionError",
    "check_output",
    "read_text_file",
    "clear_errors",
]


class OptionError(ZeroToHeroError):
    """A command-line option that cannot work, found before any work starts."""


def positive_int(text: str) -> int:
    """An integer >= 1 (a number of steps, epochs, tokens...)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        message = f"expected a whole number >= 1, got {value}"
        raise argparse.ArgumentTypeError(message)
    return value


def int_at_least(low: int):
    """An argument type for whole numbers >= `low` (a vocabulary of at least 256...)."""

    def parse(text: str) -> int:
        value = positive_int(text) if low >= 1 else int(text)
        if value < low:
            message = f"expected a whole number >= {low}, got {value}"
            raise argparse.ArgumentTypeError(message)
        return value

    parse.__name__ = f"int >= {low}"  # what argparse names in its messages
    return parse


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate, a temperature...)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def check_output(
    out: str | os.PathLike,
    *inputs: str | os.PathLike | None,
    overwrite: bool = False,
) -> Path:
    """Check, before a long run, that its result can be written to `out`.

    Raises:
        OptionError: `out` is a directory, one of the `inputs`, an existing file (unless
            `overwrite`), or in a folder that cannot be created or written.
    """
    path = Path(out)
    if path.is_dir():
        raise OptionError(f"{path} is a directory: name the file to write")
    for given in inputs:
        same = path.exists() and given is not None and Path(given).exists()
        if same and path.resolve() == Path(given).resolve():
            raise OptionError(f"{path} is also an input: writing it would lose it")
    if path.exists() and not overwrite:
        raise OptionError(
            f"{path} already exists: choose another name, or pass --force to replace it"
        )
    folder = path.parent
    while not folder.exists():  # the nearest folder that exists must be writable
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise OptionError(f"cannot write {path}: {folder} is not a writable folder")
    return path


def read_text_file(path: str | os.PathLike) -> str:
    """A UTF-8 text file given on the command line, or an OptionError that says why
    not."""
    path = Path(path)
    if path.is_dir():
        raise OptionError(f"{path} is a directory, not a text file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise OptionError(
            f"{path} is not UTF-8 text (byte {err.start}: {err.reason}); save it as "
            "UTF-8"
        ) from None


def clear_errors(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Wrap a chapter's sub-command (`zero-to-hero CHAPTER ACTION`): a ValueError, which
    the chapter's code raises for bad input or a setting its configs refuse, ends it
    with one line on stderr and exit status 1, not a traceback."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ValueError as err:
            where = f"zero-to-hero {args.command} {args.action}"
            print(f"{where}: error: {err}", file=sys.stderr)
            return 1

    return run
