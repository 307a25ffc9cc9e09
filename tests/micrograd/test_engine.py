"""The scalar engine: every operation's value and gradient against PyTorch (float64) and
central finite differences, random expression graphs, reuse, depth, and every bad
input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zero_to_hero.micrograd import Value, topological_order
from zero_to_hero.micrograd.engine import weighted_sum
from zero_to_hero.reference import anchor


def t64(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


# name -> (micrograd function, torch function, inputs where the function is smooth)
UNARY = {
    "neg": (lambda a: -a, lambda a: -a, [-2.5, 0.3, 4.0]),
    "exp": (lambda a: a.exp(), torch.exp, [-3.0, 0.0, 2.5]),
    "log": (lambda a: a.log(), torch.log, [0.01, 1.0, 7.5]),
    "tanh": (lambda a: a.tanh(), torch.tanh, [-2.0, 0.1, 3.0]),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid, [-4.0, 0.0, 2.0]),
    "relu": (lambda a: a.relu(), torch.relu, [-1.5, 0.7, 3.0]),
    "pow2": (lambda a: a**2, lambda a: a**2, [-1.5, 0.5, 3.0]),
    "pow3": (lambda a: a**3, lambda a: a**3, [-1.5, 0.5, 3.0]),
    "pow-1": (lambda a: a**-1, lambda a: a**-1, [-2.0, 0.5, 3.0]),
    "pow0.5": (lambda a: a**0.5, lambda a: a**0.5, [0.25, 2.0, 9.0]),
    "pow-2.5": (lambda a: a**-2.5, lambda a: a**-2.5, [0.5, 1.0, 4.0]),
    "pow0": (lambda a: a**0, lambda a: a**0, [-2.0, 0.5, 3.0]),
    "rsub": (lambda a: 3.5 - a, lambda a: 3.5 - a, [-1.0, 2.0]),
    "rdiv": (lambda a: 2.0 / a, lambda a: 2.0 / a, [-1.5, 0.5, 4.0]),
    "radd": (lambda a: 1.25 + a, lambda a: 1.25 + a, [-1.0, 2.0]),
    "rmul": (lambda a: -2.0 * a, lambda a: -2.0 * a, [-1.0, 2.0]),
}
BINARY = {
    "add": (lambda a, b: a + b, [(-1.0, 2.0), (0.5, 0.25)]),
    "sub": (lambda a, b: a - b, [(-1.0, 2.0), (3.0, 0.25)]),
    "mul": (lambda a, b: a * b, [(-1.5, 2.0), (0.5, -0.25)]),
    "div": (lambda a, b: a / b, [(-1.5, 2.0), (0.5, -0.25), (3.0, 7.0)]),
}


@pytest.mark.parametrize(
    "name,x",
    [(n, x) for n, (_, _, xs) in UNARY.items() for x in xs],
    ids=lambda v: str(v),
)
def test_unary_op_matches_torch_and_finite_differences(name, x):
    ours, theirs, _ = UNARY[name]
    a = Value(x)
    out = ours(a)
    out.backward()
    ta = t64(x)
    tout = theirs(ta)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-15)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12, abs=1e-15)
    h = 1e-6
    numeric = (ours(Value(x + h)).data - ours(Value(x - h)).data) / (2 * h)
    assert a.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize(
    "name,xy",
    [(n, xy) for n, (_, xys) in BINARY.items() for xy in xys],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("constant", [None, "left", "right"])
def test_binary_op_matches_torch_and_finite_differences(name, xy, constant):
    op, _ = BINARY[name]
    x, y = xy
    a, b = Value(x), Value(y)
    left = x if constant == "left" else a
    right = y if constant == "right" else b
    out = op(left, right)
    out.backward()
    ta, tb = t64(x), t64(y)
    tout = op(ta, tb)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12)
    h = 1e-6
    if constant != "left":
        assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
        numeric = (op(x + h, y) - op(x - h, y)) / (2 * h)
        assert a.grad == pytest.approx(numeric, rel=1e-6)
    if constant != "right":
        assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)
        numeric = (op(x, y + h) - op(x, y - h)) / (2 * h)
        assert b.grad == pytest.approx(numeric, rel=1e-6)


def test_relu_kink_and_sqrt_at_zero_follow_torch():
    a = Value(0.0)
    a.relu().backward()
    ta = t64(0.0)
    torch.relu(ta).backward()
    assert a.grad == ta.grad.item() == 0.0
    b = Value(0.0)
    (b**0.5).backward()
    tb = t64(0.0)
    (tb**0.5).backward()
    assert b.grad == math.inf == tb.grad.item()


# --- random expression graphs ---------------------------------------------------------

OPS = [
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "tanh",
    "sigmoid",
    "relu",
    "exp",
    "log",
    "pow2",
    "pow3",
    "cmul",
    "rsub",
]


def apply(op: str, a, b, lib):
    """Build one node; `lib` picks the elementwise functions (micrograd methods or
    torch)."""
    tanh = (lambda v: v.tanh()) if lib == "mg" else torch.tanh
    sigmoid = (lambda v: v.sigmoid()) if lib == "mg" else torch.sigmoid
    relu = (lambda v: v.relu()) if lib == "mg" else torch.relu
    exp = (lambda v: v.exp()) if lib == "mg" else torch.exp
    log = (lambda v: v.log()) if lib == "mg" else torch.log
    return {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / (b * b + 1.0),  # a denominator that is never 0
        "neg": lambda: -a,
        "tanh": lambda: tanh(a),
        "sigmoid": lambda: sigmoid(a),
        "relu": lambda: relu(a),
        "exp": lambda: exp(tanh(a)),  # bounded exponent: no overflow
        "log": lambda: log(a * a + 0.5),  # positive argument
        "pow2": lambda: a**2,
        "pow3": lambda: a**3,
        "cmul": lambda: 0.75 * a,
        "rsub": lambda: 2.0 - a,
    }[op]()


@st.composite
def expression_graphs(draw):
    n_leaves = draw(st.integers(1, 4))
    leaves = draw(
        st.lists(
            st.floats(-2, 2, allow_nan=False), min_size=n_leaves, max_size=n_leaves
        )
    )
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(OPS), st.integers(0, 10**6), st.integers(0, 10**6)
            ),
            min_size=1,
            max_size=14,
        )
    )
    return leaves, steps


def build(leaves, steps, lib):
    pool = [Value(x) for x in leaves] if lib == "mg" else [t64(x) for x in leaves]
    inputs = list(pool)
    # operands may be any earlier node: reuse and diamonds appear
    for (
        op,
        i,
        j,
    ) in steps:
        pool.append(apply(op, pool[i % len(pool)], pool[j % len(pool)], lib))
    # join two nodes so the graph is not just a chain
    root = pool[-1] + pool[len(pool) // 2]
    return inputs, root


@settings(max_examples=300)
@given(expression_graphs())
def test_random_expression_graphs_match_torch(graph):
    leaves, steps = graph
    inputs, root = build(leaves, steps, "mg")
    assume(abs(root.data) < 1e6)
    root.backward()
    t_inputs, t_root = build(leaves, steps, "torch")
    t_root.backward()
    assert root.data == pytest.approx(t_root.item(), rel=1e-9, abs=1e-12)
    for ours, theirs in zip(inputs, t_inputs):
        expected = theirs.grad.item() if theirs.grad is not None else 0.0
        assert ours.grad == pytest.approx(expected, rel=1e-9, abs=1e-9)


# --- reuse, diamonds, and the README example ------------------------------------------


def test_reused_leaf_accumulates():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b * b).backward()  # d(b^3)/db = 3 b^2
    assert b.grad == 27.0


def test_reused_intermediate_node_gets_its_complete_gradient_first():
    a = Value(3.0)
    h = a * a
    y = h + h  # 2a^2: dy/da = 4a = 12 (a naive recursive walk gives 18)
    y.backward()
    assert a.grad == 12.0
    assert h.grad == 2.0


def test_diamond_against_torch():
    def diamond(x):
        top = x * 2.0
        left = top.tanh() if isinstance(top, Value) else torch.tanh(top)
        right = top * top
        return left * right + top

    a = Value(0.3)
    diamond(a).backward()
    ta = t64(0.3)
    diamond(ta).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)


def test_micrograd_readme_example():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert round(g.data, 4) == anchor("micrograd.readme.g").value
    assert round(a.grad, 4) == anchor("micrograd.readme.dg_da").value
    assert round(b.grad, 4) == anchor("micrograd.readme.dg_db").value


def test_chain_of_a_million_operations_back_propagates():
    x = start = Value(0.5)
    for _ in range(1_000_000):
        x = x + 1
    x.backward()
    assert start.grad == 1.0
    assert x.data == 1_000_000.5


def test_topological_order_lists_children_first_and_each_node_once():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len(set(order)) == len({a, b, c, d, e} | {n for n in order})
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[child] < position[node]
    assert order[-1] is e


# --- what a second backward() does ----------------------------------------------------


def test_second_backward_doubles_leaf_grads_like_torch_and_recomputes_intermediates():
    w = Value(2.0)
    mid = w * w
    loss = mid + w
    loss.backward()
    first_w, first_mid = w.grad, mid.grad
    loss.backward()
    assert w.grad == 2 * first_w  # leaves accumulate
    assert mid.grad == first_mid  # intermediates are recomputed, not summed

    tw = t64(2.0)
    tloss = tw * tw + tw
    tloss.backward(retain_graph=True)
    tloss.backward()
    assert w.grad == tw.grad.item()


def test_backward_seed_scales_gradients():
    x = Value(3.0)
    y = x * x
    y.backward(grad=0.5)
    assert x.grad == 3.0


# --- numerical stability --------------------------------------------------------------


@pytest.mark.parametrize("x", [-1000.0, -50.0, 50.0, 1000.0])
def test_tanh_and_sigmoid_do_not_overflow(x):
    a = Value(x)
    t = a.tanh()
    s = a.sigmoid()
    (t + s).backward()
    assert t.data == pytest.approx(math.copysign(1.0, x))
    assert s.data == pytest.approx(1.0 if x > 0 else 0.0, abs=1e-20)
    assert math.isfinite(a.grad)
    assert s.data == pytest.approx(
        torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item()
    )


# --- the fused weighted sum -----------------------------------------------------------


@given(
    st.lists(
        st.tuples(st.floats(-3, 3), st.floats(-3, 3), st.booleans()),
        min_size=1,
        max_size=20,
    ),
    st.floats(-3, 3),
)
def test_weighted_sum_is_bit_identical_to_the_chain_of_mul_and_add(terms, bias):
    def make():
        w = [Value(wv) for wv, _, _ in terms]
        x = [Value(xv) if as_value else xv for _, xv, as_value in terms]
        return w, x, Value(bias)

    w1, x1, b1 = make()
    chained = b1
    for wi, xi in zip(w1, x1):
        chained = chained + wi * xi
    chained.backward()
    w2, x2, b2 = make()
    fused = weighted_sum(w2, x2, b2)
    fused.backward()
    assert fused.data == chained.data
    assert [v.grad for v in w2] == [v.grad for v in w1]
    assert [v.grad for v in x2 if isinstance(v, Value)] == [
        v.grad for v in x1 if isinstance(v, Value)
    ]
    assert b2.grad == b1.grad


def test_weighted_sum_rejects_mismatched_lengths_and_non_values():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        weighted_sum([Value(1), Value(2)], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="weights must be Values"):
        weighted_sum([1.0], [1.0])
    with pytest.raises(TypeError, match="an input of weighted_sum"):
        weighted_sum([Value(1.0)], ["x"])


# --- interplay with numpy -------------------------------------------------------------


def test_numpy_scalars_work_on_either_side():
    a = Value(np.float64(2.0))
    b = np.float64(3.0) * a + np.int64(1)
    b.backward()
    assert isinstance(b, Value)
    assert (b.data, a.grad) == (7.0, 3.0)


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt,error,message",
    [
        (lambda: Value("3"), TypeError, "real number .* got str '3'"),
        (lambda: Value(True), TypeError, "got bool"),
        (lambda: Value(1 + 2j), TypeError, "got complex"),
        (lambda: Value(None), TypeError, "got NoneType"),
        (
            lambda: Value(1) ** Value(2),
            TypeError,
            "Value \\*\\* Value is not supported",
        ),
        (lambda: 2 ** Value(3), TypeError, "int \\*\\* Value is not supported"),
        (
            lambda: Value(2) ** "2",
            TypeError,
            "exponent of \\*\\* must be a real number",
        ),
        (lambda: Value(0).log(), ValueError, "positive numbers only, got 0.0"),
        (lambda: Value(-1).log(), ValueError, "positive numbers only, got -1.0"),
        (
            lambda: Value(-8) ** 0.5,
            ValueError,
            "negative base needs an integer exponent",
        ),
        (lambda: Value(0) ** -1, ZeroDivisionError, "negative power"),
        (lambda: Value(1) / 0, ZeroDivisionError, "division by zero"),
        (lambda: 1 / Value(0), ZeroDivisionError, "division by zero"),
        (lambda: Value(1000).exp(), OverflowError, "too large for a float"),
        (lambda: Value(10.0) ** 400, OverflowError, "too large for a float"),
        (lambda: Value(1) + "a", TypeError, "unsupported operand"),
        (lambda: "a" * Value(1), TypeError, "can't multiply|unsupported operand"),
        (lambda: Value(1) - None, TypeError, "unsupported operand"),
        (lambda: Value(1).backward(grad="1"), TypeError, "gradient passed to backward"),
    ],
)
def test_bad_input_raises_a_clear_error(attempt, error, message):
    with pytest.raises(error, match=message):
        attempt()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_no_silent_nan_where_python_math_raises(x):
    for ours, python in [
        (lambda v: v.log(), math.log),
        (lambda v: v.exp(), math.exp),
        (lambda v: v**0.5, lambda v: math.pow(v, 0.5)),
    ]:
        try:
            expected = python(x)
        except (ValueError, OverflowError) as err:
            with pytest.raises(type(err)):
                ours(Value(x))
        else:
            assert ours(Value(x)).data == expected


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(1)) == "Value(data=1.0, grad=0.0)"
