"""Loading Hugging Face-format GPT-2 directories: the same logits as
`transformers.GPT2LMHeadModel` on the same weights, and a clear error for every kind of
bad directory."""

from __future__ import annotations

import json
import re

import pytest
import torch
from safetensors.torch import load_file, save_file

from tests.gpt2.conftest import hf_model
from zero_to_hero.checkpoint import CheckpointError
from zero_to_hero.gpt2 import GPT2, GPT2Config, load_pretrained
from zero_to_hero.gpt2.hf import config_from_hf


def ids(model, T, B=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(model.config.vocab_size, (B, T), generator=g)


def assert_same_logits(ours, theirs, T=None):
    x = ids(theirs, T or theirs.config.n_positions)
    with torch.no_grad():
        expected = theirs(x).logits
        got = ours(x)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_logits_equal_hugging_face(saved):
    directory, theirs = saved
    ours = GPT2.from_pretrained(directory)
    assert not ours.training
    assert ours.config == GPT2Config(
        block_size=theirs.config.n_positions,
        vocab_size=theirs.config.vocab_size,
        n_layer=theirs.config.n_layer,
        n_head=theirs.config.n_head,
        n_embd=theirs.config.n_embd,
    )
    assert_same_logits(ours, theirs)
    assert_same_logits(ours, theirs, T=1)
    # the head is the token embedding, one tensor
    assert ours.lm_head.weight is ours.transformer.wte.weight


def test_the_parameter_names_are_hugging_faces(saved):
    directory, theirs = saved
    ours = GPT2.from_pretrained(directory)
    assert set(ours.state_dict()) == set(theirs.state_dict())


def test_pytorch_model_bin_loads_too(tmp_path):
    theirs = hf_model(64, 16, 32, 2, 2, seed=1)
    theirs.config.save_pretrained(tmp_path)
    # the older format: a pickled state dict, with the head and the mask buffers
    state = dict(theirs.state_dict())
    for i in range(theirs.config.n_layer):
        state[f"transformer.h.{i}.attn.bias"] = torch.ones(1, 1, 16, 16).tril()
    torch.save(state, tmp_path / "pytorch_model.bin")
    assert "lm_head.weight" in state
    assert_same_logits(load_pretrained(tmp_path), theirs)


def test_keys_without_the_transformer_prefix_load(tmp_path):
    """OpenAI's GPT-2 on the Hugging Face hub stores `h.0...`, `wte.weight`..."""
    theirs = hf_model(64, 16, 32, 2, 2, seed=2)
    theirs.save_pretrained(tmp_path)
    tensors = load_file(tmp_path / "model.safetensors")
    bare = {k.removeprefix("transformer."): v for k, v in tensors.items()}
    bare["h.0.attn.masked_bias"] = torch.tensor(-1e4)
    save_file(bare, tmp_path / "model.safetensors")
    assert_same_logits(load_pretrained(tmp_path), theirs)


@pytest.fixture
def directory(tmp_path):
    hf_model(64, 16, 32, 2, 2, seed=3).save_pretrained(tmp_path)
    return tmp_path


def edit_weights(directory, edit):
    tensors = load_file(directory / "model.safetensors")
    edit(tensors)
    save_file(tensors, directory / "model.safetensors")


def edit_config(directory, **changes):
    path = directory / "config.json"
    values = json.loads(path.read_text())
    path.write_text(json.dumps(values | changes))


def test_missing_tensors_are_named(directory):
    def drop(t):
        del t["transformer.h.1.mlp.c_fc.bias"]
        del t["transformer.wpe.weight"]

    edit_weights(directory, drop)
    with pytest.raises(CheckpointError, match="missing") as err:
        load_pretrained(directory)
    assert "transformer.h.1.mlp.c_fc.bias" in str(err.value)
    assert "transformer.wpe.weight" in str(err.value)


def test_unexpected_tensors_are_named(directory):
    def add(t):
        t["transformer.h.2.ln_1.weight"] = torch.ones(32)  # a third block
        t["score.weight"] = torch.ones(2, 32)

    edit_weights(directory, add)
    with pytest.raises(CheckpointError, match="unexpected") as err:
        load_pretrained(directory)
    assert "transformer.h.2.ln_1.weight" in str(err.value)
    assert "score.weight" in str(err.value)


def test_shapes_that_disagree_with_the_config_are_named(directory):
    edit_config(directory, n_positions=20)
    with pytest.raises(CheckpointError, match="wrong shape") as err:
        load_pretrained(directory)
    assert "transformer.wpe.weight (16, 32) (expected (20, 32))" in str(err.value)
    assert "missing" not in str(err.value)  # there, but misshapen


def test_a_conv1d_matrix_stored_the_wrong_way_round_is_refused(directory):
    def transpose(t):
        w = t["transformer.h.0.mlp.c_fc.weight"]  # (32, 128) in the file
        t["transformer.h.0.mlp.c_fc.weight"] = w.t().contiguous()

    edit_weights(directory, transpose)
    with pytest.raises(CheckpointError, match=r"c_fc.weight \(128, 32\)"):
        load_pretrained(directory)


def test_an_untied_head_is_refused(tmp_path):
    theirs = hf_model(64, 16, 32, 2, 2, seed=4)
    theirs.config.save_pretrained(tmp_path)
    state = dict(theirs.state_dict())
    state["lm_head.weight"] = torch.randn(64, 32)
    torch.save(state, tmp_path / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match="ties"):
        load_pretrained(tmp_path)


def test_a_missing_directory_or_files(tmp_path, directory):
    with pytest.raises(FileNotFoundError, match="no model directory"):
        load_pretrained(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CheckpointError, match=re.escape("no config.json")):
        load_pretrained(empty)
    (directory / "model.safetensors").unlink()
    with pytest.raises(
        CheckpointError, match=re.escape("neither model.safetensors nor")
    ):
        load_pretrained(directory)


def test_unreadable_files_are_clear_errors(directory, tmp_path):
    path = directory / "model.safetensors"
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.raises(
        CheckpointError, match=re.escape("model.safetensors is not readable")
    ):
        load_pretrained(directory)
    path.unlink()
    # a pickle that would run code: weights_only refuses it
    torch.save({"a": object()}, directory / "pytorch_model.bin")
    with pytest.raises(
        CheckpointError, match=re.escape("pytorch_model.bin is not readable")
    ):
        load_pretrained(directory)
    (directory / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not JSON"):
        load_pretrained(directory)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"activation_function": "relu"}, "activation_function='relu'"),
        ({"layer_norm_epsilon": 1e-6}, "layer_norm_epsilon"),
        ({"tie_word_embeddings": False}, "tie_word_embeddings"),
        ({"n_inner": 100}, "n_inner"),
        ({"model_type": "llama"}, "'llama' model"),
        ({"n_head": 5}, "multiple of n_head"),
    ],
)
def test_configs_this_model_cannot_follow_are_refused(change, message):
    values = {"n_positions": 8, "vocab_size": 10, "n_layer": 1, "n_head": 2}
    values |= {"n_embd": 8}
    assert config_from_hf(values) == GPT2Config(8, 10, 1, 2, 8)
    with pytest.raises(CheckpointError, match=message):
        config_from_hf(values | change)
    with pytest.raises(CheckpointError, match="lacks n_layer"):
        config_from_hf({k: v for k, v in values.items() if k != "n_layer"})
