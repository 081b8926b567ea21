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


def compare_and_spread(model, here) -> None:
    """Phase 6: fairness from comparison with teammates; psychological safety, then its spread."""
    m, p = model.members, model.params
    spread = here.per_member(here.team_sd(m.lmx)) * p.differentiation_cost
    target = fairness_target(m.lmx, here.per_member(here.team_mean(m.lmx)), p.comparison_sensitivity, spread)
    m.fairness = m.fairness + (target - m.fairness) * p.attitude_rate * here.present
    target = safety_target(m.trust, p.failure_tolerance, spread)
    m.psych_safety = m.psych_safety + (target - m.psych_safety) * p.attitude_rate * here.present
    colleagues = here.neighbour_mean(m.psych_safety, default=m.psych_safety)
    m.psych_safety = m.psych_safety + (colleagues - m.psych_safety) * p.safety_diffusion * here.present


def fairness_target(lmx, team_mean_lmx, sensitivity, spread_cost) -> np.ndarray:
    """fairness target = 1 - comparison_sensitivity * max(0, team mean LMX - own LMX)
    - differentiation_cost * team sd of LMX"""
    return np.maximum(0.0, 1.0 - np.maximum(0.0, team_mean_lmx - lmx) * sensitivity - spread_cost)


def safety_target(trust, failure_tolerance, spread_cost) -> np.ndarray:
    """safety target = 0.6 trust + 0.4 failure_tolerance - differentiation_cost * team sd of LMX"""
    return np.maximum(0.0, 0.6 * trust + 0.4 * failure_tolerance - spread_cost)
