"""draw_dot: the structure of the graph it builds, and a real SVG render."""

from __future__ import annotations

import html
import re

import pytest

from zero_to_hero.micrograd import Value, draw_dot


def expression():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a  # a is used twice
    d.label = "d"
    d.backward()
    return d


def parse(graph):
    """Node id -> label, and the list of (tail, head) edges, from the DOT source."""
    nodes = dict(
        re.findall(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"', graph.source, re.M)
    )
    edges = re.findall(r"^\s*(\w+) -> (\w+)", graph.source, re.M)
    return nodes, edges


def test_one_box_per_value_one_oval_per_operation_and_edges_through_the_op():
    nodes, edges = parse(draw_dot(expression()))
    boxes = {k: v for k, v in nodes.items() if not k.endswith("op")}
    ovals = {k: v for k, v in nodes.items() if k.endswith("op")}
    assert len(boxes) == 4 and sorted(ovals.values()) == ["*", "+"]
    by_label = {v.split("|")[0].strip("{ ").strip(): k for k, v in boxes.items()}
    a, b, c, d = (by_label[x] for x in "abcd")
    assert sorted(edges) == sorted(
        [
            (a, c + "op"),
            (b, c + "op"),
            (c + "op", c),
            (c, d + "op"),
            (a, d + "op"),
            (d + "op", d),
        ]
    )


def test_labels_show_data_and_grad():
    nodes, _ = parse(draw_dot(expression(), precision=2))
    labels = " ".join(nodes.values())
    # a: data 2, grad b + 1 = -2; b: data -3, grad a = 2
    assert "a | data 2.00 | grad -2.00" in labels
    assert "b | data -3.00 | grad 2.00" in labels


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir_is_passed_to_graphviz(rankdir):
    assert f"rankdir={rankdir}" in draw_dot(expression(), rankdir=rankdir).source


def test_bad_rankdir_is_rejected():
    with pytest.raises(
        ValueError, match="rankdir must be one of LR, RL, TB, BT, got 'XY'"
    ):
        draw_dot(expression(), rankdir="XY")


def test_record_special_characters_are_escaped():
    v = Value(1.0, label="x{1}|<y>")
    nodes, _ = parse(draw_dot(v))
    assert r"x\{1\}\|\<y\>" in next(iter(nodes.values()))


def test_renders_to_svg_with_the_labels():
    svg = draw_dot(expression(), rankdir="TB").pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count('class="node"') == 6  # 4 values + 2 operations
    assert svg.count('class="edge"') == 6
    texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert {
        "a",
        "b",
        "c",
        "d",
        "*",
        "+",
        "data 2.0000",
        "grad -2.0000",
        "data -3.0000",
    } <= texts


def test_the_same_expression_always_gives_the_same_drawing():
    assert draw_dot(expression()).source == draw_dot(expression()).source
