"""Phase 6 (ODD 7.6) - social comparison, the cost of differentiation, and safety's spread.

Fairness: members compare their LMX with their team's mean; perceived fairness moves (at
``attitude_rate``) towards
``1 - comparison_sensitivity * max(0, team mean - own LMX) - differentiation_cost * team sd of LMX``
(at least 0): upward comparison hurts the out-group, and differentiation itself costs everyone
felt fairness (Liden et al. 2006; Yu, Matta & Cornfield 2018). Psychological safety moves
towards ``0.6 trust + 0.4 failure_tolerance - differentiation_cost * team sd of LMX`` (how
members expect risk-taking to be met, lowered by a split team), and then ``safety_diffusion``
of the gap to the mean of collaborators closes, so safety is a shared climate (Edmondson 1999).
Concentrating leader time therefore has a price paid by the whole team.
"""

from __future__ import annotations

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.submodels.attitudes import towards
from lmxsim.teams import team_moments


def compare_and_spread(model, here) -> None:
    """Phase 6: fairness from comparison with teammates; psychological safety, then its spread."""
    m, per_org = model.members, model.per_org
    m.fairness, m.psych_safety = _compare(m.team, m.org, here.present, here.heads, m.lmx, m.trust, m.fairness,
                                          m.psych_safety, per_org("differentiation_cost"),
                                          per_org("comparison_sensitivity"), per_org("failure_tolerance"),
                                          per_org("attitude_rate"))
    colleagues = here.neighbour_mean(m.psych_safety, default=m.psych_safety)
    m.psych_safety = _spread(m.org, here.present, m.psych_safety, colleagues, per_org("safety_diffusion"))


@kernel
def _spread(org, present, safety, colleagues, safety_diffusion):
    """Safety moves ``safety_diffusion`` of the way to the mean of collaborators' (a shared climate)."""
    spread = np.empty(org.size)
    for i in range(org.size):
        spread[i] = towards(safety[i], colleagues[i], safety_diffusion[org[i]], present[i])
    return spread


@kernel
def _compare(team, org, present, heads, lmx, trust, fairness_before, safety_before, differentiation_cost,
             comparison_sensitivity, failure_tolerance, attitude_rate):
    """Each team's mean and spread of LMX (over members present, summed in position order), then
    fairness and safety of every position."""
    n = team.size
    mean, spread = team_moments(team, lmx, present, heads, True)
    fairness, safety = np.empty(n), np.empty(n)
    for i in range(n):
        o = org[i]
        spread_cost = spread[team[i]] * differentiation_cost[o]
        target = fairness_target(lmx[i], mean[team[i]], comparison_sensitivity[o], spread_cost)
        fairness[i] = towards(fairness_before[i], target, attitude_rate[o], present[i])
        target = safety_target(trust[i], failure_tolerance[o], spread_cost)
        safety[i] = towards(safety_before[i], target, attitude_rate[o], present[i])
    return fairness, safety


@rule
def fairness_target(lmx, team_mean_lmx, sensitivity, spread_cost):
    """fairness target = 1 - comparison_sensitivity * max(0, team mean LMX - own LMX)
    - differentiation_cost * team sd of LMX"""
    return max(0.0, 1.0 - max(0.0, team_mean_lmx - lmx) * sensitivity - spread_cost)


@rule
def safety_target(trust, failure_tolerance, spread_cost):
    """safety target = 0.6 trust + 0.4 failure_tolerance - differentiation_cost * team sd of LMX"""
    return max(0.0, 0.6 * trust + 0.4 * failure_tolerance - spread_cost)
