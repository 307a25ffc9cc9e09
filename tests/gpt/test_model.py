"""The GPT and the bigram baseline: shapes, causality, learning, sampling, bad input."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.gpt import GPT, BigramLanguageModel, GPTConfig
from zero_to_hero.gpt.model import Block

TINY = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def tiny_gpt(seed: int = 0, **overrides) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(**{**TINY, **overrides})).eval()


def test_shapes_and_loss_at_initialisation():
    model = tiny_gpt()
    g = torch.Generator().manual_seed(0)
    idx, targets = torch.randint(11, (2, 64, 8), generator=g)
    logits, loss = model(idx, targets)
    assert logits.shape == (64, 8, 11)
    # small random weights: nearly uniform predictions, so the loss is close to ln(11)
    assert loss.item() == pytest.approx(torch.log(torch.tensor(11.0)).item(), abs=0.05)
    shorter, no_loss = model(idx[:, :3])
    assert shorter.shape == (64, 3, 11) and no_loss is None


def test_baby_gpt_has_nanogpts_parameter_count():
    config = GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128)
    model = GPT(config)
    # nanoGPT reports parameters without the position embeddings: "0.80M" for this
    # config
    assert model.num_params(non_embedding=True) == 795_904
    assert model.num_params() == 795_904 + 64 * 128
    assert model.lm_head.weight is model.token_embedding.weight
    rotary = GPT(GPTConfig(**{**config.to_dict(), "position": "rotary"}))
    assert rotary.num_params() == rotary.num_params(non_embedding=True) == 795_904
    untied = GPT(GPTConfig(**{**config.to_dict(), "tie_weights": False}))
    # the head counts, the lookup not
    assert untied.num_params(non_embedding=True) == 795_904
    assert untied.num_params() == 795_904 + 64 * 128 + 65 * 128


@settings(max_examples=30)
@given(
    st.integers(0, 7),
    st.booleans(),
    st.sampled_from(["learned", "rotary"]),
    st.integers(0, 2**31 - 1),
)
def test_changing_a_future_token_never_changes_earlier_logits(
    t, residual, position, seed
):
    """Causality: the logits at positions <= t depend on tokens <= t only."""
    model = tiny_gpt(residual=residual, position=position)
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(11, (2, 8), generator=g)
    changed = idx.clone()
    changed[:, t:] = (
        changed[:, t:] + torch.randint(1, 11, changed[:, t:].shape, generator=g)
    ) % 11
    before, _ = model(idx)
    after, _ = model(changed)
    torch.testing.assert_close(before[:, :t], after[:, :t])
    # ...and the changed ones do move
    assert not torch.allclose(before[:, t:], after[:, t:])


def test_without_the_causal_mask_the_past_sees_the_future():
    model = tiny_gpt(causal=False)
    idx = torch.zeros(1, 8, dtype=torch.long)
    changed = idx.clone()
    changed[0, -1] = 5
    assert not torch.allclose(model(idx)[0][:, 0], model(changed)[0][:, 0])


@pytest.mark.parametrize("norm_position", ["pre", "post"])
def test_attention_maps_are_causal_probabilities(norm_position):
    model = tiny_gpt(norm_position=norm_position)
    maps = model.attention_maps(torch.randint(11, (1, 8)))
    assert len(maps) == 2 and maps[0].shape == (1, 2, 8, 8)
    for w in maps:
        torch.testing.assert_close(w.sum(-1), torch.ones(1, 2, 8))
        assert (w.triu(diagonal=1) == 0).all()


@pytest.mark.parametrize("residual", [True, False])
def test_a_residual_block_passes_the_stream_through_its_silenced_branches(residual):
    """With the output layers of both branches zeroed, a residual block is the
    identity (x + 0 + 0); without the residual stream, nothing gets through."""
    config = GPTConfig(**{**TINY, "residual": residual, "layer_norm": residual})
    block = Block(config).double()
    x = torch.randn(2, 8, 16, dtype=torch.float64)
    assert not torch.allclose(block(x), x)
    with torch.no_grad():
        block.attn.proj.weight.zero_()
        block.ffwd.proj.weight.zero_()
    out = block(x)
    assert isinstance(out, torch.Tensor)
    if residual:
        assert torch.equal(out, x)
    else:
        assert torch.equal(out, torch.zeros_like(x))


@pytest.mark.parametrize(
    "overrides,bound",
    [
        ({}, 0.1),
        # attention alone, no feed-forward or residual: it can still memorise most of it
        ({"residual": False, "layer_norm": False, "feed_forward": False}, 1.0),
        (
            {
                "n_layer": 1,
                "n_head": 1,
                "tie_weights": False,
                "activation": "relu",
                "bias": True,
            },
            0.1,
        ),
    ],
)
def test_a_tiny_model_overfits_one_batch(overrides, bound):
    model = tiny_gpt(**overrides).train()
    g = torch.Generator().manual_seed(0)
    x = torch.randint(11, (4, 8), generator=g)
    # random targets: only memorisation can fit them
    y = torch.randint(11, (4, 8), generator=g)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(300):
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < bound  # from ln(11) = 2.4 at the start


def test_bigram_learns_the_transition_table():
    torch.manual_seed(0)
    model = BigramLanguageModel(3)
    x = torch.tensor([[0, 1, 2, 0, 1, 2, 0, 1]])  # 0 → 1 → 2 → 0 …
    y = torch.roll(x, -1, dims=1)
    y[0, -1] = 2
    opt = torch.optim.AdamW(model.parameters(), lr=0.1)
    for _ in range(200):
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    out = model.generate(torch.tensor([[0]]), 6, top_k=1)
    assert out.tolist() == [[0, 1, 2, 0, 1, 2, 0]]


def test_generation_is_deterministic_with_a_seeded_generator():
    model = tiny_gpt()
    prompt = torch.tensor([[1, 2, 3]])
    a = model.generate(prompt, 20, generator=torch.Generator().manual_seed(7))
    b = model.generate(prompt, 20, generator=torch.Generator().manual_seed(7))
    c = model.generate(prompt, 20, generator=torch.Generator().manual_seed(8))
    assert a.shape == (1, 23) and torch.equal(a, b) and not torch.equal(a, c)
    # longer than block_size: the context was cropped
    assert torch.equal(a[:, :3], prompt)


def test_top_k_one_is_greedy_decoding():
    model = tiny_gpt()
    out = model.generate(torch.tensor([[4]]), 5, top_k=1)
    idx = torch.tensor([[4]])
    for _ in range(5):
        logits, _ = model(idx[:, -8:])
        idx = torch.cat([idx, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    assert torch.equal(out, idx)


def test_low_temperature_concentrates_and_high_temperature_spreads():
    model = tiny_gpt()
    with torch.no_grad():
        model.lm_head.weight.mul_(50)  # a peaked distribution at temperature 1
    prompt = torch.zeros(200, 1, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    cold = model.generate(prompt, 1, temperature=0.1, generator=g)[:, -1]
    hot = model.generate(prompt, 1, temperature=100.0, generator=g)[:, -1]
    assert cold.unique().numel() < hot.unique().numel()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"temperature": 0.0}, "temperature must be > 0"),
        ({"temperature": -1.0}, "temperature must be > 0"),
        ({"top_k": 0}, r"top_k must be None or an int in 1\.\.11"),
        ({"top_k": 12}, r"top_k must be None or an int in 1\.\.11"),
        ({"max_new_tokens": -1}, "max_new_tokens must be an int >= 0"),
    ],
)
def test_bad_sampling_settings_are_clear_errors(kwargs, message):
    args = {"max_new_tokens": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        tiny_gpt().generate(torch.tensor([[1]]), **args)


@pytest.mark.parametrize(
    "idx,message",
    [
        (torch.zeros(1, 0, dtype=torch.long), "non-empty"),
        (torch.zeros(3, dtype=torch.long), r"\(B, T\)"),
        (torch.zeros(1, 2), "torch.long"),
        (torch.tensor([[3, 11]]), r"token ids must be in 0\.\.10"),
        (torch.tensor([[-1]]), r"token ids must be in 0\.\.10"),
    ],
)
def test_bad_prompts_are_clear_errors(idx, message):
    with pytest.raises(ValueError, match=message):
        tiny_gpt().generate(idx, 2)


def test_bad_forward_inputs_are_clear_errors():
    model = tiny_gpt()
    with pytest.raises(
        ValueError, match=r"sequence length 9 is outside 1\.\.block_size \(8\)"
    ):
        model(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(
        ValueError, match=r"token ids must be in 0\.\.10, got values in 0\.\.11"
    ):
        model(torch.tensor([[0, 11]]))
    with pytest.raises(ValueError, match=r"dtype torch\.long"):
        model(torch.zeros(1, 2, dtype=torch.int32))


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"n_embd": 15}, r"n_embd \(15\) must be a multiple of n_head \(2\)"),
        ({"n_layer": 0}, "n_layer must be a positive int"),
        ({"vocab_size": 2.5}, "vocab_size must be a positive int"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"activation": "tanh"}, "activation must be one of"),
        ({"position": "sinusoidal"}, "position must be one of"),
        ({"position": "rotary", "n_embd": 18, "n_head": 2}, "even head size, got 9"),
        ({"init": "xavier"}, r"init must be one of \('gpt2', 'normal', 'pytorch'\)"),
        (
            {"norm_position": "middle"},
            r"norm_position must be one of \('pre', 'post'\)",
        ),
    ],
)
def test_bad_configs_are_clear_errors(overrides, message):
    with pytest.raises(ValueError, match=message):
        GPTConfig(**{**TINY, **overrides})


def test_config_round_trips_through_a_dict_and_rejects_unknown_keys():
    config = GPTConfig(**TINY)
    assert GPTConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match=r"unknown GPTConfig fields \['n_heads'\]"):
        GPTConfig.from_dict({**config.to_dict(), "n_heads": 3})


@pytest.mark.parametrize("norm_position", ["pre", "post"])
def test_a_block_is_torchs_transformer_layer(norm_position):
    """Pre-LN and post-LN blocks against `nn.TransformerEncoderLayer` with
    `norm_first=True` and `False`, given the same weights and a causal mask."""
    config = GPTConfig(**{**TINY, "bias": True, "norm_position": norm_position})
    torch.manual_seed(0)
    block = Block(config).double().eval()
    theirs = torch.nn.TransformerEncoderLayer(
        16,
        2,
        dim_feedforward=64,
        dropout=0.0,
        activation="gelu",
        batch_first=True,
        norm_first=norm_position == "pre",
        dtype=torch.float64,
    ).eval()
    pairs = [
        (theirs.self_attn.in_proj_weight, block.attn.qkv.weight),
        (theirs.self_attn.in_proj_bias, block.attn.qkv.bias),
        (theirs.self_attn.out_proj.weight, block.attn.proj.weight),
        (theirs.self_attn.out_proj.bias, block.attn.proj.bias),
        (theirs.linear1.weight, block.ffwd.fc.weight),
        (theirs.linear1.bias, block.ffwd.fc.bias),
        (theirs.linear2.weight, block.ffwd.proj.weight),
        (theirs.linear2.bias, block.ffwd.proj.bias),
    ]
    with torch.no_grad():
        for norm in (block.ln1, block.ln2):  # gains and shifts away from 1 and 0
            norm.weight.normal_(1.0, 0.3)
            norm.bias.normal_(0.0, 0.3)
        pairs += [
            (theirs.norm1.weight, block.ln1.weight),
            (theirs.norm1.bias, block.ln1.bias),
            (theirs.norm2.weight, block.ln2.weight),
            (theirs.norm2.bias, block.ln2.bias),
        ]
        for their, our in pairs:
            their.copy_(our)
    x = torch.randn(3, 8, 16, dtype=torch.float64)
    # torch's mask is True where attention is *not* allowed
    future = torch.ones(8, 8, dtype=torch.bool).triu(diagonal=1)
    torch.testing.assert_close(block(x), theirs(x, src_mask=future))


def test_post_ln_normalises_the_stream_and_drops_the_final_layer_norm():
    model = tiny_gpt(norm_position="post")
    assert isinstance(model.ln_f, torch.nn.Identity)
    assert isinstance(tiny_gpt().ln_f, torch.nn.LayerNorm)
    # one LayerNorm (n_embd gains) fewer than pre-LN
    assert model.num_params() == tiny_gpt().num_params() - 16
    x = torch.randn(2, 8, 16) * 10 + 3
    out = model.blocks[0](x)  # unit gains, no biases: mean 0, variance 1 per position
    torch.testing.assert_close(out.mean(-1), torch.zeros(2, 8), atol=1e-5, rtol=0)
    torch.testing.assert_close(
        out.var(-1, unbiased=False), torch.ones(2, 8), atol=1e-3, rtol=0
    )


def test_normal_init_skips_only_the_residual_scaling():
    """`init="normal"` draws every weight as `"gpt2"` does, but leaves the residual
    branches' output layers at std 0.02 instead of 0.02 / √(2·n_layer)."""
    config = dict(TINY, n_layer=8, n_embd=256, n_head=4)
    scaled, plain = tiny_gpt(**config), tiny_gpt(**config, init="normal")
    for (name, a), (_, b) in zip(
        scaled.named_parameters(), plain.named_parameters(), strict=True
    ):
        if name.endswith("proj.weight"):
            # 256² samples: the standard deviation is within 1 % of its value
            assert a.std().item() == pytest.approx(0.02 / 4, rel=0.02), name
            assert b.std().item() == pytest.approx(0.02, rel=0.02), name
        else:
            assert torch.equal(a, b), name
