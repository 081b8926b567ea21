"""Phase 7a - attitudes: engagement and turnover intention.

Engagement moves (at ``attitude_rate``) towards
``0.35 lmx + 0.25 autonomy + 0.2 fairness + 0.2 support`` (need satisfaction: relatedness,
autonomy, fairness, competence support; Cerasoli et al. 2016). Turnover intention moves
towards ``0.3 mobility + 0.3 (1 - trust) + 0.2 (1 - engagement) + 0.2 (1 - fairness)``
(Dirks & Ferrin 2002: trust - intent to quit; Gerstner & Day 1997).
"""

from __future__ import annotations


def update_attitudes(model) -> None:
    m, p = model.members, model.params
    occ = m.occupied
    engagement_target = 0.35 * m.lmx + 0.25 * m.autonomy + 0.2 * m.fairness + 0.2 * m.support
    m.engagement += p.attitude_rate * (engagement_target - m.engagement) * occ
    intention_target = (0.3 * m.mobility + 0.3 * (1.0 - m.trust) + 0.2 * (1.0 - m.engagement)
                        + 0.2 * (1.0 - m.fairness))
    m.turnover_intention += p.attitude_rate * (intention_target - m.turnover_intention) * occ
