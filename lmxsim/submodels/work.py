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

import math

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.draws import weekly
from lmxsim.submodels.exchange import readiness

PERFORMANCE_MEMORY = 1.0 / 13.0  # weight of this week in the recent-performance average
WORK_WEEK_HOURS = 40.0           # hours a week; time spent helping others is not spent on one's own work


def work(model, here, d) -> None:
    """Phase 4: effort, performance and competence growth."""
    m, luck = model.members, weekly(model)
    per_org = model.per_org
    m.citizenship, m.performance, m.performance_avg, m.competence = _work(
        m.org, here.present, here.per_member(here.heads), model.week - m.hire_week, m.lmx, m.conscientiousness,
        m.clarity, m.engagement, m.bonus, m.competence, m.support, m.assignment, m.autonomy, m.psych_safety,
        m.performance_avg, d.reward_basis, d.reward_contingency, d.latitude, d.peer_leadership,
        luck.normal("work.noise"), per_org("base_effort"), per_org("bonus_effort_gain"), per_org("performance_noise"),
        per_org("backing_need"), per_org("peer_hours"), per_org("assignment_boost"), per_org("empowerment_gain"),
        per_org("overreach_penalty"), per_org("safety_performance"), per_org("clarity_performance"),
        per_org("ramp_up_weeks"), per_org("learning_rate"), per_org("practice_rate"), per_org("forgetting_rate"))
    model.week_stats["bonus_cost"] = here.org_total(m.bonus * model.params.bonus_size / 52.0)


@kernel
def _work(org, present, heads, tenure, lmx, conscientiousness, clarity, engagement, bonus, competence, support,
          assignment, autonomy, psych_safety, performance_avg, reward_basis, reward_contingency, latitude,
          peer_leadership, z, base_effort, bonus_effort_gain, performance_sd, backing_need, peer_hours,
          assignment_boost, empowerment_gain, overreach_penalty, safety_performance, clarity_performance,
          ramp_up_weeks, learning_rate, practice_rate, forgetting_rate):
    """The rules above for every position, in the order of the docstring."""
    n = org.size
    new_citizenship, new_performance = np.empty(n), np.empty(n)
    new_average, new_competence = np.empty(n), np.empty(n)
    for i in range(n):
        o = org[i]
        new_citizenship[i] = citizenship(lmx[i], conscientiousness[i], clarity[i], engagement[i]) * present[i]
        routine = routine_effort(base_effort[o], bonus_effort_gain[o], bonus[i] * (1.0 - reward_basis[i]),
                                 line_of_sight(heads[i], reward_contingency[i]))
        noise = performance_noise(z[i], performance_sd[o])
        ready = readiness(competence[i], support[i], backing_need[o])
        total_effort = effort(routine, new_citizenship[i])
        new_performance[i] = performance(
            competence[i], total_effort, assignment_boost[o] * assignment[i],
            empowered(empowerment_gain[o], autonomy[i], ready), overreach(overreach_penalty[o], latitude[i], ready),
            climate(safety_performance[o], psych_safety[i]), clear_deal(clarity_performance[o], clarity[i]),
            helping_hours(peer_leadership[i], peer_hours[o]), know_how(tenure[i], ramp_up_weeks[o]),
            noise) * present[i]
        new_average[i] = performance_avg[i] + (new_performance[i] - performance_avg[i]) * PERFORMANCE_MEMORY * present[i]
        new_competence[i] = competence[i] + competence_growth(competence[i], support[i], assignment[i], psych_safety[i],
                                                              learning_rate[o], practice_rate[o], forgetting_rate[o],
                                                              total_effort) * present[i]
    return new_citizenship, new_performance, new_average, new_competence


@kernel
def citizenship_at(idx, lmx, conscientiousness, clarity, engagement):
    """:func:`citizenship` of the positions ``idx`` (newcomers)."""
    out = np.empty(idx.size)
    for k in range(idx.size):
        i = idx[k]
        out[k] = citizenship(lmx[i], conscientiousness[i], clarity[i], engagement[i])
    return out


