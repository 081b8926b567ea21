"""Confidence-interval arithmetic, checked against hand-computed cases."""

import numpy as np
import pandas as pd
import pytest

from lmxsim.compare import summarise
from lmxsim.stats import cohens_d, mean_ci, paired_difference


def test_mean_ci_matches_a_hand_computed_t_interval():
    # x = 1, 2, 3, 4: mean 2.5, sd 1.2909944, se 0.6454972, t(0.975, 3) = 3.1824463
    mean, lo, hi = mean_ci([1, 2, 3, 4])
    assert mean == pytest.approx(2.5)
    assert lo == pytest.approx(2.5 - 3.1824463 * 0.6454972, abs=1e-6)
    assert hi == pytest.approx(2.5 + 3.1824463 * 0.6454972, abs=1e-6)


def test_paired_difference_uses_the_per_seed_differences():
    # differences 1, 1, 1, 2: mean 1.25, sd 0.5, se 0.25, t(0.975, 3) = 3.1824463
    d, lo, hi = paired_difference([2, 3, 4, 6], [1, 2, 3, 4])
    assert d == pytest.approx(1.25)
    assert hi - d == pytest.approx(3.1824463 * 0.25, abs=1e-6)
    assert lo == pytest.approx(1.25 - 0.7956116, abs=1e-6)


def test_interval_is_undefined_for_a_single_replication_and_ignores_nan():
    mean, lo, hi = mean_ci([3.0])
    assert mean == 3.0 and np.isnan(lo) and np.isnan(hi)
    assert mean_ci([1.0, np.nan, 3.0])[0] == pytest.approx(2.0)


def test_cohens_d_is_the_mean_difference_over_the_pooled_sd():
    # a = 1,2,3 (var 1), b = 3,4,5 (var 1): d = (2 - 4) / 1
    assert cohens_d([1, 2, 3], [3, 4, 5]) == pytest.approx(-2.0)


def test_summary_pairs_policies_by_seed():
    runs = pd.DataFrame({
        "policy": ["a"] * 3 + ["b"] * 3,
        "seed": [0, 1, 2] * 2,
        # b is exactly a + 0.1 on every seed: the paired difference has zero width
        "innovation_per_member_year": [1.0, 2.0, 3.0, 1.1, 2.1, 3.1],
    })
    for col in ("annual_turnover", "annual_turnover_top_quartile", "turnover_cost_per_member_year", "mean_lmx",
                "lmx_sd_within_team", "in_group_share", "mean_trust", "mean_engagement", "mean_performance",
                "mean_psych_safety"):
        runs[col] = 0.5
    s = summarise(runs, ["a", "b"])
    row = s[(s.policy == "b") & (s.outcome == "innovation_per_member_year")].iloc[0]
    assert row["diff_vs_first"] == pytest.approx(0.1)
    assert row["diff_ci_low"] == pytest.approx(0.1) and row["diff_ci_high"] == pytest.approx(0.1)
    # whereas the unpaired interval of b's mean is wide
    assert row["ci_high"] - row["ci_low"] > 1.0
