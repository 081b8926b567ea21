"""Phase 7b - quitting and refilling vacancies.

Each occupied position quits this week with probability ``1 - exp(-H)``, where
``H = h0 * exp(quit_sensitivity * (turnover_intention - 0.5)) * f``; ``h0`` is the weekly
hazard equivalent to ``annual_base_turnover`` and ``f = first_year_hazard`` in the first
52 weeks of tenure, 1 after. A leaver's position stays vacant for ``hiring_lag_weeks``;
then a newcomer is hired into it (see :mod:`lmxsim.people`), inheriting the position's
collaboration ties, and starts a new dyad with the leader as a stranger.
"""

from __future__ import annotations

import numpy as np

from lmxsim.people import hire


def weekly_base_hazard(annual_rate: float) -> float:
    return -np.log1p(-annual_rate) / 52.0


def quit_probability(model) -> np.ndarray:
    m, p = model.members, model.params
    hazard = m.turnover_intention - 0.5
    hazard *= p.quit_sensitivity
    np.exp(hazard, out=hazard)
    hazard *= weekly_base_hazard(p.annual_base_turnover)
    hazard[m.hire_week > model.week - 52] *= p.first_year_hazard   # tenure < 52 weeks (x * 1.0 == x)
    np.negative(hazard, out=hazard)
    np.exp(hazard, out=hazard)
    prob = np.subtract(1.0, hazard, out=hazard)
    prob *= model.occupancy().f
    return prob


def quit_and_refill(model) -> None:
    m, p, rng = model.members, model.params, model.rng
    leaving = rng.random(m.capacity) < quit_probability(model)
    leavers = np.flatnonzero(leaving)
    model.record_leavers(leavers)
    m.occupied[leavers] = False
    m.person_id[leavers] = -1
    m.in_group[leavers] = False
    m.refill_week[leavers] = model.week + p.hiring_lag_weeks

    due = np.flatnonzero((m.refill_week >= 0) & (m.refill_week <= model.week) & ~m.occupied)
    hire(model, due, tenure_weeks=np.zeros(len(due), dtype=np.int32))
    model.week_stats["quits"] = len(leavers)
    model.week_stats["hires"] = len(due)
