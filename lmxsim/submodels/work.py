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

from lmxsim.teams import per_member


PERFORMANCE_MEMORY = 1.0 / 13.0  # weight of this week in the recent-performance average


def citizenship(m, idx=slice(None)) -> np.ndarray:
    """Effort beyond the contract: the member's return on the exchange and their disposition."""
    return m.engagement[idx] * (0.25 + 0.15 * m.lmx[idx] + 0.45 * m.conscientiousness[idx] + 0.15 * m.clarity[idx])


def line_of_sight(model, d) -> np.ndarray:
    """How directly a member's own effort moves their reward: 1 for an individual bonus,
    1/headcount of the team for a purely team-based one (free riding; Kandel & Lazear 1992)."""
    m = model.members
    heads = per_member(model.occupancy().heads, m.team, m.blocks(model.n_teams))
    np.maximum(heads, 1.0, out=heads)
    np.divide(1.0 - d.reward_contingency, heads, out=heads)
    heads += d.reward_contingency
    return heads


def work(model, d) -> None:
    m, p, rng = model.members, model.params, model.rng
    occf = model.occupancy().f
    n = m.capacity
    # citizenship: the member's return on the exchange and their disposition
    cit = 0.15 * m.lmx
    cit += 0.25
    tmp = np.multiply(0.45, m.conscientiousness)
    cit += tmp
    np.multiply(0.15, m.clarity, out=tmp)
    cit += tmp
    cit *= m.engagement
    cit *= occf
    m.citizenship = cit
    # effort = routine + (1 - routine) * citizenship
    if m.bonus.any():
        routine = (1.0 - p.base_effort) * p.bonus_effort_gain * m.bonus
        routine *= line_of_sight(model, d)
        routine = np.add(p.base_effort, routine, out=routine)
        effort = np.subtract(1.0, routine)
        effort *= cit
        effort += routine
    else:  # no bonus anywhere: routine effort is base_effort for everyone (x + 0 == x)
        effort = (1.0 - p.base_effort) * cit
        effort += p.base_effort
    s = p.performance_noise
    noise = rng.standard_normal(n)
    noise *= s
    noise -= 0.5 * s * s
    np.exp(noise, out=noise)
    # performance = competence * effort * (1 + boost * assignment) * (1 - overreach) * noise
    perf = effort
    np.multiply(m.competence, effort, out=perf)
    np.multiply(p.assignment_boost, m.assignment, out=tmp)
    tmp += 1.0
    perf *= tmp
    np.subtract(m.autonomy, m.competence, out=tmp)
    np.maximum(0.0, tmp, out=tmp)
    tmp *= p.overreach_penalty
    np.subtract(1.0, tmp, out=tmp)
    perf *= tmp
    perf *= noise
    perf *= occf
    m.performance = perf
    np.subtract(perf, m.performance_avg, out=tmp)
    tmp *= PERFORMANCE_MEMORY
    tmp *= occf
    m.performance_avg += tmp
    # growth = learning_rate * (0.6 support + 0.4 assignment) * (1 - competence)
    growth = noise
    np.multiply(0.6, m.support, out=growth)
    np.multiply(0.4, m.assignment, out=tmp)
    growth += tmp
    growth *= p.learning_rate
    np.subtract(1.0, m.competence, out=tmp)
    growth *= tmp
    np.multiply(p.forgetting_rate, m.competence, out=tmp)
    growth -= tmp
    growth *= occf
    m.competence += growth
