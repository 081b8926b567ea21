"""Phase 2 - decide: each leader's policy spreads time, offers, latitude and assignments;
and the quarterly review, where each leader re-evaluates whom they count as in-group.

A policy sees a :class:`~lmxsim.policies.PolicyView` of every member position and returns
:class:`~lmxsim.policies.Decisions`; each member gets the decisions of their own leader's
policy. Leaders' in-group capacity is the number of high-quality dyads their hours can
sustain: weekly support quality reaches 75% at ``hours_scale_stranger * ln 4`` effective
hours, so ``floor(hours_per_week * contact_efficiency / (hours_scale_stranger * ln 4))``,
at least 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lmxsim._structure import one_block
from lmxsim.errors import LMXInputError
from lmxsim.draws import Luck
from lmxsim.policies import Decisions, PolicyView
from lmxsim.policies.base import KeyedRandom

HIGH_QUALITY_FACTOR = math.log(4.0)   # support quality 1 - exp(-ln 4) = 75%
PER_MEMBER = ("time_weight", "offer", "promise", "latitude", "assignment_priority", "bonus", "peer_leadership",
              "reward_contingency", "reward_basis")


@dataclass(frozen=True)
class WeekDecisions:
    """The week's decisions of every leader: one value per member position (from the member's
    own leader's policy), and the share of their hours each team's leader spends."""

    time_weight: np.ndarray
    offer: np.ndarray
    promise: np.ndarray
    latitude: np.ndarray
    assignment_priority: np.ndarray
    bonus: np.ndarray
    peer_leadership: np.ndarray
    reward_contingency: np.ndarray
    reward_basis: np.ndarray
    time_use_team: np.ndarray


def in_group_capacity(leaders, p) -> np.ndarray:
    """High-quality dyads each leader's hours can sustain (at least 1); ``p`` seen per team."""
    capacity = np.floor(leaders.hours_per_week * p.contact_efficiency / (p.hours_scale_stranger * HIGH_QUALITY_FACTOR))
    return np.maximum(capacity.astype(np.int64), 1)


def policy_view(model, here, sel=None) -> PolicyView:
    """What the leaders know about the member positions ``sel`` (default: all) this week.

    The view's teams are the teams of ``sel``, numbered 0, 1, ... in order, so a policy sees
    its own organisations' teams only and each team's arithmetic is the same in any batch."""
    m, week = model.members, model.week
    sel = np.arange(len(here)) if sel is None else sel
    teams, team = model.teams_of(sel)
    at = one_block(sel)   # a batch keeps each policy's organisations together: the view reads the state
    p = model.params.at(at)
    occupied = m.occupied[at]
    return PolicyView(
        week=week, params=p, n_teams=len(teams), team=team, occupied=occupied, tenure_weeks=week - m.hire_week[at],
        perceived_competence=m.perceived_competence[at], perceived_loyalty=m.perceived_loyalty[at],
        similarity=m.similarity[at], lmx=m.lmx[at], stage=m.stage[at], in_group=m.in_group[at],
        onboarding=occupied & (m.dyad_start_week[at] >= week - p.onboarding_weeks),
        review_week=model.review_due()[m.org[at]], policy_start=model.leaders.policy_since_week[m.team[at]],
        in_group_capacity=in_group_capacity(model.leaders, model.team_params)[teams],
        rng=KeyedRandom(Luck(model.streams, m.person_key[at], m.org[at], week)),
        team_id=m.team[at], person_id=m.person_id[at],
    )


def decide(model, here) -> WeekDecisions:
    """Ask each policy in use for its decisions; each member gets their own leader's."""
    n = len(here)
    chosen = {field: np.zeros(n) for field in PER_MEMBER}
    time_use = np.ones(model.n_teams)
    for i, sel in model.positions_by_policy():
        policy, at = model.policy_table[i], one_block(sel)
        d = policy.decide(policy_view(model, here, sel))
        if not isinstance(d, Decisions):
            raise LMXInputError(f"policy {policy.name!r}: decide()", f"a {type(d).__name__}",
                                "a lmxsim.policies.Decisions object")
        d.check(policy.name, len(sel))
        for field, values in chosen.items():
            values[at] = getattr(d, field)
        time_use[model.leaders.policy == i] = d.time_use
    return WeekDecisions(**chosen, time_use_team=time_use)


def review(model, here, due: np.ndarray) -> None:
    """Quarterly review in the organisations ``due``: each leader re-evaluates whom they count as in-group."""
    m = model.members
    in_group = m.in_group.copy()
    for i, positions in model.positions_by_policy():
        policy, sel = model.policy_table[i], positions[due[m.org[positions]]]
        if not len(sel):
            continue
        chosen = policy.in_group(policy_view(model, here, sel))
        if not (isinstance(chosen, np.ndarray) and chosen.shape == (len(sel),) and chosen.dtype == bool):
            shown = f"shape {chosen.shape}, dtype {chosen.dtype}" if isinstance(chosen, np.ndarray) else \
                f"a {type(chosen).__name__}"
            raise LMXInputError(f"policy {policy.name!r}: in_group()", shown,
                                f"a boolean numpy array of {len(sel)} values (one per member position)")
        in_group[sel] = chosen
    m.in_group = in_group & m.occupied
