"""What a Mesa user expects of LMXModel and its agents, on every Mesa 3.x we support.

SolaraViz accepts the model; agent attributes can be set (checked against the state
declarations); ``rng=`` works as in Mesa; the preset is ``model.preset`` because newer Mesa
owns ``model.scenario``; and a finished model can be released so it is garbage-collected.
tests/test_newest_mesa.py runs this module again on the newest Mesa 3.x.
"""

from __future__ import annotations

import gc
import inspect
import math
import weakref

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mesa
from lmxsim import LMXModel
from lmxsim.compat import MesaScenario, held_by_mesa, release_model
from lmxsim.errors import LMXInputError
from lmxsim.params import names as param_names
from lmxsim.state import LEADER_FIELDS, MEMBER_FIELDS

SMALL = {"n_teams": 2, "team_size": 4, "weeks": 12}
needs_mesa_scenarios = pytest.mark.skipif(MesaScenario is None, reason="Mesa < 3.4 has no Mesa scenarios")


# ---------------------------------------------------------------------- SolaraViz
def _buttons(rc, label):
    import ipyvuetify as v

    return [b for b in rc.find(v.Btn).widgets if label in b.children]


def _render(viz, **kwargs):
    """Render ``viz(**kwargs)`` (SolaraViz) inside an AppLayout, as ``solara run`` does (the
    controls live in the sidebar, which only an AppLayout shows)."""
    import solara

    @solara.component
    def Page():
        with solara.AppLayout():
            viz(**kwargs)

    return solara.render(Page(), handle_error=False)[1]


def test_solara_viz_renders_the_model_without_model_params():
    solara = pytest.importorskip("solara")
    from mesa.visualization import SolaraViz

    model = LMXModel(seed=1, **SMALL)
    rc = _render(SolaraViz, model=model)
    assert _buttons(rc, "Step") and _buttons(rc, "Reset")


def test_solara_viz_sliders_rebuild_the_model_on_reset():
    """Reset rebuilds the model from model_params: sliders, a fixed preset and a seed."""
    solara = pytest.importorskip("solara")
    from mesa.visualization import SolaraViz, make_plot_component

    model = solara.reactive(LMXModel(seed=1, **SMALL))
    model_params = {
        "n_teams": {"type": "SliderInt", "value": 3, "label": "Teams", "min": 1, "max": 10, "step": 1},
        "leader_hours_per_week": {"type": "SliderFloat", "value": 4.0, "label": "Leader hours", "min": 0.0,
                                  "max": 40.0, "step": 0.5},
        "policy": {"type": "Select", "value": "proactive_deal", "label": "Policy",
                   "values": ["reactive_in_crowd", "proactive_deal"]},
        "preset": "in_crowd_trap", "team_size": 4, "weeks": 12, "seed": 7,
    }
    rc = _render(SolaraViz, model=model, components=[make_plot_component("mean_lmx")], model_params=model_params)
    _buttons(rc, "Step")[0].click()
    assert model.value.week == 1
    _buttons(rc, "Reset")[0].click()
    rebuilt = model.value
    assert rebuilt.week == 0
    assert (rebuilt.params.n_teams, rebuilt.params.leader_hours_per_week) == (3, 4.0)
    assert rebuilt.policies_in_use == ["proactive_deal"]
    assert (rebuilt.preset.name, rebuilt.seed) == ("in_crowd_trap", 7)


def test_signature_shows_every_parameter_and_a_catch_all_named_kwargs():
    prms = inspect.signature(LMXModel).parameters
    assert set(param_names()) <= set(prms)
    assert {"policy", "scenario", "preset", "seed", "rng", "panel_every", "member_agents"} <= set(prms)
    var_keyword = [p.name for p in prms.values() if p.kind == p.VAR_KEYWORD]
    assert var_keyword == ["kwargs"]   # the only name Mesa 3.3.1's SolaraViz exempts
    assert all(p.default is not p.empty for p in prms.values() if p.kind != p.VAR_KEYWORD)


