"""The training loop: accumulation to a fixed number of tokens per step, validation,
checkpoints that load with `weights_only=True`, and resuming that takes exactly the
steps the uninterrupted run takes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from zero_to_hero.checkpoint import CheckpointError
from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.data import write_shards
from zero_to_hero.gpt2.train import (
    TrainConfig,
    accumulation_steps,
    load_checkpoint,
    load_model,
    train,
)

CONFIG = GPT2Config(block_size=8, vocab_size=40, n_layer=2, n_head=2, n_embd=16)
TC = TrainConfig(
    max_lr=1e-2,
    min_lr=1e-3,
    warmup_steps=2,
    max_steps=12,
    batch_size=4,
    tokens_per_step=64,  # 2 micro-batches of 4 rows of 8 tokens
    eval_interval=4,
    eval_steps=2,
)


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """A learnable stream: each id is mostly the previous one plus 1 (mod 40)."""
    rng = np.random.default_rng(0)
    ids = np.cumsum(1 + (rng.random(6000) < 0.1)) % 40
    folder = tmp_path_factory.mktemp("shards")
    write_shards(ids[:1000], folder, 1000, prefix="t", split="val")
    write_shards(ids[1000:], folder, 2500, prefix="t", split="train", first_index=1)
    return folder


def params(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_accumulation_steps_make_up_the_tokens_per_step():
    assert accumulation_steps(TC, 8) == 2
    assert (
        accumulation_steps(replace(TC, tokens_per_step=524_288, batch_size=64), 1024)
        == 8
    )
    assert accumulation_steps(replace(TC, tokens_per_step=128), 8, world_size=2) == 2
    with pytest.raises(ValueError, match="not a multiple of B·T·processes"):
        accumulation_steps(replace(TC, tokens_per_step=100), 8)
    with pytest.raises(ValueError, match="batch_size must be"):
        replace(TC, batch_size=0)


def test_training_lowers_the_loss_and_records_its_history(shards, tmp_path):
    model, history = train(CONFIG, TC, shards, tmp_path, progress=False)
    assert history.step == list(range(1, 13))
    assert len(history.loss) == len(history.lr) == len(history.grad_norm) == 12
    assert history.val_step == [4, 8, 12]
    assert history.loss[-1] < history.loss[0] - 0.5
    assert history.val_loss[-1] < np.log(40) - 0.5  # far better than uniform
    assert all(t > 0 for t in history.tokens_per_s)
    assert history.lr[:3] == pytest.approx([1e-2 / 3, 2e-2 / 3, 1e-2])
    # the checkpoint holds the trained model and loads with weights_only=True
    loaded, step = load_model(tmp_path / "last.pt")
    assert step == 12
    for name, value in params(model).items():
        assert torch.equal(loaded.state_dict()[name], value), name


def test_accumulated_steps_equal_the_large_batchs_steps(shards):
    """Two micro-batches of 4 rows take the step one batch of 8 rows takes."""
    short = replace(TC, steps=3)
    a, ha = train(CONFIG, short, shards, progress=False)
    b, hb = train(CONFIG, replace(short, batch_size=8), shards, progress=False)
    c, hc = train(CONFIG, replace(short, tokens_per_step=32), shards, progress=False)
    assert hb.loss == pytest.approx(ha.loss, abs=1e-6)
    # Adam divides by the gradient's size: where a gradient is ~0, rounding in the
    # order of the sums moves a weight by up to lr·1e-3, hence 1e-4, not 1e-6
    for name, value in params(a).items():
        torch.testing.assert_close(b.state_dict()[name], value, atol=1e-4, rtol=0)
    # the tolerances tell them apart from steps on half as many tokens
    assert max(abs(p - q) for p, q in zip(ha.loss[1:], hc.loss[1:])) > 1e-3
    differs = max(
        (v - c.state_dict()[k]).abs().max().item() for k, v in params(a).items()
    )
    assert differs > 1e-2


def test_a_resumed_run_equals_the_uninterrupted_run(shards, tmp_path):
    whole, whole_history = train(CONFIG, TC, shards, progress=False)
    train(CONFIG, replace(TC, steps=5), shards, tmp_path, progress=False)
    assert load_checkpoint(tmp_path / "last.pt")["step"] == 5
    resumed, history = train(CONFIG, TC, shards, tmp_path, resume=True, progress=False)
    for name, value in params(whole).items():
        assert torch.equal(resumed.state_dict()[name], value), name
    assert history.step == whole_history.step
    assert history.loss == whole_history.loss
    # the stop at step 5 measured the validation loss; the whole run did not
    assert history.val_step == whole_history.val_step == [4, 8, 12]
    assert history.val_loss == whole_history.val_loss
    # without the optimizer's moments or the loader's position it would differ
    fresh = GPT2(CONFIG)
    assert not torch.equal(fresh.lm_head.weight, resumed.lm_head.weight)


def test_resuming_with_another_recipe_or_model_is_refused(shards, tmp_path):
    train(CONFIG, replace(TC, steps=2), shards, tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="max_lr"):
        train(CONFIG, replace(TC, max_lr=1e-3), shards, tmp_path, resume=True)
    with pytest.raises(CheckpointError, match="another model config"):
        train(replace(CONFIG, n_embd=32), TC, shards, tmp_path, resume=True)
    with pytest.raises(FileNotFoundError):
        train(CONFIG, TC, shards, tmp_path / "nothing", resume=True)


def test_a_foreign_checkpoint_is_refused(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"format_version": 1, "kind": "gpt"}, path)
    with pytest.raises(CheckpointError, match="'gpt' model"):
        load_model(path)


def test_bf16_autocast_trains_close_to_float32(shards):
    short = replace(TC, steps=2)
    _, full = train(CONFIG, short, shards, progress=False)
    _, half = train(CONFIG, replace(short, bf16=True), shards, progress=False)
    assert half.loss == pytest.approx(full.loss, abs=1e-2)
    assert half.loss != full.loss  # the forward pass did run in bfloat16
