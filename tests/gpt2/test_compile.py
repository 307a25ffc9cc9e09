"""`torch.compile` changes how the model runs, not what it computes: the compiled
model gives the eager loss and gradients."""

from __future__ import annotations

import shutil

import pytest
import torch

from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.train import TrainConfig, loss_of, prepare_model

# On a CPU, TorchInductor writes C++ and builds it with the system's compiler.
COMPILER = next(
    (c for c in ("g++", "c++", "clang++") if shutil.which(c) is not None), None
)
needs_compiler = pytest.mark.skipif(
    COMPILER is None,
    reason="torch.compile on a CPU needs a C++ compiler (g++, c++ or clang++) on PATH",
)


def test_without_compile_the_model_is_itself():
    model = GPT2(GPT2Config(block_size=8, vocab_size=20, n_layer=1, n_head=1, n_embd=8))
    assert prepare_model(model, TrainConfig()) is model


@pytest.mark.slow
@needs_compiler
@pytest.mark.filterwarnings("ignore:`torch.jit.script_method`:DeprecationWarning")
@pytest.mark.parametrize("vocab_multiple", [1, 32])
def test_the_compiled_model_gives_the_eager_loss_and_gradients(vocab_multiple):
    config = GPT2Config(
        block_size=16,
        vocab_size=50,
        n_layer=2,
        n_head=2,
        n_embd=32,
        vocab_multiple=vocab_multiple,
    )
    torch.manual_seed(0)
    eager = GPT2(config)
    torch.manual_seed(0)
    compiled = prepare_model(GPT2(config), TrainConfig(compile=True))
    assert compiled is not eager and isinstance(compiled, torch.nn.Module)
    ids = torch.randint(50, (4, 17), generator=torch.Generator().manual_seed(0))
    x, y = ids[:, :-1], ids[:, 1:]
    for model in (eager, compiled):
        loss_of(model, x, y).backward()
    # the same parameters: compile wraps the module, it does not copy it
    params = dict(compiled.named_parameters())
    assert loss_of(compiled, x, y).item() == pytest.approx(
        loss_of(eager, x, y).item(), abs=1e-5
    )
    for name, p in eager.named_parameters():
        q = params[f"_orig_mod.{name}"]
        torch.testing.assert_close(q.grad, p.grad, atol=1e-5, rtol=1e-4, msg=name)
