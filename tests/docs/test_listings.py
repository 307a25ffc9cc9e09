"""The listing hook: package code included in a page by qualified name, with the imports
it
needs, and every listing of the site runs when copied alone."""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess
import symtable
import sys
import textwrap

import pytest

from hooks.listings import ListingError, expand, render
from hooks.page_code import code_blocks
from tests.docs.conftest import DOCS

SAMPLE = '''\
"""A module the tests include from."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .helpers import clamp as clip

SCALE = 2.0


# why: a comment right above a function travels with it
@dataclass
class Point:
    """A point."""

    x: float
    y: float

    def norm(self) -> float:
        """Its length."""

        return math.hypot(self.x, self.y) * SCALE

    class Unit:
        """A nested class."""

        name = "m"

        def describe(self) -> str:
            return self.name


def total(values: Sequence[float]) -> float:
    """Only a docstring would stay."""
    return clip(sum(values))


def stub():
    """A body of only a docstring keeps it."""
'''


@pytest.fixture
def src(tmp_path):
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text(
        "def clamp(x):\n    return max(0.0, min(1.0, x))\n"
    )
    (package / "sample.py").write_text(SAMPLE)
    return tmp_path / "src"


def test_a_method_is_dedented_without_its_docstring_and_imports_what_it_uses(src):
    code, title = render(["pkg.sample:Point.norm"], src=src)
    assert title == "src/pkg/sample.py"
    assert code == textwrap.dedent(
        """\
        import math
        from pkg.sample import SCALE


        def norm(self) -> float:
            return math.hypot(self.x, self.y) * SCALE"""
    )


def test_a_decorated_class_keeps_its_decorator_and_the_comment_above(src):
    code, _ = render(["pkg.sample:Point"], src=src)
    assert (
        "# why: a comment right above a function travels with it\n"
        "@dataclass\nclass Point:" in code
    )
    assert "from dataclasses import dataclass" in code
    assert '"""' not in code.split("class Unit")[0]  # docstrings dropped...
    assert "class Unit:\n        name" in code  # ...with the blank line after them


def test_a_nested_class_by_its_qualified_name(src):
    code, _ = render(["pkg.sample:Point.Unit"], src=src)
    assert code == textwrap.dedent(
        """\
        class Unit:
            name = "m"

            def describe(self) -> str:
                return self.name"""
    )


def test_relative_imports_become_absolute_and_unused_imports_stay_out(src):
    code, _ = render(["pkg.sample:total"], src=src)
    assert "from pkg.helpers import clamp as clip" in code
    assert "from collections.abc import Sequence" in code
    assert "import math" not in code and "dataclass" not in code


def test_docstrings_can_be_kept_and_a_docstring_only_body_keeps_it(src):
    assert (
        '"""Only a docstring would stay."""'
        not in render(["pkg.sample:total"], src=src)[0]
    )
    keep, _ = render(["pkg.sample:total"], docstrings=True, src=src)
    assert '"""Only a docstring would stay."""' in keep
    assert (
        '"""A body of only a docstring keeps it."""'
        in render(["pkg.sample:stub"], src=src)[0]
    )


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["pkg.sample:Point.missing"], "pkg.sample has no 'Point.missing'"),
        (["pkg.sample:nothing"], "pkg.sample has no 'nothing'"),
        (["pkg.nowhere:f"], "no module 'pkg.nowhere'"),
        (["pkg.sample"], "write module:qualified.name"),
        (["pkg.sample:total", "pkg.helpers:clamp"], "a listing shows one module"),
    ],
)
def test_a_name_that_does_not_exist_is_an_error_that_names_it(src, names, message):
    with pytest.raises(ListingError, match=message.replace("(", r"\(")):
        render(names, src=src)


def test_expand_names_the_page_and_keeps_the_fence_and_its_indent():
    page = (
        '=== "tab"\n\n    ```python listing\n'
        "    zero_to_hero.micrograd.engine:nope\n    ```\n"
    )
    unknown = r"micrograd/x\.md: zero_to_hero\.micrograd\.engine has no 'nope'"
    with pytest.raises(ListingError, match=unknown):
        expand(page, "micrograd/x.md")
    page = page.replace("nope", "topological_order")
    out = expand(page)
    assert '    ```python title="src/zero_to_hero/micrograd/engine.py"\n' in out
    assert "\n    def topological_order(" in out and out.endswith("    ```\n")


def _listings() -> list[tuple[str, str]]:
    """(where, code) of every python listing of the site, expanded."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        markdown = expand(page.read_text(encoding="utf-8"), str(page))
        for block in code_blocks(page, markdown):
            if block.is_python and block.attrs.get("title", "").startswith("src/"):
                found.append((f"{page.relative_to(DOCS)}:{block.line}", block.code))
    return found


def _free_names(code: str) -> set[str]:
    """Global names the code reads that it neither defines, imports nor gets from
    builtins."""
    table = symtable.symtable(code, "<listing>", "exec")
    defined = {
        s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
    }
    free: set[str] = set()

    def visit(scope):
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            top = scope is table and symbol.is_referenced() and not symbol.is_assigned()
            reads = (symbol.is_global() and symbol.is_referenced()) or top
            if reads and name not in defined and not hasattr(builtins, name):
                free.add(name)
        for child in scope.get_children():
            visit(child)

    visit(table)
    return free


def test_every_listing_of_the_site_names_only_what_it_defines_or_imports():
    listings = _listings()
    assert len(listings) > 150
    missing = {where: names for where, code in listings if (names := _free_names(code))}
    assert not missing, f"listings that would fail when copied alone: {missing}"


def test_every_listing_of_the_site_runs_when_copied_alone(tmp_path):
    """Each listing executed in a fresh namespace (one interpreter, for speed: the
    imports are
    what could fail, and each listing must bring its own)."""
    listings = _listings()
    script = tmp_path / "run.py"
    script.write_text(
        "import json, sys\n"
        "failures = {}\n"
        "for where, code in json.load(open(sys.argv[1])):\n"
        "    try:\n"
        "        exec(compile(code, where, 'exec'), {'__name__': '__main__'})\n"
        "    except Exception as error:\n"
        "        failures[where] = repr(error)\n"
        "print(json.dumps(failures))\n"
    )
    import json

    data = tmp_path / "listings.json"
    data.write_text(json.dumps(listings))
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(script), str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    failures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not failures, failures


def test_no_private_name_is_listed_or_imported_on_a_page():
    """A page shows the package's public code: no listed name and no imported name
    starts with an underscore (dunder methods such as `__init__` aside)."""
    private = re.compile(r"(?:^|[.:])_(?!_)\w*")
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in code_blocks(page):
            if block.kind != "listing":
                continue
            for line in block.code.splitlines():
                if private.search(line.split(":", 1)[-1]):
                    found.append(f"{page.relative_to(DOCS)}: {line.strip()}")
        markdown = expand(page.read_text(encoding="utf-8"), str(page))
        for block in code_blocks(page, markdown):
            if not block.is_python:
                continue
            for node in ast.walk(ast.parse(block.code)):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    hidden = [a.name for a in node.names if a.name.startswith("_")]
                    if hidden and node.module != "__future__":
                        found.append(f"{page.relative_to(DOCS)}: imports {hidden}")
    assert not found, found
