"""The `zero-to-hero` command line: one sub-command per chapter, plus `info`.

Each chapter keeps its commands in its own `cli` module with a `register(subparsers)`
function; heavy imports happen inside the commands, so `zero-to-hero --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sys
from collections.abc import Sequence

from zero_to_hero import __version__
from zero_to_hero.errors import ZeroToHeroError

# Modules that define `register(subparsers)`, in the order of the course.
CHAPTER_CLIS = [
    "zero_to_hero.micrograd.cli",
    "zero_to_hero.makemore.cli",
    "zero_to_hero.gpt.cli",
    "zero_to_hero.bpe.cli",
    "zero_to_hero.gpt2.cli",
    "zero_to_hero.torch_basics.cli",
    "zero_to_hero.cuda.cli",
    "zero_to_hero.microgpt_cli",
]


def info(args: argparse.Namespace) -> int:
    """Print what a learner's bug report needs: versions, torch build, devices,
    tools."""
    import numpy
    import torch

    rows = [
        ("zero-to-hero", __version__),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("platform", platform.platform()),
        ("numpy", numpy.__version__),
        ("torch", torch.__version__),
        ("torch CUDA build", torch.version.cuda or "none (CPU-only wheel)"),
        ("CUDA available", str(torch.cuda.is_available())),
        ("torch threads", str(torch.get_num_threads())),
        ("graphviz dot", shutil.which("dot") or "missing: apt-get install graphviz"),
    ]
    if torch.cuda.is_available():
        rows.append(("CUDA device", torch.cuda.get_device_name(0)))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def data(args: argparse.Namespace) -> int:
    """`data where`: where each data set resolves without downloading; `data fetch`:
    download the missing ones into the user cache, checksums verified."""
    from zero_to_hero.data import DATA_SETS, data_path, find_local

    for name, file in DATA_SETS.items():
        path = data_path(file) if args.action == "fetch" else find_local(file)
        print(f"{name:<12} {path or 'not available offline (zero-to-hero data fetch)'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zero-to-hero",
        description="Train, sample and inspect the course's models.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an error (also: ZERO_TO_HERO_DEBUG=1)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("info", help="versions, torch build and devices").set_defaults(
        run=info
    )
    data_parser = commands.add_parser(
        "data", help="the data sets: where they are, or fetch them"
    )
    data_parser.add_argument("action", choices=["where", "fetch"])
    data_parser.set_defaults(run=data)
    for module in CHAPTER_CLIS:
        importlib.import_module(module).register(commands)
    return parser


# Errors a user causes (bad input, a missing or bad file): one line on stderr, status 1.
USER_ERRORS = (ZeroToHeroError, FileNotFoundError, IsADirectoryError, PermissionError)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A known error prints one line to stderr and exits 1 (2 for a
    usage error, as argparse does); `--debug` or ZERO_TO_HERO_DEBUG=1 shows its
    traceback. Any other exception is a bug and keeps its traceback."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("ZERO_TO_HERO_DEBUG", "") not in ("", "0")
    try:
        return args.run(args)
    except USER_ERRORS as err:
        if debug:
            raise
        print(f"zero-to-hero {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"zero-to-hero {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