# ---------------------------------------------------------------------- rng
def _frame(**kwargs):
    return LMXModel(**SMALL, **kwargs).run().model_frame()


def test_rng_generator_is_reproducible():
    a, b = _frame(rng=np.random.default_rng(5)), _frame(rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(_frame(rng=np.random.default_rng(6)))


def test_rng_integer_gives_the_same_run_and_streams_as_the_same_seed():
    by_rng, by_seed = LMXModel(rng=5, **SMALL), LMXModel(seed=5, **SMALL)
    assert by_rng.seed == by_seed.seed == 5
    assert by_rng.random.random() == by_seed.random.random()   # Mesa's stdlib stream too
    pd.testing.assert_frame_equal(by_rng.run().model_frame(), by_seed.run().model_frame())


@pytest.mark.parametrize("rng", [np.random.PCG64(3), np.random.SeedSequence(3), np.int64(3)])
def test_rng_accepts_what_mesa_accepts(rng):
    LMXModel(rng=rng, **SMALL).run(2)


def test_seed_and_rng_together_are_refused():
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=1, rng=np.random.default_rng(1), **SMALL)
    assert info.value.field == "rng"


@pytest.mark.parametrize("rng", ["abc", -1, 1.5, True, [1, 2], object()])
def test_bad_rng_names_rng(rng):
    with pytest.raises(LMXInputError) as info:
        LMXModel(rng=rng, **SMALL)
    assert info.value.field == "rng" and info.value.value is rng


# ---------------------------------------------------------------------- preset / scenario
def test_the_preset_is_model_preset_given_as_scenario_or_preset():
    by_scenario = LMXModel(scenario="in_crowd_trap", seed=2, **SMALL)
    by_preset = LMXModel(preset="in_crowd_trap", seed=2, **SMALL)
    assert by_scenario.preset.name == by_preset.preset.name == "in_crowd_trap"
    pd.testing.assert_frame_equal(by_scenario.run().model_frame(), by_preset.run().model_frame())
    assert LMXModel(**SMALL).preset.name == "default"


def test_two_different_presets_are_refused():
    with pytest.raises(LMXInputError) as info:
        LMXModel(scenario="default", preset="in_crowd_trap", **SMALL)
    assert info.value.field == "preset"


@pytest.mark.parametrize("kwargs, field", [({"scenario": "moon"}, "scenario"), ({"preset": "moon"}, "preset"),
                                           ({"scenario": 3}, "scenario"), ({"preset": ["a"]}, "preset")])
def test_unknown_preset_names_the_argument(kwargs, field):
    with pytest.raises(LMXInputError) as info:
        LMXModel(**kwargs, **SMALL)
    assert info.value.field == field


def test_model_scenario_is_left_to_mesa():
    model = LMXModel(**SMALL)
    if MesaScenario is None:
        with pytest.raises(AttributeError, match="model.preset"):
            model.scenario  # noqa: B018 - the attribute access is the test
    else:
        assert isinstance(model.scenario, MesaScenario)
        assert model.scenario.model is model


@needs_mesa_scenarios
def test_a_mesa_scenario_object_seeds_and_parameterises_the_model():
    model = LMXModel(scenario=MesaScenario(rng=4, n_teams=3, team_size=4, weeks=12, preset="in_crowd_trap"))
    assert (model.params.n_teams, model.preset.name, model.seed) == (3, "in_crowd_trap", 4)
    assert model.scenario.model is model
    pd.testing.assert_frame_equal(model.run().model_frame(),
                                  LMXModel(preset="in_crowd_trap", seed=4, n_teams=3, team_size=4,
                                           weeks=12).run().model_frame())


@needs_mesa_scenarios
@pytest.mark.parametrize("scenario, kwargs, field", [
    (dict(rng=1), {"seed": 1}, "rng"),
    (dict(n_teams=3), {"n_teams": 3}, "scenario.n_teams"),
    (dict(colour="red"), {}, "scenario.colour"),
])
def test_a_mesa_scenario_conflicting_with_arguments_is_refused(scenario, kwargs, field):
    with pytest.raises(LMXInputError) as info:
        LMXModel(scenario=MesaScenario(**scenario), **kwargs)
    assert info.value.field == field


