"""The vectorised model agrees, agent by agent, with the per-agent reference of the same rules.

``lmxsim.reference`` writes every weekly rule again, agent by agent, in plain Python, run
phase by phase through Mesa's AgentSet. Every random number of a run is keyed - a pure
function of (seed, purpose, who, week, draw), see :mod:`lmxsim.draws` - and each agent of the
reference draws its own by the same key (a member its perception noise by its person key and
the week, a new dyad by the dyad's key, ...), so nothing is replayed in bulk or in any order.
The two run side by side, and after every week they must hold the same people at the same
desks (person id and key) with the same state to 1e-9, every leader the same ``departures``,
and the week's breaches of the basic contract and bonus cost equal; at the end every count of
the weekly frame (ideas, successes, quits, hires, promises kept and broken, headcount) must be
equal and every mean equal to 1e-9. A reference with one rule changed, or one random number
drawn by another key, must fail the same comparison. Levers no built-in policy pulls (a
creativity-contingent bonus, another promise, latitude 1, deal talks beyond the leader's hours)
are checked with a test policy and a reference leader making the same decisions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lmxsim import LMXModel, policies
from lmxsim.policies.distributed import Distributed
from lmxsim.reference import POLICIES, RefLeader, RefMember, ReferenceModel
from lmxsim.reference.luck import KeyedLuck
from lmxsim.reference.model import LEADER_STATE_NAMES, THIS_WEEKS_EXCHANGE

RTOL = 1e-9
COUNTS = ("innovation", "ideas_tried", "quits", "quits_top_quartile", "hires", "headcount", "positions",
          "promises_kept", "promises_broken", "contract_breaches")
SMALL = dict(n_teams=4, team_size=6, weeks=52)
# frequent quits (also immediate refills), many ideas that all succeed, dense ties
BUSY = dict(n_teams=5, team_size=8, weeks=60, annual_base_turnover=0.9, quit_sensitivity=8.0, hiring_lag_weeks=0,
            idea_rate=5.0, idea_success=1.0, within_team_ties=6, cross_team_ties=3.0)
SETTINGS = {"SMALL": (SMALL, 1), "BUSY": (BUSY, 11)}
# partnerships that form, wait for contact and fall back for want of it (reactive_in_crowd, seed 2)
CONTACT = dict(n_teams=4, team_size=6, weeks=60, trust_gain=0.3, initial_trust=0.7, partner_contact_hours=2.0)
# the week's tallies that are not columns of the weekly frame
WEEK_STATS = ("breaches", "bonus_cost")
MAKE_NO_OFFERS = ("equal_split", "transactional", "laissez_faire")
BREACHES: dict = {}   # (policy, settings) -> breaches of the basic contract in the run


def _pair(policy, seed, reference=ReferenceModel, **params):
    return LMXModel(policy=policy, seed=seed, panel_every=0, **params), reference(policy=policy, seed=seed, **params)


def _agent_disagreements(vec, ref, newcomers_exchange: bool = False) -> list[str]:
    """Where the members differ now (empty: the same people at the same desks, the same state).

    A person hired this week after the exchange (a same-week refill) is not compared on this
    week's exchange (``THIS_WEEKS_EXCHANGE``) unless ``newcomers_exchange``: the model leaves the
    leaver's values at the desk until next week's exchange (see the xfail test below)."""
    m, week = vec.members, vec.week
    state = ref.member_state()
    occupied = set(np.flatnonzero(m.occupied).tolist())
    if occupied != set(state):
        return [f"week {week}: desks occupied only in the model {sorted(occupied - set(state))}, "
                f"only in the reference {sorted(set(state) - occupied)}"]
    problems = []
    for pos, person in sorted(state.items()):
        for name, value in person.items():
            if name in THIS_WEEKS_EXCHANGE and person["hire_week"] == week > 0 and not newcomers_exchange:
                continue
            mine = getattr(m, name)[pos].item()
            exact = isinstance(value, (bool, int))   # ids, keys, weeks, stages, flags, counts
            if (mine != value) if exact else not math.isclose(mine, value, rel_tol=RTOL, abs_tol=1e-12):
                problems.append(f"week {week}, desk {pos}, {name}: model {mine!r}, reference {value!r}")
    for team, leader in sorted(ref.leader_state().items()):
        for name, value in leader.items():
            mine = getattr(vec.leaders, name)[team].item()
            if not math.isclose(mine, value, rel_tol=RTOL, abs_tol=1e-12):
                problems.append(f"week {week}, team {team}, {name}: model {mine!r}, reference {value!r}")
    if week > 0:
        for name in WEEK_STATS:
            mine, value = vec.week_stats[name][0].item(), ref.week_stats[name]
            if not math.isclose(mine, value, rel_tol=RTOL, abs_tol=1e-12):
                problems.append(f"week {week}, {name}: model {mine!r}, reference {value!r}")
    return problems


def _frame_disagreements(vec, ref) -> list[str]:
    a, b = vec.model_frame(), ref.model_frame()
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"weekly frames differ in shape or columns: {a.shape} {b.shape}"]
    problems = []
    for col in a.columns:
        x, y = a[col].to_numpy(float), b[col].to_numpy(float)
        if col in COUNTS:
            bad = x != y
        else:
            bad = ~(np.isclose(x, y, rtol=RTOL, atol=1e-12) | (np.isnan(x) & np.isnan(y)))
        if bad.any():
            w = int(np.argmax(bad))
            problems.append(f"{col} first differs in week {w}: {x[w]!r} vs {y[w]!r}")
    return problems


def _side_by_side(vec, ref, weeks: int, tally: dict | None = None, **compare) -> list[str]:
    """Run both ``weeks`` weeks, comparing every member after each; the first week's differences.
    ``tally`` (if given) adds up the reference's ``WEEK_STATS`` over the weeks."""
    problems = _agent_disagreements(vec, ref, **compare)
    for _ in range(weeks):
        if problems:
            return problems
        vec.step()
        ref.step()
        if tally is not None:
            for name in WEEK_STATS:
                tally[name] = tally.get(name, 0) + ref.week_stats[name]
        problems = _agent_disagreements(vec, ref, **compare)
    return problems


