"""Phase 4 (ODD 7.4) - work: effort, performance and competence growth.

Routine effort is ``base_effort`` lifted by a bonus on output (``bonus_effort_gain``;
Cerasoli et al. 2016) in proportion to the line of sight from own effort to reward: 1 for an
individual bonus, 1/team headcount for a team-based one (Kandel & Lazear 1992); a bonus on
creativity (``reward_basis`` 1) lifts ideas instead (see innovation). Every bonus costs money:
``bonus * bonus_size`` annual salaries per member-year (reporter ``bonus_cost``).
Citizenship - effort beyond the contract, the member's return on the exchange -
is ``engagement (0.25 + 0.15 lmx + 0.45 conscientiousness + 0.15 clarity)`` (a member offered
a clear deal reciprocates; Graen & Uhl-Bien 1995). Total effort is
``routine + (1 - routine) citizenship``.

Weekly performance is ``competence * effort`` times
``1 + assignment_boost * assignment`` (an important assignment);
``1 + empowerment_gain * min(autonomy, readiness)`` (empowerment pays as far as the member is
ready; Kim, Beehr & Prewett 2018);
``1 - overreach_penalty * max(0, latitude - readiness)`` (latitude granted beyond readiness costs
errors and rework; Langfred & Moye 2004);
``1 + safety_performance (psych_safety - 0.5)`` (Edmondson 1999; Frazier et al. 2017);
``1 + clarity_performance * clarity`` (a clear deal tells the member what good work is;
Tubre & Collins 2000);
``1 - helping hours / 40`` (hours spent helping peers are not spent on one's own work;
Bergeron 2007); ramp-up ``min(1, 0.5 + 0.5 tenure / ramp_up_weeks)`` (a newcomer starts at
half output); and log-normal noise with mean 1. Readiness is
``competence (1 - backing_need (1 - support))`` (see exchange).

Competence grows by coaching, challenge and practice - learning by doing (Argote & Epple 1990) -
as far as the climate lets members learn:
``(learning_rate (0.6 support + 0.4 assignment) + practice_rate * effort) (0.5 + psych_safety)``
of its gap to 1 each week, and loses ``forgetting_rate`` of itself.
"""

from __future__ import annotations

import numpy as np

from lmxsim.draws import weekly
from lmxsim.submodels.exchange import readiness

PERFORMANCE_MEMORY = 1.0 / 13.0  # weight of this week in the recent-performance average
WORK_WEEK_HOURS = 40.0           # hours a week; time spent helping others is not spent on one's own work


def work(model, here, d) -> None:
    """Phase 4: effort, performance and competence growth."""
    m, p = model.members, model.params
    m.citizenship = citizenship(m) * here.present
    routine = routine_effort(p, m.bonus * (1.0 - d.reward_basis), line_of_sight(here, d.reward_contingency))
    noise = performance_noise(weekly(model).normal("work.noise"), p.performance_noise)
    ready = readiness(m.competence, m.support, p.backing_need)
    total_effort = effort(routine, m.citizenship)
    m.performance = performance(m, p, total_effort, ready, d.latitude,
                                helping_hours(d.peer_leadership, p.peer_hours), model.week - m.hire_week,
                                noise) * here.present
    m.performance_avg = m.performance_avg + (m.performance - m.performance_avg) * PERFORMANCE_MEMORY * here.present
    m.competence = m.competence + competence_growth(m, p, total_effort) * here.present
    model.week_stats["bonus_cost"] = here.org_total(m.bonus * p.bonus_size / 52.0)


def citizenship(m, idx=slice(None)) -> np.ndarray:
    """citizenship = engagement (0.25 + 0.15 lmx + 0.45 conscientiousness + 0.15 clarity)"""
    return (0.15 * m.lmx[idx] + 0.25 + 0.45 * m.conscientiousness[idx] + 0.15 * m.clarity[idx]) * m.engagement[idx]


def line_of_sight(here, reward_contingency) -> np.ndarray:
    """How directly a member's own effort moves their reward: 1 for an individual bonus,
    1/headcount of the team for a purely team-based one (free riding; Kandel & Lazear 1992):
    contingency + (1 - contingency) / max(1, heads)."""
    return (1.0 - reward_contingency) / np.maximum(here.per_member(here.heads), 1.0) + reward_contingency


def routine_effort(p, bonus_on_output, sight) -> np.ndarray:
    """routine = base_effort + (1 - base_effort) * bonus_effort_gain * bonus on output * line of sight"""
    return p.base_effort + (1.0 - p.base_effort) * p.bonus_effort_gain * bonus_on_output * sight


def effort(routine, citizenship) -> np.ndarray:
    """effort = routine + (1 - routine) * citizenship"""
    return (1.0 - routine) * citizenship + routine


def helping_hours(peer_leadership, peer_hours) -> np.ndarray:
    """Hours a week a member spends helping collaborators: peer_leadership * peer_hours."""
    return peer_leadership * peer_hours


def performance_noise(z, sd) -> np.ndarray:
    """log-normal noise with mean 1: exp(sd z - sd^2 / 2)"""
    return np.exp(z * sd - 0.5 * sd * sd)


def performance(m, p, effort, ready, latitude, helping, tenure, noise) -> np.ndarray:
    """performance = competence * effort * (1 + assignment_boost * assignment)
    * (1 + empowerment_gain * min(autonomy, readiness)) * (1 - overreach_penalty * max(0, latitude - readiness))
    * (1 + safety_performance (psych_safety - 0.5)) * (1 + clarity_performance * clarity)
    * (1 - helping hours / 40) * ramp-up * noise,
    ramp-up = min(1, 0.5 + 0.5 tenure / ramp_up_weeks)."""
    empowered = 1.0 + p.empowerment_gain * np.minimum(m.autonomy, ready)
    overreach = 1.0 - p.overreach_penalty * np.maximum(0.0, latitude - ready)
    safety = 1.0 + p.safety_performance * (m.psych_safety - 0.5)
    clear = 1.0 + p.clarity_performance * m.clarity
    ramp = know_how(tenure, p.ramp_up_weeks)
    return (m.competence * effort * (1.0 + p.assignment_boost * m.assignment) * empowered * overreach * safety * clear
            * (1.0 - helping / WORK_WEEK_HOURS) * ramp * noise)


def know_how(tenure, ramp_up_weeks) -> np.ndarray:
    """know-how = min(1, 0.5 + 0.5 tenure / ramp_up_weeks): what a newcomer does not yet know about
    the job, the firm and whom to ask (ramp-up of output; idea success of the member and of their
    collaborators)."""
    return np.minimum(1.0, 0.5 + 0.5 * tenure / np.maximum(ramp_up_weeks, 1e-9))


def competence_growth(m, p, effort) -> np.ndarray:
    """growth = (learning_rate (0.6 support + 0.4 assignment) + practice_rate * effort) (0.5 + psych_safety)
    (1 - competence) - forgetting_rate * competence: coaching, challenge and practice teach, as far as
    the climate lets members learn (Edmondson 1999); skills fade."""
    learning = (0.6 * m.support + 0.4 * m.assignment) * p.learning_rate + p.practice_rate * effort
    return learning * (0.5 + m.psych_safety) * (1.0 - m.competence) - p.forgetting_rate * m.competence
