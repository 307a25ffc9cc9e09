"""`zero-to-hero torch-basics ...` on the command line."""

from __future__ import annotations

from zero_to_hero.cli import main
from zero_to_hero.torch_basics.errors import ERRORS


def test_errors_command_checks_every_documented_message(capsys):
    assert main(["torch-basics", "errors"]) == 0
    out = capsys.readouterr().out
    assert f"{len(ERRORS)} of {len(ERRORS)} messages as documented" in out
    assert all(f"same     {key}" in out for key in ERRORS)


def test_train_command_reports_accuracy_against_the_goal(capsys):
    assert main(["torch-basics", "train", "--task", "multiclass", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "multiclass: test accuracy" in out and "after 2 epochs (goal 95%" in out
