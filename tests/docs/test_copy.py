"""Every page runs as copied: a reader who copies every python block of a built page, in
page order, exactly as the copy button copies it (the title and the output excluded),
into a fresh
interpreter gets no error. CUDA pages run on numba's simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from hooks.page_code import code_blocks
from tests.docs.conftest import DOCS, ROOT
from tests.docs.test_build import PAGES, built_page

pytestmark = pytest.mark.docs

PYTHON = {"python", "py", "python3"}


class _CodeBlocks(HTMLParser):
    """The text of each highlighted code block (`<div class="language-X
    highlight">…<code>`),
    with its language: what Material's copy button puts on the clipboard."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._lang: str | None = None  # inside a highlight div
        self._depth = 0  # nesting of <code> inside it
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "highlight" in classes:
            langs = [
                c.removeprefix("language-")
                for c in classes
                if c.startswith("language-")
            ]
            self._lang = langs[0] if langs else ""
        elif tag == "code" and self._lang is not None:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "code" and self._depth:
            self._depth -= 1
            if not self._depth:
                self.blocks.append((self._lang or "", "".join(self._text)))
                self._text, self._lang = [], None

    def handle_data(self, data):
        if self._depth:
            self._text.append(data)


def copied_blocks(html: str) -> list[tuple[str, str]]:
    """(language, code) of every code block of a built page, in page order."""
    parser = _CodeBlocks()
    parser.feed(html)
    return parser.blocks


def run_as_a_reader(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "NUMBA_ENABLE_CUDASIM": "1",  # the CUDA pages' kernels run on numba's simulator
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def page_id(page):
    return str(page.relative_to(DOCS))


# The API reference's blocks are signatures and doctest sessions (`>>>`), not code to
# paste in order: tests/test_docstrings.py runs its examples.
COPIED = [page for page in PAGES if page.relative_to(DOCS).parts[0] != "api"]


@pytest.mark.parametrize("page", COPIED, ids=page_id)
def test_every_page_runs_as_copied(built_site, page, tmp_path):
    site, _ = built_site
    html = built_page(site, page).read_text(encoding="utf-8")
    code = [text for lang, text in copied_blocks(html) if lang in PYTHON]
    if not code:
        pytest.skip("no python code on this page")
    script = "\n\n".join(code)
    proc = run_as_a_reader(script, tmp_path)
    assert proc.returncode == 0, (
        f"{page_id(page)}, copied and run, fails:\n{proc.stderr[-3000:]}"
    )


def test_the_readme_example_runs(tmp_path):
    readme = ROOT / "README.md"
    code = [b.code for b in code_blocks(readme) if b.is_python]
    assert code, "the README shows how to use the package"
    proc = run_as_a_reader("\n\n".join(code), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_copy_extractor_takes_the_code_only():
    html = (
        '<div class="language-python highlight">'
        '<span class="filename">src/x.py</span><pre>'
        '<span></span><code><span id="__span-0-1"><a id="__codelineno-0-1"></a>'
        "<span>x</span> = 1 &lt; 2\n</span></code></pre></div>"
        '<div class="language-text highlight"><pre><span></span>'
        "<code>out</code></pre></div>"
    )
    assert copied_blocks(html) == [("python", "x = 1 < 2\n"), ("text", "out")]


def test_listings_are_copied_with_their_imports(built_site):
    """The blocks the test runs include the listings, imports first."""
    site, _ = built_site
    page = built_page(site, DOCS / "micrograd" / "backprop.md")
    html = page.read_text(encoding="utf-8")
    code = [text for lang, text in copied_blocks(html) if lang in PYTHON]
    listing = next(text for text in code if "def backward(" in text)
    assert listing.startswith(("import ", "from "))