def _agree(vec, ref, weeks=None, tally=None) -> list[str]:
    weeks = vec.params.weeks - vec.week if weeks is None else weeks
    return _side_by_side(vec, ref, weeks, tally) or _frame_disagreements(vec, ref)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("settings", SETTINGS)
def test_every_policy_agrees_agent_by_agent_week_by_week(policy, settings):
    params, seed = SETTINGS[settings]
    vec, ref = _pair(policy, seed, **params)
    tally = {}
    assert _agree(vec, ref, tally=tally) == []
    frame = vec.model_frame()
    assert frame.innovation.sum() > 0
    if policy in MAKE_NO_OFFERS:   # promises exist only where a deal was made
        assert frame.promises_kept.sum() == 0 and frame.promises_broken.sum() == 0
    else:
        assert frame.promises_kept.sum() > 0 and frame.promises_broken.sum() > 0
    BREACHES[policy, settings] = tally["breaches"]
    assert (tally["bonus_cost"] > 0) == (policy in ("transactional", "distributed"))   # the policies paying bonuses
    if settings == "BUSY":   # the busy paths were exercised: many quits refilled at once, many ideas
        assert frame.quits.sum() > 40 and frame.innovation.sum() > 40
        assert (vec.members.occupants > 1).sum() > 10


class _LeversAtTheirExtremes(Distributed):
    """Distributed leadership with every lever no built-in policy pulls at its extreme: a deal
    offered to everyone every week promising 0.8, latitude 1, a full bonus for creativity
    (reward_basis 1), full peer leadership."""

    name = "_test_levers_at_their_extremes"

    def decide(self, view):
        d = super().decide(view)
        d.offer, d.promise, d.latitude = np.ones(len(view.team)), 0.8, np.ones(len(view.team))
        d.bonus, d.reward_basis, d.peer_leadership = 1.0, 1.0, 1.0
        return d


class _LeaderAtTheExtremes(RefLeader):
    def decide(self):
        super().decide()   # as distributed: its time use, rotation and team reward
        for member in self.members:
            member.offer, member.promise, member.latitude = 1.0, 0.8, 1.0
            member.decided_bonus, member.reward_basis, member.peer_leadership = 1.0, 1.0, 1.0


