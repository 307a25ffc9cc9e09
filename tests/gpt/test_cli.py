"""`zero-to-hero gpt train|sample`."""

from __future__ import annotations

import pytest

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
def test_sample_rejects_bad_input_with_a_message(trained, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["gpt", "sample", "--checkpoint", str(trained / "best.pt"), *args])
    assert message in str(exc.value) and str(exc.value).startswith(
        "zero-to-hero gpt sample: error"
    )


def test_missing_checkpoint_and_unknown_recipe_are_clear_errors(tmp_path):
    with pytest.raises(SystemExit, match="no checkpoint at"):
        main(["gpt", "sample", "--checkpoint", str(tmp_path / "nothing.pt")])
    with pytest.raises(SystemExit, match="unknown recipe 'giant'"):
        main(["gpt", "train", "--recipe", "giant", "--out", str(tmp_path)])
