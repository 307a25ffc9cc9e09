"""Learner pitfall 14: every softmax in the package names the axis it normalises
over."""

from __future__ import annotations

import ast
from pathlib import Path

import zero_to_hero
from zero_to_hero.torch_basics import errors

SRC = Path(zero_to_hero.__file__).parent
SOFTMAXES = {"softmax", "log_softmax", "Softmax", "LogSoftmax"}
# The one deliberate mistake, reproduced on the "Common errors" page.
ALLOWED = {(Path(errors.__file__), errors.softmax_without_dim.__name__)}


def softmax_calls_without_dim(path: Path, allowed=ALLOWED) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # the package's own softmax of a list (the capstone's, in plain Python) has no axis
    own = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)} | {
        alias.asname or alias.name
        for f in tree.body
        if isinstance(f, ast.ImportFrom) and (f.module or "").startswith("zero_to_hero")
        for alias in f.names
    }
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or (path, fn.name) in allowed:
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                named = {k.arg for k in node.keywords}
                if isinstance(node.func, ast.Name) and name in own:
                    continue
                if name in SOFTMAXES and "dim" not in named and len(node.args) < 2:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} in {fn.name}")
    return found


def test_every_softmax_call_names_its_dim():
    offenders = sorted(
        {o for p in SRC.rglob("*.py") for o in softmax_calls_without_dim(p)}
    )
    assert not offenders, f"softmax without dim=: {offenders}"


def test_the_check_finds_the_deliberate_mistake():
    found = softmax_calls_without_dim(Path(errors.__file__), allowed=set())
    assert len(found) == 1 and found[0].endswith("in softmax_without_dim")
