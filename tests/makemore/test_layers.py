"""Each hand-written layer against its `torch.nn` counterpart: forward, backward,
state."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.makemore.layers import (
    BatchNorm1d,
    Embedding,
    Flatten,
    Linear,
    Sequential,
    Tanh,
)

torch.set_default_dtype(torch.float32)


def double(*tensors: torch.Tensor) -> None:
    """Turn parameters into float64 leaves in place (gradient checks use float64)."""
    for t in tensors:
        t.data = t.data.double()


def grads_of(fn, *inputs):
    out = fn(*inputs)
    out.backward(torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape))
    return out


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.booleans())
def test_linear_matches_torch(fan_in, fan_out, batch, bias):
    ours = Linear(fan_in, fan_out, bias, generator=torch.Generator().manual_seed(0))
    double(*ours.parameters())
    ref = torch.nn.Linear(fan_in, fan_out, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(ours.weight.T)
        if bias:
            ref.bias.copy_(ours.bias)
    x1 = torch.randn(batch, fan_in, dtype=torch.float64, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    torch.testing.assert_close(grads_of(ours, x1), grads_of(ref, x2))
    torch.testing.assert_close(x1.grad, x2.grad)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad.T)
    if bias:
        torch.testing.assert_close(ours.bias.grad, ref.bias.grad)
    assert len(ours.parameters()) == (2 if bias else 1)


def test_linear_init_is_kaiming_scaled():
    layer = Linear(400, 300, gain=5 / 3, generator=torch.Generator().manual_seed(1))
    assert abs(layer.weight.std().item() - (5 / 3) / 400**0.5) < 0.002
    assert torch.equal(layer.bias, torch.zeros(300))
    x = torch.randn(1000, 400)
    assert abs(Linear(400, 300)(x).std().item() - 1) < 0.05  # variance preserved


def torch_bn(ours: BatchNorm1d) -> torch.nn.BatchNorm1d:
    ref = torch.nn.BatchNorm1d(
        ours.dim, eps=ours.eps, momentum=ours.momentum, dtype=torch.float64
    )
    with torch.no_grad():
        ref.weight.copy_(ours.gamma)
        ref.bias.copy_(ours.beta)
    return ref


def test_batchnorm_matches_torch_in_training_and_evaluation():
    """Output, all gradients, and running mean/variance (biased variance to normalize,
    unbiased for the running estimate) over several steps, then evaluation mode."""
    ours = BatchNorm1d(5, momentum=0.2)
    double(*ours.parameters())
    ours.running_mean, ours.running_var = (
        ours.running_mean.double(),
        ours.running_var.double(),
    )
    with torch.no_grad():
        ours.gamma.uniform_(0.5, 1.5)
        ours.beta.uniform_(-0.5, 0.5)
    ref = torch_bn(ours)
    g = torch.Generator().manual_seed(3)
    for _ in range(4):
        x = (
            torch.randn(8, 5, generator=g, dtype=torch.float64) * 3 + 1
        ).requires_grad_()
        x2 = x.detach().clone().requires_grad_()
        for p in [*ours.parameters(), *ref.parameters()]:
            p.grad = None
        torch.testing.assert_close(grads_of(ours, x), grads_of(ref, x2))
        torch.testing.assert_close(x.grad, x2.grad)
        torch.testing.assert_close(ours.gamma.grad, ref.weight.grad)
        torch.testing.assert_close(ours.beta.grad, ref.bias.grad)
        torch.testing.assert_close(ours.running_mean, ref.running_mean)
        torch.testing.assert_close(ours.running_var, ref.running_var)
    ours.eval()
    ref.eval()
    x = torch.randn(3, 5, generator=g, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x))


def test_batchnorm_unbiased_option_normalizes_with_n_minus_1():
    bn = BatchNorm1d(4, eps=0.0, unbiased=True)
    x = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    expected = (x - x.mean(0)) / x.std(0)  # std is unbiased by default
    torch.testing.assert_close(bn(x), expected)


def test_batchnorm_in_evaluation_mode_treats_each_example_on_its_own():
    """The classic bug is to sample or evaluate in training mode: then an example's
    output depends on the rest of its batch, and a batch of one cannot be normalized."""
    bn = BatchNorm1d(3)
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        bn(torch.randn(16, 3, generator=g) * 2 + 5)
    bn.eval()
    stats = (bn.running_mean.clone(), bn.running_var.clone())
    batch = torch.randn(10, 3, generator=g)
    alone = torch.cat([bn(batch[i : i + 1]) for i in range(10)])
    torch.testing.assert_close(bn(batch), alone)
    assert torch.equal(bn.running_mean, stats[0]) and torch.equal(
        bn.running_var, stats[1]
    )
    bn.train()
    in_batch = bn(batch)[:2]
    # training mode: depends on the batch
    assert not torch.allclose(bn(batch[:2]), in_batch)
    with pytest.raises(ValueError, match=r"at least 2 examples .* call \.eval\(\)"):
        bn(batch[:1])


def test_tanh_embedding_flatten_match_torch():
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    x2 = x.detach().clone().requires_grad_()
    torch.testing.assert_close(grads_of(Tanh(), x), grads_of(torch.nn.Tanh(), x2))
    torch.testing.assert_close(x.grad, x2.grad)

    emb = Embedding(7, 3, generator=torch.Generator().manual_seed(0))
    double(emb.weight)
    ref = torch.nn.Embedding(7, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(emb.weight)
    ix = torch.tensor([[0, 6, 6], [2, 0, 1]])
    torch.testing.assert_close(grads_of(emb, ix), grads_of(ref, ix))
    torch.testing.assert_close(emb.weight.grad, ref.weight.grad)

    y = torch.randn(2, 3, 4)
    assert torch.equal(Flatten()(y), torch.nn.Flatten()(y))


def test_sequential_collects_parameters_and_modes_and_round_trips_its_state():
    g = torch.Generator().manual_seed(0)
    net = Sequential(
        [
            Embedding(5, 2, generator=g),
            Flatten(),
            Linear(6, 4, bias=False),
            BatchNorm1d(4),
            Tanh(),
        ]
    )
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "2.weight", "3.gamma", "3.beta"]
    assert [n for n, _ in net.named_buffers()] == ["3.running_mean", "3.running_var"]
    assert net.num_parameters() == 10 + 24 + 8
    assert net(torch.tensor([[1, 2, 3], [0, 4, 4]])).shape == (2, 4)
    net.eval()
    assert not net.training and not net[3].training
    state = net.state_dict()
    other = Sequential(
        [Embedding(5, 2), Flatten(), Linear(6, 4, bias=False), BatchNorm1d(4), Tanh()]
    )
    other.load_state_dict(state)
    assert all(torch.equal(state[k], v) for k, v in other.state_dict().items())
    with pytest.raises(ValueError, match=r"missing \['3.gamma'\]"):
        other.load_state_dict({k: v for k, v in state.items() if k != "3.gamma"})
    with pytest.raises(
        ValueError, match=r"2.weight: saved shape \(6, 5\), model shape \(6, 4\)"
    ):
        other.load_state_dict({**state, "2.weight": torch.zeros(6, 5)})


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="fan_in must be a positive int, got 0"):
        Linear(0, 3)
    with pytest.raises(
        ValueError, match=r"Linear\(30, 200\) expects inputs whose last dimension is 30"
    ):
        Linear(30, 200)(torch.zeros(32, 20))
    with pytest.raises(
        ValueError, match=r"BatchNorm1d\(4\) expects inputs of shape \(batch, 4\)"
    ):
        BatchNorm1d(4)(torch.zeros(8, 5))
    with pytest.raises(ValueError, match="need eps >= 0 and 0 <= momentum <= 1"):
        BatchNorm1d(4, momentum=2.0)
    with pytest.raises(TypeError, match=r"integer token ids, got a torch\.float32"):
        Embedding(5, 2)(torch.zeros(3))
    with pytest.raises(
        TypeError, match="layer 1 is a builtin_function_or_method, not a Module"
    ):
        Sequential([Tanh(), torch.tanh])
