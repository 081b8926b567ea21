"""The vectorised model agrees with a per-agent reference implementation of the same rules.

``benchmarks/reference_model.py`` writes every weekly rule again, agent by agent, in plain
Python, run phase by phase through Mesa's AgentSet. It draws the same random numbers as
the vectorised model (the same Generator, the same bulk draws in the same order, each
agent reading its own element), so the two must produce the same trajectories: every
count (ideas, successes, quits, hires, promises kept and broken, headcount) exactly, every
mean to 1e-9 - week by week - and the same people in the same positions with the same
state at the end. A reference with one rule changed must fail the same comparison.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from lmxsim import LMXModel

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "reference_model.py"
_spec = importlib.util.spec_from_file_location("reference_model", _PATH)
reference_model = importlib.util.module_from_spec(_spec)
sys.modules["reference_model"] = reference_model
_spec.loader.exec_module(reference_model)
ReferenceModel = reference_model.ReferenceModel

RTOL = 1e-9
COUNTS = ("innovation", "ideas_tried", "quits", "quits_top_quartile", "hires", "headcount", "positions",
          "promises_kept", "promises_broken")
SMALL = dict(n_teams=4, team_size=6, weeks=52)
# frequent quits (also immediate refills), many ideas that all succeed, dense ties
BUSY = dict(n_teams=5, team_size=8, weeks=60, annual_base_turnover=0.9, quit_sensitivity=8.0, hiring_lag_weeks=0,
            idea_rate=5.0, idea_success=1.0, within_team_ties=6, cross_team_ties=3.0)


def _pair(policy, seed, **params):
    vec = LMXModel(policy=policy, seed=seed, panel_every=0, **params)
    ref = ReferenceModel(policy=policy, seed=seed, **params)
    return vec, ref


def _disagreements(vec, ref) -> list[str]:
    """Where the two runs differ (empty list: they agree)."""
    a, b = vec.model_frame(), ref.model_frame()
    problems = []
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"shape/columns differ: {a.shape} {b.shape}"]
    for col in a.columns:
        x, y = a[col].to_numpy(float), b[col].to_numpy(float)
        if col in COUNTS:
            bad = x != y
        else:
            bad = ~(np.isclose(x, y, rtol=RTOL, atol=1e-12) | (np.isnan(x) & np.isnan(y)))
        if bad.any():
            w = int(np.argmax(bad))
            problems.append(f"{col} first differs in week {w}: {x[w]!r} vs {y[w]!r}")
    m = vec.members
    ref_state = ref.member_state()
    occupied = set(np.flatnonzero(m.occupied).tolist())
    if occupied != set(ref_state):
        problems.append("different positions occupied at the end")
        return problems
    for pos, state in ref_state.items():
        for name, value in state.items():
            mine = getattr(m, name)[pos].item()
            if not math.isclose(mine, value, rel_tol=RTOL, abs_tol=1e-12):
                problems.append(f"final {name} at position {pos}: {mine!r} vs {value!r}")
                break
    return problems


@pytest.mark.parametrize("policy", reference_model.POLICIES)
@pytest.mark.parametrize("seed", [1, 2])
def test_every_policy_agrees_week_by_week(policy, seed):
    vec, ref = _pair(policy, seed, **SMALL)
    vec.run()
    ref.run()
    assert _disagreements(vec, ref) == []


@pytest.mark.parametrize("policy", ["reactive_in_crowd", "proactive_deal", "distributed"])
def test_agrees_under_heavy_turnover_and_many_ideas(policy):
    vec, ref = _pair(policy, 11, **BUSY)
    vec.run()
    ref.run()
    frame = vec.model_frame()
    assert frame.quits.sum() > 20 and frame.innovation.sum() > 100   # the busy paths were exercised
    assert _disagreements(vec, ref) == []


@pytest.mark.parametrize("shape", [
    dict(n_teams=6, team_size=1, weeks=40),                                        # teams of one
    dict(n_teams=3, team_size=20, weeks=40, within_team_ties=0, cross_team_ties=0.0),  # no ties at all
    dict(n_teams=20, team_size=10, weeks=26, leader_hours_per_week=20.0),           # the default size
])
def test_agrees_on_other_shapes(shape):
    vec, ref = _pair("similarity_bias", 5, **shape)
    vec.run()
    ref.run()
    assert _disagreements(vec, ref) == []


def test_agrees_when_some_leaders_switch_policy_mid_run():
    vec, ref = _pair("reactive_in_crowd", 4, n_teams=6, team_size=7, weeks=60)
    for model in (vec, ref):
        model.run(20)
        model.set_policy("distributed", teams=[0, 2, 4])
        model.run(20)
        model.set_policy("proactive_deal", teams=[1])
        model.run()
    assert _disagreements(vec, ref) == []


class _SlowerScar(reference_model.RefMember):
    """One rule changed slightly: a broken promise scars 0.19 instead of 0.2 of what is unscarred."""

    def break_promise(self):
        scar = self.scar
        loss = super().break_promise()
        self.scar = scar + 0.19 * (1.0 - scar)
        return loss


class _MutantModel(ReferenceModel):
    member_class = _SlowerScar


def test_a_changed_rule_is_caught():
    vec = LMXModel(policy="proactive_deal", seed=1, panel_every=0, **SMALL)
    ref = _MutantModel(policy="proactive_deal", seed=1, **SMALL)
    vec.run()
    ref.run()
    assert _disagreements(vec, ref) != []
