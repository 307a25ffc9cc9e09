"""The vocabulary padded to a multiple (50,257 → 50,304): the padded rows are never a
token, so a padded model computes, trains and samples as the unpadded one with the
same weights."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from tests.gpt2.conftest import hf_model
from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.train import (
    TrainConfig,
    loss_of,
    lr_at,
    make_optimizer,
    train_step,
)

V = 50  # pads to 64 with a multiple of 32
SHAPE = dict(block_size=16, vocab_size=V, n_layer=2, n_head=2, n_embd=32)


def test_gpt2s_vocabulary_pads_to_50304():
    assert GPT2Config(vocab_multiple=128).padded_vocab_size == 50304
    assert GPT2Config().padded_vocab_size == 50257  # no padding by default
    assert GPT2(GPT2Config(**SHAPE, vocab_multiple=32)).lm_head.weight.shape == (64, 32)


@given(st.integers(1, 100_000), st.integers(1, 1024))
def test_the_padded_size_is_the_next_multiple(vocab_size, multiple):
    config = GPT2Config(vocab_size=vocab_size, vocab_multiple=multiple)
    padded = config.padded_vocab_size
    assert padded % multiple == 0
    assert vocab_size <= padded < vocab_size + multiple


@pytest.mark.parametrize("bad", [0, -128, 1.5, True, "128", None])
def test_bad_multiples_are_refused(bad):
    with pytest.raises(ValueError, match="vocab_multiple must be an int >= 1"):
        GPT2Config(vocab_multiple=bad)


def pair(seed=0, scale=0.02):
    """An unpadded model and a padded one with the same weights; the padded rows
    random, of `scale`."""
    torch.manual_seed(seed)
    plain = GPT2(GPT2Config(**SHAPE))
    padded = GPT2(GPT2Config(**SHAPE, vocab_multiple=32))
    state = plain.state_dict()
    extra = scale * torch.randn(64 - V, 32)
    wte = torch.cat([state["transformer.wte.weight"], extra])
    state["transformer.wte.weight"] = state["lm_head.weight"] = wte
    padded.load_state_dict(state)
    return plain, padded


def batch(B=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(V, (B, 17), generator=g)
    return ids[:, :-1], ids[:, 1:]


def test_padded_logits_are_the_real_ones_then_minus_infinity():
    plain, padded = pair()
    x, y = batch()
    with torch.no_grad():
        a, b = plain(x), padded(x)
    assert b.shape == (4, 16, 64)
    torch.testing.assert_close(b[..., :V], a, atol=1e-6, rtol=0)
    assert torch.all(b[..., V:] == float("-inf"))
    with torch.no_grad():
        assert loss_of(padded, x, y).item() == pytest.approx(
            loss_of(plain, x, y).item(), abs=1e-6
        )


def test_padded_training_takes_the_unpadded_steps():
    plain, padded = pair()
    tc = TrainConfig(max_lr=1e-2, warmup_steps=1, max_steps=10)
    optimizers = [make_optimizer(m, tc) for m in (plain, padded)]
    before = padded.transformer.wte.weight[V:].detach().clone()
    for step in range(4):
        x, y = batch(seed=step)
        losses = [
            train_step(m, opt, [(x, y)], step, tc)[0]
            for m, opt in zip((plain, padded), optimizers)
        ]
        assert losses[1] == pytest.approx(losses[0], abs=1e-5)
        # probability 0 on the padded ids: no gradient reaches their rows
        assert torch.all(padded.transformer.wte.weight.grad[V:] == 0)
    for (name, a), b in zip(plain.named_parameters(), padded.parameters()):
        torch.testing.assert_close(b[: a.shape[0]], a, atol=1e-5, rtol=0, msg=name)
    # the padded rows only decay: AdamW's step is 0 where the gradient always was
    shrink = torch.tensor([1 - lr_at(s, tc) * tc.weight_decay for s in range(4)])
    expected = before * shrink.prod()
    torch.testing.assert_close(padded.transformer.wte.weight[V:], expected)


def test_generation_never_emits_a_padded_id():
    # padded rows so large that, without the -inf, they would win every step
    _, padded = pair(scale=30.0)
    padded.eval()
    prompt = batch(B=8)[0][:, :4]
    with torch.no_grad():
        h = padded.transformer.ln_f(padded.transformer.wte(prompt))
        without_bias = h @ padded.lm_head.weight.T
        assert (without_bias.argmax(-1) >= V).all()  # the test can fail
    g = torch.Generator().manual_seed(0)
    for kwargs in ({"temperature": 0}, {"temperature": 2.0}, {"top_k": 60}):
        out = padded.generate(prompt, 12, generator=g, **kwargs)
        assert int(out.max()) < V, kwargs
    out = padded.generate(prompt, 12, top_p=1.0, use_cache=False, generator=g)
    assert int(out.max()) < V


def test_a_padded_bfloat16_loss_is_finite_and_close():
    _, padded = pair()
    x, y = batch()
    with torch.no_grad():
        full, half = loss_of(padded, x, y).item(), loss_of(padded, x, y, True).item()
    assert half == pytest.approx(full, abs=1e-2)


def test_from_pretrained_pads_with_zero_rows(tmp_path):
    theirs = hf_model(101, 16, 32, 2, 2)
    theirs.save_pretrained(tmp_path)
    ours = GPT2.from_pretrained(tmp_path, vocab_multiple=64)
    assert ours.config.vocab_size == 101 and ours.config.padded_vocab_size == 128
    wte = ours.transformer.wte.weight
    assert ours.lm_head.weight is wte
    assert torch.equal(wte[:101], theirs.transformer.wte.weight)
    assert torch.all(wte[101:] == 0)
    x = torch.randint(101, (2, 16), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, expected = ours(x), theirs(x).logits
    torch.testing.assert_close(got[..., :101], expected, atol=1e-5, rtol=0)
    assert torch.all(got[..., 101:] == float("-inf"))
    with pytest.raises(ValueError, match="vocab_multiple"):
        GPT2.from_pretrained(tmp_path, vocab_multiple=0)
