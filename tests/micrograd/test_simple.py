"""The lecture-shaped micrograd (`simple.py`) against the package's optimized one: the
same values and gradients to the last bit, on random expression graphs and in training;
and every operation of the simple `Value` against PyTorch and finite differences."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.micrograd.test_engine import BINARY, UNARY, t64
from zero_to_hero.micrograd import engine, nn, simple
from zero_to_hero.micrograd.demo import max_margin_loss

# Operations as (name, function of the operand(s), may it be applied to these data?).
# The conditions keep every value finite and small, and stay inside the domain where the
# simple Value is defined without the package's checks (log of a positive number, no
# division by zero, a root of a positive number).
UNARY_OPS = {
    "neg": (lambda a: -a, lambda x: True),
    "exp": (lambda a: a.exp(), lambda x: x < 5),
    "log": (lambda a: a.log(), lambda x: x > 0.01),
    "tanh": (lambda a: a.tanh(), lambda x: True),
    "sigmoid": (lambda a: a.sigmoid(), lambda x: True),
    "relu": (lambda a: a.relu(), lambda x: True),
    "pow2": (lambda a: a**2, lambda x: True),
    "pow3": (lambda a: a**3, lambda x: True),
    "pow-1": (lambda a: a**-1, lambda x: abs(x) > 0.1),
    "pow0.5": (lambda a: a**0.5, lambda x: x > 0.01),
    "pow-1.5": (lambda a: a**-1.5, lambda x: x > 0.1),
    "pow0": (lambda a: a**0, lambda x: x != 0),
    "radd": (lambda a: 1.25 + a, lambda x: True),
    "rsub": (lambda a: 2.0 - a, lambda x: True),
    "rmul": (lambda a: -0.75 * a, lambda x: True),
    "rdiv": (lambda a: 3.0 / a, lambda x: abs(x) > 0.1),
    "addc": (lambda a: a + 0.5, lambda x: True),
    "subc": (lambda a: a - 1.5, lambda x: True),
    "mulc": (lambda a: a * 1.75, lambda x: True),
    "divc": (lambda a: a / 7.0, lambda x: True),
}
BINARY_OPS = {
    "add": (lambda a, b: a + b, lambda x, y: True),
    "sub": (lambda a, b: a - b, lambda x, y: True),
    "mul": (lambda a, b: a * b, lambda x, y: True),
    "div": (lambda a, b: a / b, lambda x, y: abs(y) > 0.1),
}


@st.composite
def recipes(draw):
    """Leaves, then steps (op, i, j): apply op to earlier nodes i and j (mod the pool
    size), so nodes are reused, diamonds form and gradients accumulate."""
    leaves = draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=4))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*UNARY_OPS, *BINARY_OPS]),
                st.integers(0, 10**6),
                st.integers(0, 10**6),
            ),
            min_size=1,
            max_size=20,
        )
    )
    n_joined = draw(st.integers(1, 5))
    return leaves, steps, n_joined


def build(value_class, leaves, steps, n_joined):
    """Every node of the graph the recipe describes, the root last. A step whose
    operand is outside its op's domain, or whose result is large, is left out (it is
    decided on the data, so both engines leave out the same steps)."""
    pool = [value_class(x) for x in leaves]
    for op, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if op in UNARY_OPS:
            f, ok = UNARY_OPS[op]
            out = f(a) if ok(a.data) else None
        else:
            f, ok = BINARY_OPS[op]
            out = f(a, b) if ok(a.data, b.data) else None
        if out is not None and abs(out.data) < 1e3:
            pool.append(out)
    # the root sums the last few nodes: several outputs share the graph below them
    root = pool[-1]
    for node in pool[-n_joined - 1 : -1]:
        root = root + node
    return [*pool, root]


def twins(fast_root, lecture_root):
    """{package node: simple node}, walking both graphs side by side; fails unless
    they are the same graph: node for node the same op, data, local derivatives and
    children (the constants that `2 * x` creates included)."""
    twin, stack = {}, [(fast_root, lecture_root)]
    while stack:
        f, s = stack.pop()
        if f in twin:
            assert twin[f] is s
            continue
        twin[f] = s
        assert (f.op, f.data, f.local_grads) == (s.op, s.data, s.local_grads)
        assert len(f.children) == len(s.children)
        stack.extend(zip(f.children, s.children))
    return twin


# The two backward passes must visit the nodes in the same order: a node's gradient is a
# sum with one term per use, and float addition is not associative, so the order of the
# terms can change the last bit (test_the_order_of_the_walk_can_change_the_last_bit).
# Leaves pass nothing on, so only the order of the non-leaf nodes matters. The package
# sorts with an explicit stack and expands a node's non-leaf children last to first; the
# simple recursive sort visits children last to first too, which gives the same order
# of non-leaf nodes (checked below). The leaves, which the stack version places as soon
# as their first parent is expanded, may sit elsewhere in the list: that is harmless.
@settings(max_examples=300)
@given(recipes())
def test_random_graphs_give_bit_identical_values_and_gradients(recipe):
    fast = build(engine.Value, *recipe)
    lecture = build(simple.Value, *recipe)
    assert len(fast) == len(lecture)
    twin = twins(fast[-1], lecture[-1])
    assert [twin.get(f, s) for f, s in zip(fast, lecture)] == lecture
    fast_order = engine.topological_order(fast[-1])
    lecture_order = simple.topological_order(lecture[-1])
    assert len(fast_order) == len(lecture_order) == len(twin)
    assert {twin[f] for f in fast_order} == set(lecture_order) == set(twin.values())
    non_leaf = [twin[f] for f in fast_order if f.children]
    assert non_leaf == [s for s in lecture_order if s.children]

    for _ in range(2):  # a second backward: leaves accumulate, the rest is recomputed
        fast[-1].backward()
        lecture[-1].backward()
        assume(all(math.isfinite(f.grad) for f in fast_order))
        assert [f.grad for f in fast_order] == [twin[f].grad for f in fast_order]


def test_the_order_of_the_walk_can_change_the_last_bit():
    """Why the orders must agree: `c` is used by three products, so its gradient is a
    sum of three terms, and summing them in another order gives another float."""

    def graph(value_class):
        c = value_class(1.0)
        products = [c * w for w in (0.1, 0.2, 0.3)]
        return c, products[0] + (products[1] + products[2])

    def first_child_first(root):
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)

        visit(root)
        return order

    c_fast, root_fast = graph(engine.Value)
    c_simple, root_simple = graph(simple.Value)
    root_fast.backward()
    root_simple.backward()
    assert c_fast.grad == c_simple.grad == (0.1 + 0.2) + 0.3

    c_other, root_other = graph(simple.Value)
    root_other.grad = 1.0
    for node in reversed(first_child_first(root_other)):
        for child, local in zip(node.children, node.local_grads):
            child.grad += local * node.grad
    assert c_other.grad == (0.3 + 0.2) + 0.1 != c_fast.grad


@pytest.mark.parametrize("seed", [0, 1337])
def test_training_an_mlp_is_bit_identical(seed):
    data = random.Random(seed)
    X = [[data.uniform(-2, 2), data.uniform(-2, 2)] for _ in range(20)]
    y = [1 if x0 * x1 > 0 else -1 for x0, x1 in X]
    fast = nn.MLP(2, [8, 8, 1], rng=random.Random(seed))
    lecture = simple.MLP(2, [8, 8, 1], rng=random.Random(seed))
    assert len(fast.parameters()) == len(lecture.parameters()) == 24 + 72 + 9
    fast_sgd = nn.SGD(fast.parameters(), lr=0.5)
    lecture_sgd = nn.SGD(lecture.parameters(), lr=0.5)
    for _ in range(4):
        fast_loss, fast_acc = max_margin_loss(fast, X, y)
        lecture_loss, lecture_acc = max_margin_loss(lecture, X, y)
        assert (fast_loss.data, fast_acc) == (lecture_loss.data, lecture_acc)
        fast.zero_grad()
        lecture.zero_grad()
        fast_loss.backward()
        lecture_loss.backward()
        assert [p.grad for p in fast.parameters()] == [
            p.grad for p in lecture.parameters()
        ]
        assert any(p.grad != 0 for p in lecture.parameters())
        fast_sgd.step()
        lecture_sgd.step()
    assert [p.data for p in fast.parameters()] == [p.data for p in lecture.parameters()]


def test_mlp_shapes_and_outputs():
    model = simple.MLP(3, [4, 2], rng=random.Random(0))
    out = model([1.0, -2.0, 0.5])
    assert isinstance(out, list) and len(out) == 2
    assert len(model.layers[0].neurons) == 4
    assert len(model.parameters()) == 4 * 4 + 2 * 5
    assert all(n.nonlin for n in model.layers[0].neurons)
    assert not any(n.nonlin for n in model.layers[1].neurons)
    single = simple.MLP(2, [1], rng=random.Random(0))([0.5, 0.5])
    assert isinstance(single, simple.Value)


@given(
    st.lists(
        st.tuples(st.floats(-3, 3), st.floats(-3, 3), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    st.floats(-3, 3),
)
def test_weighted_sum_matches_the_package_and_the_chain(terms, bias):
    """One node for `b + w·x`, bit-identical to the package's and to the chain of `*`
    and `+`; an input that is a plain number is a constant with no node."""
    results = []
    for module in (engine, simple):
        w = [module.Value(wi) for wi, _, _ in terms]
        x = [module.Value(xi) if node else xi for _, xi, node in terms]
        b = module.Value(bias)
        leaves = [*w, *(xi for xi in x if isinstance(xi, module.Value)), b]
        fused = module.weighted_sum(w, x, b)
        fused.backward()
        results.append((fused.data, len(fused.children), [v.grad for v in leaves]))
        for v in leaves:
            v.grad = 0.0
        chained = b
        for wi, xi in zip(w, x):
            chained = chained + wi * xi
        chained.backward()
        assert (chained.data, [v.grad for v in leaves]) == (fused.data, results[-1][2])
    assert results[0] == results[1]
    assert results[1][1] == 1 + len(terms) + sum(node for _, _, node in terms)


# --- each operation of the simple Value: PyTorch (float64) and finite differences ----


@pytest.mark.parametrize(
    "name,x",
    [(n, x) for n, (_, _, xs) in UNARY.items() for x in xs],
    ids=lambda v: str(v),
)
def test_unary_op_matches_torch_and_finite_differences(name, x):
    ours, theirs, _ = UNARY[name]
    a = simple.Value(x)
    out = ours(a)
    out.backward()
    ta = t64(x)
    theirs(ta).backward()
    assert out.data == pytest.approx(theirs(t64(x)).item(), rel=1e-12, abs=1e-15)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12, abs=1e-15)
    h = 1e-6
    numeric = (ours(simple.Value(x + h)).data - ours(simple.Value(x - h)).data) / (
        2 * h
    )
    assert a.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize(
    "name,xy",
    [(n, xy) for n, (_, xys) in BINARY.items() for xy in xys],
    ids=lambda v: str(v),
)
def test_binary_op_matches_torch_and_finite_differences(name, xy):
    op, _ = BINARY[name]
    a, b = simple.Value(xy[0]), simple.Value(xy[1])
    out = op(a, b)
    out.backward()
    ta, tb = t64(xy[0]), t64(xy[1])
    tout = op(ta, tb)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx(
        (ta.grad.item(), tb.grad.item()), rel=1e-12
    )
    h = 1e-6
    for i, v in enumerate((a, b)):
        up, down = list(xy), list(xy)
        up[i] += h
        down[i] -= h
        up_out = op(*map(simple.Value, up)).data
        numeric = (up_out - op(*map(simple.Value, down)).data) / (2 * h)
        assert v.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_relu_kink_power_zero_and_stable_sigmoid():
    for x, slope in [(-1.0, 0.0), (0.0, 0.0), (2.0, 1.0)]:
        a = simple.Value(x)
        a.relu().backward()
        assert a.grad == slope
    zero = simple.Value(0.0)
    (zero**0).backward()
    assert zero.grad == 0.0
    assert simple.Value(-1000.0).sigmoid().data == 0.0
    assert simple.Value(1000.0).sigmoid().data == 1.0
    assert simple.Value(1000.0).tanh().data == 1.0


def test_repr_and_reuse_match_the_package():
    reprs = []
    for module in (engine, simple):
        a = module.Value(3.0)
        b = a * a + a  # a is used three times: d(a² + a)/da = 2a + 1
        b.backward()
        assert a.grad == 7.0
        reprs.append(repr(b))
    assert reprs == ["Value(data=12.0, grad=1.0)"] * 2
