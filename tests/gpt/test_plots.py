"""The chapter's figures: what they draw."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex

from zero_to_hero.gpt.plots import plot_ablations


def test_the_ablation_plot_has_a_bar_per_run_coloured_by_the_noise_band():
    deltas = {"worse": 0.05, "noise": -0.01, "better": -0.04}
    fig = plot_ablations(deltas, spread=0.02)
    (ax,) = fig.axes
    bars = ax.patches[: len(deltas)]
    assert [bar.get_width() for bar in bars] == pytest.approx(list(deltas.values()))
    assert [to_hex(bar.get_facecolor()) for bar in bars] == [
        "#ff5722",
        "#9e9e9e",
        "#4caf50",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(deltas)
    band = ax.patches[len(deltas)]  # the shaded ± spread
    assert band.get_x() == pytest.approx(-0.02)
    assert band.get_width() == pytest.approx(0.04)
