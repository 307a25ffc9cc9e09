"""Fixtures for the documentation tests: the pages, and one strict build of the site."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BUILD_TIMEOUT_S = 900


def markdown_pages() -> list[Path]:
    """Every Markdown page of the site, plus the README and CONTRIBUTING a reader also
    copies
    from."""
    return [*sorted(DOCS.rglob("*.md")), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[Path, str]:
    """Build the site once with `mkdocs build --strict`; returns (site directory,
    build log)."""
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DOCS_TIMEOUT": str(BUILD_TIMEOUT_S)}
    proc = subprocess.run(
        [str(ROOT / "scripts" / "build_docs.sh"), "build", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S + 60,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    return site, log
