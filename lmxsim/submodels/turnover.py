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

import numpy as np

from lmxsim.draws import weekly
from lmxsim.people import hire


def weekly_base_hazard(annual_rate: float) -> float:
    """h0 = -ln(1 - annual rate) / 52"""
    return -np.log1p(-annual_rate) / 52.0


def quit_probability(m, p, week: int, present) -> np.ndarray:
    """1 - exp(-h0 exp(quit_sensitivity (turnover_intention - 0.5)) f), f = first_year_hazard in year one"""
    first_year = np.where(m.hire_week > week - 52, p.first_year_hazard, 1.0)
    hazard = np.exp((m.turnover_intention - 0.5) * p.quit_sensitivity) * weekly_base_hazard(p.annual_base_turnover)
    return (1.0 - np.exp(-(hazard * first_year))) * present


DEPARTURES_MEMORY = 13.0  # weeks: the moving average of a team's quits that colleagues notice


def departures(previous, quits_per_team, positions) -> np.ndarray:
    """departures += (52 quits / positions - departures) / 13: the team's recent quit rate per year
    (what turnover contagion feeds on; Felps et al. 2009)"""
    rate = np.divide(52.0 * quits_per_team, positions, out=np.zeros(len(previous)), where=positions > 0)
    return previous + (rate - previous) / DEPARTURES_MEMORY


def quit_and_refill(model, here) -> None:
    """Phase 7b: some quit (their desks fall vacant for hiring_lag_weeks); due vacancies are refilled."""
    m, p = model.members, model.params
    leavers = np.flatnonzero(weekly(model).uniform("quit") < quit_probability(m, p, model.week, here.present))
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
