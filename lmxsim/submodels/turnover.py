"""Phase 7b (ODD 7.8) - quitting and refilling vacancies, and what turnover costs those who stay.

Each occupied position quits this week with probability ``1 - exp(-H)``, where
``H = h0 * exp(quit_sensitivity * (turnover_intention - 0.5)) * f``; ``h0`` is the weekly
hazard equivalent to ``annual_base_turnover`` and ``f = first_year_hazard`` in the first
52 weeks of tenure, 1 after (Griffeth, Hom & Gaertner 2000). A leaver's position stays vacant
for ``hiring_lag_weeks``; then a newcomer is hired into it (see :mod:`lmxsim.people`),
inheriting the position's collaboration ties, and starts a new dyad with the leader as a
stranger.

Turnover is not free for the team: each team's recent quit rate per year, ``departures``
(a 13-week moving average), feeds turnover contagion in the stayers' intention to quit
(Felps et al. 2009); the vacant share adds strain to stayers (see attitudes); a newcomer
brings a freshly drawn competence and ramps up from half output (see work), and the leader
starts their view and the relationship afresh.
"""

from __future__ import annotations

import math

import numpy as np

from lmxsim._structure import kernel, rule
from lmxsim.draws import weekly
from lmxsim.people import hire


def weekly_base_hazard(annual_rate: float) -> float:
    """h0 = -ln(1 - annual rate) / 52"""
    return -math.log1p(-annual_rate) / 52.0


def weekly_leaving_share(annual_rate: float) -> float:
    """1 - (1 - annual rate) ** (1/52): the share of a steady workforce that leaves in a week"""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / 52.0)


@rule
def quit_probability(turnover_intention, quit_sensitivity, base_hazard, first_year_hazard):
    """1 - exp(-h0 exp(quit_sensitivity (turnover_intention - 0.5)) f), f = first_year_hazard in year one
    (``first_year_hazard`` given as 1 after the first year)"""
    hazard = math.exp((turnover_intention - 0.5) * quit_sensitivity) * base_hazard
    return 1.0 - math.exp(-(hazard * first_year_hazard))


@kernel
def _leaving(org, present, hire_week, turnover_intention, u, week, quit_sensitivity, base_hazard,
             first_year_hazard):
    """Who quits this week: u < quit probability (members present only)."""
    leaving = np.zeros(org.size, dtype=np.bool_)
    for i in range(org.size):
        o = org[i]
        first_year = first_year_hazard[o] if hire_week[i] > week - 52 else 1.0
        leaving[i] = u[i] < quit_probability(turnover_intention[i], quit_sensitivity[o], base_hazard[o],
                                             first_year) * present[i]
    return leaving


DEPARTURES_MEMORY = 13.0  # weeks: the moving average of a team's quits that colleagues notice


def departures(previous, quits_per_team, positions) -> np.ndarray:
    """departures += (52 quits / positions - departures) / 13: the team's recent quit rate per year
    (what turnover contagion feeds on; Felps et al. 2009)"""
    rate = np.divide(52.0 * quits_per_team, positions, out=np.zeros(len(previous)), where=positions > 0)
    return previous + (rate - previous) / DEPARTURES_MEMORY


def quit_and_refill(model, here) -> None:
    """Phase 7b: some quit (their desks fall vacant for hiring_lag_weeks); due vacancies are refilled."""
    m, p = model.members, model.params
    leavers = np.flatnonzero(_leaving(m.org, here.present, m.hire_week, m.turnover_intention,
                                      weekly(model).uniform("quit"), model.week, model.per_org("quit_sensitivity"),
                                      model.per_org("annual_base_turnover", of=weekly_base_hazard),
                                      model.per_org("first_year_hazard")))
    model.record_leavers(leavers)
    quits_per_team = np.bincount(m.team[leavers], minlength=model.n_teams)
    model.leaders.departures = departures(model.leaders.departures, quits_per_team, model.team_positions())
    m.occupied[leavers] = False
    m.person_id[leavers] = -1
    m.in_group[leavers] = False
    m.refill_week[leavers] = model.week + p.at(leavers).hiring_lag_weeks
    due = np.flatnonzero((m.refill_week >= 0) & (m.refill_week <= model.week) & ~m.occupied)
    hire(model, due, tenure_weeks=np.zeros(len(due), dtype=np.int32))
    model.record_turnover(leavers, due)
