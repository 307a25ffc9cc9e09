"""Special tokens: checking new ones, reading `allowed_special`, finding them in text.

A special token is a string such as `<|endoftext|>` with an id of its own, outside the
merges. These functions are the checks and the text handling behind
`Tokenizer.register_special_tokens` and `Tokenizer.encode`.

Example:
    >>> split_around("a<|end|>b<|end|>", {"<|end|>"})
    ['a', '<|end|>', 'b', '<|end|>']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import regex

__all__ = [
    "AllowedSpecial",
    "check_special_tokens",
    "allowed_tokens",
    "special_pattern",
    "split_around",
]

#: What `encode` may do with special-token strings in a text (tiktoken's choices).
AllowedSpecial = Literal["all", "none", "raise"] | set[str] | frozenset[str]


def check_special_tokens(
    special_tokens: dict[str, int], registered: dict[str, int], num_ordinary: int
) -> dict[str, int]:
    """`registered` with `special_tokens` added, once each new one is checked.

    Args:
        special_tokens: The tokens to add, `string -> id`.
        registered: The special tokens a tokenizer has already (not modified).
        num_ordinary: How many ordinary tokens it has: their ids `0 .. num_ordinary - 1`
            are taken.

    Raises:
        TypeError: `special_tokens` is not a dict.
        ValueError: a token is not a non-empty valid string, or its id is negative,
            taken by an ordinary token or by another special token.
    """
    if not isinstance(special_tokens, dict):
        raise TypeError(
            "special_tokens must be a dict of str -> int, got "
            f"{type(special_tokens).__name__}"
        )
    taken = {i: s for s, i in registered.items()}
    added = dict(registered)
    for token, i in special_tokens.items():
        if not isinstance(token, str) or not token:
            raise ValueError(f"a special token must be a non-empty str, got {token!r}")
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"special token {token!r} is not valid Unicode text"
            ) from None
        if isinstance(i, bool) or not isinstance(i, int) or i < 0:
            raise ValueError(
                f"special token {token!r} needs a non-negative int id, got {i!r}"
            )
        if i < num_ordinary:
            raise ValueError(
                f"special token {token!r} cannot have id {i}: ids "
                f"0..{num_ordinary - 1} belong to ordinary tokens (use "
                f"{num_ordinary} or above)"
            )
        if token in added and added[token] != i:
            raise ValueError(f"special token {token!r} already has id {added[token]}")
        if taken.get(i, token) != token:
            raise ValueError(f"id {i} is already the special token {taken[i]!r}")
        added[token], taken[i] = i, token
    return added


def allowed_tokens(
    allowed_special: AllowedSpecial, registered: dict[str, int]
) -> set[str]:
    """The special tokens that `allowed_special` lets a text encode as their ids.

    Raises:
        ValueError: `allowed_special` is none of the choices, or names a token that is
            not registered.
    """
    if allowed_special == "all":
        return set(registered)
    if allowed_special in ("none", "raise"):
        return set()
    if isinstance(allowed_special, (set, frozenset)):
        unknown = sorted(allowed_special - set(registered))
        if unknown:
            raise ValueError(
                f"allowed_special names tokens that are not registered: {unknown}; "
                f"registered: {sorted(registered)}"
            )
        return set(allowed_special)
    raise ValueError(
        "allowed_special must be 'all', 'none', 'raise' or a set of special "
        f"tokens, got {allowed_special!r}"
    )


def special_pattern(tokens: Iterable[str]) -> regex.Pattern:
    """A pattern matching any of `tokens`, longest first (so `<|a|>b` beats `<|a|>`)."""
    return regex.compile(
        "|".join(regex.escape(t) for t in sorted(tokens, key=len, reverse=True))
    )


def split_around(text: str, tokens: set[str]) -> list[str]:
    """`text` cut around every occurrence of `tokens`, which are kept as parts of their
    own; empty parts are dropped."""
    if not tokens:
        return [text]
    pattern = special_pattern(tokens)
    return [part for part in regex.split(f"({pattern.pattern})", text) if part]
