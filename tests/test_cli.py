"""The `zero-to-hero` command line."""

from __future__ import annotations

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
