"""Argument types for the command line: a bad number is refused before any work starts,
with a message that says what was expected (argparse turns it into a usage error, exit
status 2)."""

from __future__ import annotations

import argparse
import math

__all__ = ["positive_int", "positive_float"]


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


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate, a temperature...)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value
