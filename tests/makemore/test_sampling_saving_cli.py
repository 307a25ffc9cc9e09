"""Drawing names, checkpoints of every model kind, and the command line."""

from __future__ import annotations

import collections

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.checkpoint import CheckpointError, save_checkpoint
from zero_to_hero.cli import main
from zero_to_hero.makemore import cli as makemore_cli
from zero_to_hero.makemore.backprop import BackpropConfig, BackpropMLP
from zero_to_hero.makemore.bigram import BigramCounts, NeuralBigram, count_bigrams
from zero_to_hero.makemore.deep import DeepMLP, DeepMLPConfig
from zero_to_hero.makemore.mlp import MLP, MLPConfig
from zero_to_hero.makemore.recipes import RECIPES
from zero_to_hero.makemore.sampling import sample_index, sample_names
from zero_to_hero.makemore.saving import load_model, save_model
from zero_to_hero.makemore.wavenet import WaveNet, WaveNetConfig
from zero_to_hero.vocab import CharVocab

VOCAB = CharVocab.from_words(["abcdefghijklmnopqrstuvwxyz"])


@given(st.lists(st.floats(0, 10), min_size=1, max_size=8).filter(lambda p: sum(p) > 0))
def test_sample_index_never_draws_an_impossible_index(p):
    g = torch.Generator().manual_seed(0)
    for _ in range(20):
        assert p[sample_index(torch.tensor(p, dtype=torch.float64), g)] > 0


def test_sample_index_draws_in_proportion():
    g = torch.Generator().manual_seed(0)
    draws = collections.Counter(
        sample_index(torch.tensor([1.0, 2.0, 7.0]), g) for _ in range(4000)
    )
    assert [round(draws[i] / 4000, 1) for i in range(3)] == [0.1, 0.2, 0.7]


@pytest.mark.parametrize(
    "p", [[0.0, 0.0], [1.0, -0.5], [float("nan"), 1.0], [[0.5, 0.5]], []]
)
def test_bad_probabilities_are_a_clear_error(p):
    with pytest.raises(ValueError, match=r"probabilities|1-D tensor"):
        sample_index(torch.tensor(p))


def test_names_end_at_the_boundary_or_the_length_limit_and_the_mode_is_restored():
    model = DeepMLP(DeepMLPConfig(n_layers=1, n_hidden=8))  # BatchNorm: needs eval mode
    names = sample_names(
        model, VOCAB, 3, n=5, generator=torch.Generator().manual_seed(1)
    )
    assert len(names) == 5 and all(n.endswith(".") or len(n) == 50 for n in names)
    assert model.training
    never_ends = BigramCounts(torch.ones(27, 27, dtype=torch.int64))
    never_ends.P[:, 0] = 0.0  # the boundary can't be drawn
    assert [len(n) for n in sample_names(never_ends, VOCAB, 1, n=2, max_length=7)] == [
        7,
        7,
    ]


def models(names):
    g = torch.Generator().manual_seed(0)
    return [
        BigramCounts(count_bigrams(names[:500], VOCAB), smoothing=0.5),
        NeuralBigram(27, generator=g),
        MLP(MLPConfig(batchnorm=True, hidden_bias=False), generator=g),
        DeepMLP(DeepMLPConfig(n_layers=2, n_hidden=16), generator=g),
        WaveNet(
            WaveNetConfig(n_embd=4, n_hidden=8, per_position_bn=True, dropout=0.1),
            generator=g,
        ),
        WaveNet(WaveNetConfig(n_embd=4, n_hidden=8, merges=(2, 2, 2, 2)), generator=g),
        BackpropMLP(BackpropConfig(n_hidden=16), generator=g),
    ]


def test_checkpoints_round_trip_every_kind(tmp_path, names):
    for model in models(names):
        X = torch.randint(
            0, 27, (40, model.block_size), generator=torch.Generator().manual_seed(1)
        )
        model.train()
        model(X)  # move the running statistics away from their initial values
        model.eval()
        path = save_model(tmp_path / f"{model.kind}.pt", model, VOCAB, recipe="test")
        loaded, vocab, extra = load_model(path, VOCAB)
        assert (
            type(loaded) is type(model)
            and vocab == VOCAB
            and extra == {"recipe": "test"}
        )
        assert not loaded.training
        assert torch.equal(loaded(X), model(X)), model.kind


