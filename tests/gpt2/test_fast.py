"""The generation copy (`for_generation`): same logits, same tokens, the original left
as it was."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.fast import InputMajorLinear, for_generation

CONFIGS = [
    GPT2Config(block_size=24, vocab_size=53, n_layer=2, n_head=2, n_embd=32),
    GPT2Config(block_size=16, vocab_size=301, n_layer=3, n_head=4, n_embd=48),
    # padded to 320 rows: the head's -inf bias must come along
    GPT2Config(
        block_size=16, vocab_size=301, n_layer=1, n_head=2, n_embd=16, vocab_multiple=64
    ),
]

SAMPLING = [(0.0, None, None), (0.9, 8, 0.9)]  # greedy; sampled with both filters


def trained_looking(config: GPT2Config, seed: int = 0) -> GPT2:
    """A model whose biases and LayerNorms are not GPT-2's zeros and ones: a copy that
    dropped a bias or a gain would then give other logits."""
    torch.manual_seed(seed)
    model = GPT2(config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return model.eval()


@settings(max_examples=25, deadline=None)
@given(
    bias=st.booleans(),
    shape=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    sizes=st.tuples(st.integers(1, 12), st.integers(1, 12)),
)
def test_input_major_linear_computes_what_linear_does(bias, shape, sizes):
    torch.manual_seed(0)
    linear = nn.Linear(*sizes, bias=bias)
    x = torch.randn(*shape, sizes[0])
    fast = InputMajorLinear(linear)
    assert fast.weight.shape == (sizes[0], sizes[1])  # stored (in, out)
    torch.testing.assert_close(fast(x), linear(x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("config", CONFIGS)
def test_the_copy_gives_the_same_logits(config):
    model = trained_looking(config)
    fast = for_generation(model)
    idx = torch.randint(config.vocab_size, (3, config.block_size))
    with torch.no_grad():
        torch.testing.assert_close(fast(idx), model(idx), rtol=0, atol=1e-5)
    assert not any(isinstance(m, nn.Linear) for m in fast.modules())


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize(
    "temperature, top_k, top_p", [(0.0, None, None), (0.9, 8, 0.9)]
)
@pytest.mark.parametrize("T, n", [(3, 10), (7, 30)])  # within and past the context
def test_the_copy_generates_the_same_tokens(config, temperature, top_k, top_p, T, n):
    model = trained_looking(config)
    fast = for_generation(model)
    prompt = torch.randint(config.vocab_size, (2, T))
    a, b = (
        m.generate(
            prompt,
            n,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            generator=torch.Generator().manual_seed(3),
        )
        for m in (model, fast)
    )
    assert torch.equal(a, b)


def test_the_original_is_left_as_it_was():
    model = GPT2(CONFIGS[0]).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    fast = for_generation(model)
    with torch.no_grad():
        for p in fast.parameters():
            p.zero_()
    assert model.training and not fast.training
    assert all(p.requires_grad for p in model.parameters())
    assert not any(p.requires_grad for p in fast.parameters())
    assert model.lm_head.weight is model.transformer.wte.weight  # still tied
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_only_a_gpt2_is_taken():
    with pytest.raises(TypeError, match="takes a GPT2, got Linear"):
        for_generation(nn.Linear(2, 2))