@pytest.fixture
def levers_at_their_extremes():
    policies.register(_LeversAtTheirExtremes)
    yield _LeversAtTheirExtremes.name
    policies.unregister(_LeversAtTheirExtremes.name)


@pytest.mark.parametrize("deal_hours", [0.5, 0.2])
def test_agrees_with_levers_no_built_in_policy_pulls(levers_at_their_extremes, deal_hours):
    """Creativity-contingent reward, a promise other than 0.45, latitude beyond readiness, helping
    hours; at deal_hours 0.5 the week's deal talks (3 h) outrun the leader's 2.8 h, so every talk is
    cut short and no hours are left to share; at 0.2 they fit (1.2 h)."""
    params = dict(SMALL, leader_hours_per_week=4.0, deal_hours=deal_hours)
    vec = LMXModel(policy=levers_at_their_extremes, seed=3, panel_every=0, **params)
    reference = type("ExtremesModel", (ReferenceModel,), {"leader_class": _LeaderAtTheExtremes})
    ref = reference(policy="distributed", seed=3, **params)
    tally = {}
    assert _agree(vec, ref, tally=tally) == []
    state = ref.member_state().values()
    if deal_hours == 0.5:
        assert all(person["hours"] == 0.0 for person in state)
    else:
        assert all(person["hours"] > 0.0 for person in state)
    assert all(person["strain"] > 0.1 for person in state)   # latitude 1 is beyond everyone's readiness
    assert tally["bonus_cost"] > 0 and vec.model_frame().promises_kept.sum() > 0


def test_a_free_deal_talk_still_makes_the_offer():
    """At deal_hours 0 the offer is made for free (an early engine lost it: offer = talk / deal_hours)."""
    vec, ref = _pair("proactive_deal", 1, **dict(SMALL, weeks=6, deal_hours=0.0))
    assert _agree(vec, ref) == []


def test_the_basic_contract_was_breached_somewhere():
    """The breach path (delivery below the basic contract outside a deal) was exercised above."""
    if len(BREACHES) < len(POLICIES) * len(SETTINGS):
        pytest.skip("needs every run of test_every_policy_agrees_agent_by_agent_week_by_week")
    assert BREACHES[("laissez_faire", "SMALL")] > 0 and sum(BREACHES.values()) > 20


@pytest.mark.parametrize("shape", [
    dict(n_teams=6, team_size=1, weeks=40),                                        # teams of one
    dict(n_teams=3, team_size=20, weeks=40, within_team_ties=0, cross_team_ties=0.0),  # no ties at all
    dict(n_teams=20, team_size=10, weeks=26, leader_hours_per_week=20.0),           # the default size
])
def test_agrees_on_other_shapes(shape):
    vec, ref = _pair("similarity_bias", 5, **shape)
    assert _agree(vec, ref) == []


def _switch_mid_run(reference=ReferenceModel) -> list[str]:
    """Leaders switch policy in weeks 20 and 40; from week 41 three policies that draw random
    numbers are in use at once, asking in policy-table order: distributed (draw 0),
    proactive_deal (draw 1) and equal_split (draw 2, whose assignments are pure chance)."""
    vec, ref = _pair("reactive_in_crowd", 4, reference=reference, n_teams=6, team_size=7, weeks=60)
    problems = _side_by_side(vec, ref, 20)
    for model in (vec, ref):
        model.set_policy("distributed", teams=[0, 2, 4])
    problems = problems or _side_by_side(vec, ref, 20)
    for model in (vec, ref):
        model.set_policy("proactive_deal", teams=[1])
        model.set_policy("equal_split", teams=[3])
    assert vec.policies_in_use == ["reactive_in_crowd", "distributed", "proactive_deal", "equal_split"]
    return problems or _agree(vec, ref)


def test_agrees_when_some_leaders_switch_policy_mid_run():
    assert _switch_mid_run() == []


