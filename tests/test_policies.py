"""Policies: the registry, the built-in policies, user-defined policies and mid-run switches."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import REQUIRED_MODEL_COLUMNS, member_field_violations
import lmxsim.policies as policies
from lmxsim import LMXInputError, LMXModel
from lmxsim.policies import CLASSIFIER_KEYS, Decisions, Policy, policies_where, policy_class, policy_names
from lmxsim.submodels.decide import policy_view, review

SMALL = dict(n_teams=4, team_size=6, weeks=30, panel_every=0)
BUILT_IN = ["reactive_in_crowd", "proactive_deal", "equal_split", "transactional", "similarity_bias",
            "laissez_faire", "distributed"]
ALL_FALSE = {k: False for k in CLASSIFIER_KEYS}


def test_all_seven_built_in_policies_are_registered():
    assert set(BUILT_IN) <= set(policy_names())


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_policy_declares_every_classifier_key_and_a_source(name):
    cls = policy_class(name)
    assert set(CLASSIFIER_KEYS) <= set(cls.classifier)
    assert all(isinstance(cls.classifier[k], bool) for k in CLASSIFIER_KEYS)
    assert cls.name == name and cls.source and (cls.__doc__ or "").strip()


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_policy_runs_and_reports_the_required_columns(name):
    model = LMXModel(policy=name, seed=2, **SMALL).run()
    frame = model.model_frame()
    assert set(REQUIRED_MODEL_COLUMNS) <= set(frame.columns)
    assert len(frame) == SMALL["weeks"] + 1
    assert model.policies_in_use == [name]
    assert all(leader.policy == name for leader in model.leader_agents)
    assert member_field_violations(model) == []
    staffed = frame[frame.headcount > 0]
    assert np.isfinite(staffed[list(REQUIRED_MODEL_COLUMNS)].to_numpy(dtype=float)).all()


@pytest.mark.parametrize("name", BUILT_IN)
def test_policy_decisions_respect_the_decision_contract(name):
    """Each decision is one value per position (or a scalar), within [0, 1] except time weights >= 0."""
    model = LMXModel(policy=name, seed=4, **SMALL)
    model.run(14)  # past a review, so in-groups and reviews are in play
    view = policy_view(model.engine, model.engine.take_stock())
    d = policy_class(name)().decide(view)
    n = model.members.capacity
    for field in ("time_weight", "offer", "latitude", "assignment_priority", "bonus", "peer_leadership"):
        values = np.broadcast_to(np.asarray(getattr(d, field), dtype=float), (n,))
        assert np.all(np.isfinite(values)), field
        if field == "time_weight":
            assert np.all(values >= 0), field
        elif field != "assignment_priority":
            assert np.all((values >= 0) & (values <= 1)), field
    assert 0.0 <= float(d.time_use) <= 1.0
    assert 0.0 <= float(d.reward_contingency) <= 1.0


@pytest.mark.parametrize("name", BUILT_IN)
def test_in_group_is_only_ever_occupied_positions(name):
    model = LMXModel(policy=name, seed=5, annual_base_turnover=0.9, **SMALL)
    for _ in range(SMALL["weeks"]):
        model.step()
        assert not np.any(model.members.in_group & ~model.members.occupied)


def test_reactive_in_group_never_exceeds_leader_capacity_and_requires_proof():
    model = LMXModel(policy="reactive_in_crowd", seed=6, **SMALL)
    for _ in range(SMALL["weeks"]):
        model.step()
        view = policy_view(model.engine, model.engine.take_stock())
        m = model.members
        per_team = np.bincount(m.team[m.in_group], minlength=model.n_teams)
        assert np.all(per_team <= view.in_group_capacity)
    # right after a review the in-group is exactly chosen among the proven
    review(model.engine, model.engine.take_stock(), model.engine.review_due() | True)
    view = policy_view(model.engine, model.engine.take_stock())
    assert np.all(view.perceived_score[model.members.in_group] >= model.params.in_group_threshold)


def test_unknown_policy_raises_input_error_listing_the_choices():
    with pytest.raises(LMXInputError) as info:
        LMXModel(policy="benevolent_dictator", seed=1, **SMALL)
    assert info.value.field == "policy"
    for name in BUILT_IN:
        assert name in str(info.value)


# ---------------------------------------------------------------------------- filtering
def test_policies_where_filters_on_classifier():
    proactive = policies_where(proactive=True)
    assert "proactive_deal" in proactive and "distributed" in proactive
    assert "reactive_in_crowd" not in proactive
    assert all(policy_class(n).classifier["proactive"] for n in proactive)
    reactive = policies_where(proactive=False)
    assert set(proactive) | set(reactive) == set(policy_names())
    assert not set(proactive) & set(reactive)
    both = policies_where(proactive=True, peer_leadership=True)
    assert "distributed" in both and "proactive_deal" not in both
    assert set(policies_where(differentiates=True)) >= {"reactive_in_crowd", "similarity_bias"}
    assert policies_where(proactive=True, differentiates=True, uses_similarity=True,
                          extrinsic_rewards=True, peer_leadership=True, uses_merit=True) == []


# ---------------------------------------------------------------------------- user policies
def _make_latitude_policy(name, latitude):
    class FixedLatitude(Policy):
        """Grant the same latitude to everyone; no offers; equal time."""

        classifier = {**ALL_FALSE, "proactive": latitude > 0.5}
        source = "test suite"

        def decide(self, view):
            n = len(view.team)
            return Decisions(time_weight=np.ones(n), offer=np.zeros(n), latitude=view.full(latitude),
                             assignment_priority=view.rng.random(n))

    FixedLatitude.name = name
    FixedLatitude.__name__ = f"FixedLatitude_{name}"
    return FixedLatitude


@pytest.fixture
def latitude_policies():
    """Two test policies - all latitude and none - registered for one test, then removed."""
    names = ("test_grant_all", "test_grant_none")
    policies.register(_make_latitude_policy(names[0], 1.0))
    policies.register(_make_latitude_policy(names[1], 0.0))
    yield names
    for n in names:
        policies.unregister(n)
    assert not set(names) & set(policy_names())


@pytest.fixture
def mentor_policy():
    @policies.register
    class Mentor(Policy):
        """Spend time on whoever has the weakest relationship."""

        name = "test_mentor"
        source = "test suite"
        classifier = {"proactive": True, "differentiates": True, "uses_merit": False,
                      "uses_similarity": False, "extrinsic_rewards": False, "peer_leadership": False}
        calls = 0

        def decide(self, view):
            type(self).calls += 1
            return Decisions(time_weight=1.5 - view.lmx, offer=np.zeros(len(view.team)),
                             latitude=view.full(0.5), assignment_priority=1.0 - view.lmx)

    yield Mentor
    policies.unregister("test_mentor")


def test_a_policy_defined_here_runs_by_name_and_is_filterable(mentor_policy):
    assert "test_mentor" in policy_names()
    assert "test_mentor" in policies_where(proactive=True, differentiates=True)
    assert "test_mentor" not in policies_where(proactive=False)
    model = LMXModel(policy="test_mentor", seed=3, **SMALL).run()
    assert model.policies_in_use == ["test_mentor"]
    assert mentor_policy.calls == SMALL["weeks"]  # asked once a week
    assert set(REQUIRED_MODEL_COLUMNS) <= set(model.model_frame().columns)
    assert member_field_violations(model) == []


def test_unregistered_policy_is_no_longer_available():
    policies.register(_make_latitude_policy("test_short_lived", 0.5))
    LMXModel(policy="test_short_lived", seed=1, **SMALL)
    policies.unregister("test_short_lived")
    assert "test_short_lived" not in policy_names()
    with pytest.raises(LMXInputError):
        LMXModel(policy="test_short_lived", seed=1, **SMALL)


@pytest.mark.parametrize("missing", CLASSIFIER_KEYS)
def test_registering_a_policy_without_a_classifier_key_raises(missing):
    cls = _make_latitude_policy("test_incomplete", 0.5)
    cls.classifier = {k: False for k in CLASSIFIER_KEYS if k != missing}
    with pytest.raises(ValueError, match=missing):
        policies.register(cls)
    assert "test_incomplete" not in policy_names()


@pytest.mark.parametrize("classifier, field", [
    ({"proactive": "yes"}, "classifier['proactive']"),       # not a bool: was kept, and filtered as False
    ({"proactve": True}, "classifier['proactve']"),          # a misspelt extra key: was kept, silently
])
def test_registering_a_policy_with_a_bad_classifier_value_or_key_raises(classifier, field):
    cls = _make_latitude_policy("test_bad_classifier", 0.5)
    cls.classifier = {**{k: False for k in CLASSIFIER_KEYS}, **classifier}
    with pytest.raises(LMXInputError) as info:
        policies.register(cls)
    assert info.value.field.endswith(field) and "test_bad_classifier" not in policy_names()


def test_registering_a_policy_without_decide_raises():
    # it was accepted, then failed at the first week with an empty NotImplementedError
    cls = type("NoDecide", (policies.Policy,), {"name": "test_no_decide",
                                                 "classifier": {k: False for k in CLASSIFIER_KEYS}})
    with pytest.raises(LMXInputError, match="decide"):
        policies.register(cls)
    assert "test_no_decide" not in policy_names()


@pytest.mark.parametrize("bad_name", ["", "has space", "1st"])
def test_registering_a_policy_without_a_valid_name_raises(bad_name):
    cls = _make_latitude_policy(bad_name, 0.5)
    with pytest.raises(ValueError):
        policies.register(cls)
    assert bad_name not in policy_names()


# ---------------------------------------------------------------------------- switching
def test_set_policy_switches_every_leader_from_next_week():
    model = LMXModel(policy="reactive_in_crowd", seed=1, **SMALL)
    model.run(10)
    model.set_policy("proactive_deal")
    assert model.policies_in_use == ["proactive_deal"]
    assert all(model.policy_of_team(t) == "proactive_deal" for t in range(model.n_teams))
    assert np.all(model.leaders.policy_since_week == 11)
    model.run(5)
    assert model.policies_in_use == ["proactive_deal"]


def test_set_policy_on_some_teams_gives_two_policies_in_use():
    model = LMXModel(policy="reactive_in_crowd", seed=1, **SMALL)
    model.run(5)
    model.set_policy("proactive_deal", teams=[0])
    assert sorted(model.policies_in_use) == ["proactive_deal", "reactive_in_crowd"]
    assert model.policy_of_team(0) == "proactive_deal"
    assert all(model.policy_of_team(t) == "reactive_in_crowd" for t in range(1, model.n_teams))
    assert model.leader_agents[0].policy == "proactive_deal"
    assert model.leaders.policy_since_week[0] == 6 and np.all(model.leaders.policy_since_week[1:] == 0)
    model.run(10)
    assert set(REQUIRED_MODEL_COLUMNS) <= set(model.model_frame().columns)
    assert member_field_violations(model) == []


def test_set_policy_to_unknown_name_raises_and_changes_nothing():
    model = LMXModel(policy="reactive_in_crowd", seed=1, **SMALL)
    with pytest.raises(LMXInputError):
        model.set_policy("no_such_policy")
    assert model.policies_in_use == ["reactive_in_crowd"]


def test_each_team_gets_decisions_from_its_own_leaders_policy(latitude_policies):
    grant_all, grant_none = latitude_policies
    model = LMXModel(policy=grant_none, seed=7, n_teams=4, team_size=6, weeks=40, panel_every=0,
                     empowerment_genuineness=1.0, initial_trust=0.8, promise_reliability=1.0,
                     annual_base_turnover=0.3)
    model.run(4)
    model.set_policy(grant_all, teams=[0])
    assert sorted(model.policies_in_use) == sorted(latitude_policies)
    model.run(16)

    m = model.members
    settled = m.occupied & (model.week - m.hire_week >= 8)
    team0 = m.autonomy[settled & (m.team == 0)]
    others = m.autonomy[settled & (m.team != 0)]
    assert len(team0) and len(others)
    # latitude 1 vs 0: felt autonomy of every settled member diverges by team
    assert team0.min() > others.max()


def test_switching_teams_back_and_forth_keeps_one_entry_per_policy():
    model = LMXModel(policy="reactive_in_crowd", seed=1, **SMALL)
    for week in range(6):
        model.set_policy("proactive_deal" if week % 2 == 0 else "reactive_in_crowd", teams=[week % 4])
        model.step()
    assert set(model.policies_in_use) <= {"proactive_deal", "reactive_in_crowd"}
    assert len(model.policy_table) == 2


@pytest.mark.parametrize("teams", [[-1], [4], [0, 99]])
def test_set_policy_refuses_team_indices_outside_the_organisation(teams):
    """Regression: teams=[-1] used to switch the last team silently, teams=[4] to raise IndexError."""
    model = LMXModel(policy="reactive_in_crowd", seed=1, **SMALL)  # 4 teams: 0..3
    with pytest.raises(LMXInputError) as info:
        model.set_policy("proactive_deal", teams=teams)
    assert info.value.field == "teams"
    assert model.policies_in_use == ["reactive_in_crowd"]


@pytest.mark.parametrize("mixed", [False, True], ids=["one block", "teams of two policies"])
def test_a_policy_cannot_write_into_what_it_sees(mixed):
    """The view's arrays are read-only whether they are slices of the state (a policy's positions
    in one block) or copies (positions interleaved with another policy's): a policy writing
    into one is stopped and the model's state is as before the week."""
    @policies.register
    class Scribbler(Policy):
        name, source, classifier = "test_scribbler", "test suite", ALL_FALSE

        def decide(self, view):
            view.lmx[:] = 1.0
            return Decisions.uniform(view, latitude=0.5)

    try:
        model = LMXModel(policy="reactive_in_crowd", seed=5, **SMALL)
        model.run(3)
        model.set_policy("test_scribbler", teams=[1] if mixed else None)
        lmx, week = model.members.lmx.copy(), model.week
        with pytest.raises(ValueError, match="read-only"):
            model.step()
        assert model.week == week
        np.testing.assert_array_equal(model.members.lmx, lmx)
    finally:
        policies.unregister("test_scribbler")


def test_every_field_of_the_view_is_read_only():
    model = LMXModel(policy="proactive_deal", seed=2, **SMALL).run(2)
    view = policy_view(model.engine, model.engine.take_stock())
    arrays = {name: value for name, value in vars(view).items() if isinstance(value, np.ndarray)}
    assert len(arrays) >= 15
    assert [name for name, value in arrays.items() if value.flags.writeable] == []
