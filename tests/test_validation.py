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
    import subprocess
    import sys

    out = tmp_path / "val"
    # a tiny organisation over few seeds: the command must still write a complete table; its
    # stderr is a pipe, not a terminal: no progress bar
    proc = subprocess.run([sys.executable, "-m", "lmxsim.cli", "validate", "--seeds", "2", "--members", "40",
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    code = proc.returncode
    assert proc.stderr == ""
    table = pd.read_csv(out / "validation.csv")
    assert list(table.fact) == [f[0] for f in FACTS]
    assert {"estimate", "ci_low", "ci_high", "condition_met", "passed", "target"} <= set(table.columns)
    for figure in ("facts", "leader_training", "absent_leader", "latitude_readiness"):
        assert (out / f"{figure}.png").exists(), figure
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


def test_validate_shows_a_progress_bar_on_a_terminal(tmp_path):
    """(On a pipe it shows none: test_validate_command_writes_table_and_figures_and_exit_code_reports_failure.)"""
    from helpers import run_with_stderr_on_a_terminal

    args = ["validate", "--seeds", "2", "--members", "20"]
    code, err = run_with_stderr_on_a_terminal([*args, "--out", str(tmp_path / "a")])
    assert code in (0, 1) and "validate" in err and "2/2" in err and "seed/s" in err


# ---------------------------------------------------------------- facts 9-11 on synthetic data

def _absent_frame(turnover: dict, trust: dict) -> pd.DataFrame:
    """One seed's fact-9 outcomes: ``turnover``/``trust`` map (regime, policy) -> value."""
    return pd.DataFrame([{"regime": regime, "policy": policy, "annual_turnover": turnover[(regime, policy)],
                          "mean_trust": trust[(regime, policy)]} for regime, policy in turnover])


def _absent_seed(seed, rise, fall):
    """Equal split at turnover .12 and trust .6 everywhere; each absent cell raises turnover by
    ``rise[cell]`` and changes trust by ``fall[cell]``."""
    from types import SimpleNamespace

    from lmxsim.validation import ABSENT_BASELINE, ABSENT_CELLS, ABSENT_REGIMES

    turnover = {(r, ABSENT_BASELINE): 0.12 for r in ABSENT_REGIMES}
    trust = {(r, ABSENT_BASELINE): 0.6 for r in ABSENT_REGIMES}
    for cell in ABSENT_CELLS:
        turnover[cell] = 0.12 + rise[cell]
        trust[cell] = 0.6 + fall[cell]
    return SimpleNamespace(seed=seed, absent=_absent_frame(turnover, trust))


def test_absent_leader_estimate_is_the_smallest_mean_paired_turnover_rise():
    from lmxsim.validation import ABSENT_CELLS, absent_describe, absent_stats, absent_value

    rng = np.random.default_rng(3)
    seeds = []
    for s in range(6):
        rise = {cell: 0.05 + 0.01 * k + 0.002 * rng.standard_normal() for k, cell in enumerate(ABSENT_CELLS)}
        fall = {cell: -0.1 - 0.01 * k + 0.002 * rng.standard_normal() for k, cell in enumerate(ABSENT_CELLS)}
        seeds.append((_absent_seed(s, rise, fall), rise, fall))
    data = [d for d, _, _ in seeds]
    S = absent_stats(data, None, None).sum(axis=0)
    by_hand_rise = min(np.mean([rise[c] for _, rise, _ in seeds]) for c in ABSENT_CELLS)
    by_hand_fall = max(np.mean([fall[c] for _, _, fall in seeds]) for c in ABSENT_CELLS)
    assert absent_value(S) == pytest.approx(by_hand_rise, abs=1e-12)
    detail, condition, extra = absent_describe(data, S)
    assert condition and extra["trust_ci"][1] < 0
    assert extra["cells"].trust_difference.max() == pytest.approx(by_hand_fall, abs=1e-12)
    assert ABSENT_CELLS[0][0] in detail


def test_absent_leader_fails_where_one_regime_is_not_clearly_worse():
    from lmxsim.validation import ABSENT_CELLS, absent_describe, absent_stats, absent_value

    rng = np.random.default_rng(4)
    kind = ABSENT_CELLS[-1]   # remote, latitude 1: trust rises, turnover sometimes falls
    data = [_absent_seed(s, {c: (0.004 * rng.standard_normal() if c == kind else 0.05) for c in ABSENT_CELLS},
                         {c: (+0.02 if c == kind else -0.1) for c in ABSENT_CELLS}) for s in range(6)]
    per_seed = absent_stats(data, None, None)
    _, condition, _ = absent_describe(data, per_seed.sum(axis=0))
    assert not condition                 # trust is higher under that absent leader
    lo, hi = bootstrap_ci(per_seed, absent_value, rng=0)
    assert lo < 0                        # and its turnover rise is not clearly above 0


def test_a_whole_ci_fact_passes_only_when_its_interval_clears_the_bound():
    from lmxsim.validation import Fact

    fact = Fact("absent_leader", "claim", "CI > 0", 0.0, np.inf, "source", estimate=0.02, ci_low=-0.001,
                ci_high=0.04, whole_ci=True)
    assert not fact.passed
    fact.ci_low = 0.001
    assert fact.passed
    fact.condition = False
    assert not fact.passed
    plain = Fact("x", "claim", "> 0", 0.0, np.inf, "source", estimate=0.02, ci_low=-0.001, ci_high=0.04)
    assert plain.passed   # an ordinary fact asks only for its estimate in range


def _latitude_seed(seed, performance, rng, strain=None, members=40):
    """One seed's fact-10 member-quarters: ``performance[group](latitude)`` plus noise."""
    from types import SimpleNamespace

    from lmxsim.validation import LATITUDE_GRID

    rows = []
    for lat in LATITUDE_GRID:
        for group in ("low", "middle", "ready"):
            for m in range(members):
                row = {"latitude": lat, "group": group, "member_id": m,
                       "performance": performance[group](lat) + 0.01 * rng.standard_normal()}
                if strain is not None:
                    row["strain"] = strain(lat)
                rows.append(row)
    return SimpleNamespace(seed=seed, latitude=pd.DataFrame(rows))


def test_latitude_readiness_is_the_quadratic_fit_on_member_quarters_relative_to_the_mean():
    from lmxsim.validation import latitude_describe, latitude_fit, latitude_stats, latitude_value

    rng = np.random.default_rng(5)
    shapes = {"low": lambda x: 0.3 + 0.1 * x - 0.15 * x * x, "middle": lambda x: 0.4,
              "ready": lambda x: 0.4 + 0.05 * x}
    data = [_latitude_seed(s, shapes, rng, members=10 + 5 * s) for s in range(4)]
    S = latitude_stats(data, None, None).sum(axis=0)
    pooled = pd.concat([d.latitude for d in data])
    for group in ("low", "ready"):
        g = pooled[pooled.group == group]
        c = g.latitude.to_numpy() - 0.5
        X = np.column_stack([np.ones(len(c)), c, c * c])
        b = np.linalg.lstsq(X, g.performance.to_numpy(), rcond=None)[0] / g.performance.mean()
        assert latitude_fit(S, group) == pytest.approx(b, abs=1e-9)
    low = pooled[pooled.group == "low"]
    assert latitude_value(S) == pytest.approx(-0.15 / low.performance.mean(), rel=0.05)
    detail, condition, extra = latitude_describe(data, S)
    # low: best at latitude 1/3, so latitude 1 is below the best; ready: rising
    assert condition and extra["slope_ready"] > 0 and "strain: not available" in detail


@pytest.mark.parametrize("broken", ["ready_falls", "low_best_at_full_latitude", "strain_falls"])
def test_latitude_readiness_side_condition_fails_when_the_fact_does_not_hold(broken):
    from lmxsim.validation import latitude_describe, latitude_stats

    rng = np.random.default_rng(6)
    shapes = {"low": lambda x: 0.3 + 0.1 * x - 0.15 * x * x, "middle": lambda x: 0.4,
              "ready": lambda x: 0.4 + 0.05 * x}
    strain = lambda x: 0.1 + 0.3 * x * x   # noqa: E731  rises with latitude: as the fact says
    if broken == "ready_falls":
        shapes["ready"] = lambda x: 0.45 - 0.05 * x
    elif broken == "low_best_at_full_latitude":
        shapes["low"] = lambda x: 0.3 + 0.1 * x - 0.02 * x * x
    else:
        strain = lambda x: 0.4 - 0.3 * x   # noqa: E731
    data = [_latitude_seed(s, shapes, rng, strain=strain) for s in range(3)]
    detail, condition, _ = latitude_describe(data, latitude_stats(data, None, None).sum(axis=0))
    assert not condition
    assert "strain at latitude 1" in detail


def test_latitude_quarters_average_performance_over_the_quarter_and_split_competence_terciles():
    from types import SimpleNamespace

    from lmxsim.validation import LATITUDE_GRID, _latitude_quarters

    rows = []
    for week in range(14, 40):          # waves 1 (weeks 14-26) and 2 (27-39)
        for m in range(6):
            rows.append({"week": week, "member_id": m, "quit": 0, "competence": 0.1 * m + 0.001 * week,
                         "performance": m + week})
    panel = pd.DataFrame(rows)
    results = [SimpleNamespace(panel=panel) for _ in LATITUDE_GRID]
    q = _latitude_quarters(results)
    assert len(q) == len(LATITUDE_GRID) * 6 * 2
    first = q[(q.latitude == 0.0) & (q.wave == 1)].set_index("member_id")
    assert first.performance[3] == pytest.approx(3 + np.mean(range(14, 27)))
    assert list(first.group) == ["low", "low", "middle", "middle", "ready", "ready"]
    assert "strain" not in q


def test_training_gain_size_uses_fact_6_estimate_with_the_field_band(facts):
    six = next(f for f in facts if f.key == "leader_training")
    eleven = next(f for f in facts if f.key == "training_gain_size")
    assert eleven.estimate == six.estimate and (eleven.low, eleven.high) == (0.10, 0.30)
    assert eleven.passed == (eleven.condition and 0.10 <= eleven.estimate <= 0.30)


def test_validation_policies_are_registered_only_while_validate_runs(data):
    from lmxsim.policies import policy_names
    from lmxsim.validation import FACT_POLICIES

    assert not {cls.name for cls in FACT_POLICIES} & set(policy_names())
    assert len(data[0].latitude.latitude.unique()) == 5 and set(data[0].absent.regime) == {
        "default", "large_teams", "stretched_leader", "remote"}


def test_validation_policies_run_in_worker_processes_with_the_same_results():
    from lmxsim.parallel import local_pool

    here = simulate(seeds=2, members=20, weeks=30, root_seed=4)
    with local_pool(2) as pool:
        there = simulate(seeds=2, members=20, weeks=30, root_seed=4, executor=pool)
    for a, b in zip(here, there):
        pd.testing.assert_frame_equal(a.absent, b.absent)
        pd.testing.assert_frame_equal(a.latitude, b.latitude)