def test_the_kth_person_at_a_desk_is_the_same_person_under_every_policy():
    """Common random numbers: a desk's k-th occupant brings the same traits under every policy,
    whichever week they are hired in."""
    params, seed = SETTINGS["BUSY"]
    people = []
    for policy in ("reactive_in_crowd", "distributed"):
        ref, seen = ReferenceModel(policy=policy, seed=seed, **params), {}
        for _ in range(params["weeks"]):
            for person in ref.member_state().values():
                seen[person["person_key"]] = (person["hire_week"], person["creativity_trait"], person["mobility"],
                                              person["affectivity"], person["conscientiousness"])
            ref.step()
        people.append(seen)
    a, b = people
    newcomers = [key for key in a.keys() & b.keys() if key & 0xFFFFFFFF]   # serial > 0: hired during the run
    assert len(newcomers) > 20
    assert any(a[key][0] != b[key][0] for key in newcomers)     # hired in different weeks ...
    assert all(a[key][1:] == b[key][1:] for key in newcomers)   # ... yet the same people


def test_the_reference_draws_one_number_as_keyed_streams_draws_it():
    luck = KeyedLuck(2**63 + 12345)
    streams, rng = luck.streams, np.random.default_rng(0)
    for _ in range(200):
        who, week, draw = int(rng.integers(0, 2**63)), int(rng.integers(0, 2**32)), int(rng.integers(0, 4))
        at = np.array([who])
        lam, n, p = float(rng.uniform(0, 6)), int(rng.integers(0, 9)), float(rng.uniform())
        q = float(rng.uniform(1e-4, 1))
        pair = streams.normal_pair("dyad.start", at, week, draw)
        one_and_array = {
            "uniform": (luck.uniform("quit", who, week, draw), streams.uniform("quit", at, week, draw)[0]),
            "normal": (luck.normal("work.noise", who, week, draw), streams.normal("work.noise", at, week, draw)[0]),
            "normal_pair": (luck.normal_pair("dyad.start", who, week, draw), (pair[0][0], pair[1][0])),
            "poisson": (luck.poisson("ideas.count", who, week, lam, draw),
                        streams.poisson("ideas.count", at, week, lam, draw)[0]),
            "binomial": (luck.binomial("ideas.tried", who, week, n, p, draw),
                         streams.binomial("ideas.tried", at, week, n, p, draw)[0]),
            "beta22": (luck.beta22("hire.traits", who, week, draw), streams.beta22("hire.traits", at, week, draw)[0]),
            "geometric": (luck.geometric("hire.tenure", who, week, q, draw),
                          streams.geometric("hire.tenure", at, week, q, draw)[0]),
        }
        for kind, (one, of_array) in one_and_array.items():
            assert one == of_array, (kind, who, week, draw)


# ----------------------------------------------------------------------------- the test can fail
class _SlowerScar(RefMember):
    """One rule changed slightly: a broken promise scars 0.19 instead of 0.2 of what is unscarred."""

    def break_promise(self):
        scar = self.scar
        loss = super().break_promise()
        self.scar = scar + 0.19 * (1.0 - scar)
        return loss


class _QuitByAnotherKey(RefMember):
    """The quit decision reads another number of the same person and week (draw 1, not 0)."""

    def uniform(self, purpose, draw=0):
        return super().uniform(purpose, 1 if purpose == "quit" else draw)


class _LoyaltySeenWithCompetenceNoise(RefMember):
    """The loyalty observation reads the competence observation's number (purpose swapped)."""

    def normal(self, purpose):
        return super().normal("perceive.competence" if purpose == "perceive.loyalty" else purpose)


class _AbilitySeenNotOutput(RefMember):
    """The leader observes latent competence, not recent performance (the rule before issue 12)."""

    def perceive(self):
        output, self.performance_avg = self.performance_avg, self.competence
        super().perceive()
        self.performance_avg = output


class _PartnershipWithoutContact(RefMember):
    """Stages move on LMX and trust alone: sustained contact is not needed."""

    def move_stage(self, stage):
        contact, self.contact = self.contact, math.inf
        super().move_stage(stage)
        self.contact = contact


class _NoStrainFromVacancies(RefMember):
    """Stayers do not cover the vacancies' work."""

    def feel_strain(self):
        p = self.model.params
        target = min(1.0, self.excess_latitude() + p.helping_strain * self.helping_hours())
        self.strain += p.attitude_rate * (target - self.strain)


