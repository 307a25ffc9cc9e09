"""The training loop: schedule, optimizer groups, determinism, checkpoints, bad
input."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from zero_to_hero.checkpoint import CheckpointError, save_checkpoint
from zero_to_hero.gpt import GPT, CharDataset, GPTConfig, TrainConfig, load_model, train
from zero_to_hero.gpt.recipes import recipe
from zero_to_hero.gpt.training import lr_at, make_optimizer, split_loss
from zero_to_hero.options import OptionError
from zero_to_hero.vocab import CharVocab

TEXT = "First Citizen: we are accounted poor citizens, the patricians good.\n" * 40


@pytest.fixture(scope="module")
def data() -> CharDataset:
    return CharDataset.from_text(TEXT)


def tiny(data: CharDataset, **train_overrides):
    model_config = GPTConfig(
        data.vocab.size, block_size=16, n_layer=2, n_head=2, n_embd=16
    )
    settings = dict(
        batch_size=8,
        max_iters=60,
        learning_rate=1e-2,
        min_lr=1e-3,
        warmup_iters=5,
        eval_interval=20,
        eval_iters=2,
    )
    return model_config, TrainConfig(**{**settings, **train_overrides})


def test_cosine_schedule_warms_up_then_decays_to_the_floor():
    tc = TrainConfig(learning_rate=1.0, min_lr=0.1, warmup_iters=10, max_iters=110)
    lrs = [lr_at(s, tc) for s in range(130)]
    assert lrs[0] == pytest.approx(1 / 11) and lrs[9] == pytest.approx(10 / 11)
    assert lrs[10] == pytest.approx(1.0)
    assert lrs[60] == pytest.approx(0.55)  # halfway down the cosine
    assert all(a >= b for a, b in itertools.pairwise(lrs[10:]))
    assert lrs[110] == lrs[129] == pytest.approx(0.1)


def test_step_and_constant_schedules():
    tc = TrainConfig(
        learning_rate=1.0,
        min_lr=0.001,
        warmup_iters=0,
        schedule="step",
        step_size=100,
        gamma=0.1,
    )
    assert [lr_at(s, tc) for s in (0, 99, 100, 250, 999)] == pytest.approx(
        [1.0, 1.0, 0.1, 0.01, 0.001]
    )
    constant = TrainConfig(learning_rate=0.5, warmup_iters=0, schedule="constant")
    assert lr_at(12345, constant) == 0.5


def test_weight_decay_only_on_matrices_and_embeddings():
    model = GPT(GPTConfig(10, 8, n_layer=1, n_head=1, n_embd=8, bias=True))
    decayed, plain = make_optimizer(model, TrainConfig(weight_decay=0.3)).param_groups
    assert decayed["weight_decay"] == 0.3 and plain["weight_decay"] == 0.0
    assert all(p.dim() == 2 for p in decayed["params"]) and all(
        p.dim() == 1 for p in plain["params"]
    )
    assert len(decayed["params"]) + len(plain["params"]) == len(
        list(model.parameters())
    )


def test_decay_vectors_decays_every_parameter():
    """With `decay_vectors`, one step on zero gradients shrinks a LayerNorm gain by
    AdamW's factor 1 - lr·wd; without it, the gain stays at 1."""
    config = GPTConfig(10, 8, n_layer=1, n_head=1, n_embd=8, bias=True)
    for decay_vectors, expected in ((False, 1.0), (True, 1.0 - 0.5 * 0.2)):
        model = GPT(config)
        tc = TrainConfig(
            learning_rate=0.5, weight_decay=0.2, decay_vectors=decay_vectors
        )
        optimizer = make_optimizer(model, tc)
        decayed, plain = optimizer.param_groups
        # the matrices: 2 embeddings (the head is tied), qkv, two proj, fc
        n_decayed = len(list(model.parameters())) if decay_vectors else 6
        assert len(decayed["params"]) == n_decayed
        assert len(decayed["params"]) + len(plain["params"]) == len(
            list(model.parameters())
        )
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        optimizer.step()
        gain = model.blocks[0].ln1.weight
        torch.testing.assert_close(gain, torch.full_like(gain, expected))


