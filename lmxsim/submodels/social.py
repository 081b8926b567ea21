"""Phase 6 - social comparison and spread over collaboration ties.

Fairness: members compare their LMX with their team's mean; perceived fairness moves
(at ``attitude_rate``) towards ``1 - comparison_sensitivity * max(0, team mean - own LMX)``
(upward comparison hurts; Yu, Matta & Cornfield 2018). Psychological safety moves towards
``0.6 trust + 0.4 failure_tolerance`` (how members expect risk-taking to be met) and then
``safety_diffusion`` of the gap to the mean of collaborators closes, so safety is a
shared climate (Edmondson 1999).
"""

from __future__ import annotations

import numpy as np

from lmxsim.teams import team_mean


def compare_and_spread(model) -> None:
    m, p = model.members, model.params
    occ = m.occupied
    mean_lmx = team_mean(m.team, m.lmx, occ, model.n_teams)[m.team]
    fair_target = 1.0 - p.comparison_sensitivity * np.maximum(0.0, mean_lmx - m.lmx)
    m.fairness += p.attitude_rate * (fair_target - m.fairness) * occ

    safety_target = 0.6 * m.trust + 0.4 * p.failure_tolerance
    m.psych_safety += p.attitude_rate * (safety_target - m.psych_safety) * occ
    neighbours = model.neighbour_mean(m.psych_safety, default=m.psych_safety)
    m.psych_safety += p.safety_diffusion * (neighbours - m.psych_safety) * occ
