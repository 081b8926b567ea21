"""`lmxsim compare`: outputs exist, are well formed and cover every policy."""

import numpy as np
import pandas as pd
import pytest

from helpers import run_with_stderr_on_a_terminal
from lmxsim.cli import main
from lmxsim.compare import HEADLINE, compare
from lmxsim.errors import LMXInputError
from lmxsim.outcomes import WINDOWS
from lmxsim.policies import policy_names
from lmxsim.runs import replication_seeds


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "compare"
    code = main(["compare", "--seeds", "2", "--weeks", "30", "--set", "n_teams=4", "--out", str(out)])
    assert code == 0
    return out


def test_compare_writes_summary_runs_weekly_and_figure(compare_dir):
    for name in ("summary.csv", "runs.csv", "weekly.csv", "compare.png"):
        assert (compare_dir / name).stat().st_size > 0
    assert (compare_dir / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_has_every_registered_policy_and_headline_outcome(compare_dir):
    s = pd.read_csv(compare_dir / "summary.csv")
    assert set(s.policy) == set(policy_names())
    assert set(s.outcome) == set(HEADLINE)
    assert len(s) == len(policy_names()) * len(HEADLINE) * len(WINDOWS)
    assert not s.duplicated(["policy", "outcome", "window"]).any() and set(s.window) == set(WINDOWS)
    # a 30-week run: both windows are its second half, weeks 16-30, so they agree exactly
    assert (s.first_week == 16).all()
    wide = s.pivot(index=["policy", "outcome"], columns="window", values="mean")
    assert (wide["from_week_26"] == wide["last_year"]).all()
    assert (s.ci_low <= s["mean"]).all() and (s["mean"] <= s.ci_high).all()
    first = s[s.policy == policy_names()[0]]
    assert (first.diff_vs_first == 0).all()


def test_runs_and_weekly_series_have_one_row_per_policy_seed_and_week(compare_dir):
    runs = pd.read_csv(compare_dir / "runs.csv")
    assert len(runs) == 2 * len(policy_names())
    weekly = pd.read_csv(compare_dir / "weekly.csv")
    assert len(weekly) == 2 * len(policy_names()) * 31
    assert weekly.groupby(["policy", "seed"]).week.max().eq(30).all()
    # replication r runs with the r-th seed of the root seed (0 by default), whatever the policy
    expected = dict(enumerate(replication_seeds(0, 2)))
    for frame in (runs, weekly):
        assert frame.seed.eq(frame.replicate.map(expected)).all()
        pairs = set(frame[["policy", "replicate"]].itertuples(index=False, name=None))
        assert pairs == {(p, r) for p in policy_names() for r in (0, 1)}


def test_same_seed_means_the_same_starting_organisation_for_every_policy():
    c = compare(["reactive_in_crowd", "proactive_deal"], seeds=2, overrides={"n_teams": 3, "weeks": 4})
    a = c.weekly[(c.weekly.week == 0) & (c.weekly.policy == "reactive_in_crowd")]
    b = c.weekly[(c.weekly.week == 0) & (c.weekly.policy == "proactive_deal")]
    cols = ["headcount", "mean_trust", "mean_engagement", "mean_psych_safety"]
    assert a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


def test_replication_r_is_the_same_run_in_compare_and_in_an_experiment_with_the_same_root_seed():
    from lmxsim import experiments
    from lmxsim.experiments.spec import parse_spec

    policies = ["proactive_deal", "reactive_in_crowd"]
    outcomes = ["innovation_per_member_year", "annual_turnover", "mean_lmx", "mean_trust"]
    c = compare(policies, seeds=3, root_seed=42, overrides={"n_teams": 2, "weeks": 20})
    spec = parse_spec({"experiment": {"name": "same", "purpose": "test", "policies": policies, "replications": 3,
                                      "weeks": 20, "root_seed": 42, "outcomes": outcomes},
                       "fixed": {"n_teams": 2}})
    stored = experiments.run(spec, progress=False)
    keys = ["policy", "replicate"]
    mine = c.runs.set_index(keys).sort_index()
    theirs = stored.set_index(keys).sort_index()
    assert len(mine) == len(theirs) == 6
    assert mine.index.equals(theirs.index)
    assert (mine.seed == theirs.seed).all()
    for outcome in outcomes:
        assert (mine[outcome] == theirs[outcome]).all(), outcome
    assert mine.mean_lmx.nunique() > 1  # not vacuous: the runs differ between replications and policies


def test_compare_refuses_bad_input_before_running(tmp_path):
    # from Python the errors name the arguments (the command line names its options)
    with pytest.raises(LMXInputError, match="^policies='nope'"):
        compare(["reactive_in_crowd", "nope"], seeds=2)
    with pytest.raises(LMXInputError, match="^seeds=1"):
        compare(["reactive_in_crowd"], seeds=1)
    with pytest.raises(LMXInputError, match="team_size"):
        compare(["reactive_in_crowd"], seeds=2, overrides={"team_size": 0})
    assert main(["compare", "--policies", "nope", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------- progress bar
TINY_COMPARE = ["compare", "--policies", "reactive_in_crowd,proactive_deal", "--seeds", "2", "--weeks", "4",
                "--set", "n_teams=2"]


def test_compare_shows_a_progress_bar_on_a_terminal_only(tmp_path):
    import subprocess
    import sys

    code, err = run_with_stderr_on_a_terminal([*TINY_COMPARE, "--out", str(tmp_path / "a")])
    assert code == 0
    assert "compare" in err and "4/4" in err and "run/s" in err  # runs done, rate
    code, err = run_with_stderr_on_a_terminal([*TINY_COMPARE, "--quiet", "--out", str(tmp_path / "b")])
    assert code == 0 and "4/4" not in err and "run/s" not in err
    piped = subprocess.run([sys.executable, "-m", "lmxsim.cli", *TINY_COMPARE, "--out", str(tmp_path / "c")],
                           capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: no bar


def test_run_shows_a_progress_bar_on_a_terminal_only(tmp_path):
    args = ["run", "--weeks", "5", "--set", "n_teams=2", "--panel-every", "0"]
    code, err = run_with_stderr_on_a_terminal([*args, "--out", str(tmp_path / "a")])
    assert code == 0 and "5/5" in err and "week/s" in err
    code, err = run_with_stderr_on_a_terminal([*args, "--quiet", "--out", str(tmp_path / "b")])
    assert code == 0 and "5/5" not in err


def test_format_table_explains_d_z_and_the_holm_marks():
    c = compare(["reactive_in_crowd", "proactive_deal"], seeds=3, overrides={"n_teams": 5, "weeks": 40})
    from lmxsim.compare import format_table

    text = format_table(c)
    # the family: every comparison with a p-value (an outcome that never varies, e.g. the bonus cost of two
    # policies without bonuses, has none)
    n_tests = int(c.summary.p.notna().sum())
    assert 0 < n_tests <= len(HEADLINE) * len(WINDOWS)
    assert "d_z" in text and "Holm" in text and f"all {n_tests} comparisons" in text
    # the ones left out are counted (the text said "every policy but the first x every outcome x both
    # windows" for a number that was smaller)
    untested = len(HEADLINE) * len(WINDOWS) - n_tests
    assert (f"{untested} whose differences do not vary have no p and are left out" in text) == (untested > 0)
    s = c.summary[c.summary.policy == "proactive_deal"]
    tested = s[s.p.notna()]
    assert {"d_z", "p", "p_holm"} <= set(s.columns) and (tested.p_holm >= tested.p).all()
    # a row's H mark follows its Holm-adjusted p; the window's line follows the policy's
    lines = text.splitlines()
    for row in s.itertuples():
        share = row.unit.startswith("share")
        diff = f"{row.diff_vs_first * (100 if share else 1):7.{2 if share else 3}f}"
        label = {"from_week_26": "weeks 26-end", "last_year": "last year"}[row.window]
        found = [ln for i, ln in enumerate(lines) if f"diff {diff}" in ln and label in ln
                 and "proactive_deal" in (ln if row.window == "from_week_26" else lines[i - 1])]
        assert found, (row.outcome, row.window)
        assert found[0].rstrip().endswith("H") == (row.p_holm < 0.05)


def test_compare_table_shows_both_windows_and_where_they_disagree():
    from lmxsim.compare import format_table, window_disagreements

    c = compare(["reactive_in_crowd", "transactional"], seeds=3, overrides={"n_teams": 4, "weeks": 120})
    text = format_table(c)
    assert "weeks 26-end = weeks 26-120; last year = weeks 69-120" in text
    block = text.split("\ninnovation (")[1].splitlines()
    assert "transactional" in block[3] and "weeks 26-end" in block[3] and "diff" in block[3]
    assert block[4].lstrip().startswith("last year") and "diff" in block[4]
    s = c.summary
    assert set(s.first_week) == {26, 69}
    # the disagreements are the differences whose CI excludes 0 in one window but not the other
    verdict = np.sign(s.diff_ci_low.clip(lower=0) + s.diff_ci_high.clip(upper=0))
    wide = s.assign(verdict=verdict)[s.policy == "transactional"].pivot(index="outcome", columns="window",
                                                                        values="verdict")
    expected = set(wide.index[wide.from_week_26 != wide.last_year])
    found = window_disagreements(s)
    assert set(found.outcome) == expected
    if expected:
        assert "The windows disagree on" in text
    else:
        assert "The windows agree" in text


def test_window_disagreements_are_one_window_only_or_opposite_signs():
    from lmxsim.compare import window_disagreements

    def rows(outcome, cis):
        return [{"policy": "b", "outcome": outcome, "window": w, "p": 0.5, "diff_vs_first": (lo + hi) / 2,
                 "diff_ci_low": lo, "diff_ci_high": hi} for w, (lo, hi) in zip(WINDOWS, cis)]

    summary = pd.DataFrame([
        {"policy": "a", "outcome": "mean_lmx", "window": w, "p": np.nan, "diff_vs_first": 0.0,
         "diff_ci_low": 0.0, "diff_ci_high": 0.0} for w in WINDOWS]
        + rows("mean_lmx", [(0.1, 0.3), (0.2, 0.4)])              # both above 0: agree
        + rows("annual_turnover", [(-0.03, -0.01), (-0.02, 0.01)])  # below 0, then spans 0
        + rows("mean_trust", [(0.01, 0.02), (-0.05, -0.01)])       # opposite signs
        + rows("mean_engagement", [(-0.1, 0.1), (-0.2, 0.2)]))     # neither excludes 0: agree
    found = window_disagreements(summary)
    assert found.outcome.tolist() == ["annual_turnover", "mean_trust"]
    assert found.opposite.tolist() == [False, True]
    assert found.diff_ci_high_last_year.tolist() == [0.01, -0.01]
