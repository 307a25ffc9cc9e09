"""Every python block on the site is checked: executed by the build, a snippet of package code
(tested by the package's tests), or run here exactly as a reader would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest

from hooks.page_code import code_blocks, reader_script
from tests.docs.conftest import ROOT, markdown_pages

PAGES = markdown_pages()
LANGS_WITHOUT_CODE = {
    "text",
    "bash",
    "console",
    "yaml",
    "toml",
    "json",
    "html",
    "css",
    "js",
    "javascript",
    "dot",
    "markdown",
    "md",
    "cuda",
    "c",
    "cpp",
    "mermaid",
}


def page_id(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_block_declares_a_language_and_every_python_block_is_checked(page):
    for block in code_blocks(page):
        assert block.lang, f"{block.where}: a fence must name its language (```python, ```text…)"
        if block.attrs.get("exec", "").lower() in {"1", "on", "yes", "true"}:
            assert block.is_python, f"{block.where}: only python blocks may be executed"
        if not block.is_python:
            assert block.lang in LANGS_WITHOUT_CODE, f"{block.where}: unknown language {block.lang}"
            continue
        assert block.kind in {"executed", "listing", "plain"}
        if block.kind == "listing":
            title = block.attrs.get("title", "")
            included = {m.split(":")[0] for m in re.findall(r'--8<-- "([^"]+)"', block.code)}
            assert title.startswith("src/") and included == {title}, (
                f"{block.where}: a snippet listing must be titled with the file it shows"
            )
        if block.kind == "executed" and block.visible:
            assert block.attrs.get("session"), f"{block.where}: give visible blocks a session"


def test_sessions_are_never_shared_between_pages():
    pages_of = defaultdict(set)
    for page in PAGES:
        for block in code_blocks(page):
            if block.kind == "executed" and "session" in block.attrs:
                pages_of[block.attrs["session"]].add(page_id(page))
    shared = {s: p for s, p in pages_of.items() if len(p) > 1}
    assert not shared, f"markdown-exec sessions used on several pages: {shared}"


READER_PAGES = [page for page in PAGES if reader_script(page)]


@pytest.mark.parametrize("page", READER_PAGES, ids=page_id)
def test_a_reader_can_run_the_visible_code(page, tmp_path):
    """Paste every visible block of the page into one fresh interpreter, in page order: what a
    reader does, and exactly the code of the page's downloadable notebook."""
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", reader_script(page)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{page_id(page)} failed:\n{proc.stderr[-3000:]}"


def test_every_plain_python_block_is_in_a_reader_run():
    """What the build does not execute and is not package code must be run above."""
    for page in PAGES:
        covered = reader_script(page)
        for block in code_blocks(page):
            if block.is_python and block.kind == "plain":
                assert f"# {block.where}\n" in covered, f"{block.where} is never run"


def test_the_parser_sees_blocks_inside_tabs_and_their_attributes():
    page = ROOT / "docs" / "micrograd" / "backprop.md"
    tabbed = [b for b in code_blocks(page) if b.attrs.get("session") == "mg-backprop-torch"]
    assert len(tabbed) == 1 and tabbed[0].code.startswith("import torch")
    assert tabbed[0].visible and tabbed[0].kind == "executed"
