"""micrograd as a lecturer writes it on the board: the simplest correct version.

`Value` here is the lecture-shaped sibling of the package's `Value`
([`zero_to_hero.micrograd.engine`][zero_to_hero.micrograd.engine]): the same operations
with the same local derivatives, and a backward pass that visits the nodes in the same
order, so both give bit-identical values and gradients (the test suite checks it). The
package's version adds what a library needs and a lecture does not: input checks with
clear error messages, a faster way to build nodes, `__slots__`, and an iterative
topological sort for graphs of any depth. `Neuron`, `Layer` and `MLP` are the same
story for [`zero_to_hero.micrograd.nn`][zero_to_hero.micrograd.nn].

Standard library only, like the rest of micrograd.
"""

import math
import random
from collections.abc import Sequence

__all__ = [
    "Value",
    "topological_order",
    "weighted_sum",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
]


class Value:
    """A number that remembers how it was computed, so gradients can flow back."""

    def __init__(
        self,
        data: float,
        children: tuple["Value", ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        self.data = data
        self.grad = 0.0  # d(output)/d(self), filled in by backward()
        self.children = children  # the Values this one was computed from
        self.local_grads = local_grads  # d(self)/d(child), one per child
        self.op = op  # the operation that made it ("" for a leaf)
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # Each operation computes its result and, side by side, the local derivative of the
    # result with respect to each input. A plain number becomes a constant Value.
    def __add__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        # d(a + b)/da = 1, d(a + b)/db = 1
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        # d(a * b)/da = b, d(a * b)/db = a
        local_grads = (other.data, self.data)
        return Value(self.data * other.data, (self, other), local_grads, "*")

    def __sub__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        # d(a - b)/da = 1, d(a - b)/db = -1
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other: "Value | float") -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        # d(a / b)/da = 1/b, d(a / b)/db = -a/b²
        inv = 1.0 / other.data
        local_grads = (inv, -self.data * inv * inv)
        return Value(self.data / other.data, (self, other), local_grads, "/")

    def __neg__(self) -> "Value":
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __pow__(self, p: float) -> "Value":
        # d(x**p)/dx = p * x**(p - 1) for a plain number p; x**0 = 1 is flat, even at 0
        local = p * self.data ** (p - 1) if p != 0 else 0.0
        return Value(self.data**p, (self,), (local,), f"**{p!r}")

    # Python calls these when the left operand is a plain number: 2 * x, 1 - x.
    def __radd__(self, other: float) -> "Value":
        return self + other

    def __rmul__(self, other: float) -> "Value":
        return self * other

    def __rsub__(self, other: float) -> "Value":
        return Value(other) - self

    def __rtruediv__(self, other: float) -> "Value":
        return Value(other) / self

    def exp(self) -> "Value":
        """e**x."""
        out = math.exp(self.data)
        return Value(out, (self,), (out,), "exp")  # d(e**x)/dx = e**x

    def log(self) -> "Value":
        """Natural logarithm (x > 0)."""
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> "Value":
        """Hyperbolic tangent."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> "Value":
        """1 / (1 + e**-x)."""
        x = self.data
        # 1 / (1 + e**-x), written so that e**(large) is never computed
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> "Value":
        """max(0, x), with slope 0 at x = 0."""
        x = self.data
        return Value(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "relu")

    def backward(self) -> None:
        """Add d(self)/d(leaf) to the `grad` of every leaf `self` depends on."""
        order = topological_order(self)
        for node in order:
            if node.children:  # gradients of intermediate nodes are recomputed...
                node.grad = 0.0
        self.grad += 1.0  # ...those of leaves accumulate
        # Reverse topological order: a node's grad is complete before it is passed on.
        for node in reversed(order):
            for child, local in zip(node.children, node.local_grads):
                child.grad += local * node.grad  # +=: a child may feed several nodes


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each after all of its children."""
    order: list[Value] = []
    visited: set[Value] = set()

    def visit(node: Value) -> None:
        if node not in visited:
            visited.add(node)
            # Last child first, as the package's iterative sort does: the backward pass
            # then sums each gradient in the same order, to the same last bit.
            for child in reversed(node.children):
                visit(child)
            order.append(node)

    visit(root)
    return order


def weighted_sum(
    weights: Sequence[Value], inputs: Sequence[Value | float], bias: Value
) -> Value:
    """`bias + w[0]*x[0] + w[1]*x[1] + ...` as one node with many children."""
    total, children, local_grads = bias.data, [bias], [1.0]
    for w, x in zip(weights, inputs):
        if isinstance(x, Value):
            total += w.data * x.data
            children += [w, x]
            local_grads += [x.data, w.data]  # d/dw = x, d/dx = w
        else:  # a plain number is a constant: no node, no gradient
            total += w.data * x
            children.append(w)
            local_grads.append(x)
    return Value(total, tuple(children), tuple(local_grads), "Σw·x+b")


class Module:
    """Something with trainable parameters."""

    def parameters(self) -> list[Value]:
        """Every trainable `Value`, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """`relu(w · x + b)` (or `w · x + b` if not `nonlin`), `w` drawn from U(-1, 1)."""

    def __init__(
        self, nin: int, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        act = weighted_sum(self.w, x, self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer(Module):
    """`nout` neurons that all read the same inputs."""

    def __init__(
        self, nin: int, nout: int, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    """Layers in sequence, ReLU in all but the last; one output comes back alone."""

    def __init__(
        self, nin: int, nouts: Sequence[int], rng: random.Random | None = None
    ) -> None:
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], i != len(nouts) - 1, rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]
