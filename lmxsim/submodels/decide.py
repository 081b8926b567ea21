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

from dataclasses import dataclass

import numpy as np

from lmxsim.errors import LMXInputError
from lmxsim.draws import weekly
from lmxsim.policies import Decisions, PolicyView
from lmxsim.policies.base import KeyedRandom

HIGH_QUALITY_FACTOR = np.log(4.0)   # support quality 1 - exp(-ln 4) = 75%
PER_MEMBER = ("time_weight", "offer", "latitude", "assignment_priority", "bonus", "peer_leadership",
              "reward_contingency")


@dataclass(frozen=True)
class WeekDecisions:
    """The week's decisions of every leader: one value per member position (from the member's
    own leader's policy), and the share of their hours each team's leader spends."""

    time_weight: np.ndarray
    offer: np.ndarray
    latitude: np.ndarray
    assignment_priority: np.ndarray
    bonus: np.ndarray
    peer_leadership: np.ndarray
    reward_contingency: np.ndarray
    time_use_team: np.ndarray


def in_group_capacity(leaders, p) -> np.ndarray:
    """High-quality dyads each leader's hours can sustain (at least 1)."""
    capacity = np.floor(leaders.hours_per_week * p.contact_efficiency / (p.hours_scale_stranger * HIGH_QUALITY_FACTOR))
    return np.maximum(capacity.astype(np.int64), 1)


def policy_view(model, here) -> PolicyView:
    """What every leader knows about each member position this week."""
    m, p, week = model.members, model.params, model.week
    return PolicyView(
        week=week, params=p, n_teams=model.n_teams, team=m.team, occupied=m.occupied,
        tenure_weeks=week - m.hire_week, perceived_competence=m.perceived_competence,
        perceived_loyalty=m.perceived_loyalty, similarity=m.similarity, lmx=m.lmx, stage=m.stage,
        in_group=m.in_group, onboarding=m.occupied & (m.dyad_start_week >= week - p.onboarding_weeks),
        review_week=model.is_review_week, policy_start=here.per_member(model.leaders.policy_since_week),
        in_group_capacity=in_group_capacity(model.leaders, p), rng=KeyedRandom(weekly(model)),
    )


def decide(model, here) -> WeekDecisions:
    """Ask each policy in use for its decisions; each member gets their own leader's."""
    view = policy_view(model, here)
    n = len(here)
    policy_of = model.leaders.policy[model.members.team]
    chosen = {field: np.zeros(n) for field in PER_MEMBER}
    time_use = np.ones(model.n_teams)
    for i in np.unique(model.leaders.policy):
        policy = model.policy_table[i]
        d = policy.decide(view)
        if not isinstance(d, Decisions):
            raise LMXInputError(f"policy {policy.name!r}: decide()", f"a {type(d).__name__}",
                                "a lmxsim.policies.Decisions object")
        d.check(policy.name, n)
        for field, values in chosen.items():
            np.copyto(values, np.broadcast_to(np.asarray(getattr(d, field), float), (n,)), where=policy_of == i)
        time_use[model.leaders.policy == i] = d.time_use
    return WeekDecisions(**chosen, time_use_team=time_use)


def review(model, here) -> None:
    """Quarterly review: each leader re-evaluates whom they count as in-group."""
    view = policy_view(model, here)
    n = len(here)
    policy_of = model.leaders.policy[model.members.team]
    in_group = np.zeros(n, dtype=bool)
    for i in np.unique(model.leaders.policy):
        policy = model.policy_table[i]
        chosen = policy.in_group(view)
        if not (isinstance(chosen, np.ndarray) and chosen.shape == (n,) and chosen.dtype == bool):
            shown = f"shape {chosen.shape}, dtype {chosen.dtype}" if isinstance(chosen, np.ndarray) else \
                f"a {type(chosen).__name__}"
            raise LMXInputError(f"policy {policy.name!r}: in_group()", shown,
                                f"a boolean numpy array of {n} values (one per member position)")
        in_group[policy_of == i] = chosen[policy_of == i]
    model.members.in_group = in_group & model.members.occupied
