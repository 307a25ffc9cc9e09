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
