"""The lecture's short layers compute exactly what the package's layers compute: the
same initial weights, outputs, gradients and running statistics, bit for bit."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.makemore import layers as package
from zero_to_hero.makemore import lecture_layers as lecture
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig


def deep_net(nn, seed: int, n_embd: int, n_hidden: int, block_size: int = 3):
    """Embedding → Flatten → [Linear → BatchNorm1d → Tanh] × 2 → Linear → Tanh →
    Linear, built from the layer classes of module `nn`."""
    g = torch.Generator().manual_seed(seed)
    fan_in = n_embd * block_size
    return nn.Sequential(
        [
            nn.Embedding(27, n_embd, generator=g),
            nn.Flatten(),
            nn.Linear(fan_in, n_hidden, bias=False, gain=5 / 3, generator=g),
            nn.BatchNorm1d(n_hidden),
            nn.Tanh(),
            nn.Linear(n_hidden, n_hidden, bias=False, gain=5 / 3, generator=g),
            nn.BatchNorm1d(n_hidden, momentum=0.3),
            nn.Tanh(),
            nn.Linear(n_hidden, n_hidden, gain=5 / 3, generator=g),
            nn.Tanh(),
            nn.Linear(n_hidden, 27, generator=g),
        ]
    )


def set_training(net, mode: bool) -> None:
    """The package's `net.train(mode)`; the lecture sets each layer's flag."""
    if isinstance(net, package.Module):
        net.train(mode)
    else:
        for layer in net.layers:
            layer.training = mode


def forward_backward(net, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    for p in net.parameters():
        p.grad = None
    loss = F.cross_entropy(net(X), Y)
    loss.backward()
    return loss


def assert_identical(ours, theirs, *, outputs: bool = True) -> None:
    """Every parameter, gradient, layer output and running statistic is equal."""
    assert len(ours.parameters()) == len(theirs.parameters())
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(a, b)
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert torch.equal(a.grad, b.grad)
    for a, b in zip(ours.layers, theirs.layers, strict=True):
        assert type(a).__name__ == type(b).__name__
        if outputs:
            assert torch.equal(a.out, b.out)
        if isinstance(a, lecture.BatchNorm1d):
            assert torch.equal(a.running_mean, b.running_mean)
            assert torch.equal(a.running_var, b.running_var)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_embd=st.integers(1, 6),
    n_hidden=st.integers(1, 12),
    batch=st.integers(2, 24),
)
def test_lecture_layers_train_and_evaluate_exactly_like_the_package_layers(
    seed, n_embd, n_hidden, batch
):
    ours, theirs = (deep_net(nn, seed, n_embd, n_hidden) for nn in (lecture, package))
    # the same initial weights from the same generator
    assert_identical(ours, theirs, outputs=False)
    g = torch.Generator().manual_seed(seed + 1)
    for _ in range(4):  # training mode: a few SGD steps on random minibatches
        X = torch.randint(0, 27, (batch, 3), generator=g)
        Y = torch.randint(0, 27, (batch,), generator=g)
        loss_ours = forward_backward(ours, X, Y)
        loss_theirs = forward_backward(theirs, X, Y)
        assert torch.equal(loss_ours, loss_theirs)
        assert_identical(ours, theirs)
        with torch.no_grad():
            for net in (ours, theirs):
                for p in net.parameters():
                    p -= 0.1 * p.grad
    for net in (ours, theirs):
        set_training(net, False)
    X = torch.randint(0, 27, (1, 3), generator=g)  # a single example, in eval mode
    Y = torch.randint(0, 27, (1,), generator=g)
    assert torch.equal(forward_backward(ours, X, Y), forward_backward(theirs, X, Y))
    assert_identical(ours, theirs)


def test_the_comparison_sees_a_difference():
    """Not vacuous: the running statistics moved, and another seed gives other
    numbers."""
    ours = deep_net(lecture, 0, 4, 8)
    X = torch.randint(0, 27, (16, 3), generator=torch.Generator().manual_seed(1))
    ours(X)
    bn = ours.layers[3]
    assert not torch.equal(bn.running_mean, torch.zeros(8))
    assert not torch.equal(bn.running_var, torch.ones(8))
    other = deep_net(package, 1, 4, 8)
    other(X)
    with pytest.raises(AssertionError):
        assert_identical(ours, other)


def test_running_statistics_follow_torch_batchnorm():
    """Biased variance for the batch, unbiased for the running estimate, as PyTorch."""
    ours = lecture.BatchNorm1d(5, momentum=0.2)
    theirs = torch.nn.BatchNorm1d(5, momentum=0.2)
    g = torch.Generator().manual_seed(0)
    for _ in range(3):
        x = torch.randn(7, 5, generator=g) * 3 + 2
        torch.testing.assert_close(ours(x), theirs(x))
    torch.testing.assert_close(ours.running_mean, theirs.running_mean)
    torch.testing.assert_close(ours.running_var, theirs.running_var)
    ours.training = False
    theirs.eval()
    x = torch.randn(1, 5, generator=g)
    torch.testing.assert_close(ours(x), theirs(x))


def test_the_lecture_layers_build_the_package_deep_mlp():
    """The five-layer network of the page, from the lecture layers, is `DeepMLP`."""
    c = DeepMLPConfig()
    g = torch.Generator().manual_seed(2147483647)
    layers = [lecture.Embedding(c.vocab_size, c.n_embd, generator=g), lecture.Flatten()]
    fan_in = c.n_embd * c.block_size
    for _ in range(c.n_layers):
        layers.append(
            lecture.Linear(fan_in, c.n_hidden, bias=False, gain=c.gain, generator=g)
        )
        layers += [lecture.BatchNorm1d(c.n_hidden), lecture.Tanh()]
        fan_in = c.n_hidden
    layers.append(lecture.Linear(fan_in, c.vocab_size, bias=False, generator=g))
    layers.append(lecture.BatchNorm1d(c.vocab_size))
    with torch.no_grad():
        layers[-1].gamma *= c.last_scale
    ours = lecture.Sequential(layers)
    theirs = DeepMLP(c, generator=torch.Generator().manual_seed(2147483647))
    X = torch.randint(0, 27, (32, 3), generator=torch.Generator().manual_seed(0))
    Y = torch.randint(0, 27, (32,), generator=torch.Generator().manual_seed(1))
    forward_backward(ours, X, Y)
    forward_backward(theirs, X, Y)
    assert sum(p.numel() for p in ours.parameters()) == theirs.num_parameters()
    assert_identical(ours, theirs)
