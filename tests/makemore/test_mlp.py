"""The bare-tensor MLP, the lecture recipes and the training loop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.recipes import (
    INIT_FIXES,
    LECTURE_SEED,
    Training,
    build,
    recipe,
    run_recipe,
)
from zero_to_hero.makemore.train import (
    SGD,
    AdamW,
    cosine_decay,
    evaluate,
    step_decay,
    train,
)
from zero_to_hero.reference import CPU_RTOL, anchor

# A short run of the lecture's BatchNorm MLP (recipe "bn-mlp"), recorded on torch 2.13
# CPU. The recipe is deterministic: a change in the initialization order, the minibatch
# draws, the BatchNorm arithmetic or the update rounding changes these digits. Another
# CPU's float32 kernels change the last bits only, so the numbers are compared to 6
# digits (CPU_RTOL).
BN_1000_STEPS = {
    "last_batch": 2.210228681564331,
    "train": 2.457094430923462,
    "val": 2.454827070236206,
}


def test_parameter_counts_are_the_lectures():
    assert MLP(MLPConfig()).num_parameters() == anchor("makemore.mlp.params").value
    assert (
        build(recipe("bn-mlp"))[0].num_parameters()
        == anchor("makemore.bn.params").value
    )
    assert (
        DeepMLP(DeepMLPConfig()).num_parameters()
        == anchor("makemore.deep.params").value
    )


def test_initialization_draws_in_the_lectures_order_with_the_lectures_scalings():
    """Written the lecture's way, independently of MLP: same generator, same order."""
    model, g = build(recipe("mlp-bn-b1"))
    ref = torch.Generator().manual_seed(LECTURE_SEED)
    C = torch.randn((27, 10), generator=ref)
    W1 = torch.randn((30, 200), generator=ref) * (5 / 3) / (30**0.5)
    b1 = torch.randn(200, generator=ref) * 0.01
    W2 = torch.randn((200, 27), generator=ref) * 0.01
    b2 = torch.randn(27, generator=ref) * 0
    for ours, theirs in zip(
        [model.C, model.W1, model.b1, model.W2, model.b2], [C, W1, b1, W2, b2]
    ):
        assert torch.equal(ours, theirs)
    assert torch.equal(
        torch.randint(0, 10, (5,), generator=g),
        torch.randint(0, 10, (5,), generator=ref),
    )
    assert [n for n, _ in model.named_parameters()] == [
        "C",
        "W1",
        "b1",
        "W2",
        "b2",
        "bngain",
        "bnbias",
    ]


def test_the_forward_pass_is_the_lectures(names_splits):
    model, _ = build(recipe("mlp"))
    X = names_splits(3).train.X[:32]
    h = torch.tanh(model.C[X].view(32, -1) @ model.W1 + model.b1)
    assert torch.equal(model(X), h @ model.W2 + model.b2)
    assert torch.equal(model.h, h)


def test_a_short_batchnorm_run_reproduces_the_recorded_and_published_numbers(
    names_splits,
):
    run = run_recipe("bn-mlp", names_splits(3), steps=1000)
    assert round(run.history.losses[0], 4) == anchor("makemore.bn.loss_step0").value
    assert run.history.losses[-1] == pytest.approx(
        BN_1000_STEPS["last_batch"], rel=CPU_RTOL
    )
    assert run.losses == {
        "train": pytest.approx(BN_1000_STEPS["train"], rel=CPU_RTOL),
        "val": pytest.approx(BN_1000_STEPS["val"], rel=CPU_RTOL),
    }


@pytest.mark.slow
def test_the_batchnorm_run_matches_the_lectures_printout_at_step_10000(names_splits):
    run = run_recipe("bn-mlp", names_splits(3), steps=10_001, splits_to_eval=())
    assert (
        round(run.history.losses[10_000], 4)
        == anchor("makemore.bn.loss_step10000").value
    )


def test_the_original_mlp_starts_confidently_wrong(names_splits):
    history = run_recipe("mlp", names_splits(3), steps=1, splits_to_eval=()).history
    assert round(history.losses[0], 4) == 27.8817  # the lecture's step-0 printout
    fixed = run_recipe(
        "mlp-softmax-fix", names_splits(3), steps=1, splits_to_eval=()
    ).history
    # ≈ uniform
    assert abs(fixed.losses[0] - torch.log(torch.tensor(27.0)).item()) < 0.05


def test_batchnorm_mlp_evaluates_with_running_statistics(names_splits):
    model, g = build(recipe("bn-mlp"))
    X = names_splits(3).train.X
    train(model, X, names_splits(3).train.Y, 50, generator=g)
    model.eval()
    single = torch.cat([model(X[i : i + 1]) for i in range(5)])
    torch.testing.assert_close(model(X[:5]), single)
    mean = model.bnmean_running.clone()
    evaluate(model, X[:1000], names_splits(3).train.Y[:1000])
    assert torch.equal(model.bnmean_running, mean)
    model.train()
    with pytest.raises(ValueError, match="batch of at least 2; use eval"):
        model(X[:1])


