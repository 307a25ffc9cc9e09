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


def _asserts(function, functions, seen=()):
    """Whether `function` asserts, expects an exception or warning, or calls something
    that does (`assert_*`, `check_*`, or a function of its module that asserts)."""
    import ast

    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        name = getattr(node, "id", None) or getattr(node, "attr", None) or ""
        if name in ("raises", "warns", "fail", "approx", "deprecated_call"):
            return True
        if name.startswith(("assert", "check")):
            return True
        helper = functions.get(name)
        if (
            helper is not None
            and name not in seen
            and name != function.name
            and _asserts(helper, functions, (*seen, function.name))
        ):
            return True
    return False


def test_every_test_checks_something():
    """A test without an assertion cannot fail: each `test_*` function asserts, expects
    an exception or warning (`pytest.raises`, `pytest.warns`), or calls a helper that
    does."""
    import ast

    silent = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {
            node.name: node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        silent += [
            f"{path.relative_to(ROOT)}:{function.lineno} {name}"
            for name, function in functions.items()
            if name.startswith("test_") and not _asserts(function, functions)
        ]
    assert not silent, "tests that cannot fail:\n" + "\n".join(silent)
