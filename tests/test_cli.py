"""The `zero-to-hero` command line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zero_to_hero.cli import main


def test_micrograd_train_prints_the_final_loss(capsys):
    assert main(["micrograd", "train", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "step 2: loss" in out and "337 parameters" in out


def test_info_reports_versions_and_devices(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for key in (
        "zero-to-hero",
        "torch",
        "torch CUDA build",
        "CUDA available",
        "graphviz dot",
    ):
        assert key in out


def test_unknown_command_exits_with_usage():
    with pytest.raises(SystemExit) as exc:
        main(["nope"])
    assert exc.value.code == 2


def test_console_script_is_installed():
    out = subprocess.run(
        [sys.executable, "-m", "zero_to_hero.cli", "--version"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stdout.startswith("zero-to-hero ")


def test_data_where_lists_every_data_set_without_downloading(capsys):
    assert main(["data", "where"]) == 0
    out = capsys.readouterr().out
    for name in ("names", "shakespeare", "taylorswift"):
        assert name in out


@pytest.mark.parametrize(
    "argv",
    [
        ["micrograd", "train", "--steps", "0"],
        ["micrograd", "train", "--steps", "-3"],
        ["micrograd", "train", "--steps", "many"],
        ["torch-basics", "train", "--epochs", "0"],
        ["cuda", "demo", "--n", "-5"],
        ["cuda", "demo", "--size", "0"],
    ],
)
def test_a_count_below_one_is_a_usage_error_before_any_work(argv, capsys):
    """These used to end in `IndexError: list index out of range` after training."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "expected a whole number" in err and "Traceback" not in err


def test_a_missing_file_is_one_line_on_stderr_and_exit_1(tmp_path):
    """`bpe` had no error handling: a missing tokenizer printed a 16-line traceback."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "zero_to_hero.cli",
            "bpe",
            "vocab",
            str(tmp_path / "no"),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "ZERO_TO_HERO_DEBUG"},
    )
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("zero-to-hero bpe: error: ")
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_the_top_level_handler_prints_one_line_and_debug_shows_the_traceback(
    tmp_path, monkeypatch
):
    from zero_to_hero.data import DataSetError

    def failing(args):
        raise DataSetError("names.txt is not where ZERO_TO_HERO_DATA says")

    monkeypatch.setattr("zero_to_hero.cli.info", failing)
    monkeypatch.delenv("ZERO_TO_HERO_DEBUG", raising=False)
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["info"]) == 1
    assert err.getvalue() == (
        "zero-to-hero info: error: names.txt is not where ZERO_TO_HERO_DATA says\n"
    )
    with pytest.raises(DataSetError):
        main(["--debug", "info"])
    monkeypatch.setenv("ZERO_TO_HERO_DEBUG", "1")
    with pytest.raises(DataSetError):
        main(["info"])


def test_a_bug_keeps_its_traceback(monkeypatch):
    def buggy(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("zero_to_hero.cli.info", buggy)
    with pytest.raises(ZeroDivisionError):
        main(["info"])


def test_makemore_train_checks_its_output_before_training(tmp_path, capsys):
    names = tmp_path / "names.txt"
    names.write_text("emma\nolivia\nava\n")
    existing = tmp_path / "model.pt"
    existing.write_bytes(b"a run worth keeping")
    cases = {
        str(tmp_path): "is a directory",
        str(existing): "already exists",
        str(names): "is also an input",
    }
    for out, message in cases.items():
        argv = ["makemore", "train", "--model", "bigram", "--data", str(names)]
        assert main([*argv, "--out", out]) == 1
        assert message in capsys.readouterr().err
    assert existing.read_bytes() == b"a run worth keeping"
    argv = ["makemore", "train", "--model", "bigram", "--data", str(names)]
    assert main([*argv, "--out", str(existing), "--force"]) == 0
    assert existing.read_bytes() != b"a run worth keeping"


def test_bpe_commands_end_in_one_line_for_bad_input(tmp_path, capsys):
    text = tmp_path / "text.txt"
    text.write_text("hello world " * 50)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("zoë ".encode("latin-1") * 50)
    model = tmp_path / "tok.bpe"
    argv = ["bpe", "train", str(text), "--vocab-size", "260", "--out", str(model)]
    assert main(argv) == 0
    capsys.readouterr()
    cases = [
        (["bpe", "train", str(latin), "--out", str(tmp_path / "x.bpe")], "not UTF-8"),
        (["bpe", "train", str(text), "--out", str(model)], "already exists"),
        (["bpe", "train", str(text), "--out", str(text), "--force"], "also an input"),
        (["bpe", "encode", str(model), "a\udcffb"], "lone surrogate"),
        (["bpe", "vocab", str(text)], "is not a zero-to-hero bpe file"),
    ]
    for argv, message in cases:
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    with pytest.raises(SystemExit) as exc:
        main(["bpe", "train", str(text), "--vocab-size", "100", "--out", "y.bpe"])
    assert exc.value.code == 2
    assert "expected a whole number >= 256" in capsys.readouterr().err
