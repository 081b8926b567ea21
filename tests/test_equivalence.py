"""The "same model, new numbers" harness (benchmarks/equivalence.py) passes equal engines and
catches a changed one.

Both engines here are this checkout's lmxsim, run on different seeds, in small organisations
(8 teams, 52 weeks, 8 seeds, two policies): the harness must find no difference; with the quit
rate doubled in one engine it must flag turnover, confirm it on fresh seeds and exit 1. With
the seeds fixed the outcome is deterministic; under equal engines the screen flags a chance
difference for at most 5% of seed pairs (measured here: 1 of 120), so if the equal-engines test
fails after an engine change, run the harness with ``--confirm`` before suspecting the engine.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmxsim.params import Params

from lmxsim.outcomes import OUTCOMES
from lmxsim.stats import holm as lmxsim_holm

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "equivalence.py"
POLICIES = ["reactive_in_crowd", "proactive_deal"]
SMALL = ["--seeds", "8", "--set", "n_teams=8", "--set", "weeks=52"]


def _harness():
    spec = importlib.util.spec_from_file_location("equivalence", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


eq = _harness()


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # the harness's current engine is this checkout's lmxsim


def _run(*args, timeout=300):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=str(ROOT),
                          timeout=timeout, env=ENV)


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory):
    """Equal engines (two policies) and a doubled quit rate (one policy, --confirm), each running its
    engines one after the other, the two at once (2 processes)."""
    out = tmp_path_factory.mktemp("equivalence")
    common = [sys.executable, str(SCRIPT), "--baseline", str(ROOT), *SMALL, "--jobs", "1"]
    procs = {
        "equal": subprocess.Popen([*common, "--policies", ",".join(POLICIES), "--out", str(out / "equal")],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=str(ROOT), env=ENV),
        "quits": subprocess.Popen([*common, "--policies", "reactive_in_crowd", "--out", str(out / "quits"),
                                   "--perturb", "annual_base_turnover=2", "--confirm"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT), env=ENV),
    }
    done = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        done[name] = (proc.returncode, stdout, stderr, out / name)
    return done


def test_equal_engines_pass_with_every_cell_policy_and_outcome(both_runs):
    code, stdout, stderr, out = both_runs["equal"]
    assert code == 0, stderr[-3000:]
    res = pd.read_csv(out / "results.csv")
    assert set(res.cell) == set(eq.CELLS) and set(res.policy) == set(POLICIES)
    assert set(res.outcome) == set(OUTCOMES)
    assert len(res) == len(eq.CELLS) * len(POLICIES) * len(OUTCOMES)
    assert not res.rejected.any() and (res.min_p_holm >= 0.05).all()
    assert (res.n_baseline == 8).all() and (res.n_current == 8).all()
    # every test ran, and Holm's adjustment only ever raises a p-value
    for test in eq.TESTS:
        assert res[f"{test}_p"].between(0, 1).all()
        assert (res[f"{test}_p_holm"] >= res[f"{test}_p"] - 1e-12).all()
    # the engines drew different seeds (independent samples), each the same 8 for every cell and policy
    runs = {side: pd.read_csv(out / f"runs_{side}.csv") for side in ("baseline", "current")}
    assert not set(runs["baseline"].seed) & set(runs["current"].seed)
    for frame in runs.values():
        assert frame.groupby(["cell", "policy"]).size().eq(8).all() and frame.seed.nunique() == 8
    # the team_size=30 cell really has teams of 30, and remote_team is its preset: different outcomes
    a = runs["baseline"]
    assert not np.allclose(a[a.cell == "default"].mean_lmx.to_numpy(), a[a.cell == "remote_team"].mean_lmx.to_numpy())
    meta = json.loads((out / "meta.json").read_text())
    assert meta["baseline"]["commit"] and meta["current"]["commit"] == meta["baseline"]["commit"]
    assert Path(meta["current"]["lmxsim_file"]).is_relative_to(ROOT)
    assert meta["rejected"] == 0 and meta["perturb"] is None
    text = (out / "results.md").read_text()
    assert text == stdout
    assert "No hypothesis is rejected" in text and "FAIL ·" not in text
    for policy in POLICIES:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{policy}` |"))
        assert row.count("pass") == len(eq.CELLS)


def test_a_doubled_quit_rate_is_flagged_on_turnover_and_confirmed_on_fresh_seeds(both_runs):
    code, stdout, stderr, out = both_runs["quits"]
    assert code == 1, stderr[-3000:]
    res = pd.read_csv(out / "results.csv")
    flagged = res[res.rejected]
    assert "annual_turnover" in set(flagged.outcome)
    assert (flagged[flagged.outcome == "annual_turnover"].smd > 0).all()  # more quits in the changed engine
    # --confirm ran the flagged cells and policies again on fresh seeds, and turnover differs again
    confirmed = res[res.confirmed]
    turnover = confirmed[confirmed.outcome.str.contains("turnover")]
    assert "annual_turnover" in set(confirmed.outcome) and (turnover.confirm_smd > 0).all()   # more quits, again
    assert res.loc[~res.rejected, "confirm_min_p_holm"].isna().all()
    again = pd.read_csv(out / "runs_current_confirm.csv")
    assert set(zip(again.cell, again.policy)) >= set(zip(flagged.cell, flagged.policy))
    assert not set(again.seed) & set(pd.read_csv(out / "runs_current.csv").seed)
    assert "### Rejected hypotheses" in stdout and "FAIL ·" in stdout and "the difference is confirmed" in stdout
    assert "annual_base_turnover x 2" in stdout
    meta = json.loads((out / "meta.json").read_text())
    assert meta["perturb"] == ["annual_base_turnover", 2.0] and meta["rejected"] == res.rejected.sum() > 0
    assert meta["verdict"] == "FAIL" and meta["confirm"]["confirmed"] == res.confirmed.sum() > 0


# ----------------------------------------------------------------------------- the statistics
def test_compare_samples_tests_and_standardizes():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 40), rng.normal(0, 1, 40)
    same = eq.compare_samples(a, b)
    assert same["ks_p"] > 0.05 and same["welch_p"] > 0.05
    shifted = eq.compare_samples(a, b + 2.0)
    assert shifted["ks_p"] < 1e-6 and shifted["welch_p"] < 1e-6 and shifted["welch_t"] > 0
    expected = (np.mean(b + 2) - np.mean(a)) / math.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2)
    assert shifted["smd"] == pytest.approx(expected)


def test_compare_samples_constant_and_missing_values():
    equal = eq.compare_samples([0.0] * 5, [0.0] * 6)
    assert equal["welch_p"] == 1.0 and equal["ks_p"] == 1.0 and equal["smd"] == 0.0
    differ = eq.compare_samples([0.0] * 5, [1.0] * 5)
    assert differ["welch_p"] == 0.0 and differ["smd"] == math.inf
    with_nan = eq.compare_samples([1.0, np.nan, 2.0, 3.0], [1.5, 2.5, np.nan, np.nan])
    assert with_nan["n_baseline"] == 3 and with_nan["n_current"] == 2 and math.isfinite(with_nan["welch_p"])
    too_few = eq.compare_samples([1.0, 2.0], [np.nan, 1.0])
    assert math.isnan(too_few["ks_p"]) and math.isnan(too_few["welch_p"])


def test_holm_covers_every_test_of_the_table_and_skips_missing_ones():
    p = [0.01, np.nan, 0.04, 0.03, 0.005]
    adjusted = eq.holm(p)
    assert np.isnan(adjusted[1])
    finite = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(adjusted[[0, 2, 3, 4]], lmxsim_holm(finite))
    np.testing.assert_allclose(adjusted[[0, 2, 3, 4]], [0.03, 0.06, 0.06, 0.02])  # by hand: m = 4


def test_analyse_flags_only_the_shifted_outcome():
    rng = np.random.default_rng(3)

    def frame(shift):
        rows = [{"cell": c, "policy": "p", "x": rng.normal(shift if c == "remote_team" else 0, 1),
                 "y": rng.normal(0, 1)} for c in eq.CELLS for _ in range(30)]
        return pd.DataFrame(rows)
    res = eq.analyse(frame(0.0), frame(3.0), list(eq.CELLS), ["p"], ["x", "y"])
    flagged = res[res.rejected]
    assert list(zip(flagged.cell, flagged.outcome)) == [("remote_team", "x")]
    table = eq.cell_table(res)
    assert dict(zip(table.cell, table.result)) == {"default": "pass", "team_size_30": "pass", "remote_team": "FAIL"}
    assert table.set_index("cell").loc["remote_team", "max_abs_smd_outcome"] == "x"


def test_confirmation_clears_a_chance_flag_and_keeps_a_real_one():
    rng = np.random.default_rng(5)

    def frame(shift, n=30):
        return pd.DataFrame([{"cell": c, "policy": "p", "x": rng.normal(shift if c == "default" else 0, 1),
                              "y": rng.normal(0, 1)} for c in eq.CELLS for _ in range(n)])
    screen = eq.analyse(frame(0.0), frame(3.0), list(eq.CELLS), ["p"], ["x", "y"])
    screen.loc[(screen.cell == "remote_team") & (screen.outcome == "y"), "rejected"] = True  # a chance flag
    res = eq.confirm_flagged(screen, frame(0.0), frame(3.0))
    assert list(zip(res[res.confirmed].cell, res[res.confirmed].outcome)) == [("default", "x")]
    assert res.loc[~res.rejected, "confirm_ks_p"].isna().all() and eq.failed(res)
    results = dict(zip(*eq.cell_table(res)[["cell", "result"]].T.values))
    assert results == {"default": "FAIL", "team_size_30": "pass", "remote_team": "cleared"}
    # nothing differs again: the verdict is a pass, though the screen flagged
    res = eq.confirm_flagged(screen, frame(0.0), frame(0.0))
    assert not res.confirmed.any() and not eq.failed(res) and screen.rejected.any()


def test_detectable_effect_shrinks_with_seeds():
    assert eq.detectable_smd(50, 50, 0.05) == pytest.approx((1.959964 + 0.841621) * math.sqrt(2 / 50), rel=1e-5)
    assert eq.detectable_smd(50, 50, 0.05 / 600) > eq.detectable_smd(50, 50, 0.05) > eq.detectable_smd(200, 200,
                                                                                                        0.05)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("args, names", [
    ([], "--baseline"),
    (["--baseline", "/nonexistent/checkout"], "--baseline"),
    (["--baseline", ".", "--seeds", "1"], "--seeds"),
    (["--baseline", ".", "--cells", "default,nowhere"], "--cells"),
    (["--baseline", ".", "--perturb", "idea_rate=-1"], "--perturb"),
    (["--baseline", ".", "--set", "n_teams"], "--set"),
    (["--baseline", ".", "--baseline-seed", "5", "--current-seed", "5"], "--current-seed"),
])
def test_bad_options_are_one_line_naming_the_option(args, names, tmp_path):
    proc = _run(*args, "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("equivalence: error:") and names in lines[0]
    assert not (tmp_path / "out").exists()


def _child_cfg(**changes):
    import lmxsim
    cfg = {"side": "current", "option": "--current", "checkout": str(Path(lmxsim.__file__).resolve().parents[1]),
           "cells": list(eq.CELLS), "policies": None, "sets": [], "perturb": None, "seeds": 2, "root_seed": 1}
    return {**cfg, **changes}


def test_an_engine_builds_one_spec_per_cell_with_sets_and_perturbation():
    _, outcomes, policies, specs = eq._child_specs(_child_cfg(sets=["n_teams=3", "weeks=52"],
                                                              perturb=["annual_base_turnover", 2.0]))
    assert outcomes == list(OUTCOMES) and set(policies) == set(specs["default"].policies)
    assert {c: s.scenario for c, s in specs.items()} == {"default": "default", "team_size_30": "default",
                                                         "remote_team": "remote_team"}
    assert specs["team_size_30"].fixed["team_size"] == 30 and "team_size" not in specs["default"].fixed
    assert all(s.weeks == 52 and s.fixed["n_teams"] == 3 and s.replications == 2 for s in specs.values())
    doubled = 2.0 * Params().annual_base_turnover
    assert all(s.fixed["annual_base_turnover"] == pytest.approx(doubled) for s in specs.values())


@pytest.mark.parametrize("changes, field", [
    ({"sets": ["no_such_parameter=1"]}, "no_such_parameter"),
    ({"policies": ["no_such_policy"]}, "--policies"),
    ({"perturb": ["no_such_parameter", 1.2]}, "--perturb"),
    ({"perturb": ["annual_base_turnover", 10.0]}, "--perturb"),   # 1.3 a year: out of range
])
def test_an_engine_refuses_what_only_its_lmxsim_can_check(changes, field):
    from lmxsim.errors import LMXInputError
    with pytest.raises(LMXInputError) as info:
        eq._child_specs(_child_cfg(**changes))
    assert field in info.value.field


def test_an_engine_that_refuses_stops_both_before_any_run(tmp_path):
    """Only the current engine is perturbed, so only it refuses: the baseline, ready, runs nothing."""
    proc = _run("--baseline", str(ROOT), "--perturb", "no_such_parameter=1.2", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"equivalence: error: current ({ROOT}): --perturb='no_such_parameter' is not allowed: a numeric parameter "
        "(see `lmxsim list parameters`)"]
    assert not (tmp_path / "out").exists()
