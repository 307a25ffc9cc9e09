"""Find the python code blocks of a Markdown page and say how each one is checked.

Every python block on the site falls in exactly one category:

* ``executed``: markdown-exec runs it at build time (``exec="on"``). It is *visible*
  when it also shows its source (``source="..."``); otherwise it only produces page
  furniture.
* ``listing``: package code included by qualified name (a fence marked ``listing``,
  expanded by `hooks/listings.py` into the code and the imports it needs).
* ``plain``: anything else.

A page's visible blocks, in page order, listings included, are also its downloadable
notebook; the documentation tests run every python block of the built page, as the copy
button copies it, in a fresh interpreter.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

PYTHON_LANGS = {"python", "py", "python3"}
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_TRUE = {"1", "on", "yes", "true"}


@dataclass
class CodeBlock:
    """One fenced code block of a page."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    attrs: dict[str, str] = field(default_factory=dict)
    code: str = ""

    @property
    def is_python(self) -> bool:
        return self.lang in PYTHON_LANGS

    @property
    def kind(self) -> str:
        if self.attrs.get("exec", "").lower() in _TRUE:
            return "executed"
        if "listing" in self.attrs:
            return "listing"
        return "plain"

    @property
    def visible(self) -> bool:
        """Shown to the reader as code they could copy."""
        if self.kind == "executed":
            return bool(self.attrs.get("source"))
        return True

    @property
    def session(self) -> str:
        """Blocks of one session share a namespace; a block without one stands alone."""
        if self.kind == "executed":
            return self.attrs.get("session") or f"isolated:{self.line}"
        return "plain"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _parse_info(info: str) -> tuple[str, dict[str, str]]:
    """Split a fence's info string (`python exec="on" title="x"` or `{.python ...}`)."""
    info = info.strip().strip("{}").strip()
    if not info:
        return "", {}
    try:
        parts = shlex.split(info)
    except ValueError:
        parts = info.split()
    lang = parts[0].lstrip(".") if parts and "=" not in parts[0] else ""
    attrs = {}
    for part in parts[1 if lang else 0 :]:
        key, sep, value = part.partition("=")
        attrs[key] = value if sep else "1"
    return lang.lower(), attrs


def code_blocks(path: Path, markdown: str | None = None) -> list[CodeBlock]:
    """All fenced code blocks of a Markdown file (or of `markdown`, its text), in
    order, nested ones (in tabs, admonitions) included, with their code dedented."""
    if markdown is None:
        markdown = Path(path).read_text(encoding="utf-8")
    lines = markdown.splitlines()
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        lang, attrs = _parse_info(m["info"])
        close = re.compile(
            rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}\s*$"
        )
        body = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(lines[j])
            j += 1
        if j == len(lines):
            raise ValueError(f"{path}:{i + 1}: code fence is never closed")
        code = textwrap.dedent("\n".join(body))
        blocks.append(CodeBlock(Path(path), i + 1, lang, attrs, code))
        i = j + 1
    return blocks


def notebook_cells(path: Path, markdown: str) -> list[tuple[str, str]]:
    """The page (`markdown`, its text with the listings expanded) as notebook cells:
    `("markdown", heading)` for each section that has code, then `("code", source)`
    for each visible python block, in page order."""
    lines = markdown.splitlines()
    headings = [(i + 1, ln) for i, ln in enumerate(lines) if re.match(r"^#{2,3} ", ln)]
    cells: list[tuple[str, str]] = []
    last_heading = None
    for block in code_blocks(path, markdown):
        if not (block.is_python and block.visible):
            continue
        above = [text for line, text in headings if line < block.line]
        if above and above[-1] != last_heading:
            last_heading = above[-1]
            cells.append(("markdown", last_heading))
        cells.append(("code", block.code.rstrip() + "\n"))
    return cells
