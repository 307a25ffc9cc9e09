"""Draw a computation graph with Graphviz: one box per `Value`, one oval per
operation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zero_to_hero.micrograd.engine import Value, topological_order

if TYPE_CHECKING:  # graphviz is imported only when a graph is drawn (see draw_dot)
    import graphviz

__all__ = ["draw_dot"]

RANKDIRS = ("LR", "RL", "TB", "BT")


def _record_text(text: str) -> str:
    """Escape the characters that structure a Graphviz record label."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def draw_dot(root: Value, rankdir: str = "LR", precision: int = 4) -> graphviz.Digraph:
    """Build a `graphviz.Digraph` of everything `root` depends on.

    Each value is a box showing its label (if any), `data` and `grad`; each operation is
    an oval between its inputs and its output. Nodes are numbered in topological order,
    so the same expression always gives the same drawing.

    Args:
        root: The output node.
        rankdir: Direction of the arrows: "LR" (left to right, good for small graphs),
            "TB" (top to bottom, fits a narrow page), "RL" or "BT".
        precision: Digits after the decimal point for data and grad.

    Returns:
        The graph; in Jupyter it displays itself, elsewhere call `.pipe(format="svg")`.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}"
        )
    # optional at import time: the engine itself needs only the standard library
    import graphviz

    dot = graphviz.Digraph(
        graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica"}
    )
    ids = {node: f"n{i}" for i, node in enumerate(topological_order(root))}
    for node, nid in ids.items():
        fields = [f"data {node.data:.{precision}f}", f"grad {node.grad:.{precision}f}"]
        if node.label:
            fields.insert(0, node.label)
        record = " | ".join(map(_record_text, fields))
        if rankdir in ("LR", "RL"):  # braces turn the record's fields sideways: one row
            record = "{ " + record + " }"
        dot.node(nid, record, shape="record")
        if node.op:
            dot.node(nid + "op", node.op, shape="ellipse")
            dot.edge(nid + "op", nid)
            for child in node.children:
                dot.edge(ids[child], nid + "op")
    return dot
