"""MkDocs hook: copy the third-party browser assets the site serves itself into the build.

They come from the npm registry (`package.json`, installed into `node_modules/` by
`make setup`) and are never committed. Serving them ourselves keeps the site working offline
and free of requests to third-party hosts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# destination under site/assets/vendor/ -> (npm package directory, files or folders to copy)
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
}


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def on_post_build(config, **kwargs) -> None:
    site = Path(config["site_dir"]) / "assets" / "vendor"
    for name, (package, entries) in VENDORED.items():
        package_dir = ROOT / package
        if not package_dir.is_dir():
            raise SystemExit(
                f"{package} is missing: the site serves {name} itself. "
                "Run `make setup` (or `npm ci` in the repository root) first."
            )
        for entry in entries:
            # dist/… lands at the top of the vendor folder: assets/vendor/katex/katex.min.js
            target = (
                site / name / Path(entry).relative_to("dist")
                if entry.startswith("dist/")
                else site / name / entry
            )
            _copy(package_dir / entry, target)
