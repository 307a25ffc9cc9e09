"""The one error type a user of the package can cause, and what the CLI does with it.

Each domain raises its own subclass of `ZeroToHeroError`, saying what was wrong and what
was expected: `DataSetError` (a data set), `CheckpointError` (a checkpoint file),
`TokenizerFileError` (a tokenizer file). The command line prints such an error as one
line on stderr and exits with status 1; an unexpected exception is a bug, and keeps its
traceback.
"""

from __future__ import annotations

__all__ = ["ZeroToHeroError"]


class ZeroToHeroError(Exception):
    """Bad input or a bad file: the message says what was wrong and what was
    expected."""
