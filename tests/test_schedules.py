"""One learning-rate schedule for every trainer: the makemore and GPT chapters' rates
are `zero_to_hero.schedules.warmup_cosine`, value for value."""

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.gpt.training import TrainConfig, lr_at
from zero_to_hero.makemore.train import cosine_decay
from zero_to_hero.schedules import linear_warmup, warmup_cosine

runs = st.tuples(
    st.floats(1e-5, 10.0),  # peak
    st.integers(0, 50),  # warm-up steps
    st.integers(1, 300),  # decay steps after the warm-up
    st.floats(0.0, 1.0),  # final, as a fraction of the peak
)


@given(runs)
def test_warms_up_in_equal_steps_then_decays_to_the_floor(run):
    peak, warmup, decay, fraction = run
    final = peak * fraction
    rates = [warmup_cosine(s, peak, warmup, warmup + decay, final) for s in range(400)]
    climb, fall = rates[:warmup], rates[warmup:]
    assert all(0 < r < peak for r in climb)
    assert all(
        b - a == pytest.approx(peak / (warmup + 1))
        for a, b in itertools.pairwise(climb)
    )
    assert fall[0] == pytest.approx(peak, rel=1e-12)
    assert all(a >= b for a, b in itertools.pairwise(fall))
    assert rates[warmup + decay :] == [final] * (400 - warmup - decay)
    halfway = warmup_cosine(warmup + decay / 2, peak, warmup, warmup + decay, final)
    assert halfway == pytest.approx((peak + final) / 2)


def test_the_first_warmup_step_is_a_fraction_of_the_peak_never_zero():
    assert linear_warmup(0, 1.0, 9) == 0.1
    assert linear_warmup(9, 1.0, 9) == 1.0
    assert warmup_cosine(0, 3e-3, 0, 100) == 3e-3  # no warm-up: the peak at once


@given(runs)
def test_makemore_and_gpt_use_the_same_schedule(run):
    peak, warmup, decay, fraction = run
    steps = warmup + decay
    tc = TrainConfig(
        learning_rate=peak,
        min_lr=peak * fraction,
        warmup_iters=warmup,
        max_iters=steps,
        schedule="cosine",
    )
    makemore = cosine_decay(peak, steps, warmup, final=peak * fraction)
    for s in range(steps + 5):
        expected = warmup_cosine(s, peak, warmup, steps, peak * fraction)
        assert makemore(s) == lr_at(s, tc) == expected
    assert not math.isnan(expected)