class _NoRampUp(RefMember):
    """Newcomers produce at full output from their first week."""

    def output(self, effort, noise):
        hired, self.hire_week = self.hire_week, -10**6
        performance = super().output(effort, noise)
        self.hire_week = hired
        return performance


class _NoClarityInOutput(RefMember):
    """A clear deal does not lift output (role clarity plays no part in performance)."""

    def output(self, effort, noise):
        clarity, self.clarity = self.clarity, 0.0
        performance = super().output(effort, noise)
        self.clarity = clarity
        return performance


class _KnowHowNotLost(RefMember):
    """Ideas succeed whatever the member's and their collaborators' know-how (no cost of turnover)."""

    def success_probability(self):
        colleagues, self.colleagues_know_how = self.colleagues_know_how, 1.0
        hired, self.hire_week = self.hire_week, -10**6
        chance = super().success_probability()
        self.colleagues_know_how, self.hire_week = colleagues, hired
        return chance


class _DealTalksCostNoHours(RefLeader):
    """The deal is cheap talk again: the hours shared among members ignore the talks."""

    def share_time(self):
        super().share_time()
        members = self.members
        total = sum(member.time_weight for member in members)
        for member in members:
            member.hours = member.time_weight / total * self.hours_per_week * self.time_use


class _NoDifferentiationCost(RefLeader):
    """Fairness and safety ignore the team's spread of LMX."""

    def team_climate(self):
        super().team_climate()
        self.sd_lmx = 0.0


# (mutant, policy, params, seed): each in a run where the unchanged reference agrees (above) and
# the rule it changes is exercised
MUTANTS = [
    (_SlowerScar, "proactive_deal", *SETTINGS["BUSY"]),
    (_QuitByAnotherKey, "proactive_deal", *SETTINGS["BUSY"]),
    (_LoyaltySeenWithCompetenceNoise, "proactive_deal", *SETTINGS["BUSY"]),
    (_AbilitySeenNotOutput, "proactive_deal", *SETTINGS["BUSY"]),
    (_NoRampUp, "proactive_deal", *SETTINGS["BUSY"]),
    (_NoClarityInOutput, "proactive_deal", *SETTINGS["BUSY"]),
    (_KnowHowNotLost, "proactive_deal", *SETTINGS["BUSY"]),
    (_DealTalksCostNoHours, "proactive_deal", *SETTINGS["BUSY"]),
    (_NoDifferentiationCost, "reactive_in_crowd", *SETTINGS["SMALL"]),
    (_NoStrainFromVacancies, "laissez_faire", *SETTINGS["SMALL"]),   # BUSY refills at once: no vacancies
    (_PartnershipWithoutContact, "proactive_deal", CONTACT, 3),
]


@pytest.mark.parametrize("policy, seed", [("reactive_in_crowd", 2), ("proactive_deal", 3)])
def test_partnerships_need_contact_and_agree(policy, seed):
    vec, ref = _pair(policy, seed, **CONTACT)
    assert _agree(vec, ref) == []


@pytest.mark.parametrize("mutant, policy, params, seed", MUTANTS, ids=[row[0].__name__ for row in MUTANTS])
def test_a_reference_with_one_rule_or_key_changed_fails(mutant, policy, params, seed):
    kind = "leader_class" if issubclass(mutant, RefLeader) else "member_class"
    reference = type(f"{mutant.__name__}Model", (ReferenceModel,), {kind: mutant})
    vec, ref = _pair(policy, seed, reference=reference, **params)
    assert isinstance(next(iter(ref.leader_set if kind == "leader_class" else ref.member_set)), mutant)
    assert _agree(vec, ref) != []


class _PoliciesShareOneCounter(ReferenceModel):
    """The policies in use share one count of draws: the k-th drawing policy reads draw k."""

    def policy_draw_indices(self):
        return {name: k for k, name in enumerate(super().policy_draw_indices())}


def test_a_reference_drawing_a_policy_number_by_another_key_fails():
    assert _switch_mid_run(_PoliciesShareOneCounter) != []


def test_a_person_hired_after_the_exchange_has_had_no_exchange_this_week():
    params, seed = SETTINGS["BUSY"]
    vec, ref = _pair("equal_split", seed, **params)
    assert _side_by_side(vec, ref, 10, newcomers_exchange=True) == []
