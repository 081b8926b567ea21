"""Phase 7a - attitudes: engagement and turnover intention.

Engagement moves (at ``attitude_rate``) towards ``0.35 affectivity + 0.65 situation``, with
situation ``0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity`` (role
clarity: Rizzo, House & Lirtzman 1970) (need satisfaction: relatedness,
autonomy, fairness, competence support; Cerasoli et al. 2016). Turnover intention moves
towards ``0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)``
(Dirks & Ferrin 2002: trust - intent to quit; Gerstner & Day 1997).
"""

from __future__ import annotations

DISPOSITION_WEIGHT = 0.35  # share of engagement set by stable affectivity (Judge et al. 2002)


def update_attitudes(model) -> None:
    m, p = model.members, model.params
    occ = m.occupied
    situation = 0.3 * m.lmx + 0.2 * m.autonomy + 0.15 * m.fairness + 0.2 * m.support + 0.15 * m.clarity
    engagement_target = DISPOSITION_WEIGHT * m.affectivity + (1.0 - DISPOSITION_WEIGHT) * situation
    m.engagement += p.attitude_rate * (engagement_target - m.engagement) * occ
    intention_target = (0.5 * m.mobility + 0.25 * (1.0 - m.trust) + 0.15 * (1.0 - m.engagement)
                        + 0.1 * (1.0 - m.fairness))
    m.turnover_intention += p.attitude_rate * (intention_target - m.turnover_intention) * occ
