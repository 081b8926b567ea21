"""Phase 4 - work: effort, performance and competence growth.

Routine effort is ``base_effort`` lifted by bonuses (``bonus_effort_gain``; Cerasoli et
al. 2016). Citizenship - effort beyond the contract, which the leader reads as loyalty -
is the member's return on the exchange and their disposition:
``engagement * (0.3 + 0.3 lmx + 0.4 conscientiousness)``. Total effort
is ``routine + (1 - routine) * citizenship``. Weekly performance is
``competence * effort * (1 + assignment_boost * assignment)`` times log-normal noise
with mean 1. Competence closes ``learning_rate * (0.6 support + 0.4 assignment)`` of its
gap to 1 each week (coaching and challenge) and loses ``forgetting_rate`` of itself.
"""

from __future__ import annotations

import numpy as np


def work(model) -> None:
    m, p, rng = model.members, model.params, model.rng
    occ = m.occupied
    routine = p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * m.bonus
    m.citizenship = m.engagement * (0.3 + 0.3 * m.lmx + 0.4 * m.conscientiousness) * occ
    effort = routine + (1.0 - routine) * m.citizenship
    s = p.performance_noise
    noise = np.exp(s * rng.standard_normal(m.capacity) - 0.5 * s * s)
    m.performance = m.competence * effort * (1.0 + p.assignment_boost * m.assignment) * noise * occ
    growth = p.learning_rate * (0.6 * m.support + 0.4 * m.assignment) * (1.0 - m.competence)
    m.competence += (growth - p.forgetting_rate * m.competence) * occ
