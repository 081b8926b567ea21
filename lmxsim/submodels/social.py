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

from lmxsim.teams import per_member, team_mean


def compare_and_spread(model) -> None:
    m, p = model.members, model.params
    occ = model.occupancy()
    occf = occ.f
    mean = team_mean(m.team, m.lmx, occf, model.n_teams, counts=occ.heads)
    x = per_member(mean, m.team, m.blocks(model.n_teams))
    x -= m.lmx
    np.maximum(0.0, x, out=x)
    x *= p.comparison_sensitivity
    np.subtract(1.0, x, out=x)            # fairness target
    x -= m.fairness
    x *= p.attitude_rate
    x *= occf
    m.fairness += x

    np.multiply(0.6, m.trust, out=x)
    x += 0.4 * p.failure_tolerance        # safety target
    x -= m.psych_safety
    x *= p.attitude_rate
    x *= occf
    m.psych_safety += x
    neighbours = model.neighbour_mean(m.psych_safety, default=m.psych_safety)
    neighbours -= m.psych_safety
    neighbours *= p.safety_diffusion
    neighbours *= occf
    m.psych_safety += neighbours
