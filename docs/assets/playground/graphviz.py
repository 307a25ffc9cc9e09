"""A stand-in for the `graphviz` package inside the browser playground.

Pyodide has no Graphviz `dot` program, so this module only records the graph that
`zero_to_hero.micrograd.draw_dot` builds and writes it out as DOT source; the page then
lays it out with Graphviz compiled to WebAssembly (viz.js). It implements just what
`draw_dot` uses.
"""


def _quote(text):
    return '"' + str(text).replace('"', '\\"') + '"'


def _attrs(attrs):
    items = [
        f"{key}={_quote(value)}" for key, value in attrs.items() if value is not None
    ]
    return f" [{' '.join(items)}]" if items else ""


class Digraph:
    """Records nodes and edges; `.source` is the graph in the DOT language."""

    def __init__(self, graph_attr=None, node_attr=None, **kwargs):
        self.graph_attr = dict(graph_attr or {})
        self.node_attr = dict(node_attr or {})
        self.body = []

    def node(self, name, label=None, **attrs):
        self.body.append(f"\t{_quote(name)}{_attrs({'label': label, **attrs})}")

    def edge(self, tail_name, head_name, **attrs):
        self.body.append(f"\t{_quote(tail_name)} -> {_quote(head_name)}{_attrs(attrs)}")

    @property
    def source(self):
        head = ["digraph {"]
        if self.graph_attr:
            head.append(f"\tgraph{_attrs(self.graph_attr)}")
        if self.node_attr:
            head.append(f"\tnode{_attrs(self.node_attr)}")
        return "\n".join([*head, *self.body, "}"]) + "\n"
