"""The survey instruments' measurement model (lmxsim.study.instruments; docs/study.md, "Measurement model")."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from lmxsim.errors import LMXInputError
from lmxsim.keyed_random import KeyedStreams
from lmxsim.study import instruments
from lmxsim.study.analysis import icc1
from lmxsim.study.instruments import RATING, SCALES, cronbach_alpha, rate, respond

N = 20_000   # members: Monte-Carlo error of alpha about .002


def _streams(seed=7):
    return KeyedStreams(np.array([seed], dtype=np.uint64))


@settings(max_examples=8, deadline=None)
@given(items=st.integers(2, 10), alpha=st.floats(0.6, 0.95), seed=st.integers(0, 2**32))
def test_cronbach_alpha_of_simulated_items_meets_its_target(items, alpha, seed):
    scale = instruments.Scale("test", "lmx", items, alpha, 1, "test")
    z = np.random.default_rng(seed).standard_normal(N)
    answers = respond(scale, z, _streams(seed), np.arange(N), week=3)
    assert answers.shape == (N, items) and answers.min() >= 1 and answers.max() <= 5
    assert abs(cronbach_alpha(answers) - alpha) < 0.03


def test_default_lmx7_alpha_is_in_the_published_band():
    z = np.random.default_rng(1).standard_normal(N)
    observed = cronbach_alpha(respond(SCALES["lmx"], z, _streams(), np.arange(N), week=0))
    assert SCALES["lmx"].items == 7 and 0.85 <= observed <= 0.90


@settings(max_examples=10, deadline=None)
@given(r_true=st.floats(-0.8, 0.8), x=st.sampled_from(sorted(SCALES)), y=st.sampled_from(sorted(SCALES)),
       seed=st.integers(0, 2**32))
def test_observed_correlations_are_attenuated_as_classical_test_theory_predicts(r_true, x, y, seed):
    """r_obs = r_true sqrt(rel_x rel_y), with each scale's alpha as its reliability."""
    rng = np.random.default_rng(seed)
    zx = rng.standard_normal(N)
    zy = r_true * zx + np.sqrt(1 - r_true ** 2) * rng.standard_normal(N)
    who, streams = np.arange(N), _streams(seed)
    score_x = respond(SCALES[x], zx, streams, who, 1).mean(axis=1)
    # a second scale of the same kind is another instrument: its own purpose, so its own errors
    score_y = respond(dataclasses.replace(SCALES[y], name=f"{y}_2"), zy, streams, who, 1).mean(axis=1)
    predicted = r_true * np.sqrt(SCALES[x].alpha * SCALES[y].alpha)
    assert abs(np.corrcoef(score_x, score_y)[0, 1] - predicted) < 0.03


def test_answers_are_keyed_by_person_week_and_purpose():
    z = np.linspace(-2, 2, 50)
    streams, who = _streams(3), np.arange(100, 150)
    first = respond(SCALES["trust"], z, streams, who, 5)
    assert np.array_equal(first, respond(SCALES["trust"], z, _streams(3), who, 5))       # reproducible
    assert np.array_equal(first[10:20], respond(SCALES["trust"], z[10:20], streams, who[10:20], 5))  # per person
    assert not np.array_equal(first, respond(SCALES["trust"], z, streams, who, 6))       # a new wave, new errors
    assert not np.array_equal(first, respond(SCALES["trust"], z, _streams(4), who, 5))   # another run


def test_thresholds_cut_five_equally_spaced_categories():
    assert np.diff(instruments.THRESHOLDS).tolist() == [1.0, 1.0, 1.0]
    assert instruments.categorise(np.array([-9, -1, 0, 1, 9])).tolist() == [1, 2, 3, 4, 5]


def test_rating_has_a_leader_effect_and_a_halo():
    n, per = 20_000, 10
    rng = np.random.default_rng(2)
    leader = np.repeat(np.arange(n // per), per)
    zero = np.zeros(n)
    lenient = rate(RATING, zero, zero, _streams(), np.arange(n), leader, 1)
    fair = rate(dataclasses.replace(RATING, leader_var=0.0), zero, zero, _streams(), np.arange(n), leader, 1)
    assert icc1(lenient.astype(float), leader) > 0.15 > 0.02 > icc1(fair.astype(float), leader)
    lmx = rng.standard_normal(n)
    haloed = rate(RATING, zero, lmx, _streams(), np.arange(n), leader, 1)
    assert np.corrcoef(haloed, lmx)[0, 1] > 0.15   # performance is 0 for all: only the halo links them


@pytest.mark.parametrize("change, field", [
    (dict(alpha=0.99), "test.alpha"), (dict(alpha=True), "test.alpha"), (dict(items=0), "test.items"),
])
def test_bad_scale_is_refused_naming_the_field(change, field):
    scale = dataclasses.replace(instruments.Scale("test", "lmx", 4, 0.8, 1, ""), **change)
    with pytest.raises(LMXInputError) as err:
        respond(scale, np.zeros(3), _streams(), np.arange(3), 0)
    assert err.value.field == field


def test_rating_variances_must_fit_in_one():
    with pytest.raises(LMXInputError, match="performance_rating.reliability"):
        rate(dataclasses.replace(RATING, reliability=0.9), np.zeros(2), np.zeros(2), _streams(), np.arange(2),
             np.arange(2), 0)