@rule
def citizenship(lmx, conscientiousness, clarity, engagement):
    """citizenship = engagement (0.25 + 0.15 lmx + 0.45 conscientiousness + 0.15 clarity)"""
    return (0.15 * lmx + 0.25 + 0.45 * conscientiousness + 0.15 * clarity) * engagement


@rule
def line_of_sight(heads, reward_contingency):
    """How directly a member's own effort moves their reward: 1 for an individual bonus,
    1/headcount of the team for a purely team-based one (free riding; Kandel & Lazear 1992):
    contingency + (1 - contingency) / max(1, heads)."""
    return (1.0 - reward_contingency) / max(heads, 1.0) + reward_contingency


@rule
def routine_effort(base_effort, bonus_effort_gain, bonus_on_output, sight):
    """routine = base_effort + (1 - base_effort) * bonus_effort_gain * bonus on output * line of sight"""
    return base_effort + (1.0 - base_effort) * bonus_effort_gain * bonus_on_output * sight


@rule
def effort(routine, citizenship):
    """effort = routine + (1 - routine) * citizenship"""
    return (1.0 - routine) * citizenship + routine


@rule
def helping_hours(peer_leadership, peer_hours):
    """Hours a week a member spends helping collaborators: peer_leadership * peer_hours."""
    return peer_leadership * peer_hours


@rule
def performance_noise(z, sd):
    """log-normal noise with mean 1: exp(sd z - sd^2 / 2)"""
    return math.exp(z * sd - 0.5 * sd * sd)


@rule
def empowered(empowerment_gain, autonomy, ready):
    """1 + empowerment_gain * min(autonomy, readiness): empowerment pays as far as the member is ready"""
    return 1.0 + empowerment_gain * min(autonomy, ready)


@rule
def overreach(overreach_penalty, latitude, ready):
    """1 - overreach_penalty * max(0, latitude - readiness): latitude beyond readiness costs errors and rework"""
    return 1.0 - overreach_penalty * max(0.0, latitude - ready)


@rule
def climate(safety_performance, psych_safety):
    """1 + safety_performance (psych_safety - 0.5)"""
    return 1.0 + safety_performance * (psych_safety - 0.5)


@rule
def clear_deal(clarity_performance, clarity):
    """1 + clarity_performance * clarity: a clear deal tells the member what good work is"""
    return 1.0 + clarity_performance * clarity


@rule
def performance(competence, effort, assignment_boost, empowered, overreach, climate, clear_deal, helping, ramp,
                noise):
    """performance = competence * effort * (1 + assignment_boost * assignment) * empowered * overreach
    * climate * clear deal * (1 - helping hours / 40) * ramp-up * noise (``assignment_boost`` given
    times this week's assignment, 0 or 1; ramp-up is :func:`know_how`)."""
    return (competence * effort * (1.0 + assignment_boost) * empowered * overreach * climate * clear_deal
            * (1.0 - helping / WORK_WEEK_HOURS) * ramp * noise)


@rule
def know_how(tenure, ramp_up_weeks):
    """know-how = min(1, 0.5 + 0.5 tenure / ramp_up_weeks): what a newcomer does not yet know about
    the job, the firm and whom to ask (ramp-up of output; idea success of the member and of their
    collaborators)."""
    return min(1.0, 0.5 + 0.5 * tenure / max(ramp_up_weeks, 1e-9))


@rule
def competence_growth(competence, support, assignment, psych_safety, learning_rate, practice_rate, forgetting_rate,
                      effort):
    """growth = (learning_rate (0.6 support + 0.4 assignment) + practice_rate * effort) (0.5 + psych_safety)
    (1 - competence) - forgetting_rate * competence: coaching, challenge and practice teach, as far as
    the climate lets members learn (Edmondson 1999); skills fade."""
    learning = (0.6 * support + 0.4 * assignment) * learning_rate + practice_rate * effort
    return learning * (0.5 + psych_safety) * (1.0 - competence) - forgetting_rate * competence
