"""eval_mode: evaluation inside the block, the previous mode after it."""

from __future__ import annotations

import pytest
import torch

from zero_to_hero.makemore.layers import BatchNorm1d, Linear, Sequential
from zero_to_hero.modes import eval_mode


@pytest.mark.parametrize("start_training", [True, False])
def test_the_previous_mode_comes_back_even_after_an_error(start_training):
    torch_model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    makemore_model = Sequential([Linear(2, 3), BatchNorm1d(3)])
    for model in (torch_model, makemore_model):
        model.train(start_training)
        with eval_mode(model) as inside:
            assert inside is model and model.training is False
        assert model.training is start_training
        with pytest.raises(RuntimeError, match="boom"), eval_mode(model):
            raise RuntimeError("boom")
        assert model.training is start_training


def test_every_layer_follows_the_model():
    model = Sequential([Linear(2, 3), BatchNorm1d(3)])
    with eval_mode(model):
        assert not any(layer.training for layer in model.layers)
    assert all(layer.training for layer in model.layers)


def test_no_hand_written_toggle_is_left_in_the_package():
    """One way to do it: every temporary switch to evaluation mode uses eval_mode."""
    from pathlib import Path

    import zero_to_hero

    root = Path(zero_to_hero.__file__).parent
    toggles = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "modes.py" and "was_training" in path.read_text()
    ]
    assert not toggles, toggles
