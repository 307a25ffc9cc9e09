"""micrograd must run wherever plain Python runs (Pyodide included): the engine, its
lecture-shaped sibling, the networks and the demo import only the standard library
until a drawing or the demo data is asked for."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
before = set(sys.modules)
import zero_to_hero.micrograd
import zero_to_hero.micrograd.demo
import zero_to_hero.micrograd.simple
loaded = {name.split(".")[0] for name in set(sys.modules) - before}
third_party = sorted(
    loaded - set(sys.stdlib_module_names) - {"zero_to_hero", "_distutils_hack"}
)
print(",".join(third_party))
"""


def test_micrograd_imports_only_the_standard_library():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", (
        f"micrograd imported third-party modules: {out.stdout}"
    )


def test_the_probe_would_notice_a_third_party_import():
    probe = PROBE.replace("import zero_to_hero.micrograd.demo", "import numpy")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "numpy" in out.stdout
