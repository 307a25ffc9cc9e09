"""`zero-to-hero gpt2 train|sample|bench`: small models, temporary folders, offline."""

from __future__ import annotations

import numpy as np
import pytest

from zero_to_hero.cli import main
from zero_to_hero.gpt2.data import list_shards, write_shards
from zero_to_hero.gpt2.train import load_checkpoint

from .conftest import hf_model

TINY = [
    "--n-layer=1",
    "--n-head=2",
    "--n-embd=16",
    "--block-size=16",
    "--batch-size=2",
    "--tokens-per-step=64",
    "--max-steps=10",
    "--warmup-steps=2",
    "--eval-interval=2",
    "--eval-steps=1",
    "--quiet",
]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("shards")
    write_shards(rng.integers(0, 50257, 500), folder, 500, prefix="t", split="val")
    ids = rng.integers(0, 50257, 3000)
    write_shards(ids, folder, 3000, prefix="t", split="train", first_index=1)
    return folder


@pytest.fixture(scope="module")
def run(shards, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    argv = ["gpt2", "train", "--data", str(shards), "--out", str(out), "--steps=4"]
    assert main([*argv, *TINY]) == 0
    return out, argv


def test_train_writes_a_checkpoint_and_reports(run, capsys):
    out, _ = run
    payload = load_checkpoint(out / "last.pt")
    assert payload["step"] == 4
    assert payload["history"]["val_step"] == [2, 4]
    assert payload["train_config"]["tokens_per_step"] == 64


def test_train_refuses_a_second_run_then_resumes_or_replaces_it(run, capsys):
    out, argv = run
    assert main([*argv, *TINY]) == 1
    err = capsys.readouterr().err
    assert "already holds a run" in err and len(err.strip().splitlines()) == 1
    assert main([*argv[:-1], "--steps=6", "--resume", *TINY]) == 0
    assert "step 6: train loss" in capsys.readouterr().out
    assert load_checkpoint(out / "last.pt")["step"] == 6
    assert main([*argv[:-1], "--steps=2", "--force", *TINY]) == 0
    assert load_checkpoint(out / "last.pt")["step"] == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--tokens-per-step=100"], "not a multiple of B·T·processes"),
        (["--recipe=big"], "unknown recipe 'big'"),
        (["--min-lr=1"], "min_lr <= max_lr"),
    ],
)
def test_bad_settings_are_one_line_and_exit_1(shards, tmp_path, capsys, extra, message):
    argv = ["gpt2", "train", "--data", str(shards), "--out", str(tmp_path / "o")]
    assert main([*argv, *TINY, *extra]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "last.pt").exists()


def test_resume_without_a_run_and_data_that_is_not_a_folder(shards, tmp_path, capsys):
    out = str(tmp_path / "o")
    assert main(["gpt2", "train", "--data", str(shards), "--out", out, "--resume"]) == 1
    assert "holds no run" in capsys.readouterr().err
    file = tmp_path / "x.txt"
    file.write_text("not shards")
    assert main(["gpt2", "train", "--data", str(file), "--out", out]) == 1
    assert "not a directory of token shards" in capsys.readouterr().err


def test_train_encodes_tiny_shakespeare_by_default(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["gpt2", "train", "--out", str(out), "--steps=1", *TINY]) == 0
    assert list_shards(out / "data", "train") and list_shards(out / "data", "val")
    assert load_checkpoint(out / "last.pt")["step"] == 1


def test_sample_continues_the_prompt_reproducibly(run, capsys):
    out, _ = run
    argv = ["gpt2", "sample", "--checkpoint", str(out / "last.pt"), "--prompt"]
    argv += ["ROMEO:", "--max-new-tokens=8", "--num-samples=2", "--top-k=50"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first
    samples = first.split("\n" + "-" * 40 + "\n")
    assert len(samples) == 2 and all(s.startswith("ROMEO:") for s in samples)
    assert main([*argv, "--seed=2"]) == 0
    assert capsys.readouterr().out != first


def test_sample_reads_a_hugging_face_directory(tmp_path, capsys):
    hf_model(50257, 32, 16, 1, 2).save_pretrained(tmp_path)
    argv = ["gpt2", "sample", "--checkpoint", str(tmp_path), "--temperature=0"]
    assert main([*argv, "--max-new-tokens=5", "--prompt", "Hello"]) == 0
    assert capsys.readouterr().out.startswith("Hello")


def test_sample_of_a_missing_checkpoint_is_one_line(tmp_path, capsys):
    assert main(["gpt2", "sample", "--checkpoint", str(tmp_path / "no.pt")]) == 1
    err = capsys.readouterr().err
    assert "no checkpoint" in err and len(err.strip().splitlines()) == 1


def test_bench_prints_a_table_of_tokens_per_second(capsys):
    argv = ["gpt2", "bench", "--n-layer=1", "--n-head=2", "--n-embd=16"]
    assert main([*argv, "--block-size=32", "--batch-size=2", "--repeats=1"]) == 0
    out = capsys.readouterr().out
    assert "training step (2×32 tokens)" in out
    assert "cached generation, for_generation (16 tokens after 16)" in out
    assert "tokens/s" in out
