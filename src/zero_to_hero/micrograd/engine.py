"""A scalar reverse-mode automatic differentiation engine.

Every arithmetic operation on a [`Value`][zero_to_hero.micrograd.engine.Value] returns a
new `Value` that remembers its inputs (its *children*) and the local derivative of the
output with respect to each input.
[`Value.backward`][zero_to_hero.micrograd.engine.Value.backward] then walks the graph
from the output back to the inputs and applies the chain rule.

The module imports only the standard library, so it runs anywhere Python runs (Pyodide
included).

Design notes, each answering a question a reader of the original lecture code tends to
ask:

* Local derivatives are computed in the forward pass and stored as numbers, not as
  closures. A closure that refers back to its own `Value` makes a reference cycle per
  node, and Python's cyclic garbage collector then spends most of a training step
  scanning them.
* The topological sort is iterative, so a graph of any depth back-propagates without
  hitting Python's recursion limit.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

__all__ = ["Value", "weighted_sum", "topological_order"]


def _check_number(x: object, what: str) -> float:
    """Return `x` as a float, or raise a `TypeError` that says what was expected."""
    # Exactly float: a subclass such as numpy.float64 would keep numpy's arithmetic,
    # whose overflow only warns.
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} must be a real number (int or float), got {type(x).__name__} {x!r}"
        )
    return float(x)


class Value:
    """A scalar that records how it was computed, so gradients can flow back through it.

    Attributes:
        data: The number this node holds.
        grad: d(output)/d(this node), filled in by `backward()` on some output. Starts
            at 0.
        label: An optional name, shown by `draw_dot`.

    Example:
        >>> a = Value(2.0, label="a")
        >>> b = Value(-3.0, label="b")
        >>> c = a * b + a
        >>> c.backward()
        >>> c.data, a.grad, b.grad
        (-4.0, -2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_children", "_local_grads", "_op")
    # Make numpy hand `np.float64(2) * Value(3)` to `Value.__rmul__` instead of
    # wrapping the Value in an object array.
    __array_ufunc__ = None

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _check_number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._children: tuple[Value, ...] = ()
        self._local_grads: tuple[float, ...] = ()
        self._op = ""

    @classmethod
    def _result(
        cls,
        data: float,
        children: tuple[Value, ...],
        local_grads: tuple[float, ...],
        op: str,
    ) -> Value:
        """Build the output of an operation; skips `__init__`'s checks on the hot
        path."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out._children = children
        out._local_grads = local_grads
        out._op = op
        return out

    @classmethod
    def from_op(
        cls,
        data: float,
        children: Sequence[Value],
        local_grads: Sequence[float],
        op: str,
    ) -> Value:
        """Make the output of a new operation: all `backward()` needs is its local
        derivatives.

        Args:
            data: The operation's result.
            children: The `Value`s it was computed from.
            local_grads: d(result)/d(child) for each child, at these inputs.
            op: A short name, shown by `draw_dot`.

        Example:
            >>> x = Value(3.0)
            >>> cube = Value.from_op(x.data**3, [x], [3 * x.data**2], "cube")
            >>> cube.backward()
            >>> cube.data, x.grad
            (27.0, 27.0)
        """
        children = tuple(children)
        if not all(isinstance(c, Value) for c in children):
            raise TypeError("children must all be Values")
        grads = tuple(_check_number(g, "a local gradient") for g in local_grads)
        if len(grads) != len(children):
            raise ValueError(
                f"got {len(children)} children but {len(grads)} local gradients"
            )
        return cls._result(_check_number(data, "the result"), children, grads, op)

    @staticmethod
    def _lift(other: object) -> Value | None:
        """A number becomes a constant leaf; anything else that isn't a Value gives
        None."""
        if isinstance(other, Value):
            return other
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return Value(other)
        return None

    @property
    def children(self) -> tuple[Value, ...]:
        """The inputs of the operation that produced this node (empty for a leaf)."""
        return self._children

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(child) for each child, computed when the node was made."""
        return self._local_grads

    @property
    def op(self) -> str:
        """The name of the operation that produced this node ("" for a leaf)."""
        return self._op

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __add__(self, other: Value | float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        # d(a + b)/da = 1 and d(a + b)/db = 1
        return Value._result(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        # d(a * b)/da = b and d(a * b)/db = a
        return Value._result(
            self.data * other.data, (self, other), (other.data, self.data), "*"
        )

    def __sub__(self, other: Value | float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        return Value._result(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other: Value | float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self.data!r} / {other.data!r}")
        # d(a / b)/da = 1/b and d(a / b)/db = -a/b**2
        inv = 1.0 / other.data
        return Value._result(
            self.data / other.data, (self, other), (inv, -self.data * inv * inv), "/"
        )

    def __neg__(self) -> Value:
        return Value._result(-self.data, (self,), (-1.0,), "neg")

    def __pow__(self, exponent: float) -> Value:
        if isinstance(exponent, Value):
            raise TypeError(
                "Value ** Value is not supported: the exponent must be an int or float "
                "(use (b * a.log()).exp() for a**b with a Value exponent and a > 0)"
            )
        p = _check_number(exponent, "the exponent of **")
        x = self.data
        if x == 0.0 and p < 0:
            raise ZeroDivisionError(f"0.0 cannot be raised to the negative power {p!r}")
        if x < 0 and not p.is_integer():
            raise ValueError(
                f"{x!r} ** {p!r} is not a real number: a negative base needs an "
                "integer exponent"
            )
        try:
            out = x**p
            # d(x**p)/dx = p * x**(p-1); at x = 0 with 0 < p < 1 the slope is infinite.
            if p == 0.0:
                local = 0.0
            elif x == 0.0 and p < 1:
                local = math.inf
            else:
                local = p * x ** (p - 1)
        except OverflowError:
            raise OverflowError(f"{x!r} ** {p!r} is too large for a float") from None
        return Value._result(out, (self,), (local,), f"**{exponent!r}")

    def __rpow__(self, base: object) -> Value:
        raise TypeError(
            f"{type(base).__name__} ** Value is not supported: only Value ** number is "
            "(write (Value(base).log() * exponent).exp() for a positive base)"
        )

    # Python tries the reflected method when the left operand is a plain number: 2 * x,
    # 1 - x.
    def __radd__(self, other: float) -> Value:
        return self.__add__(other)

    def __rmul__(self, other: float) -> Value:
        return self.__mul__(other)

    def __rsub__(self, other: float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        return other - self

    def __rtruediv__(self, other: float) -> Value:
        other = self._lift(other)
        if other is None:
            return NotImplemented
        return other / self

    def exp(self) -> Value:
        """e**x. Raises `OverflowError` above x ≈ 709.78, where the result exceeds a
        float."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float (the limit is about "
                "exp(709.78))"
            ) from None
        return Value._result(out, (self,), (out,), "exp")  # d(e**x)/dx = e**x

    def log(self) -> Value:
        """Natural logarithm; defined for x > 0 only."""
        if self.data <= 0.0:
            raise ValueError(
                f"log is defined for positive numbers only, got {self.data!r}"
            )
        return Value._result(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        """Hyperbolic tangent. `math.tanh` saturates to ±1 instead of overflowing."""
        t = math.tanh(self.data)
        return Value._result(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed so that neither branch can overflow."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)  # x < 0, so e is in (0, 1): no overflow
            s = e / (1.0 + e)
        return Value._result(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, x). The slope at exactly 0 is taken as 0, and nan stays nan, as in
        PyTorch."""
        x = self.data
        return Value._result(
            0.0 if x <= 0 else x, (self,), (1.0 if x > 0 else 0.0,), "relu"
        )

    def backward(self, grad: float = 1.0) -> None:
        """Back-propagate from this node: add d(self)/d(leaf) * `grad` to every leaf's
        `grad`.

        What repeated calls do, exactly:

        * Leaves (nodes you created with `Value(...)`, such as parameters)
          **accumulate**: each call adds its gradient to `leaf.grad`. Calling
          `backward()` twice on the same output therefore doubles every leaf gradient.
          (PyTorch accumulates too, but refuses a second pass through the same graph
          unless the first used `retain_graph=True`.) Reset them with
          `Module.zero_grad()` (or `leaf.grad = 0.0`) before the next step.
        * Intermediate nodes are **recomputed**: each call first sets their `grad` to 0,
          so after a call they hold this call's gradient (handy for `draw_dot`), never a
          sum.

        Args:
            grad: The gradient of the final objective with respect to this node. 1.0
                means "this node is the objective".
        """
        grad = _check_number(grad, "the gradient passed to backward()")
        order = topological_order(self)
        for node in order:
            if node._children:
                node.grad = 0.0
        self.grad += grad
        # Reverse topological order: a node's grad is complete (every path from the
        # output has contributed) before it is passed on to its children.
        for node in reversed(order):
            g = node.grad
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * g  # += because a node can feed several others


def weighted_sum(
    weights: Sequence[Value], inputs: Sequence[Value | float], bias: Value | float = 0.0
) -> Value:
    """`bias + w[0]*x[0] + w[1]*x[1] + ...` as a single node with many children.

    The result, and every gradient, is bit-for-bit what the chain of `*` and `+` nodes
    gives (the additions happen in the same order), but the graph has one node instead
    of 2n, so building it and back-propagating through it is several times faster. How
    coarse an operation may be is our choice: all backward needs is each input's local
    derivative, here d/dw[i] = x[i] and d/dx[i] = w[i]. Inputs that are plain numbers
    are constants: they get no node and no gradient.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"got {len(weights)} weights but {len(inputs)} inputs")
    bias = Value._lift(bias)
    if bias is None:
        raise TypeError("bias must be a Value or a number")
    total = bias.data
    children: list[Value] = [bias]
    local_grads: list[float] = [1.0]
    for w, x in zip(weights, inputs):
        if not isinstance(w, Value):
            raise TypeError(f"weights must be Values, got {type(w).__name__}")
        if isinstance(x, Value):
            children += (w, x)
            local_grads += (x.data, w.data)
            total += w.data * x.data
        else:
            x = _check_number(x, "an input of weighted_sum")
            children.append(w)
            local_grads.append(x)
            total += w.data * x
    return Value._result(total, tuple(children), tuple(local_grads), "Σw·x+b")


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each listed after all of its children.

    A depth-first search with an explicit stack instead of recursion, so a chain of a
    million operations needs no deeper Python call stack than a chain of three.
    """
    order: list[Value] = []
    placed: set[Value] = set()  # already in `order`
    expanded: set[Value] = set()  # its children have been pushed
    stack = [root]
    while stack:
        node = stack[-1]
        if node in expanded:
            # Everything pushed after `node` was expanded is its descendant and has been
            # popped, so all of its children are placed: now it can be placed too.
            stack.pop()
            if node not in placed:  # a node reached along two paths is pushed twice
                placed.add(node)
                order.append(node)
            continue
        expanded.add(node)
        for child in node._children:
            if child._children:
                if child not in expanded:
                    stack.append(child)
            elif child not in placed:  # a leaf waits for nothing: place it at once
                placed.add(child)
                order.append(child)
    return order
