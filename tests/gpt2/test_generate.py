"""Generation: the KV cache changes the cost, never the tokens; greedy and seeded
sampling equal Hugging Face's `generate` on the same weights; the sampling filters
equal Hugging Face's."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gpt2.conftest import CONFIGS, hf_model
from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.sampling import next_token, top_k_filter, top_p_filter


def prompt(vocab_size, B, T, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(vocab_size, (B, T), generator=g)


@pytest.fixture(scope="module")
def model() -> GPT2:
    torch.manual_seed(0)
    config = GPT2Config(block_size=24, vocab_size=53, n_layer=2, n_head=2, n_embd=32)
    return GPT2(config)


# temperature, top_k, top_p
SAMPLING = [(0.0, None, None), (1.0, None, None), (0.7, 5, None), (1.3, None, 0.8)]
SAMPLING += [(0.9, 10, 0.9)]


@pytest.mark.parametrize("temperature, top_k, top_p", SAMPLING)
@pytest.mark.parametrize("T, n", [(1, 10), (5, 19), (7, 40), (24, 3), (30, 4)])
def test_the_cache_never_changes_the_tokens(model, temperature, top_k, top_p, T, n):
    """Within block_size (T + n ≤ 24), past it (the window slides) and from a prompt
    longer than the context."""
    x = prompt(53, 3, T)
    a, b = (
        model.generate(
            x,
            n,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            use_cache=use_cache,
            generator=torch.Generator().manual_seed(1),
        )
        for use_cache in (True, False)
    )
    assert a.shape == (3, T + n)
    assert torch.equal(a[:, :T], x)
    assert torch.equal(a, b)


def hf_and_ours(config, tmp_path):
    theirs = hf_model(*config)
    # no end-of-text: generate exactly max_new_tokens, as ours does
    theirs.generation_config.eos_token_id = None
    theirs.generation_config.pad_token_id = 0
    theirs.save_pretrained(tmp_path)
    return theirs, GPT2.from_pretrained(tmp_path)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
def test_greedy_equals_hugging_face(config, tmp_path):
    theirs, ours = hf_and_ours(config, tmp_path)
    T = 3
    n = config[1] - T  # up to the full context
    x = prompt(config[0], 2, T)
    expected = theirs.generate(
        x, attention_mask=torch.ones_like(x), max_new_tokens=n, do_sample=False
    )
    got = ours.generate(x, n, temperature=0)
    assert torch.equal(got, expected)


@pytest.mark.parametrize("temperature, top_k, top_p", SAMPLING[1:])
def test_seeded_sampling_equals_hugging_face(temperature, top_k, top_p, tmp_path):
    """Both draw with torch.multinomial from the global generator, after the same
    filters: the same seed gives the same tokens."""
    theirs, ours = hf_and_ours(CONFIGS[0], tmp_path)
    x = prompt(CONFIGS[0][0], 2, 4)
    torch.manual_seed(5)
    expected = theirs.generate(
        x,
        attention_mask=torch.ones_like(x),
        max_new_tokens=20,
        do_sample=True,
        temperature=temperature,
        top_k=top_k or 0,
        top_p=top_p or 1.0,
    )
    torch.manual_seed(5)
    got = ours.generate(x, 20, temperature=temperature, top_k=top_k, top_p=top_p)
    assert torch.equal(got, expected)


# distinct values: ties at the boundary may be broken either way
logits_rows = st.lists(
    st.floats(-20, 20, allow_nan=False, width=32), min_size=2, max_size=40, unique=True
).map(lambda xs: torch.tensor([xs]))


@settings(max_examples=60)
@given(logits_rows, st.integers(1, 45))
def test_top_k_filter_equals_hugging_face(logits, k):
    from transformers.generation.logits_process import TopKLogitsWarper

    expected = TopKLogitsWarper(top_k=k)(None, logits.clone())
    assert torch.equal(top_k_filter(logits, k), expected)


@settings(max_examples=60)
@given(logits_rows, st.floats(0.05, 1.0))
def test_top_p_filter_equals_hugging_face(logits, p):
    from transformers.generation.logits_process import TopPLogitsWarper

    expected = TopPLogitsWarper(top_p=p)(None, logits.clone())
    assert torch.equal(top_p_filter(logits, p), expected)


def test_top_p_keeps_the_smallest_set_reaching_p():
    logits = torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log()
    kept = lambda p: top_p_filter(logits, p).isfinite().sum().item()  # noqa: E731
    assert [kept(p) for p in (0.1, 0.45, 0.6, 0.75, 0.9, 1.0)] == [1, 1, 2, 2, 3, 4]


def test_greedy_picks_the_largest_logit():
    logits = torch.tensor([[0.1, 3.0, -1.0], [5.0, 4.0, 4.9]])
    assert next_token(logits, temperature=0).tolist() == [[1], [0]]


def test_generate_keeps_the_training_mode_and_zero_new_tokens(model):
    model.train()
    x = prompt(53, 2, 4)
    assert torch.equal(model.generate(x, 0), x)
    model.generate(x, 3)
    assert model.training
    model.eval()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"temperature": -1.0}, "temperature must be >= 0"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 0}, "top_k must be None or an int >= 1"),
        ({"top_p": 0.0}, r"top_p must be None or in \(0, 1\]"),
        ({"top_p": 1.5}, "top_p"),
        ({"max_new_tokens": -1}, "max_new_tokens must be an int >= 0"),
        ({"idx": torch.zeros(2, 3)}, "torch.long"),
        ({"idx": torch.zeros(2, 0, dtype=torch.long)}, "non-empty"),
        ({"idx": torch.full((1, 2), 53)}, r"token ids must be in 0\.\.52"),
    ],
)
def test_bad_arguments_are_clear_errors(model, kwargs, message):
    args = {"idx": prompt(53, 1, 2), "max_new_tokens": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        model.generate(args.pop("idx"), args.pop("max_new_tokens"), **args)
