"""The GPT-2 model itself: its size, its initialisation, causality, and the KV cache's
forward pass."""

from __future__ import annotations

import math

import pytest
import torch

from zero_to_hero.gpt2 import GPT2, GPT2Config, KVCache


def small(**changes) -> GPT2:
    torch.manual_seed(0)
    fields = dict(block_size=16, vocab_size=37, n_layer=2, n_head=2, n_embd=16)
    return GPT2(GPT2Config(**fields | changes)).eval()


def test_the_defaults_are_the_124m_model():
    import transformers

    with torch.device("meta"):  # shapes only
        ours = GPT2(GPT2Config())
        theirs = transformers.GPT2LMHeadModel(transformers.GPT2Config())
    n = sum(p.numel() for p in ours.parameters())
    assert n == sum(p.numel() for p in theirs.parameters())
    assert n == 124_439_808  # Hugging Face's gpt2: num_parameters()
    assert GPT2Config().head_size == 64


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"n_embd": 10, "n_head": 4}, "multiple of n_head"),
        ({"n_layer": 0}, "n_layer must be a positive int"),
        ({"block_size": 2.0}, "block_size must be a positive int"),
        ({"vocab_size": True}, "vocab_size must be a positive int"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_configs_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        GPT2Config(**changes)


def test_gpt2_initialisation():
    torch.manual_seed(0)
    config = GPT2Config(block_size=64, vocab_size=500, n_layer=6, n_head=4, n_embd=128)
    model = GPT2(config)
    params = dict(model.named_parameters())
    assert params["transformer.h.0.attn.c_attn.bias"].abs().max() == 0
    assert params["transformer.h.3.ln_2.weight"].eq(1).all()
    for name, p in params.items():
        if name.endswith(("c_attn.weight", "c_fc.weight", "wte.weight", "wpe.weight")):
            assert p.std().item() == pytest.approx(0.02, rel=0.05), name
        if name.endswith("c_proj.weight"):
            assert p.std().item() == pytest.approx(0.02 / math.sqrt(2 * 6), rel=0.05), (
                name
            )


def test_the_head_is_the_token_embedding():
    model = small()
    assert model.lm_head.weight is model.transformer.wte.weight
    assert model.lm_head.bias is None


def test_a_position_never_sees_the_future():
    model = small()
    x = torch.randint(37, (2, 16))
    y = x.clone()
    y[:, 9:] = (y[:, 9:] + 1) % 37
    with torch.no_grad():
        a, b = model(x), model(y)
    torch.testing.assert_close(a[:, :9], b[:, :9], atol=0, rtol=0)
    assert not torch.allclose(a[:, 9:], b[:, 9:])


@pytest.mark.parametrize("chunks", [[16], [5, 1, 1, 9], [1] * 16, [3, 7, 6]])
def test_reading_through_the_cache_in_pieces_gives_the_full_logits(chunks):
    model = small()
    x = torch.randint(37, (3, 16))
    cache = KVCache(model.config, batch_size=3)
    with torch.no_grad():
        full = model(x)
        pieces, start = [], 0
        for n in chunks:
            pieces.append(model(x[:, start : start + n], cache))
            start += n
            assert len(cache) == start
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-6, rtol=0)


def test_more_positions_than_block_size_are_refused():
    model = small()
    with pytest.raises(ValueError, match="17 positions do not fit in block_size"):
        model(torch.zeros(1, 17, dtype=torch.long))
    cache = KVCache(model.config, batch_size=1)
    model(torch.zeros(1, 10, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="17 positions"):
        model(torch.zeros(1, 7, dtype=torch.long), cache)


def test_gradients_reach_every_parameter():
    model = small(dropout=0.1).train()
    x = torch.randint(37, (2, 16))
    loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), x.flatten())
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
