"""`scripts/gpt2_124m.sh` without a GPU: it parses, and its dry run prints the plan
(524,288 tokens per step, the accumulation that makes them up, the data it would
read) and a command the CLI accepts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from zero_to_hero.cli import build_parser

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpt2_124m.sh"


def dry_run(*args: str, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DRY_RUN": "1", "PYTHON": sys.executable, **env}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_script_parses():
    proc = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("nproc", "accumulation"), [(1, 8), (2, 4), (8, 1)])
def test_the_plan_makes_up_524288_tokens_per_step(nproc, accumulation, tmp_path):
    proc = dry_run(NPROC=str(nproc), OUT=str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "tokens per step: 524,288 = B 64 × T 1024" in proc.stdout
    assert f"accumulation steps: {accumulation}\n" in proc.stdout
    assert 64 * 1024 * nproc * accumulation == 524_288
    assert "Tiny Shakespeare" in proc.stdout
    # the command it would run is one the CLI accepts, with the 124M recipe
    command = proc.stdout.split("command: ", 1)[1].strip()
    argv = shlex.split(command)
    assert f"--nproc_per_node={nproc}" in argv
    args = build_parser().parse_args(argv[argv.index("zero_to_hero.cli") + 1 :])
    assert (args.recipe, args.batch_size, args.block_size) == ("124m", 64, 1024)
    assert args.tokens_per_step == 524_288 and args.steps is None


def test_fineweb_shards_bounded_steps_and_a_run_to_resume(tmp_path):
    data = tmp_path / "fineweb"
    data.mkdir()
    (data / "edufineweb_train_000001.npy").touch()
    out = tmp_path / "out"
    out.mkdir()
    (out / "last.pt").touch()
    proc = dry_run(
        str(data), "--eval-steps", "5", NPROC="1", MAX_STEPS="50", OUT=str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert f"data: FineWeb-edu shards in {data}" in proc.stdout
    assert "stopping after 50 steps" in proc.stdout
    argv = shlex.split(proc.stdout.split("command: ", 1)[1])
    for flag in (["--steps", "50"], ["--data", str(data)], ["--eval-steps", "5"]):
        i = argv.index(flag[0])
        assert argv[i : i + 2] == flag
    assert "--resume" in argv


def test_a_process_count_that_does_not_divide_the_step_is_refused():
    proc = dry_run(NPROC="3")
    assert proc.returncode == 1
    assert "do not divide 524,288 tokens per step" in proc.stderr
    assert dry_run("/no/such/folder", NPROC="1").returncode == 1
