"""Find the python code blocks of a Markdown page and say how each one is checked.

Every python block on the site falls in exactly one category:

* ``executed``: markdown-exec runs it at build time (``exec="on"``). It is *visible* when it
  also shows its source (``source="..."``); otherwise it only produces page furniture.
* ``listing``: a snippet include of package code (``--8<-- "src/...:section"``), covered by
  the package's own tests.
* ``plain``: anything else. The documentation tests run these, as a reader would.

A page's visible blocks, in page order, are also its downloadable notebook: the tests run
exactly that code in a fresh interpreter, as a reader pasting the blocks into a notebook would.
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
        lines = [ln.strip() for ln in self.code.splitlines() if ln.strip()]
        if lines and all(ln.startswith("--8<--") for ln in lines):
            return "listing"
        return "plain"

    @property
    def visible(self) -> bool:
        """Shown to the reader as code they could copy."""
        if self.kind == "executed":
            return bool(self.attrs.get("source"))
        return self.kind == "plain"

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


def code_blocks(path: Path) -> list[CodeBlock]:
    """All fenced code blocks of a Markdown file, in order, nested ones (in tabs, admonitions)
    included, with their code dedented."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        lang, attrs = _parse_info(m["info"])
        close = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
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


def notebook_cells(path: Path) -> list[tuple[str, str]]:
    """The page as notebook cells: `("markdown", heading)` for each section that has code,
    then `("code", source)` for each visible python block, in page order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    headings = [(i + 1, ln) for i, ln in enumerate(lines) if re.match(r"^#{2,3} ", ln)]
    cells: list[tuple[str, str]] = []
    last_heading = None
    for block in code_blocks(path):
        if not (block.is_python and block.visible):
            continue
        above = [text for line, text in headings if line < block.line]
        if above and above[-1] != last_heading:
            last_heading = above[-1]
            cells.append(("markdown", last_heading))
        cells.append(("code", block.code.rstrip() + "\n"))
    return cells


def reader_script(path: Path) -> str:
    """The page's visible python code as one script, each block marked with where it is."""
    parts = []
    for block in code_blocks(path):
        if block.is_python and block.visible:
            parts.append(f"# {block.where}\n{block.code}\n")
    return "\n".join(parts)
