"""The page's GPT (`minimal`) is the configurable GPT in its default configuration:
the same weights from the same seed, and exactly the same logits, loss, gradients and
samples from the same weights."""

from __future__ import annotations

from dataclasses import asdict

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.gpt import minimal
from zero_to_hero.gpt.model import GPT, GPTConfig

shapes = st.builds(
    minimal.GPTConfig,
    vocab_size=st.integers(2, 20),
    block_size=st.integers(1, 12),
    n_layer=st.integers(1, 3),
    n_head=st.sampled_from([1, 2, 4]),
    n_embd=st.just(8),
    dropout=st.sampled_from([0.0, 0.3]),
    bias=st.booleans(),
)


def both(config: minimal.GPTConfig, seed: int = 0) -> tuple[GPT, minimal.GPT]:
    """The configurable GPT and the page's, each built from `seed`."""
    torch.manual_seed(seed)
    configurable = GPT(GPTConfig(**asdict(config)))
    torch.manual_seed(seed)
    return configurable, minimal.GPT(config)


def batch(config: minimal.GPTConfig, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randint(config.vocab_size, (2, 3, config.block_size), generator=g)
    y[0, 0] = -100  # a skipped target
    return x, y


@settings(max_examples=25)
@given(shapes, st.integers(0, 2**31 - 1))
def test_the_same_seed_builds_the_same_weights(config, seed):
    configurable, page = both(config, seed)
    ours, theirs = page.state_dict(), configurable.state_dict()
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert torch.equal(ours[name], theirs[name]), name
    assert page.lm_head.weight is page.token_embedding.weight


@settings(max_examples=25)
@given(shapes, st.integers(0, 2**31 - 1), st.booleans())
def test_same_weights_give_exactly_the_same_logits_loss_and_gradients(
    config, seed, training
):
    configurable, _ = both(config, seed)
    torch.manual_seed(seed + 1)  # other weights than the page model's own
    page = minimal.GPT(config)
    page.load_state_dict(configurable.state_dict())  # strict: the same names
    configurable.train(training)
    page.train(training)
    x, y = batch(config, seed)
    torch.manual_seed(seed)  # the same dropout masks, if any
    logits, loss = configurable(x, y)
    torch.manual_seed(seed)
    page_logits, page_loss = page(x, y)
    assert torch.equal(page_logits, logits)
    assert torch.equal(page_loss, loss)
    loss.backward()
    page_loss.backward()
    grads = dict(configurable.named_parameters())
    for name, p in page.named_parameters():
        assert torch.equal(p.grad, grads[name].grad), name
    page.eval()
    logits_only, no_loss = page(x)
    assert no_loss is None and logits_only.shape == logits.shape


@settings(max_examples=15)
@given(shapes, st.integers(0, 2**31 - 1), st.sampled_from([None, 1, 2]))
def test_same_weights_sample_the_same_text(config, seed, top_k):
    configurable, page = both(config, seed)
    configurable.eval()
    page.eval()
    prompt = torch.randint(config.vocab_size, (2, 1))
    n = config.block_size + 3  # past block_size: the context gets cropped
    theirs = configurable.generate(
        prompt, n, 0.8, top_k, torch.Generator().manual_seed(seed)
    )
    ours = page.generate(prompt, n, 0.8, top_k, torch.Generator().manual_seed(seed))
    assert ours.shape == (2, 1 + n) and torch.equal(ours, theirs)


def test_another_configuration_is_another_model():
    """The equality above is no accident: a switch off its default breaks it."""
    config = minimal.GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2)
    torch.manual_seed(0)
    relu = GPT(GPTConfig(**asdict(config), activation="relu"))
    page = minimal.GPT(config).eval()
    page.load_state_dict(relu.state_dict())
    x = torch.randint(11, (2, 8), generator=torch.Generator().manual_seed(0))
    assert not torch.allclose(page(x)[0], relu.eval()(x)[0])
    rotary = GPT(GPTConfig(**asdict(config), position="rotary"))
    with pytest.raises(RuntimeError, match="position_embedding"):
        page.load_state_dict(rotary.state_dict())


def test_bad_shapes_are_clear_errors():
    with pytest.raises(ValueError, match=r"n_embd \(10\) must be a multiple of"):
        minimal.GPT(minimal.GPTConfig(vocab_size=5, block_size=4, n_embd=10))
    page = minimal.GPT(minimal.GPTConfig(vocab_size=5, block_size=4, n_embd=8))
    with pytest.raises(ValueError, match=r"context of 5 ids is longer than block_size"):
        page(torch.zeros(1, 5, dtype=torch.long))