def test_training_lowers_the_loss_and_is_deterministic(data, tmp_path):
    config, tc = tiny(data)
    records = []
    a = train(
        config, tc, data, out_dir=tmp_path, progress=False, on_eval=records.append
    )
    b = train(config, tc, data, progress=False)
    assert [r.step for r in a.history] == [0, 20, 40, 60] and records == a.history
    assert a.history[-1].val_loss < a.history[0].val_loss - 1.0
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(p, q)
    assert a.best_val == min(r.val_loss for r in a.history)
    assert a.tokens_per_step == 8 * 16 and a.tokens_per_second > 0

    best, vocab, extra = load_model(tmp_path / "best.pt", data.vocab)
    last, _, _ = load_model(tmp_path / "last.pt")
    assert vocab == data.vocab and extra["step"] == a.best_step
    assert extra["val_loss"] == a.best_val and extra["train_config"]["max_iters"] == 60
    for p, q in zip(last.parameters(), a.model.parameters()):
        assert torch.equal(p, q)
    assert split_loss(best, data.val, 16) == pytest.approx(
        split_loss(a.model, data.val, 16), abs=0.5
    )


def test_split_loss_is_the_mean_over_every_window(data):
    torch.manual_seed(0)
    model = GPT(GPTConfig(data.vocab.size, block_size=8, n_layer=1, n_head=1, n_embd=8))
    ids = data.val[: 8 * 5 + 1]
    losses = []
    for i in range(0, 40, 8):
        _, loss = model(ids[i : i + 8][None], ids[i + 1 : i + 9][None])
        losses.append(loss.item())
    assert split_loss(model, ids, 8, batch_size=2) == pytest.approx(sum(losses) / 5)
    with pytest.raises(ValueError, match="too few for one window"):
        split_loss(model, ids[:5], 8)


def test_the_masked_objective_trains_a_bert(data):
    """Slower than a GPT: a hidden position holds no clue of its own, so the model must
    first learn where to look."""
    model_config, tc = tiny(
        data,
        objective="masked",
        max_iters=150,
        learning_rate=3e-3,
        min_lr=3e-4,
        batch_size=16,
    )
    changes = {"vocab_size": data.vocab.size + 1, "causal": False, "n_embd": 32}
    result = train(
        GPTConfig(**{**model_config.to_dict(), **changes}), tc, data, progress=False
    )
    assert result.history[-1].val_loss < result.history[0].val_loss - 0.4


@pytest.mark.parametrize(
    "config_changes,train_changes,message",
    [
        ({"vocab_size": 5}, {}, "needs vocab_size 23"),
        ({"causal": False}, {}, r"needs a model with causal=True \(GPT\)"),
        ({}, {"objective": "masked"}, "needs vocab_size 24"),
    ],
)
def test_a_model_that_does_not_fit_the_data_is_a_clear_error(
    data, config_changes, train_changes, message
):
    model_config, tc = tiny(data, max_iters=1, **train_changes)
    config = GPTConfig(**{**model_config.to_dict(), **config_changes})
    with pytest.raises(ValueError, match=message):
        train(config, tc, data, progress=False)


