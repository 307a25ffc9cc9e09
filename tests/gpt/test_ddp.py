"""Data-parallel training under torchrun: 2 CPU processes (gloo) take the same steps as
one process on the same global batch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from zero_to_hero.gpt import CharDataset, train
from zero_to_hero.gpt.recipes import recipe
from zero_to_hero.gpt.training import load_model

pytestmark = pytest.mark.slow

SETTINGS = dict(
    max_iters=4, batch_size=8, eval_interval=2, eval_iters=2, warmup_iters=1
)


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    from zero_to_hero.data import load_shakespeare

    path = tmp_path_factory.mktemp("data") / "shakespeare-head.txt"
    path.write_text(load_shakespeare()[:50_000], encoding="utf-8")
    return path


def cli_args(text_file, out_dir) -> list[str]:
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items()]
    return [
        "gpt",
        "train",
        "--recipe",
        "tiny",
        "--data",
        str(text_file),
        "--out",
        str(out_dir),
        "--quiet",
        *flags,
    ]


def test_two_processes_match_one_process_on_the_same_global_batch(text_file, tmp_path):
    launch = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "zero_to_hero.cli",
        *cli_args(text_file, tmp_path / "ddp"),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(launch, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("step 4: train loss") == 1  # only rank 0 reports

    data = CharDataset.from_text(text_file.read_text(encoding="utf-8"))
    model_config, train_config = recipe("tiny", data.vocab.size, **SETTINGS)
    single = train(model_config, train_config, data, progress=False).model
    ddp, _, extra = load_model(tmp_path / "ddp" / "last.pt", data.vocab)
    assert extra["step"] == 4

    torch.manual_seed(train_config.seed)
    initial = type(single)(model_config)
    for (name, p), q, p0 in zip(
        single.named_parameters(), ddp.parameters(), initial.parameters()
    ):
        assert (p - p0).abs().max() > 1e-4, f"{name} did not train"
        # all-reduce sums in another order than one process does: equal up to rounding
        torch.testing.assert_close(q, p, rtol=0, atol=1e-6, msg=f"{name} differs")

    # The tolerance tells runs apart: a step on half as many sequences lands elsewhere.
    from dataclasses import replace

    half = train(
        model_config, replace(train_config, batch_size=4), data, progress=False
    ).model
    assert (
        max(
            (p - q).abs().max().item()
            for p, q in zip(half.parameters(), ddp.parameters())
        )
        > 1e-4
    )
