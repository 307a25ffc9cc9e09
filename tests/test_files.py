"""Atomic writes: a save interrupted at any moment leaves the previous file loadable,
a planted symlink is never followed, and a failed write leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from zero_to_hero.checkpoint import load_checkpoint, save_checkpoint
from zero_to_hero.files import atomic_write
from zero_to_hero.vocab import CharVocab

VOCAB = CharVocab(".ab", ".")


def test_a_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_write(target, "w") as f:
        f.write("new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_write(target, "w") as f:
        f.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_planted_symlink_is_never_followed(tmp_path):
    """The old code wrote to `<out>.tmp`; a symlink planted there pointed the save at
    another file. Temporary names are now random and created exclusively."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "ckpt.pt"
    (tmp_path / "ckpt.pt.tmp").symlink_to(victim)
    save_checkpoint(target, "test", {}, VOCAB, {"w": torch.ones(2)})
    assert victim.read_text() == "precious"
    assert load_checkpoint(target, "test")[2]["w"].tolist() == [1.0, 1.0]


def test_a_directory_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save_checkpoint(tmp_path, "test", {}, VOCAB, {})


def test_the_new_file_gets_the_usual_permissions(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_write(target, "w") as f:
        f.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


SAVER = textwrap.dedent(
    """
    import sys, torch
    from zero_to_hero.checkpoint import save_checkpoint
    from zero_to_hero.vocab import CharVocab

    big = {"w": torch.ones(8_000_000)}  # 32 MB: each save takes a while
    print("ready", flush=True)
    while True:
        save_checkpoint(sys.argv[1], "test", {"v": 2}, CharVocab(".ab", "."), big)
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5])
def test_killing_a_save_midway_leaves_the_previous_checkpoint_loadable(tmp_path, delay):
    target = tmp_path / "run" / "best.pt"
    save_checkpoint(target, "test", {"v": 1}, VOCAB, {"w": torch.zeros(3)})
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        # wait until a save is under way (its temporary file exists), then a little more
        while not any(p.suffix == ".tmp" for p in target.parent.iterdir()):
            assert time.monotonic() < deadline, "the saver never started writing"
            time.sleep(0.001)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    config, _, state, _ = load_checkpoint(target, "test")  # never a torn file
    assert config["v"] in (1, 2)
    assert state["w"].shape == ((3,) if config["v"] == 1 else (8_000_000,))
