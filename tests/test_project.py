"""Facts about the project as a whole."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def test_the_project_links_have_one_source():
    """pyproject's URLs are mkdocs.yml's site_url and repo_url (the Colab links of the
    pages are built from repo_url), and a page linking the repository uses the same."""
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^site_url: (\S+)", mkdocs, re.M)[1]
    repo_url = re.search(r"^repo_url: (\S+)", mkdocs, re.M)[1]
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert (urls["Homepage"], urls["Source"]) == (site_url, repo_url)
    owner = repo_url.removeprefix("https://github.com/")
    for page in (ROOT / "docs").rglob("*.md"):
        for linked in re.findall(
            r"github\.com/([\w.-]+/zero-to-hero)\b", page.read_text()
        ):
            assert linked == owner, f"{page} links {linked}, not {owner}"


# The chapters in the order the course teaches them (mkdocs.yml's nav).
CHAPTERS = ["micrograd", "torch_basics", "makemore", "gpt", "bpe", "gpt2", "cuda"]


def test_an_earlier_chapter_never_imports_a_later_one():
    import ast

    src = ROOT / "src" / "zero_to_hero"
    wrong = []
    for i, chapter in enumerate(CHAPTERS):
        later = set(CHAPTERS[i + 1 :])
        for path in (src / chapter).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    parts = name.split(".")
                    if (
                        parts[0] == "zero_to_hero"
                        and len(parts) > 1
                        and parts[1] in later
                    ):
                        wrong.append(f"{path.relative_to(src)} imports {name}")
    assert not wrong, wrong