# ---------------------------------------------------------------------- releasing models
def _finished_model_ref(release: bool):
    model = LMXModel(seed=3, **SMALL).run(3)
    ref = weakref.ref(model)
    held = held_by_mesa(model)
    if release:
        release_model(model)
        release_model(model)   # twice is harmless
    return ref, held


def test_a_released_model_is_garbage_collected():
    ref, _ = _finished_model_ref(release=True)
    gc.collect()
    assert ref() is None


def test_mesa_holds_models_only_where_release_is_needed():
    ref, held = _finished_model_ref(release=False)
    gc.collect()
    assert held == hasattr(mesa.Agent, "_ids")    # Mesa 3.3.1 keeps every model in Agent._ids
    assert (ref() is not None) == held
    if ref() is not None:
        release_model(ref())
        gc.collect()
        assert ref() is None


# ---------------------------------------------------------------------- agent attributes
_MODEL: dict = {}


def _model() -> LMXModel:
    if "m" not in _MODEL:
        _MODEL["m"] = LMXModel(seed=11, **SMALL).run(3)
    return _MODEL["m"]


def _snapshot(model) -> dict:
    m, lead = model.members, model.leaders
    return {**{f.name: getattr(m, f.name).copy() for f in MEMBER_FIELDS},
            **{"leader_" + f.name: getattr(lead, f.name).copy() for f in LEADER_FIELDS}}


def _assert_same(before: dict, after: dict) -> None:
    for name, values in before.items():
        np.testing.assert_array_equal(values, after[name], err_msg=name)


def _in_range(spec) -> st.SearchStrategy:
    if spec.dtype is np.bool_:
        return st.booleans()
    if np.issubdtype(spec.dtype, np.integer):
        return st.integers(spec.low, spec.high)
    low = -1e9 if spec.low is None else spec.low
    high = 1e9 if spec.high is None else spec.high
    return st.floats(low, high, allow_nan=False)


def _out_of_range(spec) -> st.SearchStrategy:
    wrong_type = st.sampled_from(["0.5", None, [0.5], {"x": 1}])
    if spec.dtype is np.bool_:
        return st.one_of(wrong_type, st.integers(), st.floats())
    bad = [wrong_type, st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf])]
    if spec.low is not None:
        bad.append(st.floats(max_value=spec.low, exclude_max=True, allow_nan=False, allow_infinity=False))
    if spec.high is not None:
        bad.append(st.floats(min_value=spec.high, exclude_min=True, allow_nan=False, allow_infinity=False))
    if np.issubdtype(spec.dtype, np.integer):
        bad.append(st.floats(spec.low, spec.high).filter(lambda x: not float(x).is_integer()))
    return st.one_of(*bad)


SETTABLE_MEMBER = [f for f in MEMBER_FIELDS if f.settable]
SETTABLE_LEADER = [f for f in LEADER_FIELDS if f.settable]


def _agent_and_array(model, owner: str, spec, which: int):
    if owner == "member":
        agent = model.member_agents()[which % int(model.members.occupied.sum())]
        return agent, getattr(model.members, spec.name), agent.position
    agent = model.leader_agents[which % model.n_teams]
    return agent, getattr(model.leaders, spec.name), agent.team_id


_SETTABLE = [("member", f) for f in SETTABLE_MEMBER] + [("leader", f) for f in SETTABLE_LEADER]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice=st.sampled_from(_SETTABLE), which=st.integers(0, 100), data=st.data())
def test_any_value_in_range_round_trips_through_the_state_arrays(choice, which, data):
    owner, spec = choice
    model = _model()
    value = data.draw(_in_range(spec), label=spec.name)
    agent, array, row = _agent_and_array(model, owner, spec, which)
    before = _snapshot(model)
    setattr(agent, spec.name, value)
    assert getattr(agent, spec.name) == value
    assert array[row] == value
    # nothing else changed
    after = _snapshot(model)
    key = spec.name if owner == "member" else "leader_" + spec.name
    before[key][row] = value
    _assert_same(before, after)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice=st.sampled_from(_SETTABLE), which=st.integers(0, 100), data=st.data())
