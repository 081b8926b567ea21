"""Run-level outcomes over the two measurement windows: from week 26 (the plain names) and the
last 52 weeks (``..._last_year``), checked by hand on synthetic weekly series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmxsim.outcomes import (LAST_YEAR, MEAN_OF_WEEKLY, OUTCOME_DOCS, OUTCOMES, RATES, first_measured_week,
                             measured_weeks, run_summary, windowed)


def weekly_frame(weeks: int) -> pd.DataFrame:
    """Week 0 (initial state) to ``weeks``: 10 heads; a quit every week from week 105 on and
    none before; innovation equal to the week number; mean trust 0.2 before week 105, 0.8 after."""
    week = np.arange(weeks + 1)
    late = week >= 105
    frame = pd.DataFrame({"week": week, "headcount": 10, "innovation": week.astype(float),
                          "innovation_value": 2.0 * week, "quits": late.astype(float),
                          "quits_top_quartile": 0.0, "turnover_cost": 0.5 * late, "bonus_cost": 0.0})
    for col in MEAN_OF_WEEKLY:
        frame[col] = 0.5
    frame["mean_trust"] = np.where(late, 0.8, 0.2)
    return frame


def test_last_year_of_a_three_year_run_is_weeks_105_to_156_by_hand():
    s = run_summary(weekly_frame(156))
    # last year: 52 weeks x 10 heads = 10 head-years; 52 quits; innovation 105 + ... + 156
    assert s["annual_turnover_last_year"] == pytest.approx(52 / 10)
    assert s["turnover_cost_per_member_year_last_year"] == pytest.approx(0.5 * 52 / 10)
    assert s["innovation_per_member_year_last_year"] == pytest.approx(sum(range(105, 157)) / 10)
    assert s["innovation_value_per_member_year_last_year"] == pytest.approx(2 * sum(range(105, 157)) / 10)
    assert s["mean_trust_last_year"] == pytest.approx(0.8)
    # weeks 26-156: 131 weeks x 10 heads; the same 52 quits, diluted
    assert s["annual_turnover"] == pytest.approx(52 / (131 * 10 / 52))
    assert s["innovation_per_member_year"] == pytest.approx(sum(range(26, 157)) / (131 * 10 / 52))
    assert s["mean_trust"] == pytest.approx((79 * 0.2 + 52 * 0.8) / 131)


def test_every_rate_and_weekly_mean_has_a_last_year_twin_declared_with_the_same_unit():
    s = run_summary(weekly_frame(156))
    assert set(s) == set(RATES + MEAN_OF_WEEKLY + LAST_YEAR)
    assert set(LAST_YEAR) <= set(OUTCOMES) and len(LAST_YEAR) == len(RATES + MEAN_OF_WEEKLY)
    for name in RATES + MEAN_OF_WEEKLY:
        twin = windowed(name, "last_year")
        assert twin == f"{name}_last_year" and OUTCOME_DOCS[twin][1] == OUTCOME_DOCS[name][1]
        assert "last 52 weeks" in OUTCOME_DOCS[twin][0]
    with pytest.raises(ValueError, match="window"):
        windowed("annual_turnover", "last_month")


@pytest.mark.parametrize("weeks, from_26, last_year", [
    (156, 26, 105),   # three years: the last year proper
    (104, 26, 53),    # two years: the second year = the second half
    (78, 26, 40),     # shorter than 2 years: the second half, not weeks 27-78
    (52, 26, 27),     # one year: the second half
    (30, 16, 16),     # shorter than a year: both windows are the second half
])
def test_windows_of_short_runs_never_reach_into_the_first_half(weeks, from_26, last_year):
    assert first_measured_week(weeks, "from_week_26") == from_26
    assert first_measured_week(weeks, "last_year") == last_year
    frame = weekly_frame(weeks)
    assert measured_weeks(frame, window="last_year").week.tolist() == list(range(last_year, weeks + 1))
    s = run_summary(frame)
    if from_26 == last_year:  # the windows coincide: so do the outcomes
        for name in RATES + MEAN_OF_WEEKLY:
            assert s[windowed(name, "last_year")] == s[name], name
    else:
        assert s["innovation_per_member_year_last_year"] > s["innovation_per_member_year"]


def test_a_run_shorter_than_a_year_is_measured_over_its_second_half_by_hand():
    s = run_summary(weekly_frame(30))
    # weeks 16-30: 15 weeks x 10 heads; innovation 16 + ... + 30, no quit yet
    assert s["innovation_per_member_year_last_year"] == pytest.approx(sum(range(16, 31)) / (15 * 10 / 52))
    assert s["annual_turnover_last_year"] == 0.0


# ---------------------------------------------------------------- the numpy summary is pandas' to the bit
def _pandas_summary(frame: pd.DataFrame) -> dict[str, float]:
    """The definition as it was written with pandas (Series.sum / Series.mean skip NaN)."""
    out = {}
    for window in ("from_week_26", "last_year"):
        w = measured_weeks(frame, window=window)
        head_years = float(w.headcount.sum()) / 52.0
        rates = {"innovation_per_member_year": "innovation", "innovation_value_per_member_year": "innovation_value",
                 "annual_turnover": "quits", "turnover_cost_per_member_year": "turnover_cost",
                 "bonus_cost_per_member_year": "bonus_cost"}
        values = {name: float(w[col].sum()) / head_years if head_years else np.nan for name, col in rates.items()}
        values["annual_turnover_top_quartile"] = (float(w.quits_top_quartile.sum()) / (0.25 * head_years)
                                                  if head_years else np.nan)
        values.update({col: float(w[col].mean()) for col in MEAN_OF_WEEKLY})
        out.update({windowed(name, window): v for name, v in values.items()})
    return out


@settings(max_examples=60)
@given(weeks=st.integers(0, 170), seed=st.integers(0, 2**32 - 1), nan_share=st.sampled_from([0.0, 0.1, 1.0]))
def test_run_summary_equals_the_pandas_definition_to_the_last_bit(weeks, seed, nan_share):
    """Weeks where a mean is undefined (NaN: nobody left) are skipped as pandas skips them; sums
    add in the same order, so the numbers are identical, not just close."""
    rng = np.random.default_rng(seed)
    frame = weekly_frame(weeks)
    frame["headcount"] = rng.integers(0, 30, len(frame))
    frame["innovation"] = rng.integers(0, 5, len(frame))
    for col in ("innovation_value", "quits_top_quartile", "turnover_cost", "bonus_cost", *MEAN_OF_WEEKLY):
        values = rng.random(len(frame)) * rng.choice([1e-3, 1.0, 1e6])
        values[rng.random(len(frame)) < nan_share] = np.nan if col in MEAN_OF_WEEKLY else 0.0
        frame[col] = values
    got, want = run_summary(frame), _pandas_summary(frame)
    assert got.keys() >= want.keys()
    for name, value in want.items():
        assert (np.isnan(value) and np.isnan(got[name])) or got[name] == value, name


@pytest.mark.parametrize("weeks", [30, 78, 156])
def test_outcomes_of_the_columns_are_those_of_the_frame_to_the_last_bit(weeks):
    """Batches summarise each run from its weekly columns without building its frame."""
    frame = weekly_frame(weeks)
    frame.loc[frame["week"] % 7 == 3, "mean_fairness"] = np.nan   # weeks without a value are skipped alike
    from_frame = run_summary(frame)
    from_columns = run_summary({name: frame[name].to_numpy() for name in frame.columns})
    assert from_frame.keys() == from_columns.keys()
    for name, value in from_frame.items():
        assert value == from_columns[name] or (np.isnan(value) and np.isnan(from_columns[name])), name
