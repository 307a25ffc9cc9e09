"""Data-parallel GPT-2 training under torchrun: 2 CPU processes (gloo), each reading
its own slice of every step's tokens and accumulating 2 micro-batches, take the steps
one process takes on the same global batch."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import torch

from zero_to_hero.gpt2.data import write_shards
from zero_to_hero.gpt2.recipes import recipe
from zero_to_hero.gpt2.train import load_checkpoint, load_model, train

pytestmark = pytest.mark.slow

# B=2 rows of T=16 per process and micro-batch; 2 processes; 2 micro-batches per step
SETTINGS = dict(
    n_layer=2,
    n_head=2,
    n_embd=16,
    block_size=16,
    batch_size=2,
    tokens_per_step=128,
    max_steps=10,
    warmup_steps=2,
    steps=4,
    eval_interval=2,
    eval_steps=2,
    device="cpu",
)


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Ids with structure (each mostly the previous plus one) over 300 of GPT-2's ids,
    so that the steps move the weights."""
    rng = np.random.default_rng(0)
    ids = np.cumsum(1 + (rng.random(4000) < 0.2)) % 300
    folder = tmp_path_factory.mktemp("shards")
    write_shards(ids[:800], folder, 800, prefix="t", split="val")
    write_shards(ids[800:], folder, 3200, prefix="t", split="train", first_index=1)
    return folder


def test_two_processes_match_one_process_on_the_same_global_batch(shards, tmp_path):
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in SETTINGS.items()]
    launch = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "zero_to_hero.cli",
        "gpt2",
        "train",
        "--data",
        str(shards),
        "--out",
        str(tmp_path / "ddp"),
        "--quiet",
        *flags,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(launch, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("step 4: train loss") == 1  # only rank 0 reports

    # one process, the same global batch: 2·B rows per micro-batch, 2 micro-batches
    config, tc = recipe("small", **SETTINGS)
    single, history = train(config, replace(tc, batch_size=4), shards, progress=False)
    ddp, step = load_model(tmp_path / "ddp" / "last.pt")
    saved = load_checkpoint(tmp_path / "ddp" / "last.pt")["history"]
    assert step == 4
    # the loss each process reports is averaged over both: the whole batch's loss
    assert saved["loss"] == pytest.approx(history.loss, abs=1e-6)
    assert saved["val_loss"] == pytest.approx(history.val_loss, abs=1e-6)

    torch.manual_seed(tc.seed)
    initial = type(single)(config)
    for (name, p), q, p0 in zip(
        single.named_parameters(), ddp.parameters(), initial.parameters()
    ):
        assert (p - p0).abs().max() > 1e-4, f"{name} did not train"
        # all-reduce sums in another order than one process does: equal up to rounding
        torch.testing.assert_close(q, p, rtol=0, atol=1e-6, msg=f"{name} differs")

    # The tolerance tells runs apart: steps on half as many tokens land elsewhere.
    half, _ = train(config, replace(tc, tokens_per_step=64), shards, progress=False)
    gap = max(
        (p - q).abs().max().item() for p, q in zip(half.parameters(), ddp.parameters())
    )
    assert gap > 1e-3
