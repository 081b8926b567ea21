"""Phase 7a - attitudes: engagement and turnover intention.

Engagement moves (at ``attitude_rate``) towards ``0.35 affectivity + 0.65 situation``, with
situation ``0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity`` (role
clarity: Rizzo, House & Lirtzman 1970) (need satisfaction: relatedness,
autonomy, fairness, competence support; Cerasoli et al. 2016). Turnover intention moves
towards ``0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)``
(Dirks & Ferrin 2002: trust - intent to quit; Gerstner & Day 1997).
"""

from __future__ import annotations

import numpy as np

DISPOSITION_WEIGHT = 0.35  # share of engagement set by stable affectivity (Judge et al. 2002)


def update_attitudes(model, here) -> None:
    """Phase 7a: engagement and turnover intention move towards their targets."""
    m, p = model.members, model.params
    target = engagement_target(m)
    m.engagement = m.engagement + (target - m.engagement) * p.attitude_rate * here.present
    target = intention_target(m)
    m.turnover_intention = m.turnover_intention + (target - m.turnover_intention) * p.attitude_rate * here.present


def engagement_target(m) -> np.ndarray:
    """0.35 affectivity + 0.65 (0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity)"""
    situation = 0.3 * m.lmx + 0.2 * m.autonomy + 0.15 * m.fairness + 0.2 * m.support + 0.15 * m.clarity
    return DISPOSITION_WEIGHT * m.affectivity + situation * (1.0 - DISPOSITION_WEIGHT)


def intention_target(m) -> np.ndarray:
    """0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)"""
    return 0.5 * m.mobility + (1.0 - m.trust) * 0.25 + (1.0 - m.engagement) * 0.15 + (1.0 - m.fairness) * 0.1
