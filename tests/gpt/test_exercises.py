"""The chapter's exercise solutions do what the exercises ask."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.gpt import GPT, CharDataset, GPTConfig, shakespeare, train
from zero_to_hero.gpt.attention import attention
from zero_to_hero.gpt.buildup import fit
from zero_to_hero.gpt.exercises import (
    TINY_IMPROVED,
    attention_einsum,
    leaks_the_future,
    sinusoidal_positions,
    top_p_filter,
    use_sinusoidal_positions,
)
from zero_to_hero.gpt.recipes import recipe
from zero_to_hero.gpt.training import split_loss


@pytest.mark.parametrize("causal", [True, False])
def test_einsum_attention_equals_the_written_out_one(causal):
    g = torch.Generator().manual_seed(0)
    q, k, v = (
        torch.randn(2, 3, 7, 5, generator=g, dtype=torch.float64) for _ in range(3)
    )
    torch.testing.assert_close(
        attention_einsum(q, k, v, causal), attention(q, k, v, causal)[0]
    )


def test_the_leak_detector_tells_a_gpt_from_a_bert():
    shape = dict(block_size=8, n_layer=1, n_head=2, n_embd=8)
    torch.manual_seed(0)
    assert not leaks_the_future(GPT(GPTConfig(10, **shape)), 10, 8)
    assert leaks_the_future(GPT(GPTConfig(10, causal=False, **shape)), 10, 8)


def test_sinusoidal_positions_are_fixed_and_still_train():
    table = sinusoidal_positions(16, 8)
    assert table.shape == (16, 8) and torch.equal(
        table[0], torch.tensor([0.0, 1.0] * 4)
    )
    torch.testing.assert_close(table[:, 0], torch.arange(16.0).sin())
    with pytest.raises(ValueError, match="n_embd must be even"):
        sinusoidal_positions(4, 3)
    text = "All the world's a stage, and all the men and women merely players.\n" * 30
    data = CharDataset.from_text(text)
    model_config, _ = recipe("tiny", data.vocab.size)
    model = use_sinusoidal_positions(GPT(model_config))
    assert not model.position_embedding.weight.requires_grad
    before = split_loss(model, data.val, model_config.block_size)
    after = fit(model, data, steps=60, block_size=model_config.block_size)
    assert after < before - 0.3
    # the table, scaled, and unchanged by training
    fixed = model.position_embedding.weight
    torch.testing.assert_close(fixed / fixed[0, 1], sinusoidal_positions(32, 32))
    with pytest.raises(ValueError, match="rotary"):
        use_sinusoidal_positions(
            GPT(GPTConfig(10, 8, n_embd=8, n_head=2, position="rotary"))
        )


@given(st.integers(0, 2**31 - 1), st.floats(0.01, 1.0))
def test_top_p_keeps_the_smallest_nucleus(seed, p):
    logits = torch.randn(3, 20, generator=torch.Generator().manual_seed(seed))
    kept = top_p_filter(logits, p).isfinite()
    probs = logits.softmax(-1)
    for row in range(3):
        mass = probs[row][kept[row]].sum()
        assert mass >= p - 1e-6  # enough probability…
        weakest = probs[row][kept[row]].min()
        assert mass - weakest < p  # …and not one id more than needed
        assert kept[row][probs[row].argmax()]


def test_top_p_rejects_bad_p():
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
        top_p_filter(torch.zeros(1, 3), 0.0)


def test_the_improved_settings_beat_the_tiny_recipe():
    """On Tiny Shakespeare, against the loss the training page prints."""
    data = shakespeare()
    model_config, baseline = recipe("tiny", data.vocab.size)
    new_config, improved = recipe("tiny", data.vocab.size, **TINY_IMPROVED)
    for same in ("max_iters", "batch_size"):
        assert getattr(improved, same) == getattr(baseline, same)
    assert new_config.block_size == model_config.block_size
    assert GPT(new_config).num_params() <= GPT(model_config).num_params()
    base = train(model_config, baseline, data, progress=False).history[-1].val_loss
    better = train(new_config, improved, data, progress=False).history[-1].val_loss
    assert better < base - 0.1
