"""MkDocs hook: copy into the build what the browser needs and the site serves itself.

* Third-party assets from the npm registry (`package.json`, installed into
  `node_modules/` by `make setup`, never committed): KaTeX for math; Pyodide (CPython
  compiled to WebAssembly) and viz.js (Graphviz compiled to WebAssembly) for the
  micrograd playground. Serving them ourselves keeps the site working offline and free
  of requests to third-party hosts.
* The playground's Python: the micrograd engine's source files and the capstone's
  `microgpt` (with the data loader it reads the names through), copied from `src/` so
  the browser runs exactly the package's code; the names data set, so that the
  playground trains offline; and a manifest listing them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from zero_to_hero.data import DATA_SETS, data_path

ROOT = Path(__file__).resolve().parent.parent

# destination under site/assets/vendor/ -> (npm package directory, files or folders to
# copy)
VENDORED = {
    "katex": (
        "node_modules/katex",
        [
            "LICENSE",
            "dist/katex.min.js",
            "dist/katex.min.css",
            "dist/contrib/auto-render.min.js",
            "dist/fonts",
        ],
    ),
    "pyodide": (
        "node_modules/pyodide",
        [
            "README.md",
            "package.json",
            "pyodide.js",
            "pyodide.mjs",
            "pyodide.asm.mjs",
            "pyodide.asm.wasm",
            "python_stdlib.zip",
            "pyodide-lock.json",
        ],
    ),
    "viz": (
        "node_modules/@viz-js/viz",
        ["README.md", "package.json", "dist/viz-global.js"],
    ),
}

# The part of the package the playground imports: pure Python, standard library only.
PLAYGROUND_SOURCES = [
    "zero_to_hero/__init__.py",
    "zero_to_hero/micrograd/__init__.py",
    "zero_to_hero/micrograd/engine.py",
    "zero_to_hero/micrograd/nn.py",
    "zero_to_hero/micrograd/viz.py",
    "zero_to_hero/microgpt.py",
    "zero_to_hero/data.py",
    "zero_to_hero/errors.py",
    "zero_to_hero/files.py",
]
# Data sets the playground reads, written to the folder $ZERO_TO_HERO_DATA names there:
# makemore's names.txt (MIT licence, like makemore), 228 kB.
PLAYGROUND_DATA = ["names"]


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def on_post_build(config, **kwargs) -> None:
    site = Path(config["site_dir"])
    vendor = site / "assets" / "vendor"
    for name, (package, entries) in VENDORED.items():
        package_dir = ROOT / package
        if not package_dir.is_dir():
            raise SystemExit(
                f"{package} is missing: the site serves {name} itself. "
                "Run `make setup` (or `npm ci` in the repository root) first."
            )
        for entry in entries:
            # dist/… lands at the top of the vendor folder:
            # assets/vendor/katex/katex.min.js
            relative = (
                Path(entry).relative_to("dist") if entry.startswith("dist/") else entry
            )
            _copy(package_dir / entry, vendor / name / relative)

    playground = site / "assets" / "playground"
    for source in PLAYGROUND_SOURCES:
        _copy(ROOT / "src" / source, playground / source)
    data = []
    for name in PLAYGROUND_DATA:
        file = DATA_SETS[name]
        _copy(data_path(file), playground / "data" / file.filename)
        data.append(f"data/{file.filename}")
    manifest = {"files": PLAYGROUND_SOURCES, "data": data}
    (playground / "manifest.json").write_text(
        json.dumps(manifest, indent=2), encoding="utf-8"
    )
