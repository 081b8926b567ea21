"""`lmxsim validate`: every stylized fact of LITERATURE.md holds at the default parameters.

The full validation (30 seeds x 200 members) is `lmxsim validate`; CI runs a smaller
version, 8 seeds x 200 members, and checks that every fact's estimate lies in its range.
"""

import numpy as np
import pandas as pd
import pytest

from lmxsim.cli import main
from lmxsim.runs import replication_seeds
from lmxsim.stats import mean_ci
from lmxsim.validation import FACTS, bootstrap_ci, estimate_facts, simulate, survey


@pytest.fixture(scope="module")
def data():
    return simulate(seeds=8, members=200)


@pytest.fixture(scope="module")
def facts(data):
    return estimate_facts(data)


@pytest.mark.parametrize("key", [f[0] for f in FACTS])
def test_stylized_fact_holds_at_default_parameters(facts, key):
    fact = next(f for f in facts if f.key == key)
    assert fact.passed, f"{fact.claim}: estimate {fact.estimate:.3f} outside {fact.target} ({fact.detail})"
    assert fact.ci_low <= fact.estimate <= fact.ci_high


def test_turnover_is_higher_in_the_first_year_of_tenure(facts):
    t = next(f for f in facts if f.key == "annual_turnover").extra
    assert t["first"] > t["later"]


def test_training_gain_is_concentrated_in_members_with_low_initial_lmx(facts):
    by = next(f for f in facts if f.key == "leader_training").extra["by_tercile"]
    assert by["low"] > by["high"]


def test_replication_r_is_the_same_organisation_in_validate_and_in_compare(data):
    from lmxsim.compare import compare

    assert [d.seed for d in data] == replication_seeds(0, 8) and [d.replicate for d in data] == list(range(8))
    small = simulate(seeds=2, members=20, weeks=30, root_seed=9)
    c = compare(["reactive_in_crowd", "proactive_deal"], seeds=2, root_seed=9, overrides={"n_teams": 2, "weeks": 30})
    for d in small:
        for policy, frame in (("reactive_in_crowd", d.reactive), ("proactive_deal", d.proactive)):
            theirs = c.weekly[(c.weekly.policy == policy) & (c.weekly.replicate == d.replicate)]
            assert (theirs.seed == d.seed).all()
            pd.testing.assert_frame_equal(theirs.drop(columns=["policy", "replicate", "seed"]).reset_index(drop=True),
                                          frame, check_exact=True)
    assert not small[0].proactive.equals(small[1].proactive)


def test_survey_measurement_error_has_the_requested_reliability():
    rng = np.random.default_rng(1)
    true = rng.beta(2, 2, 200_000)
    observed = survey(true, 0.85, rng)
    # reliability = var(true) / var(observed) = r(true, observed)^2
    assert np.corrcoef(true, observed)[0, 1] ** 2 == pytest.approx(0.85, abs=0.01)


def test_validate_command_writes_table_and_figures_and_exit_code_reports_failure(tmp_path):
    out = tmp_path / "val"
    # a tiny organisation over few seeds: the command must still write a complete table
    code = main(["validate", "--seeds", "2", "--members", "40", "--out", str(out)])
    table = pd.read_csv(out / "validation.csv")
    assert list(table.fact) == [f[0] for f in FACTS]
    assert {"estimate", "ci_low", "ci_high", "condition_met", "passed", "target"} <= set(table.columns)
    assert (out / "facts.png").exists() and (out / "leader_training.png").exists()
    assert code == (0 if table.passed.all() else 1)


def test_validate_refuses_bad_input(tmp_path):
    assert main(["validate", "--seeds", "1", "--out", str(tmp_path / "v")]) == 2
    assert main(["validate", "--reliability", "1.5", "--out", str(tmp_path / "v")]) == 2
    assert not (tmp_path / "v").exists()


def test_intervals_are_seeded_and_stable_across_bootstrap_seeds(data, facts):
    again = estimate_facts(data)
    other = estimate_facts(data, seed=12345)
    for a, b, c in zip(facts, again, other):
        assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high), "same seed, same table"
        width = a.ci_high - a.ci_low
        assert width > 0
        # 9999 BCa resamples: another bootstrap seed moves the bounds by a small part of the width
        assert abs(a.ci_low - c.ci_low) <= 0.1 * width and abs(a.ci_high - c.ci_high) <= 0.1 * width, a.key


def test_pooled_estimates_from_per_seed_sums_equal_the_direct_computation(data, facts):
    panel = pd.concat([d.panel for d in data])
    direct = {"lmx_turnover_intention": np.corrcoef(panel.lmx, panel.turnover_intention)[0, 1],
              "lmx_performance": np.corrcoef(panel.lmx, panel.performance)[0, 1],
              "lmx_creativity": np.corrcoef(panel.lmx, panel.successes_quarter)[0, 1]}
    for f in facts:
        if f.key in direct:
            assert f.estimate == pytest.approx(direct[f.key], abs=1e-9)
    reactive = pd.concat([d.reactive[d.reactive.week >= 26] for d in data])
    turnover = next(f for f in facts if f.key == "annual_turnover")
    assert turnover.estimate == pytest.approx(reactive.quits.sum() / (reactive.headcount.sum() / 52))


def test_bootstrap_interval_of_a_mean_is_close_to_the_t_interval():
    x = np.random.default_rng(5).normal(10.0, 2.0, 40)
    per_seed = np.column_stack([np.ones_like(x), x])
    lo, hi = bootstrap_ci(per_seed, lambda S: S[..., 1] / S[..., 0], rng=1)
    _, tlo, thi = mean_ci(x)
    assert lo == pytest.approx(tlo, abs=0.1 * (thi - tlo)) and hi == pytest.approx(thi, abs=0.1 * (thi - tlo))
    assert lo < x.mean() < hi


def test_a_failed_side_condition_fails_the_fact_but_keeps_its_estimate(data):
    facts = estimate_facts(data, bootstrap=200)
    f = next(f for f in facts if f.key == "annual_turnover")
    f.condition = False
    assert np.isfinite(f.estimate) and not f.passed


def test_validate_shows_a_progress_bar_on_a_terminal_only(tmp_path):
    import subprocess
    import sys

    from helpers import run_with_stderr_on_a_terminal

    args = ["validate", "--seeds", "2", "--members", "20"]
    code, err = run_with_stderr_on_a_terminal([*args, "--out", str(tmp_path / "a")])
    assert code in (0, 1) and "validate" in err and "2/2" in err and "seed/s" in err
    piped = subprocess.run([sys.executable, "-m", "lmxsim.cli", *args, "--quiet", "--out", str(tmp_path / "b")],
                           capture_output=True, text=True, timeout=300)
    assert piped.returncode in (0, 1) and piped.stderr == ""