def test_the_global_batch_must_split_evenly_between_processes(data, monkeypatch):
    from zero_to_hero.gpt import training as train_module

    second = train_module.ProcessRank(rank=1, world_size=2)
    monkeypatch.setattr(train_module, "join_process_group", lambda device: second)
    model_config, tc = tiny(data, batch_size=9)
    with pytest.raises(
        ValueError,
        match=r"batch_size 9 must be divisible by the number of "
        r"processes \(2\)",
    ):
        train(model_config, tc, data, progress=False)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"schedule": "linear"}, "schedule must be one of"),
        ({"objective": "prev"}, "objective must be one of"),
        ({"min_lr": 1.0}, "need 0 <= min_lr <= learning_rate"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"max_iters": -1}, "max_iters must be >= 0"),
    ],
)
def test_bad_train_configs_are_clear_errors(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_unknown_settings_and_recipes_are_clear_errors():
    with pytest.raises(ValueError, match="unknown recipe 'huge'"):
        recipe("huge", 65)
    with pytest.raises(ValueError, match=r"unknown settings \['lr'\]"):
        recipe("baby", 65, lr=1.0)
    with pytest.raises(ValueError, match=r"unknown TrainConfig fields \['lr'\]"):
        TrainConfig.from_dict({"lr": 1.0})


def test_a_gpu_that_is_not_there_is_a_clear_error(data):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    model_config, tc = tiny(data, device="cuda")
    with pytest.raises(
        OptionError, match="device 'cuda' was asked for, but this torch sees no GPU"
    ):
        train(model_config, tc, data, progress=False)


def test_checkpoints_refuse_another_vocabulary_or_kind_or_config(data, tmp_path):
    model_config, tc = tiny(data, max_iters=1, eval_interval=1)
    train(model_config, tc, data, out_dir=tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="trained with another vocabulary"):
        load_model(tmp_path / "best.pt", CharVocab.from_text("abc"))
    save_checkpoint(tmp_path / "other.pt", "makemore.mlp", {}, data.vocab, {})
    with pytest.raises(
        CheckpointError, match=r"holds a 'makemore\.mlp' model, but a 'gpt' model"
    ):
        load_model(tmp_path / "other.pt")
    state = GPT(model_config).state_dict()
    save_checkpoint(
        tmp_path / "edited.pt",
        "gpt",
        {**model_config.to_dict(), "n_heads": 2},
        data.vocab,
        state,
    )
    with pytest.raises(ValueError, match="unknown GPTConfig fields"):
        load_model(tmp_path / "edited.pt")
    wider = GPTConfig(**{**model_config.to_dict(), "n_embd": 32})
    save_checkpoint(tmp_path / "mismatch.pt", "gpt", wider.to_dict(), data.vocab, state)
    with pytest.raises(
        CheckpointError, match=r"(?s)weights do not fit the model.*size mismatch"
    ):
        load_model(tmp_path / "mismatch.pt")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_model(tmp_path / "missing.pt")


def test_nanogpt_recipe_is_the_readme_recipe():
    model_config, tc = recipe("baby", 65)
    assert (model_config.n_layer, model_config.n_head, model_config.n_embd) == (
        4,
        4,
        128,
    )
    assert (model_config.block_size, tc.batch_size, tc.max_iters) == (64, 12, 2000)
    assert (tc.learning_rate, tc.min_lr, tc.lr_decay_iters, model_config.dropout) == (
        1e-3,
        1e-4,
        2000,
        0.0,
    )
    assert math.isclose(lr_at(1999, tc), 1e-4, rel_tol=1e-3)


@pytest.mark.parametrize("device,backend", [("cpu", "gloo"), ("cuda", "nccl")])
def test_torchrun_processes_join_with_the_backend_of_their_device(
    monkeypatch, device, backend
):
    """The choice of backend, without launching anything: gloo for CPUs, nccl for
    GPUs."""
    from zero_to_hero.gpt import training as train_module

    joined = []
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setattr(train_module.dist, "is_initialized", lambda: False)
    monkeypatch.setattr(
        train_module.dist, "init_process_group", lambda backend: joined.append(backend)
    )
    monkeypatch.setattr(train_module.dist, "get_rank", lambda: 1)
    monkeypatch.setattr(train_module.dist, "get_world_size", lambda: 2)
    rank = train_module.join_process_group(torch.device(device))
    assert joined == [backend] and (rank.rank, rank.world_size, rank.joined_here) == (
        1,
        2,
        True,
    )
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert train_module.join_process_group(torch.device(device)).world_size == 1
