"""`zero-to-hero gpt train|sample`."""

from __future__ import annotations

import pytest
import torch

from zero_to_hero.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpt-cli")
    text = out / "text.txt"
    text.write_text(
        "To be, or not to be, that is the question.\n" * 50, encoding="utf-8"
    )
    args = [
        "gpt",
        "train",
        "--recipe",
        "tiny",
        "--data",
        str(text),
        "--out",
        str(out / "run"),
        "--max-iters",
        "30",
        "--eval-interval",
        "10",
        "--quiet",
    ]
    assert main(args) == 0
    return out / "run"


def test_train_writes_the_best_and_the_last_checkpoint(trained, capsys):
    assert (trained / "best.pt").is_file() and (trained / "last.pt").is_file()


def test_sample_continues_the_prompt_reproducibly(trained, capsys):
    args = [
        "gpt",
        "sample",
        "--checkpoint",
        str(trained / "best.pt"),
        "--prompt",
        "To be",
        "--max-new-tokens",
        "30",
        "--num-samples",
        "2",
        "--seed",
        "3",
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    samples = first.split("\n" + "-" * 40 + "\n")
    assert len(samples) == 2 and all(s.startswith("To be") for s in samples)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--prompt", "To be, or not to be 🙂"], "character '🙂' at position 20"),
        (["--temperature", "0"], "temperature must be > 0"),
        (["--top-k", "1000"], "top_k must be None or an int in 1..17"),
    ],
)
def test_sample_rejects_bad_input_with_a_message(trained, args, message, capsys):
    argv = ["gpt", "sample", "--checkpoint", str(trained / "best.pt"), *args]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("zero-to-hero gpt sample: error")


def test_missing_checkpoint_and_unknown_recipe_are_clear_errors(tmp_path, capsys):
    assert main(["gpt", "sample", "--checkpoint", str(tmp_path / "nothing.pt")]) == 1
    assert "no checkpoint at" in capsys.readouterr().err
    assert main(["gpt", "train", "--recipe", "giant", "--out", str(tmp_path)]) == 1
    assert "unknown recipe 'giant'" in capsys.readouterr().err


def test_train_never_replaces_an_existing_run_and_checks_options_first(
    tmp_path, capsys
):
    """`gpt train --out DIR` into a run's folder used to replace its best.pt with the
    step-0 model; now it is refused before any work, unless --force."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "best.pt").write_bytes(b"a good model")
    assert main(["gpt", "train", "--recipe", "tiny", "--out", str(run)]) == 1
    assert "already holds a run (best.pt)" in capsys.readouterr().err
    assert (run / "best.pt").read_bytes() == b"a good model"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["gpt", "train", "--out", str(a_file)]) == 1
    assert "is a file" in capsys.readouterr().err
    for bad in (["--max-iters", "0"], ["--learning-rate", "nan"], ["--n-head", "-1"]):
        with pytest.raises(SystemExit) as exc:
            main(["gpt", "train", "--out", str(tmp_path / "new"), *bad])
        assert exc.value.code == 2
    assert not (tmp_path / "new").exists()


def test_a_device_that_is_not_there_is_one_line(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    argv = ["gpt", "train", "--recipe", "tiny", "--out", str(tmp_path / "r")]
    assert main([*argv, "--device", "cuda"]) == 1
    assert "sees no GPU" in capsys.readouterr().err
    assert main([*argv, "--device", "tpu9"]) == 1
    assert "unknown device 'tpu9'" in capsys.readouterr().err
