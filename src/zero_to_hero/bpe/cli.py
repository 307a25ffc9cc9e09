"""`zero-to-hero bpe ...`: train a tokenizer on a text file, encode with it, list its
tokens."""

from __future__ import annotations

import argparse
import sys

from zero_to_hero.options import (
    check_output,
    clear_errors,
    int_at_least,
    read_text_file,
)

_PATTERNS = ("gpt4", "gpt2", "none")


@clear_errors
def _train(args: argparse.Namespace) -> int:
    from zero_to_hero.bpe import GPT2_SPLIT_PATTERN, BasicTokenizer, RegexTokenizer
    from zero_to_hero.bpe.storage import save

    check_output(args.out, args.text, overwrite=args.force)  # before the training
    text = read_text_file(args.text)
    if args.pattern == "none":
        tok = BasicTokenizer()
    else:
        tok = (
            RegexTokenizer(GPT2_SPLIT_PATTERN)
            if args.pattern == "gpt2"
            else RegexTokenizer()
        )
    tok.train(text, args.vocab_size, trainer=args.trainer, progress=True)
    save(tok, args.out)
    n = len(tok.encode(text, allowed_special="none"))
    print(
        f"{len(tok.merges)} merges learned; {len(text.encode('utf-8')):,} bytes -> "
        f"{n:,} tokens; saved to {args.out}"
    )
    return 0


@clear_errors
def _encode(args: argparse.Namespace) -> int:
    from zero_to_hero.bpe.storage import load

    tok = load(args.model)
    text = sys.stdin.read() if args.text == "-" else args.text
    print(" ".join(map(str, tok.encode(text, allowed_special=args.allowed_special))))
    return 0


@clear_errors
def _vocab(args: argparse.Namespace) -> int:
    from zero_to_hero.bpe.render import vocab_dump
    from zero_to_hero.bpe.storage import load

    print(vocab_dump(load(args.model)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `bpe` command and its sub-commands."""
    parser = commands.add_parser("bpe", help="byte-pair encoding tokenizers")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    train = sub.add_parser(
        "train", help="train a tokenizer on a UTF-8 text file and save it"
    )
    train.add_argument("text", help="the training text (a UTF-8 file)")
    train.add_argument(
        "--vocab-size", type=int_at_least(256), default=512, help="default 512"
    )
    train.add_argument(
        "--pattern",
        choices=_PATTERNS,
        default="gpt4",
        help="split pattern; 'none' trains a BasicTokenizer (default gpt4)",
    )
    train.add_argument("--trainer", choices=("fast", "straightforward"), default="fast")
    train.add_argument(
        "--out",
        required=True,
        help="where to save the tokenizer; an existing file is kept unless --force",
    )
    train.add_argument(
        "--force", action="store_true", help="replace the --out file if it exists"
    )
    train.set_defaults(run=_train)
    encode = sub.add_parser("encode", help="print the token ids of a text")
    encode.add_argument(
        "model", help="a file written by `bpe train` (or bpe.storage.save)"
    )
    encode.add_argument("text", help="the text to encode, or - to read standard input")
    encode.add_argument(
        "--allowed-special", default="raise", choices=("raise", "all", "none")
    )
    encode.set_defaults(run=_encode)
    vocab = sub.add_parser("vocab", help="list every token of a saved tokenizer")
    vocab.add_argument("model")
    vocab.set_defaults(run=_vocab)
