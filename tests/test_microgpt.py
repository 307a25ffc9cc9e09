"""The capstone: the scalar GPT against a float64 PyTorch twin, its engines against each
other, determinism, the command line, and the exercises."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from zero_to_hero import microgpt_torch
from zero_to_hero.microgpt import GPT, Adam, Config, Tokenizer, sample, softmax, train
from zero_to_hero.microgpt_exercises import (
    LayerNormGPT,
    layernorm,
    sample_top_k,
    two_layers,
)
from zero_to_hero.micrograd import simple

SOURCE = ROOT / "src" / "zero_to_hero" / "microgpt.py"
SOME_NAMES = [
    "emma",
    "olivia",
    "ava",
    "christopherson",
    "x",
    "abcdefghijklmnopqrstuvwxyz",
]


@pytest.fixture(scope="module")
def docs(names):
    return [name for name in names if name]


@pytest.fixture(scope="module")
def tokenizer(docs):
    return Tokenizer(docs)


@pytest.fixture(scope="module")
def config(tokenizer):
    return Config(vocab_size=tokenizer.vocab_size)


def tokens_of(tokenizer, name):
    return [Tokenizer.BOS, *tokenizer.encode(name), Tokenizer.BOS]


# -- the module itself ------


def test_the_module_is_short_and_imports_only_the_standard_library_and_micrograd():
    text = SOURCE.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    tree = ast.parse(text)
    imported = []
    for node in tree.body:  # module level; the `__main__` block only runs the CLI
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module)
    for name in imported:
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith(
            "zero_to_hero.micrograd"
        ), f"microgpt imports {name}"
    parts = [text.index(f"# Part {i}:") for i in (1, 2, 3)]
    assert parts == sorted(parts)


@given(st.text(alphabet="abcxyz", max_size=20))
def test_the_tokenizer_round_trips(text):
    tok = Tokenizer(["abc", "xyz"])
    assert tok.vocab_size == 7
    ids = tok.encode(text)
    assert Tokenizer.BOS not in ids
    assert tok.decode([Tokenizer.BOS, *ids, Tokenizer.BOS]) == text


def test_the_tokenizer_names_unknown_characters():
    with pytest.raises(ValueError, match=r"\['!'\] are not in the vocabulary"):
        Tokenizer(["abc"]).encode("a!")


def test_a_loss_needs_two_tokens(config):
    with pytest.raises(ValueError, match="need 2 tokens or more"):
        GPT(config).loss([Tokenizer.BOS])


def test_softmax_survives_large_logits():
    probs = softmax([simple.Value(1000.0), simple.Value(0.0)])
    assert probs[0].data == pytest.approx(1.0) and probs[1].data >= 0


# -- against PyTorch ------


def relative_error(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """Largest |difference| over the largest |value|, element by element where the
    values are not tiny."""
    scale = theirs.abs().clamp_min(1e-6 * theirs.abs().max())
    return ((ours - theirs).abs() / scale).max().item()


def check_against_torch(model, config, tokenizer, names, torch_loss=None):
    torch_loss = torch_loss or microgpt_torch.loss
    weights = microgpt_torch.weights_of(model)
    for name in names:
        tokens = tokens_of(tokenizer, name)
        for p in model.parameters():
            p.grad = 0.0
        ours = model.loss(tokens)
        ours.backward()
        for w in weights.values():
            w.grad = None
        theirs = torch_loss(weights, config, tokens)
        theirs.backward()
        assert abs(ours.data - theirs.item()) <= 1e-9 * abs(theirs.item()), name
        grads = torch.tensor([p.grad for p in model.parameters()], dtype=torch.float64)
        expected = torch.cat([w.grad.flatten() for w in weights.values()])
        assert expected.abs().max() > 0
        assert relative_error(grads, expected) < 1e-9, name


def test_loss_and_gradients_equal_pytorch(config, tokenizer):
    """Token by token with a KV cache on scalars, or the whole sequence under a causal
    mask with tensors: the same loss and the same gradient of every weight."""
    check_against_torch(GPT(config), config, tokenizer, SOME_NAMES)


def test_a_context_longer_than_block_size_is_cut(tokenizer):
    config = Config(vocab_size=tokenizer.vocab_size, block_size=4)
    check_against_torch(GPT(config), config, tokenizer, ["christopherson"])


def test_twenty_training_steps_equal_pytorch(config, tokenizer, docs):
    ours = train(GPT(config), tokenizer, docs, steps=20)
    weights = microgpt_torch.weights_of(GPT(config))
    theirs = microgpt_torch.train(weights, config, tokenizer, docs, steps=20)
    assert len(ours) == 20
    for a, b in zip(ours, theirs):
        assert abs(a - b) <= 1e-9 * abs(b)
    assert ours[-1] < ours[0]


def test_adam_takes_a_first_step_of_lr_in_the_gradient_s_direction():
    """With bias correction, the first step is lr * g / |g| (up to eps) for every
    parameter, whatever the size of its gradient."""
    params = [simple.Value(1.0), simple.Value(1.0)]
    params[0].grad, params[1].grad = 0.5, -50.0
    Adam(params).step(lr=0.1)
    assert params[0].data == pytest.approx(0.9, abs=1e-8)
    assert params[1].data == pytest.approx(1.1, abs=1e-8)
    assert params[0].grad == params[1].grad == 0.0


# -- engines and determinism ------


def test_every_engine_computes_the_same_losses(config, tokenizer, docs):
    """Ours, the lecture-shaped engine with its weighted_sum, and the straightforward
    one (a node per product and per sum) do the same arithmetic in the same order."""
    runs = [
        train(GPT(config), tokenizer, docs, steps=3),
        train(
            GPT(
                config,
                value=simple.Value,
                dot=lambda w, x: simple.weighted_sum(w, x, simple.Value(0.0)),
            ),
            tokenizer,
            docs,
            steps=3,
        ),
        train(
            GPT(
                config,
                value=simple.Value,
                dot=lambda w, x: sum(a * b for a, b in zip(w, x)),
            ),
            tokenizer,
            docs,
            steps=3,
        ),
    ]
    assert runs[0] == runs[1] == runs[2]


def test_training_and_sampling_are_deterministic(config, tokenizer, docs):
    def run(seed):
        model = GPT(Config(vocab_size=tokenizer.vocab_size, seed=seed))
        losses = train(model, tokenizer, docs, steps=5, seed=seed)
        return losses, sample(model, tokenizer, n=5, seed=seed)

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_samples_are_names_of_the_vocabulary(config, tokenizer, docs):
    model = GPT(config)
    train(model, tokenizer, docs, steps=10)
    names = sample(model, tokenizer, n=20, temperature=1.0)
    assert len(names) == 20
    for name in names:
        assert len(name) <= config.block_size
        assert set(name) <= set(tokenizer.chars)
    with pytest.raises(ValueError, match="temperature must be positive"):
        sample(model, tokenizer, temperature=0)


# -- the command line ------


def test_the_command_trains_and_samples(capsys):
    from zero_to_hero.cli import main

    assert main(["microgpt", "train", "--steps", "3", "--samples", "2"]) == 0
    out = capsys.readouterr().out
    assert "4,192 parameters" in out
    assert "step    1 / 3 | loss 3.2927 |" in out and " ms" in out
    assert out.split("samples:")[1].count("\n  ") == 2


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zero_to_hero.microgpt",
            "--steps",
            "2",
            "--samples",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "step    2 / 2" in result.stdout and "samples:" in result.stdout


def test_the_command_rejects_a_bad_step_count(capsys):
    from zero_to_hero.cli import main

    with pytest.raises(SystemExit):
        main(["microgpt", "train", "--steps", "0"])
    assert "--steps" in capsys.readouterr().err


# -- exercises ------


def test_exercise_a_second_layer_still_equals_pytorch(config, tokenizer):
    deeper = two_layers(config)
    model = GPT(deeper)
    assert deeper.n_layer == 2
    assert len(model.parameters()) > len(GPT(config).parameters())
    check_against_torch(model, deeper, tokenizer, SOME_NAMES[:3])


def test_exercise_layernorm_equals_pytorch(config, tokenizer, monkeypatch):
    # the PyTorch twin with F.layer_norm (no gain, no bias) wherever it normalised
    monkeypatch.setattr(
        microgpt_torch,
        "rmsnorm",
        lambda x: torch.nn.functional.layer_norm(x, x.shape[-1:], eps=1e-5),
    )
    check_against_torch(LayerNormGPT(config), config, tokenizer, SOME_NAMES[:3])
    out = layernorm([simple.Value(v) for v in (1.0, 2.0, 6.0)])
    assert sum(o.data for o in out) == pytest.approx(0.0, abs=1e-12)


def test_exercise_top_k(config, tokenizer, docs):
    model = GPT(config)
    train(model, tokenizer, docs, steps=10)
    everything = sample_top_k(model, tokenizer, n=5, top_k=tokenizer.vocab_size)
    assert everything == sample(model, tokenizer, n=5)
    greedy = sample_top_k(model, tokenizer, n=3, top_k=1, seed=1)
    assert greedy == sample_top_k(model, tokenizer, n=3, top_k=1, seed=2)
    assert len(set(greedy)) == 1  # no randomness left
    # with k = 2, every step picks one of the two likeliest tokens
    cache, token = model.empty_cache(), Tokenizer.BOS
    logits = [v.data for v in model.forward(token, 0, cache)]
    top2 = sorted(range(len(logits)), key=lambda i: -logits[i])[:2]
    firsts = {name[:1] or "" for name in sample_top_k(model, tokenizer, n=30, top_k=2)}
    allowed = {tokenizer.decode([i]) for i in top2}
    assert firsts <= allowed and len(firsts) == 2
    with pytest.raises(ValueError, match="top_k >= 1"):
        sample_top_k(model, tokenizer, top_k=0)
