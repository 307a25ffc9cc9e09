"""The public API is documented (the API reference is built from these docstrings), and
every example in a docstring runs and prints what it claims."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import zero_to_hero

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(zero_to_hero.__path__, "zero_to_hero.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_public_api_has_docstrings(name):
    module = importlib.import_module(name)
    assert inspect.getdoc(module), f"{name} has no module docstring"
    for attr in getattr(module, "__all__", []):
        obj = getattr(module, attr)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{name}.{attr} has no docstring"
            if inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if inspect.isfunction(meth) and not meth_name.startswith("_"):
                        assert inspect.getdoc(meth), (
                            f"{name}.{attr}.{meth_name}: no docstring"
                        )
