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


def update_attitudes(model) -> None:
    m, p = model.members, model.params
    occf = model.occupancy().f
    # situation = 0.3 lmx + 0.2 autonomy + 0.15 fairness + 0.2 support + 0.15 clarity
    target = 0.3 * m.lmx
    tmp = np.multiply(0.2, m.autonomy)
    target += tmp
    for weight, values in ((0.15, m.fairness), (0.2, m.support), (0.15, m.clarity)):
        np.multiply(weight, values, out=tmp)
        target += tmp
    target *= (1.0 - DISPOSITION_WEIGHT)
    np.multiply(DISPOSITION_WEIGHT, m.affectivity, out=tmp)
    target = np.add(tmp, target, out=target)      # engagement target
    target -= m.engagement
    target *= p.attitude_rate
    target *= occf
    m.engagement += target
    # intention target = 0.5 mobility + 0.25 (1 - trust) + 0.15 (1 - engagement) + 0.1 (1 - fairness)
    np.multiply(0.5, m.mobility, out=target)
    for weight, values in ((0.25, m.trust), (0.15, m.engagement), (0.1, m.fairness)):
        np.subtract(1.0, values, out=tmp)
        tmp *= weight
        target += tmp
    target -= m.turnover_intention
    target *= p.attitude_rate
    target *= occf
    m.turnover_intention += target
