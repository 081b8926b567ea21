"""Phase 4 - work: effort, performance and competence growth.

Routine effort is ``base_effort`` lifted by bonuses (``bonus_effort_gain``; Cerasoli et
al. 2016) in proportion to the line of sight from own effort to reward: 1 for an
individual bonus, 1/team headcount for a team-based one (Kandel & Lazear 1992). Citizenship - effort beyond the contract, which the leader reads as loyalty -
is the member's return on the exchange and their disposition:
``engagement * (0.25 + 0.15 lmx + 0.45 conscientiousness + 0.15 clarity)`` - a member who was
offered a clear deal reciprocates (Graen & Uhl-Bien 1995). Total effort
is ``routine + (1 - routine) * citizenship``. Weekly performance is
``competence * effort * (1 + assignment_boost * assignment) * (1 - overreach)`` times
log-normal noise with mean 1, where ``overreach = overreach_penalty * max(0, autonomy -
competence)``: latitude beyond ability costs output (errors, rework; Langfred & Moye 2004) -
why tailoring latitude to the person beats handing everyone the same. Competence closes ``learning_rate * (0.6 support + 0.4 assignment)`` of its
gap to 1 each week (coaching and challenge) and loses ``forgetting_rate`` of itself.
"""

from __future__ import annotations

import numpy as np


PERFORMANCE_MEMORY = 1.0 / 13.0  # weight of this week in the recent-performance average


def citizenship(m, idx=slice(None)) -> np.ndarray:
    """Effort beyond the contract: the member's return on the exchange and their disposition."""
    return m.engagement[idx] * (0.25 + 0.15 * m.lmx[idx] + 0.45 * m.conscientiousness[idx] + 0.15 * m.clarity[idx])


def line_of_sight(model, d) -> np.ndarray:
    """How directly a member's own effort moves their reward: 1 for an individual bonus,
    1/headcount of the team for a purely team-based one (free riding; Kandel & Lazear 1992)."""
    m = model.members
    heads = np.bincount(m.team, weights=m.occupied, minlength=model.n_teams)[m.team]
    return d.reward_contingency + (1.0 - d.reward_contingency) / np.maximum(heads, 1.0)


def work(model, d) -> None:
    m, p, rng = model.members, model.params, model.rng
    occ = m.occupied
    routine = p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * m.bonus * line_of_sight(model, d)
    m.citizenship = citizenship(m) * occ
    effort = routine + (1.0 - routine) * m.citizenship
    s = p.performance_noise
    noise = np.exp(s * rng.standard_normal(m.capacity) - 0.5 * s * s)
    overreach = p.overreach_penalty * np.maximum(0.0, m.autonomy - m.competence)
    m.performance = (m.competence * effort * (1.0 + p.assignment_boost * m.assignment) * (1.0 - overreach)
                     * noise * occ)
    m.performance_avg += PERFORMANCE_MEMORY * (m.performance - m.performance_avg) * occ
    growth = p.learning_rate * (0.6 * m.support + 0.4 * m.assignment) * (1.0 - m.competence)
    m.competence += (growth - p.forgetting_rate * m.competence) * occ
