"""Showing tokens to people: a vocabulary listing and text with coloured token
boundaries.

Example:
    >>> render_token(b"hi\\n")
    'hi\\\\n'
    >>> render_token(b"\\xe2\\x82")  # half of a character
    '\\\\xe2\\\\x82'
"""

from __future__ import annotations

import html
import unicodedata

from zero_to_hero.bpe.specials import AllowedSpecial
from zero_to_hero.bpe.tokenizer import Tokenizer

__all__ = ["render_token", "vocab_dump", "tokens_html"]

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def render_token(token: bytes) -> str:
    """A token's bytes as readable text: control characters escaped (`\\n`, `\\u0007`),
    and bytes that are not a whole UTF-8 character shown as `\\xNN`."""
    text = token.decode("utf-8", errors="backslashreplace")
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif unicodedata.category(ch)[0] == "C":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def vocab_dump(tokenizer: Tokenizer) -> str:
    """Every token, one per line: its id, its text in brackets, and for a merged token
    the two tokens it was made of. Meant for reading; `zero_to_hero.bpe.storage.save`
    writes the file to load from.

    Example:
        >>> from zero_to_hero.bpe import BasicTokenizer
        >>> tok = BasicTokenizer().train("aaabdaaabac", 259)
        >>> print(vocab_dump(tok).splitlines()[97])
        97 [a]
        >>> print("\\n".join(vocab_dump(tok).splitlines()[-3:]))
        256 [aa] = [a] + [a]
        257 [aaa] = [aa] + [a]
        258 [aaab] = [aaa] + [b]
    """
    vocab = tokenizer.vocab
    lines = [f"{i} [{render_token(vocab[i])}]" for i in sorted(tokenizer.byte_ids)]
    for (a, b), new in tokenizer.merges.items():
        lines.append(
            f"{new} [{render_token(vocab[new])}] = "
            f"[{render_token(vocab[a])}] + [{render_token(vocab[b])}]"
        )
    for token, i in tokenizer.special_tokens.items():
        lines.append(f"{i} [{render_token(token.encode('utf-8'))}] special")
    return "\n".join(lines)


def tokens_html(
    tokenizer: Tokenizer, text: str, allowed_special: AllowedSpecial = "none"
) -> str:
    """`text` as HTML, each token on a coloured background (cycling through five
    colours), with its id in the tooltip. Tokens that hold part of a character show as
    `\\xNN`."""
    palette = ("#fde68a", "#a7f3d0", "#bfdbfe", "#fbcfe8", "#ddd6fe")
    spans = []
    for n, i in enumerate(tokenizer.encode(text, allowed_special=allowed_special)):
        piece = tokenizer.decode_bytes([i])
        try:
            shown = piece.decode("utf-8")
        except UnicodeDecodeError:
            shown = render_token(piece)
        shown = html.escape(shown).replace("\n", "↵<br>")
        spans.append(
            '<span class="z2h-token" '
            f'style="background:{palette[n % len(palette)]};color:#111" '
            f'title="{i}">{shown}</span>'
        )
    style = (
        "font-family:var(--md-code-font-family,monospace);white-space:pre-wrap;"
        "line-height:1.7"
    )
    return f'<div class="z2h-tokens" style="{style}">{"".join(spans)}</div>'
