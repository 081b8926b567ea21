"""Scenarios: every preset runs, and each intervention does what it says, when it says."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import REQUIRED_MODEL_COLUMNS, member_field_violations
from lmxsim import LMXInputError, LMXModel
from lmxsim.scenarios import SCENARIOS, get_scenario, scenario_names
from lmxsim.state import STRANGER
from lmxsim.submodels.decide import review

ORG = dict(n_teams=3, team_size=6, panel_every=0)
BUILT_IN = ["default", "in_crowd_trap", "deal_with_everyone", "leader_training", "remote_team", "budget_cut",
            "growing_team", "new_leader", "broken_promise", "hiring_wave"]


def _model(scenario, seed=3, **kw):
    return LMXModel(scenario=scenario, seed=seed, **{**ORG, **kw})


def _last_event_week(scenario) -> int:
    weeks = [getattr(e, "until_week", e.week) for e in get_scenario(scenario).events]
    return max(weeks, default=0)


def test_all_documented_scenarios_exist():
    assert set(BUILT_IN) <= set(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_every_scenario_runs_past_its_events_and_reports_required_columns(name):
    weeks = _last_event_week(name) + 2 if get_scenario(name).events else 20
    model = _model(name, weeks=weeks).run()
    frame = model.model_frame()
    assert len(frame) == weeks + 1
    assert set(REQUIRED_MODEL_COLUMNS) <= set(frame.columns)
    staffed = frame[frame.headcount > 0]
    assert np.isfinite(staffed[list(REQUIRED_MODEL_COLUMNS)].to_numpy(dtype=float)).all()
    assert member_field_violations(model) == []


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_is_described_and_starts_with_its_policy(name):
    s = get_scenario(name)
    assert s.title and s.description and s.watch
    model = _model(name, weeks=5)
    assert model.policies_in_use == [s.policy]
    assert model.preset is s


@pytest.mark.parametrize("name", ["default", "leader_training", "deal_with_everyone"])
def test_explicit_policy_overrides_the_scenario_policy(name):
    model = _model(name, policy="equal_split", weeks=5)
    assert model.policies_in_use == ["equal_split"]


def test_unknown_scenario_raises_input_error_listing_the_choices():
    with pytest.raises(LMXInputError) as info:
        LMXModel(scenario="mars_colony", seed=1, **ORG)
    assert info.value.field == "scenario"
    for name in BUILT_IN:
        assert name in str(info.value)


# ---------------------------------------------------------------------------- leader training
def test_leader_training_switches_from_reactive_to_proactive_after_week_26():
    model = _model("leader_training", weeks=40)
    model.run(25)
    assert model.policies_in_use == ["reactive_in_crowd"]
    model.step()  # week 26: the training happens at the end of the week
    assert model.week == 26
    assert model.policies_in_use == ["proactive_deal"]
    assert np.all(model.leaders.policy_since_week == 27)
    model.run()
    assert model.policies_in_use == ["proactive_deal"]


def test_leader_training_switch_also_applies_to_an_explicitly_chosen_start_policy():
    model = _model("leader_training", policy="laissez_faire", weeks=30)
    model.run(26)
    assert model.policies_in_use == ["proactive_deal"]


# ---------------------------------------------------------------------------- growing team
def test_growing_team_adds_positions_gradually_up_to_twenty_per_team():
    # team_size is not passed, so the scenario's preset (8) applies
    model = LMXModel(scenario="growing_team", seed=3, n_teams=3, weeks=80, panel_every=0)
    start = model.params.team_size
    assert start == get_scenario("growing_team").overrides["team_size"]
    model.run()
    frame = model.model_frame()
    before = frame[frame.week <= 26].positions
    assert (before == 3 * start).all()
    assert (frame.positions.diff().iloc[1:] >= 0).all()
    assert frame.positions.iloc[-1] == 3 * 20
    assert np.all(model.team_positions() == 20)
    # growth is spread over the window, not one jump
    assert frame[(frame.week > 26) & (frame.week < 78)].positions.nunique() > 2
    # new positions get filled: headcount grows too
    assert frame.headcount.iloc[-1] > frame.headcount.iloc[0]


def test_growing_team_refuses_teams_already_larger_than_the_target():
    with pytest.raises(LMXInputError) as info:
        LMXModel(scenario="growing_team", seed=1, n_teams=2, team_size=21, weeks=5)
    assert info.value.field == "team_size"
    assert "21" in str(info.value)
    LMXModel(scenario="growing_team", seed=1, n_teams=2, team_size=20, weeks=5)  # the limit itself is fine


# ---------------------------------------------------------------------------- budget cut
def test_budget_cut_halves_leader_hours_after_week_52():
    model = _model("budget_cut", weeks=60)
    full = model.params.leader_hours_per_week
    model.run(51)
    assert np.allclose(model.leaders.hours_per_week, full)
    model.step()  # week 52
    assert np.allclose(model.leaders.hours_per_week, 0.5 * full)
    model.run()
    assert np.allclose(model.leaders.hours_per_week, 0.5 * full)
    assert all(np.isclose(leader.hours_per_week, 0.5 * full) for leader in model.leader_agents)


def test_budget_cut_leaves_the_run_identical_to_default_until_the_cut():
    cut = _model("budget_cut", weeks=56).run()
    base = _model("default", weeks=56).run()
    fc, fb = cut.model_frame(), base.model_frame()
    # the cut is applied at the end of week 52 (before that week's review), so weeks 0-51 agree
    assert fc[fc.week < 52].equals(fb[fb.week < 52])
    # with less leader time, members receive fewer leader hours once the cut bites
    assert cut.members.hours.sum() < base.members.hours.sum()


# ---------------------------------------------------------------------------- new leader
def test_new_leader_resets_every_dyad_at_week_78():
    model = LMXModel(scenario="new_leader", seed=3, n_teams=3, team_size=6, weeks=80, panel_every=1)
    old_ids = model.leaders.leader_id.copy()
    model.run(78)
    m = model.members
    occ = m.occupied
    assert np.all(m.dyad_start_week[occ] == 78)
    assert np.all(m.stage[occ] == STRANGER)
    # the old leader's in-group does not carry over: if week 78 is a review week the in-group
    # is the new leader's own choice (reviewing again changes nothing), otherwise it is empty
    if model.is_review_week:
        chosen = m.in_group.copy()
        review(model.engine, model.engine.take_stock(), model.engine.review_due() | True)
        assert np.array_equal(model.members.in_group, chosen)
    else:
        assert not np.any(m.in_group)
    assert np.all(model.leaders.start_week == 78)
    assert not set(model.leaders.leader_id) & set(old_ids)
    panel = model.panel_frame()
    at_78 = panel[(panel.week == 78) & (panel.quit == 0)]
    assert len(at_78) and (at_78.dyad_weeks == 0).all()
    before = panel[(panel.week == 77) & (panel.quit == 0)]
    assert (before.dyad_weeks > 0).any()
    # people keep their tenure: only the relationship restarts
    assert (at_78.tenure_weeks >= at_78.dyad_weeks).all() and (at_78.tenure_weeks > 0).any()


# ---------------------------------------------------------------------------- broken promise
def test_broken_promise_shock_lowers_every_members_trust_at_week_52():
    shock = _model("broken_promise", weeks=52).run()
    base = _model("default", weeks=52).run()
    s, b = shock.members, base.members
    assert np.array_equal(s.person_id, b.person_id)  # same people: identical until the shock
    occ = s.occupied & (b.trust > 0)
    assert occ.any()
    assert np.all(s.trust[occ] < b.trust[occ])
    assert np.all(s.scar[s.occupied] >= b.scar[s.occupied])
    assert shock.model_frame().mean_trust.iloc[-1] < base.model_frame().mean_trust.iloc[-1]


# ---------------------------------------------------------------------------- hiring wave
def test_hiring_wave_adds_three_filled_positions_per_team_at_week_52():
    model = _model("hiring_wave", weeks=54)
    model.run(51)
    positions_before = model.members.capacity
    next_id = model.members.person_id.max()
    model.step()
    m = model.members
    assert m.capacity == positions_before + 3 * model.n_teams
    new = np.arange(positions_before, m.capacity)
    assert np.all(m.occupied[new])
    assert np.all(m.person_id[new] > next_id)
    assert np.all(m.hire_week[new] == 52)
    assert np.all(np.bincount(m.team[new], minlength=model.n_teams) == 3)
    assert member_field_violations(model) == []


def test_scenario_table_and_lookup_agree():
    for name in scenario_names():
        assert SCENARIOS[name] is get_scenario(name)
        assert SCENARIOS[name].name == name
