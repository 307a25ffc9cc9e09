"""Every code block of a page declares its language, and every python block is checked:
executed
by the build, or package code included by name; all of them run as copied
(test_copy.py)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from hooks.page_code import code_blocks
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
        assert block.lang, (
            f"{block.where}: a fence must name its language (```python, ```text…)"
        )
        if block.attrs.get("exec", "").lower() in {"1", "on", "yes", "true"}:
            assert block.is_python, f"{block.where}: only python blocks may be executed"
        if not block.is_python:
            assert block.lang in LANGS_WITHOUT_CODE, (
                f"{block.where}: unknown language {block.lang}"
            )
            continue
        assert block.kind in {"executed", "listing", "plain"}
        if block.kind == "listing":
            assert "title" not in block.attrs, (
                f"{block.where}: a listing is titled by its file"
            )
        if block.kind == "executed" and block.visible:
            assert block.attrs.get("session"), (
                f"{block.where}: give visible blocks a session"
            )


def test_sessions_are_never_shared_between_pages():
    pages_of = defaultdict(set)
    for page in PAGES:
        for block in code_blocks(page):
            if block.kind == "executed" and "session" in block.attrs:
                pages_of[block.attrs["session"]].add(page_id(page))
    shared = {s: p for s, p in pages_of.items() if len(p) > 1}
    assert not shared, f"markdown-exec sessions used on several pages: {shared}"


def test_the_parser_sees_blocks_inside_tabs_and_their_attributes():
    page = ROOT / "docs" / "micrograd" / "backprop.md"
    tabbed = [
        b for b in code_blocks(page) if b.attrs.get("session") == "mg-backprop-torch"
    ]
    assert len(tabbed) == 1 and tabbed[0].code.startswith("import torch")
    assert tabbed[0].visible and tabbed[0].kind == "executed"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_visible_code_fits_the_column(page):
    """No line of code a reader sees is over 88 characters (listings come from src/,
    which ruff keeps to 88): nothing scrolls sideways at 1280 px."""
    wide = [
        f"{block.where}: {line.strip()[:50]}…"
        for block in code_blocks(page)
        if block.is_python and block.visible and block.kind != "listing"
        for line in block.code.splitlines()
        if len(line) > 88
    ]
    assert not wide, wide