def test_training_records_losses_schedule_updates_and_evaluations(names_splits):
    s = names_splits(3)
    model, g = build(recipe("mlp-kaiming"))
    history = train(
        model,
        s.train.X,
        s.train.Y,
        30,
        lr=step_decay(0.1, 0.01, 20),
        generator=g,
        track_update_ratios=True,
        eval_every=10,
        eval_data={"val": (s.val.X, s.val.Y)},
    )
    assert history.steps == 30 and history.lrs == [0.1] * 20 + [0.01] * 10
    assert len(history.update_ratios) == 30 and len(history.update_ratios[0]) == 5
    assert [step for step, _ in history.evals] == [10, 20, 30]
    assert history.evals[-1][1]["val"] == evaluate(model, s.val.X, s.val.Y)
    assert model.training  # evaluate restored the mode
    # continuing a history appends to it
    train(model, s.train.X, s.train.Y, 5, generator=g, history=history)
    assert history.steps == 35


def test_adamw_and_cosine_schedule_train_on_the_minibatch_labels():
    """The targets are the first context character: learnable only if each minibatch's
    labels are the labels of its own examples (Y[ix] with X[ix])."""
    schedule = cosine_decay(1.0, 100, warmup=10)
    assert schedule(0) == pytest.approx(1 / 11) and schedule(10) == 1.0
    assert abs(schedule(55) - 0.5) < 1e-12 and schedule(100) == 0.0
    torch.manual_seed(0)
    X = torch.randint(0, 27, (512, 3))
    Y = X[:, 0]  # learnable: the first context character
    model = MLP(
        MLPConfig(w2_scale=0.01, b2_scale=0.0),
        generator=torch.Generator().manual_seed(0),
    )
    optimizer = AdamW(model.parameters())
    history = train(
        model, X, Y, 200, batch_size=64, lr=cosine_decay(0.01, 200), optimizer=optimizer
    )
    assert history.losses[-1] < 0.2 * history.losses[0]


def test_sgd_update_is_the_lectures_rounding():
    p = torch.tensor([1.0, -2.0, 3.5], requires_grad=True)
    p.grad = torch.tensor([0.3, 0.7, -0.1])
    expected = p.data + (-0.1 * p.grad)
    SGD([p]).step(0.1)
    assert torch.equal(p.data, expected)


def test_recipes_cover_the_init_table_and_bad_names_are_clear():
    assert list(INIT_FIXES) == [
        "mlp",
        "mlp-softmax-fix",
        "mlp-tanh-fix",
        "mlp-kaiming",
        "mlp-bn-b1",
        "bn-mlp",
    ]
    with pytest.raises(KeyError, match="no recipe 'bn'; choose from mlp, "):
        recipe("bn")
    with pytest.raises(
        ValueError, match="unknown optimizer 'adam': use 'sgd' or 'adamw'"
    ):
        Training(optimizer="adam")
    with pytest.raises(
        ValueError,
        match=(
            "reads 3 characters of context, but the splits were built with block_size=8"
        ),
    ):
        run_recipe("mlp", splits=_FakeSplits(), steps=1)


class _FakeSplits:
    block_size = 8


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="n_hidden must be a positive int, got 0"):
        MLPConfig(n_hidden=0)
    with pytest.raises(
        ValueError, match=r"expected contexts of shape \(N, 3\), got \(2, 4\)"
    ):
        MLP(MLPConfig())(torch.zeros((2, 4), dtype=torch.int64))
    model = MLP(MLPConfig())
    with pytest.raises(ValueError, match="same, non-zero number of examples"):
        train(
            model,
            torch.zeros((3, 3), dtype=torch.int64),
            torch.zeros(2, dtype=torch.int64),
            1,
        )
    with pytest.raises(ValueError, match="need steps >= 0 and batch_size >= 1"):
        train(
            model,
            torch.zeros((3, 3), dtype=torch.int64),
            torch.zeros(3, dtype=torch.int64),
            1,
            batch_size=0,
        )
    logits = model(torch.zeros((2, 3), dtype=torch.int64))
    assert torch.allclose(
        model.probs(torch.zeros((2, 3), dtype=torch.int64)), F.softmax(logits, -1)
    )


def _softmax_calls(text: str):
    """The argument text of every `….softmax(...)` or `….log_softmax(...)` call in
    `text`."""
    for match in re.finditer(r"[\w\])]\.(?:log_)?softmax\(", text):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield text[match.end() : i - 1]


def test_every_softmax_of_the_chapter_names_its_axis():
    """An implicit softmax axis is a classic silent bug: each call must say `dim=`."""
    root = Path(__file__).resolve().parents[2]
    files = [
        *(root / "src/zero_to_hero/makemore").glob("*.py"),
        *(root / "docs/makemore").glob("*.md"),
    ]
    calls = [
        (f.name, args)
        for f in files
        for args in _softmax_calls(f.read_text(encoding="utf-8"))
    ]
    assert len(calls) >= 3  # the scan finds them
    assert all("dim=" in args for _, args in calls), [
        c for c in calls if "dim=" not in c[1]
    ]