def test_any_value_out_of_range_is_refused_and_changes_nothing(choice, which, data):
    owner, spec = choice
    model = _model()
    value = data.draw(_out_of_range(spec), label=spec.name)
    agent, _, _ = _agent_and_array(model, owner, spec, which)
    before = _snapshot(model)
    with pytest.raises(LMXInputError) as info:
        setattr(agent, spec.name, value)
    assert info.value.field == f"{type(agent).__name__}.{spec.name}"
    assert info.value.value is value
    assert spec.allowed in str(info.value)
    _assert_same(before, _snapshot(model))


READ_ONLY_MEMBER = [f.name for f in MEMBER_FIELDS if not f.settable] + [
    "position", "team_id", "leader", "tenure_weeks", "stage_name", "active", "left_week", "hours_with_leader"]
READ_ONLY_LEADER = [f.name for f in LEADER_FIELDS if not f.settable and f.name != "policy"] + ["team_id", "members", "in_group", "mean_lmx"]


@pytest.mark.parametrize("owner, name", [("member", n) for n in READ_ONLY_MEMBER]
                         + [("leader", n) for n in READ_ONLY_LEADER])
def test_derived_and_bookkeeping_attributes_are_read_only_with_a_clear_message(owner, name):
    model = _model()
    agent = model.member_agents()[0] if owner == "member" else model.leader_agents[0]
    before, value = _snapshot(model), getattr(agent, name)
    with pytest.raises(AttributeError, match=rf"{type(agent).__name__}\.{name} is read-only .*Settable: "):
        setattr(agent, name, 0)
    assert getattr(agent, name) == value or value != value   # nan stays nan
    _assert_same(before, _snapshot(model))


def test_panel_names_are_aliases_of_the_state_variables():
    model = LMXModel(seed=5, **SMALL)
    agent = model.member_agents()[1]
    agent.trust_in_leader = 0.3
    assert agent.trust == 0.3 == model.members.trust[agent.position]
    with pytest.raises(LMXInputError) as info:
        agent.trust_in_leader = 1.3
    assert info.value.field == "MemberAgent.trust_in_leader"
    assert agent.hours_with_leader == agent.hours


def test_set_values_are_what_the_next_week_starts_from():
    """A write is to the model's own state: the weekly rules read it."""
    a, b = LMXModel(seed=9, **SMALL), LMXModel(seed=9, **SMALL)
    for agent in a.member_agents():
        agent.trust = 0.0
        agent.psych_safety = 0.0
    a.leader_agents[0].hours_per_week = 0.0
    a.step()
    b.step()
    assert a.members.trust[a.members.occupied].mean() < b.members.trust[b.members.occupied].mean()
    assert a.members.hours[a.members.team == 0].sum() == 0.0 < b.members.hours[b.members.team == 0].sum()


def test_leader_policy_can_be_set_by_name():
    model = LMXModel(seed=5, **SMALL)
    model.leader_agents[1].policy = "proactive_deal"
    assert model.policy_of_team(1) == "proactive_deal" and model.policy_of_team(0) == "reactive_in_crowd"
    with pytest.raises(LMXInputError) as info:
        model.leader_agents[1].policy = "tyrant"
    assert info.value.field == "LeaderAgent.policy"
    assert model.policy_of_team(1) == "proactive_deal"


def test_a_leavers_snapshot_refuses_writes():
    model = LMXModel(seed=2, n_teams=3, team_size=6, weeks=60, annual_base_turnover=0.9).run(40)
    assert model.former_members, "the run should have leavers"
    leaver = next(iter(model.former_members.values()))
    frozen, before = leaver.state(), _snapshot(model)
    with pytest.raises(AttributeError, match=f"member {leaver.person_id} left in week {leaver.left_week}"):
        leaver.trust = 0.5
    assert leaver.state() == frozen
    _assert_same(before, _snapshot(model))