def test_foreign_and_mismatched_checkpoints_are_refused(tmp_path):
    other = save_checkpoint(
        tmp_path / "gpt.pt", "gpt", {}, VOCAB, {"w": torch.zeros(1)}
    )
    with pytest.raises(
        CheckpointError, match="holds a 'gpt' model, not a makemore model"
    ):
        load_model(other)
    path = save_model(tmp_path / "nb.pt", NeuralBigram(27), VOCAB)
    with pytest.raises(CheckpointError, match="another vocabulary"):
        load_model(path, CharVocab.from_words(["abc"]))
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_model(junk)
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(CheckpointError, match="is not a zero_to_hero checkpoint"):
        load_model(tmp_path / "list.pt")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_model(tmp_path / "missing.pt")
    with pytest.raises(TypeError, match="not a makemore model"):
        save_model(tmp_path / "x.pt", torch.nn.Linear(2, 2), VOCAB)


@pytest.fixture
def small_data(tmp_path, names):
    path = tmp_path / "names.txt"
    path.write_text("\n".join(names[:300]))
    return ["--data", str(path)]


def test_cli_trains_samples_and_evaluates(tmp_path, capsys, small_data):
    path = tmp_path / "mlp.pt"
    argv = [
        "makemore",
        "train",
        "--model",
        "bn-mlp",
        "--steps",
        "20",
        "--out",
        str(path),
    ]
    assert main([*argv, *small_data]) == 0
    out = capsys.readouterr().out
    assert "12,097 parameters" in out and "val   loss" in out and "saved" in out
    assert main(["makemore", "sample", "--checkpoint", str(path), "-n", "3"]) == 0
    names = capsys.readouterr().out.split()
    assert len(names) == 3
    assert main(["makemore", "eval", "--checkpoint", str(path), *small_data]) == 0
    assert "test  loss" in capsys.readouterr().out


def test_cli_trains_the_bigrams(tmp_path, capsys, small_data):
    argv = ["makemore", "train", "--model", "bigram", "--out", str(tmp_path / "b.pt")]
    assert main([*argv, *small_data]) == 0
    assert "bigram: 0 parameters" in capsys.readouterr().out  # counts, not parameters
    assert (
        main(
            [
                "makemore",
                "train",
                "--model",
                "neural-bigram",
                "--steps",
                "3",
                *small_data,
            ]
        )
        == 0
    )
    assert "729 parameters" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["train", "--model", "transformer"], "no recipe 'transformer'"),
        (["train", "--steps", "-1"], "--steps must be >= 0"),
        (["sample", "--checkpoint", "missing.pt"], "no checkpoint at missing.pt"),
        (
            ["train", "--model", "bigram", "--data", "missing.txt"],
            "no such file: missing.txt",
        ),
    ],
)
def test_cli_bad_input_is_one_clear_line(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["makemore", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("zero-to-hero makemore: error")
    assert err.count("\n") == 1


def test_cli_rejects_a_names_file_with_unknown_characters_for_a_checkpoint(
    tmp_path, capsys
):
    path = save_model(tmp_path / "nb.pt", NeuralBigram(27), VOCAB)
    data = tmp_path / "names.txt"
    data.write_text("anna\nJosé\n")
    argv = ["makemore", "eval", "--checkpoint", str(path), "--data", str(data)]
    assert main(argv) == 1
    assert "character 'J' at position 0 of 'José'" in capsys.readouterr().err


def test_the_cli_lists_every_recipe_without_importing_torch():
    assert tuple(RECIPES) == makemore_cli.RECIPE_NAMES


def test_cli_trains_and_samples_the_wavenet(tmp_path, capsys, small_data):
    path = tmp_path / "wn.pt"
    argv = [
        "makemore",
        "train",
        "--model",
        "wavenet",
        "--steps",
        "20",
        "--out",
        str(path),
    ]
    assert main([*argv, *small_data]) == 0
    assert "76,579 parameters" in capsys.readouterr().out
    assert main(["makemore", "sample", "--checkpoint", str(path), "-n", "2"]) == 0
    assert len(capsys.readouterr().out.split()) == 2
