"""Helpers the site's executed code blocks use to show figures, tables and results.

Figures are embedded as inline SVG inside `<figure class="z2h-figure">`, so they scale with the
page, their text stays searchable, and the documentation tests can count them.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["figure", "svg_of", "markdown_table", "load_results", "RESULTS_DIR"]

#: Where the benchmarks write the result files that pages render (committed to the repo).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


def svg_of(obj: Any, salt: str = "") -> str:
    """The `<svg>` markup of a matplotlib figure or a graphviz graph.

    `salt` makes matplotlib's internal element ids unique when several figures share a page.
    """
    if hasattr(obj, "pipe"):  # graphviz.Digraph / graphviz.Graph
        svg = obj.pipe(format="svg").decode("utf-8")
    elif hasattr(obj, "savefig"):  # matplotlib.figure.Figure
        import matplotlib
        import matplotlib.pyplot as plt

        buf = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": salt or "z2h", "svg.fonttype": "none"}):
            obj.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(obj)
        svg = buf.getvalue()
    else:
        raise TypeError(
            f"expected a matplotlib Figure or a graphviz graph, got {type(obj).__name__}"
        )
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("the renderer produced no <svg> element")
    return svg[start:]


def figure(obj: Any, caption: str, width: str | None = None) -> str:
    """`obj` as an inline-SVG `<figure>` with a caption; print it from an `html="1"` block.

    It returns the HTML rather than printing it because markdown-exec captures only the
    `print` calls made by the code block itself.

    Args:
        obj: A matplotlib Figure or a graphviz graph.
        caption: One sentence saying what to look at.
        width: Optional CSS max-width, e.g. "480px", for small graphs.
    """
    salt = hashlib.sha1(caption.encode("utf-8")).hexdigest()[:12]
    svg = svg_of(obj, salt=salt)
    style = f' style="max-width:{width}"' if width else ""
    # Graphviz prefixes ids with "node"/"edge" and numbers them per graph: prefix them so two
    # graphs on one page never share an id.
    svg = re.sub(r'id="(node|edge|graph)(\d+)"', rf'id="g{salt}-\1\2"', svg)
    return (
        f'<figure class="z2h-figure"{style}>{svg}'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table; print it from a code block to render it in the page."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(headers)}")
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def load_results(name: str) -> dict[str, Any]:
    """Load `benchmarks/results/<name>.json`, the figures a benchmark run recorded."""
    path = RESULTS_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {path}: run `make bench` (or the benchmark for {name!r})"
        )
    return json.loads(path.read_text(encoding="utf-8"))
