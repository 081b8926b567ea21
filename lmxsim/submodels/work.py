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

from lmxsim.draws import weekly

PERFORMANCE_MEMORY = 1.0 / 13.0  # weight of this week in the recent-performance average


def work(model, here, d) -> None:
    """Phase 4: effort, performance and competence growth."""
    m, p = model.members, model.params
    m.citizenship = citizenship(m) * here.present
    routine = routine_effort(p, m.bonus, line_of_sight(here, d.reward_contingency))
    noise = performance_noise(weekly(model).normal("work.noise"), p.performance_noise)
    m.performance = performance(m, p, effort(routine, m.citizenship), noise) * here.present
    m.performance_avg = m.performance_avg + (m.performance - m.performance_avg) * PERFORMANCE_MEMORY * here.present
    m.competence = m.competence + competence_growth(m, p) * here.present


def citizenship(m, idx=slice(None)) -> np.ndarray:
    """citizenship = engagement (0.25 + 0.15 lmx + 0.45 conscientiousness + 0.15 clarity)"""
    return (0.15 * m.lmx[idx] + 0.25 + 0.45 * m.conscientiousness[idx] + 0.15 * m.clarity[idx]) * m.engagement[idx]


def line_of_sight(here, reward_contingency) -> np.ndarray:
    """How directly a member's own effort moves their reward: 1 for an individual bonus,
    1/headcount of the team for a purely team-based one (free riding; Kandel & Lazear 1992):
    contingency + (1 - contingency) / max(1, heads)."""
    return (1.0 - reward_contingency) / np.maximum(here.per_member(here.heads), 1.0) + reward_contingency


def routine_effort(p, bonus, sight) -> np.ndarray:
    """routine = base_effort + (1 - base_effort) * bonus_effort_gain * bonus * line of sight"""
    return p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * bonus * sight


def effort(routine, citizenship) -> np.ndarray:
    """effort = routine + (1 - routine) * citizenship"""
    return (1.0 - routine) * citizenship + routine


def performance_noise(z, sd) -> np.ndarray:
    """log-normal noise with mean 1: exp(sd z - sd^2 / 2)"""
    return np.exp(z * sd - 0.5 * sd * sd)


def performance(m, p, effort, noise) -> np.ndarray:
    """performance = competence * effort * (1 + assignment_boost * assignment) * (1 - overreach) * noise,
    overreach = overreach_penalty * max(0, autonomy - competence)"""
    overreach = p.overreach_penalty * np.maximum(0.0, m.autonomy - m.competence)
    return m.competence * effort * (1.0 + p.assignment_boost * m.assignment) * (1.0 - overreach) * noise


def competence_growth(m, p) -> np.ndarray:
    """growth = learning_rate (0.6 support + 0.4 assignment) (1 - competence) - forgetting_rate * competence"""
    return ((0.6 * m.support + 0.4 * m.assignment) * p.learning_rate * (1.0 - m.competence)
            - p.forgetting_rate * m.competence)
