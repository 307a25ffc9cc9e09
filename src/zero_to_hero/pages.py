"""Helpers the site's executed code blocks use to show figures, tables and results.

Figures are embedded as inline SVG inside `<figure class="z2h-figure">`, so they scale
with the page, their text stays searchable, and the documentation tests can count them.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "figure",
    "svg_of",
    "markdown_table",
    "load_results",
    "all_results",
    "metrics_table",
    "provenance_line",
    "metrics_chart",
    "RESULTS_DIR",
    "ClaimError",
    "claim",
    "loss_table",
    "loss_units",
]

#: Where the benchmarks write the result files that pages render (committed to the
#: repo).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


def svg_of(obj: Any, salt: str = "") -> str:
    """The `<svg>` markup of a matplotlib figure or a graphviz graph.

    `salt` makes matplotlib's internal element ids unique when several figures share a
    page.
    """
    if hasattr(obj, "pipe"):  # graphviz.Digraph / graphviz.Graph
        svg = obj.pipe(format="svg").decode("utf-8")
    elif hasattr(obj, "savefig"):  # matplotlib.figure.Figure
        import matplotlib
        import matplotlib.pyplot as plt

        buf = io.StringIO()
        with matplotlib.rc_context(
            {"svg.hashsalt": salt or "z2h", "svg.fonttype": "none"}
        ):
            obj.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(obj)
        svg = buf.getvalue()
    else:
        raise TypeError(
            "expected a matplotlib Figure or a graphviz graph, got "
            f"{type(obj).__name__}"
        )
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("the renderer produced no <svg> element")
    return svg[start:]


def figure(obj: Any, caption: str, width: str | None = None) -> str:
    """`obj` as an inline-SVG `<figure>` with a caption; print it from an `html="1"`
    block.

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
    # Graphviz prefixes ids with "node"/"edge" and numbers them per graph: prefix them
    # so two graphs on one page never share an id.
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
            raise ValueError(
                f"row {row!r} has {len(row)} cells, expected {len(headers)}"
            )
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def load_results(name: str) -> dict[str, Any]:
    """Load `benchmarks/results/<name>.json`, the figures a benchmark run recorded."""
    path = RESULTS_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {path}: run `make bench` (or the benchmark for "
            f"{name!r})"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def all_results() -> dict[str, dict[str, Any]]:
    """Every results file, by benchmark name, in name order."""
    return {
        path.stem: load_results(path.stem)
        for path in sorted(RESULTS_DIR.glob("*.json"))
    }


def _number(value: Any, unit: str = "") -> str:
    """A number exactly as the results file holds it (the results page's test relies on
    it)."""
    if value is None:
        return "—"
    return f"{value} {unit}".strip() if unit not in ("×", "%") else f"{value}{unit}"


def metrics_table(results: dict[str, Any]) -> str:
    """The headline metrics of one results file: value, reference, goal, and whether it
    is met."""
    rows = []
    for m in results["metrics"]:
        reference = _number(m["reference"], m["unit"])
        if m["reference_label"]:
            reference = (
                f"{reference} ({m['reference_label']})"
                if m["reference"] is not None
                else m["reference_label"]
            )
        met = {True: "**met**", False: "**not met**", None: ""}[m["met"]]
        rows.append(
            (
                m["label"],
                f"**{_number(m['value'], m['unit'])}**",
                reference,
                m["goal"] or "—",
                met,
            )
        )
    return markdown_table(["metric", "measured", "reference", "goal", ""], rows)


def provenance_line(results: dict[str, Any]) -> str:
    """Where, when and with what a results file was measured, as one line of
    Markdown."""
    p = results["provenance"]
    return (
        f"Measured {p['date']} at commit `{p['commit']}` on {p['machine']}: Python "
        f"{p['python']}, torch {p['torch']}, numpy {p['numpy']}, {p['threads']} "
        f"thread(s), load average {p['load_before']} → {p['load_after']}."
    )


def metrics_chart(results: dict[str, Any]) -> Any:
    """One line per metric that has a numeric reference: measured ÷ reference (log
    scale).

    1 means "the same as the reference"; the goal column of the table says which side is
    better for each metric. Returns a matplotlib Figure, or None when no metric has a
    numeric reference.
    """
    pairs = [
        m
        for m in results["metrics"]
        if isinstance(m["reference"], (int, float)) and m["reference"] and m["value"]
    ]
    if not pairs:
        return None
    import matplotlib.pyplot as plt

    ratios = [m["value"] / m["reference"] for m in pairs]
    labels = [textwrap.shorten(m["label"], 60, placeholder="…") for m in pairs]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(pairs) + 0.9))
    rows = range(len(pairs))
    # from "as the reference" out
    ax.hlines(rows, 1.0, ratios, color="#3f51b5", linewidth=2)
    ax.plot(ratios, rows, "o", color="#3f51b5")
    ax.axvline(1.0, color="#ff5722", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlim(min([*ratios, 1.0]) / 1.6, max([*ratios, 1.0]) * 1.6)
    ax.set_yticks(range(len(pairs)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("measured ÷ reference (log scale; the line is 1)")
    ax.grid(axis="x", alpha=0.3, which="both")
    fig.tight_layout()
    return fig


class ClaimError(AssertionError):
    """A sentence of a page that the build's own numbers no longer support."""


def claim(condition: bool, text: str) -> None:
    """Check a sentence of the page against the numbers the build computed: if
    `condition` is false, fail the (strict) build, quoting the sentence.

    Example:
        >>> claim(0.1 + 0.2 != 0.3, "0.1 + 0.2 is not exactly 0.3 in floating point")
    """
    if not condition:
        raise ClaimError(f"the page says {text!r}, but this build's numbers disagree")


def loss_units(loss: float, per: str = "character", digits: int = 4) -> str:
    """A loss in nats, then the same number as a perplexity (`e**loss`: as unsure as a
    uniform pick among that many symbols) and in bits per `per` (`loss / ln 2`):
    `loss_units(2.0153)` is `"2.0153 nats · perplexity 7.50 · 2.91 bits per
    character"`."""
    if not math.isfinite(loss) or loss < 0:
        raise ValueError(f"a cross-entropy loss is a finite number >= 0, got {loss!r}")
    return (
        f"{loss:.{digits}f} nats · perplexity {math.exp(loss):.2f} · "
        f"{loss / math.log(2):.2f} bits per {per}"
    )


def loss_table(
    vocab_size: int, rows: Iterable[tuple[str, float]], per: str = "token"
) -> str:
    """A Markdown table that reads a loss three ways: nats per token, perplexity
    (`e**loss`: as unsure as a uniform pick among that many tokens) and bits per token
    (`loss / ln 2`), starting with the loss of a uniform guess over the vocabulary,
    `-ln(1/V) = ln V`, where every model's training starts if it is initialised well."""
    uniform = ("a uniform guess, -ln(1/V)", math.log(vocab_size))
    return markdown_table(
        ["", "loss (nats)", "perplexity", f"bits per {per}"],
        [
            (name, f"{loss:.4f}", f"{math.exp(loss):.2f}", f"{loss / math.log(2):.3f}")
            for name, loss in [uniform, *rows]
        ],
    )
