"""MkDocs hook: what every chapter page gets besides its content.

* a "last verified" line: the date of the build and the versions it ran with (every
  code block on the page was executed by that build);
* its code as a notebook to download (`.py` in jupytext's percent format and `.ipynb`),
  with an "Open in Colab" link built from `repo_url`, so a fork's site links to the
  fork.

A chapter page is any page in a folder of `docs/` other than `api/`. Its notebook holds
exactly the code of its python blocks, listings included (`hooks/page_code.py`).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_code import notebook_cells

NON_CHAPTER_FOLDERS = {"api"}
# page src_uri -> where its notebook comes from and goes
_notebooks: dict[str, dict] = {}


def is_chapter_page(src_uri: str) -> bool:
    parts = src_uri.split("/")
    return len(parts) > 1 and parts[0] not in NON_CHAPTER_FOLDERS


def _colab_base(repo_url: str | None) -> str | None:
    m = re.match(r"https://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repo_url or "")
    if not m:
        return None
    # `make deploy` publishes the built site, notebooks included, to the gh-pages
    # branch.
    return f"https://colab.research.google.com/github/{m[1]}/{m[2]}/blob/gh-pages/"


def on_config(config, **kwargs):
    import torch

    import zero_to_hero

    config.extra["build"] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "version": zero_to_hero.__version__,
        "torch": torch.__version__,
    }
    _notebooks.clear()
    return config


def on_page_markdown(markdown, page, config, files, **kwargs):
    src_uri = page.file.src_uri
    if not is_chapter_page(src_uri):
        return markdown
    page.meta["verified"] = config.extra["build"]
    source = Path(page.file.abs_src_path)
    if any(kind == "code" for kind, _ in notebook_cells(source, markdown)):
        stem = (
            Path(src_uri).stem
            if Path(src_uri).stem != "index"
            else Path(src_uri).parent.name
        )
        folder = Path(page.file.dest_uri).parent.as_posix()
        _notebooks[src_uri] = {
            "source": source,
            "markdown": markdown,
            "target": f"{folder}/{stem}",
        }
        colab = _colab_base(config.get("repo_url"))
        page.meta["notebook"] = {
            "py": f"{stem}.py",
            "ipynb": f"{stem}.ipynb",
            "colab": f"{colab}{folder}/{stem}.ipynb" if colab else None,
        }
    return markdown


def build_notebook(
    source: Path, markdown: str, title: str, page_url: str, repo_url: str | None
):
    """A notebook of the page's code: a title cell, an install cell, then the page's
    cells."""
    import nbformat

    install = (
        "# The code below needs the zero_to_hero package; this cell installs it "
        "where it is\n# missing (on Colab, for example).\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n\n"
        'if importlib.util.find_spec("zero_to_hero") is None:\n'
        "    subprocess.check_call(\n"
        '        [sys.executable, "-m", "pip", "install", '
        f'"zero-to-hero @ git+{repo_url}"]\n'
        "    )\n"
    )
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {title}\n\nThe code of [this page]({page_url}), cell by cell. "
            "The explanations "
            "and figures are on the page."
        ),
        nbformat.v4.new_code_cell(install),
    ]
    for kind, text in notebook_cells(source, markdown):
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cells.append(nbformat.v4.new_code_cell(text.rstrip("\n")))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def on_page_content(html, page, config, files, **kwargs):
    entry = _notebooks.get(page.file.src_uri)
    if entry is not None:  # the title is known once the Markdown is rendered
        entry["title"] = page.title
        entry["url"] = page.canonical_url or page.url
    return html


def on_post_build(config, **kwargs):
    import jupytext
    import nbformat

    site = Path(config["site_dir"])
    for entry in _notebooks.values():
        nb = build_notebook(
            entry["source"],
            entry["markdown"],
            entry["title"],
            entry["url"],
            config.get("repo_url"),
        )
        nbformat.validate(nb)
        out = site / entry["target"]
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out.with_suffix(".ipynb"))
        out.with_suffix(".py").write_text(
            jupytext.writes(nb, fmt="py:percent"), encoding="utf-8"
        )
