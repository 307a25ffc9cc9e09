"""Neurons, layers, MLPs, SGD and the two-moons demo, down to the published demo
losses."""

from __future__ import annotations

import math
import random

import pytest
import torch

from zero_to_hero.micrograd import MLP, SGD, Layer, Neuron, Value
from zero_to_hero.micrograd.demo import make_moons, max_margin_loss, train_moons
from zero_to_hero.reference import anchor


def test_shapes_and_parameter_counts():
    assert len(Neuron(3).parameters()) == 4
    assert len(Layer(3, 5).parameters()) == 20
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == anchor("micrograd.demo.params").value
    assert isinstance(model([0.5, -0.5]), Value)
    outputs = MLP(3, [4, 2])([1.0, 2.0, 3.0])
    assert isinstance(outputs, list) and len(outputs) == 2


def test_initialisation_is_uniform_with_zero_bias_and_reproducible():
    a = MLP(4, [8, 3], rng=random.Random(7))
    b = MLP(4, [8, 3], rng=random.Random(7))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    for neuron in a.layers[0].neurons:
        assert all(-1 <= w.data <= 1 for w in neuron.w)
        assert neuron.b.data == 0.0
    # the default draws from Python's global generator, as the lecture does
    random.seed(7)
    c = MLP(4, [8, 3])
    assert [p.data for p in c.parameters()] == [p.data for p in a.parameters()]


def test_hidden_layers_use_relu_and_the_last_layer_is_linear():
    model = MLP(2, [3, 3, 1])
    assert all(n.nonlin for layer in model.layers[:-1] for n in layer.neurons)
    assert not model.layers[-1].neurons[0].nonlin
    neuron = Neuron(1, nonlin=True)
    neuron.w[0].data = -1.0
    assert neuron([5.0]).data == 0.0  # relu clips
    linear = Neuron(1, nonlin=False)
    linear.w[0].data = -1.0
    assert linear([5.0]).data == -5.0


def torch_copy(model: MLP) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The same weights as float64 tensors: one (W, b) pair per layer."""
    layers = []
    for layer in model.layers:
        W = torch.tensor(
            [[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64
        )
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
        layers.append((W.requires_grad_(), b.requires_grad_()))
    return layers


def test_mlp_loss_gradients_match_torch():
    X, y = make_moons(30, noise=0.1, seed=3)
    model = MLP(2, [8, 8, 1], rng=random.Random(3))
    loss, _ = max_margin_loss(model, X, y, alpha=1e-3)
    loss.backward()

    layers = torch_copy(model)
    h = torch.tensor(X, dtype=torch.float64)
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = torch.relu(h)
    yt = torch.tensor(y, dtype=torch.float64)
    params = [t for pair in layers for t in pair]
    t_loss = torch.relu(1 - yt * h[:, 0]).mean() + 1e-3 * sum(
        (p**2).sum() for p in params
    )
    t_loss.backward()

    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    for (W, b), layer in zip(layers, model.layers):
        for row, neuron in enumerate(layer.neurons):
            assert [w.grad for w in neuron.w] == pytest.approx(
                W.grad[row].tolist(), rel=1e-9
            )
            assert neuron.b.grad == pytest.approx(
                b.grad[row].item(), rel=1e-9, abs=1e-15
            )


def test_zero_grad_resets_parameters_only():
    model = MLP(2, [3, 1], rng=random.Random(0))
    x = [Value(1.0), Value(-2.0)]
    out = model(x)
    out.backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert any(v.grad != 0 for v in x)  # inputs are not parameters


def test_sgd_step_moves_against_the_gradient():
    p = Value(1.0)
    q = Value(-2.0)
    opt = SGD([p, q], lr=0.1)
    loss = p * p + 3 * q
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert (p.data, q.data) == (pytest.approx(0.8), pytest.approx(-2.3))


def test_make_moons_shape_labels_and_geometry():
    X, y = make_moons(101, noise=0.0, seed=0)
    assert len(X) == 101 and all(len(p) == 2 for p in X)
    assert sorted(set(y)) == [-1, 1] and y.count(-1) == 50 and y.count(1) == 51
    for (a, b), label in zip(X, y):  # without noise every point lies on its half-circle
        cx, cy = (0.0, 0.0) if label == -1 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == -1 else (b <= 0.5 + 1e-12)
    assert make_moons(50, 0.1, seed=1) == make_moons(50, 0.1, seed=1)
    assert make_moons(50, 0.1, seed=1) != make_moons(50, 0.1, seed=2)


def test_demo_reproduces_the_published_run_bit_for_bit():
    _, history = train_moons(steps=100, seed=1337)
    assert history[0].loss == anchor("micrograd.demo.step0_loss").value
    assert history[0].accuracy == anchor("micrograd.demo.step0_accuracy").value
    assert history[-1].loss == anchor("micrograd.demo.final_loss").value
    assert history[-1].accuracy == anchor("micrograd.demo.final_accuracy").value
    # the intermediate accuracies of the published notebook
    assert [history[k].accuracy for k in (1, 10, 50)] == [0.81, 0.91, 0.96]


def test_forgetting_zero_grad_trains_worse():
    """The classic bug: without resetting, every step follows the sum of all past
    gradients, so a tiny regression that converges with the canonical loop keeps
    oscillating."""
    xs = [i / 10 for i in range(-10, 11)]
    ys = [2 * x + 1 for x in xs]

    def mse(neuron: Neuron) -> Value:
        return sum((neuron([x]) - y) ** 2 for x, y in zip(xs, ys)) * (1 / len(xs))

    def train(reset: bool) -> float:
        neuron = Neuron(1, nonlin=False, rng=random.Random(0))
        opt = SGD(neuron.parameters(), lr=0.1)
        for _ in range(50):
            loss = mse(neuron)
            if reset:
                opt.zero_grad()
            loss.backward()
            opt.step()
        return mse(neuron).data

    good, bad = train(reset=True), train(reset=False)
    assert good < 1e-3
    assert bad > 100 * good


def test_on_step_callback_sees_every_record():
    seen = []
    _, history = train_moons(steps=3, on_step=seen.append)
    assert seen == history and [r.step for r in seen] == [0, 1, 2]


@pytest.mark.parametrize(
    "attempt,error,message",
    [
        (lambda: Neuron(0), ValueError, "nin must be a positive int"),
        (lambda: Layer(2, 0), ValueError, "nout must be a positive int"),
        (lambda: MLP(2, []), ValueError, "at least one layer"),
        (lambda: Neuron(2)([1.0]), ValueError, "2 weights but 1 inputs"),
        (lambda: Neuron(1)(["a"]), TypeError, "real number"),
        (lambda: make_moons(1), ValueError, "n_samples must be an int >= 2"),
        (lambda: make_moons(10, noise=-1), ValueError, "noise must be >= 0"),
        (
            lambda: max_margin_loss(MLP(2, [1]), [[0.0, 1.0]], [1, -1]),
            ValueError,
            "equally long",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(attempt, error, message):
    with pytest.raises(error, match=message):
        attempt()
