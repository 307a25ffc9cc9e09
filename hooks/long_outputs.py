"""MkDocs hook: fold an output longer than 30 lines into a closed `<details>` block.

An executed block's printed output (a `text` code block) that runs past a screen pushes
the explanation after it out of sight; folded, it is one line that says how long it is
and opens with a click.
"""

from __future__ import annotations

import re

MAX_LINES = 30
_OUTPUT = re.compile(
    r'<div class="language-text highlight">.*?</code></pre></div>', re.S
)


def fold(html: str) -> str:
    """Wrap every text block of more than MAX_LINES lines in a closed `<details>`."""

    def wrap(m: re.Match) -> str:
        lines = m[0].count('<span id="__span-') or m[0].count("\n") + 1
        if lines <= MAX_LINES:
            return m[0]
        return (
            f'<details class="z2h-output"><summary>Output ({lines} lines)</summary>'
            f"{m[0]}</details>"
        )

    return _OUTPUT.sub(wrap, html)


def on_page_content(html, page, config, files, **kwargs):
    return fold(html)
