"""Confidence-interval arithmetic, checked against hand-computed cases."""

import numpy as np
import pandas as pd
import pytest

from lmxsim.compare import summarise
from lmxsim.stats import d_pooled, d_z, holm, mean_ci, paired_difference, paired_p


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


def test_d_pooled_is_the_mean_difference_over_the_pooled_sd():
    # a = 1,2,3 (var 1), b = 3,4,5 (var 1): d = (2 - 4) / 1
    assert d_pooled([1, 2, 3], [3, 4, 5]) == pytest.approx(-2.0)


def test_d_z_is_the_mean_paired_difference_over_the_sd_of_the_differences():
    # a - b = 1, 1, 1, 2 (mean 1.25, sd 0.5): d_z = 2.5, while the pooled d ignores the pairing
    a, b = [2, 3, 4, 6], [1, 2, 3, 4]
    assert d_z(a, b) == pytest.approx(2.5)
    # pooled: means 3.75 and 2.5, variances 2.9166667 and 1.6666667 -> sd 1.5138252
    assert d_pooled(a, b) == pytest.approx(1.25 / 1.5138252, rel=1e-6)
    assert np.isnan(d_z([1, 2], [0, 1]))  # identical differences: no spread, no standardised size


def test_paired_p_agrees_with_the_t_interval():
    # differences 1, 1, 1, 2: t = 1.25 / 0.25 = 5 with 3 df -> two-sided p = 2 * t.sf(5, 3) = 0.0153924
    assert paired_p([2, 3, 4, 6], [1, 2, 3, 4]) == pytest.approx(0.0153924, abs=1e-6)
    rng = np.random.default_rng(3)
    for _ in range(50):
        a, b = rng.normal(0.3, 1, 6), rng.normal(0, 1, 6)
        _, lo, hi = paired_difference(a, b)
        assert (paired_p(a, b) < 0.05) == (lo > 0 or hi < 0)


def test_holm_matches_a_hand_worked_example():
    # sorted p: .01, .02, .03, .04 (m = 4) -> x4, x3, x2, x1 = .04, .06, .06, .04;
    # running maximum -> .04, .06, .06, .06; returned in the input order
    adjusted = holm([0.03, 0.01, 0.04, 0.02])
    assert adjusted == pytest.approx([0.06, 0.04, 0.06, 0.06])
    # NaN is not a test (m = 3 here): .01 x 3 = .03, .6 x 2 = 1.2, .7 x 1 = .7 -> running max, capped at 1
    out = holm([0.7, np.nan, 0.6, 0.01])
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 1.0 and out[3] == pytest.approx(0.03)
    assert np.isnan(holm([np.nan])).all() and len(holm([])) == 0


def test_holm_is_never_below_the_raw_p_nor_above_bonferroni():
    p = np.random.default_rng(7).uniform(0, 0.2, 30)
    adjusted = holm(p)
    assert (adjusted >= p).all() and (adjusted <= np.minimum(30 * p, 1)).all()
    # the smallest p is adjusted exactly as by Bonferroni
    assert adjusted[np.argmin(p)] == pytest.approx(30 * p.min())


def test_summary_pairs_policies_by_seed():
    runs = pd.DataFrame({
        "policy": ["a"] * 3 + ["b"] * 3,
        "seed": [0, 1, 2] * 2,
        # b is exactly a + 0.1 on every seed: the paired difference has zero width
        "innovation_per_member_year": [1.0, 2.0, 3.0, 1.1, 2.1, 3.1],
    })
    for col in ("annual_turnover", "annual_turnover_top_quartile", "turnover_cost_per_member_year",
                "bonus_cost_per_member_year", "mean_lmx",
                "lmx_sd_within_team", "in_group_share", "mean_trust", "mean_engagement", "mean_performance",
                "mean_psych_safety"):
        runs[col] = 0.5
    for col in [c for c in runs.columns if c not in ("policy", "seed")]:
        runs[f"{col}_last_year"] = runs[col]
    s = summarise(runs, ["a", "b"], horizon=156)
    row = s[(s.policy == "b") & (s.outcome == "innovation_per_member_year") & (s.window == "from_week_26")].iloc[0]
    assert row["diff_vs_first"] == pytest.approx(0.1)
    assert row["diff_ci_low"] == pytest.approx(0.1) and row["diff_ci_high"] == pytest.approx(0.1)
    # whereas the unpaired interval of b's mean is wide
    assert row["ci_high"] - row["ci_low"] > 1.0
    assert np.isnan(row["d_z"])  # zero spread of the differences


def test_summary_reports_d_z_p_and_holm_adjusted_p_over_the_whole_table():
    rng = np.random.default_rng(11)
    outcomes = ["innovation_per_member_year", "annual_turnover", "annual_turnover_top_quartile",
                "turnover_cost_per_member_year", "bonus_cost_per_member_year", "mean_lmx", "lmx_sd_within_team",
                "in_group_share", "mean_trust",
                "mean_engagement", "mean_performance", "mean_psych_safety"]
    runs = pd.DataFrame({"policy": ["a"] * 5 + ["b"] * 5 + ["c"] * 5, "seed": list(range(5)) * 3})
    for col in outcomes:
        runs[col] = rng.normal(0, 1, 15)
        runs[f"{col}_last_year"] = rng.normal(0, 1, 15)
    s = summarise(runs, ["a", "b", "c"], horizon=156)
    first = s[s.policy == "a"]
    assert first[["d_z", "p", "p_holm"]].isna().all().all()
    rest = s[s.policy != "a"]
    assert rest.p.notna().all() and len(rest) == 2 * 12 * 2   # policies b, c x outcomes x windows
    assert np.allclose(rest.p_holm, holm(rest.p))  # one family: 2 policies x 11 outcomes x 2 windows
    for row in (rest.iloc[0], rest.iloc[1]):  # each window reads its own column of the runs
        column = row.outcome if row.window == "from_week_26" else f"{row.outcome}_last_year"
        a = runs[runs.policy == "a"][column].to_numpy()
        b = runs[runs.policy == row.policy][column].to_numpy()
        assert row.d_z == pytest.approx((b - a).mean() / (b - a).std(ddof=1))
    assert set(rest.iloc[:2].window) == {"from_week_26", "last_year"}
