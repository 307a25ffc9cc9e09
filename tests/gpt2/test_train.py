"""The production recipe's pieces: gradient accumulation equals the large batch, the
learning-rate schedule, weight decay on matrices only, clipping, fused AdamW."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.train import (
    TrainConfig,
    accumulate_gradients,
    loss_of,
    lr_at,
    make_optimizer,
    train_step,
)

CONFIG = GPT2Config(block_size=16, vocab_size=50, n_layer=2, n_head=2, n_embd=32)


def model(seed=0) -> GPT2:
    torch.manual_seed(seed)
    return GPT2(CONFIG)


def batch(B=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(50, (B, 17), generator=g)
    return ids[:, :-1], ids[:, 1:]


@pytest.mark.parametrize("n_micro", [1, 2, 4, 8])
def test_accumulated_gradients_equal_the_large_batchs(n_micro):
    x, y = batch()
    whole = model()
    loss_of(whole, x, y).backward()
    split = model()
    micro = list(zip(x.chunk(n_micro), y.chunk(n_micro)))
    loss = accumulate_gradients(split, micro)
    assert loss == pytest.approx(loss_of(whole, x, y).item(), abs=1e-6)
    for (name, a), b in zip(whole.named_parameters(), split.parameters()):
        torch.testing.assert_close(b.grad, a.grad, atol=1e-6, rtol=0, msg=name)


def test_without_dividing_the_gradients_would_be_n_times_too_large():
    """The test above can fail: summing undivided micro-batch losses does not give the
    large batch's gradient."""
    x, y = batch()
    whole, split = model(), model()
    loss_of(whole, x, y).backward()
    for xs, ys in zip(x.chunk(4), y.chunk(4)):
        loss_of(split, xs, ys).backward()
    w = split.transformer.wte.weight.grad
    torch.testing.assert_close(
        w / 4, whole.transformer.wte.weight.grad, atol=1e-6, rtol=0
    )
    assert not torch.allclose(w, whole.transformer.wte.weight.grad, atol=1e-6)


def test_micro_batches_of_different_sizes_are_refused():
    x, y = batch()
    with pytest.raises(ValueError, match="same shape"):
        accumulate_gradients(model(), [(x[:3], y[:3]), (x[3:], y[3:])])


def test_warm_up_then_cosine_decay():
    tc = TrainConfig(max_lr=1.0, min_lr=0.1, warmup_steps=10, max_steps=110)
    assert lr_at(0, tc) == pytest.approx(1 / 11)  # the shared schedule's warm-up
    assert lr_at(9, tc) == pytest.approx(10 / 11)
    assert lr_at(10, tc) == pytest.approx(1.0)
    assert lr_at(60, tc) == pytest.approx(0.55)  # half-way down the cosine
    assert lr_at(110, tc) == pytest.approx(0.1)
    assert lr_at(500, tc) == pytest.approx(0.1)
    rates = [lr_at(s, tc) for s in range(120)]
    assert all(a < b for a, b in itertools.pairwise(rates[:10]))
    assert all(a >= b for a, b in itertools.pairwise(rates[10:]))
    expected = 0.1 + 0.45 * (1 + math.cos(math.pi * 0.25))
    assert lr_at(35, tc) == pytest.approx(expected)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"min_lr": 1.0, "max_lr": 0.1}, "min_lr <= max_lr"),
        ({"warmup_steps": 10, "max_steps": 10}, "warmup_steps < max_steps"),
        ({"grad_clip": 0.0}, "grad_clip"),
    ],
)
def test_bad_train_configs_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_weight_decay_on_matrices_only():
    m = model()
    optimizer = make_optimizer(m, TrainConfig())
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.1 and plain["weight_decay"] == 0.0
    names = {id(p): n for n, p in m.named_parameters()}
    decayed_names = {names[id(p)] for p in decayed["params"]}
    assert "transformer.wte.weight" in decayed_names
    assert "transformer.h.1.mlp.c_fc.weight" in decayed_names
    assert all(n.endswith("weight") and ".ln_" not in n for n in decayed_names)
    plain_names = {names[id(p)] for p in plain["params"]}
    assert "transformer.h.0.ln_1.weight" in plain_names
    assert "transformer.h.0.attn.c_attn.bias" in plain_names
    # every parameter once (the tied head is the token embedding)
    assert len(decayed_names) + len(plain_names) == len(list(m.parameters()))


def test_fused_adamw_takes_the_same_steps():
    x, y = batch()
    tc = TrainConfig(max_lr=1e-2, warmup_steps=0, max_steps=10)
    models = [model(), model()]
    for m, fused in zip(models, (False, True)):
        optimizer = make_optimizer(m, tc, fused=fused)
        for step in range(3):
            train_step(m, optimizer, [(x, y)], step, tc)
    # the fused kernel rounds differently; where a gradient is near 0, Adam's
    # normalised step amplifies that: a hundredth of one step's size, 1e-4
    for a, b in zip(*(m.parameters() for m in models)):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=0)


def grad_norm(m) -> float:
    grads = [p.grad.norm() for p in m.parameters() if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(grads)).item()


def test_training_learns_a_batch():
    x, y = batch()
    m = model()
    tc = TrainConfig(max_lr=3e-3, warmup_steps=2, max_steps=60)
    optimizer = make_optimizer(m, tc)
    first, _ = train_step(m, optimizer, [(x, y)], 0, tc)
    for step in range(1, 60):
        micro = list(zip(x.chunk(2), y.chunk(2)))
        loss, _ = train_step(m, optimizer, micro, step, tc)
    assert loss < first / 2  # it memorises the batch


@pytest.mark.parametrize("clip", [0.01, None])
def test_the_step_clips_the_gradient_norm(clip):
    x, y = batch()
    m = model()
    tc = TrainConfig(warmup_steps=0, max_steps=10, grad_clip=clip)
    _, norm = train_step(m, make_optimizer(m, tc), [(x, y)], 0, tc)
    # the norm before clipping is returned; .grad keeps what the step used
    assert norm > 0.01
    expected = norm if clip is None else clip
    assert grad_norm(m) == pytest.approx(expected, rel=1e-4)


def test_bfloat16_autocast_gives_the_float32_loss_to_1e_2():
    x, y = batch()
    m = model()
    with torch.no_grad():
        full = loss_of(m, x, y).item()
        half = loss_of(m, x, y, bf16=True).item()
    assert half != full  # it did compute in bfloat16
    assert half == pytest.approx(full, abs=1e-2)


def test_a_bfloat16_step_keeps_float32_weights_and_gradients():
    x, y = batch()
    m = model()
    tc = TrainConfig(warmup_steps=0, max_steps=10, bf16=True)
    loss, _ = train_step(m, make_optimizer(m, tc), [(x, y)], 0, tc)
    assert math.isfinite(loss)
    for p in m.parameters():
        assert p.dtype == p.grad.dtype == torch.float32
