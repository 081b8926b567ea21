"""Run-level outcomes computed from the weekly time series (ODD section 4.11, "Observation").

One definition of each headline outcome, used by ``lmxsim run``'s summary and by every
comparison and experiment, so the numbers a user sees always mean the same thing.
Outcomes are measured over two windows (:data:`WINDOWS`, :func:`measured_weeks`):

* ``from_week_26``: from ``MEASURE_FROM_WEEK`` (month 6) on, after relationships have
  formed - the outcome's plain name (``annual_turnover``);
* ``last_year``: the last 52 weeks, the steady state a policy settles into - the name with
  ``_last_year`` (``annual_turnover_last_year``).

Neither window is ever longer than the run's second half allows: a run shorter than a year is
measured over its second half in both windows (they coincide), and a run shorter than two
years has its ``last_year`` window over its second half (shorter than 52 weeks, rates still
per year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MEASURE_FROM_WEEK = 26

RATES = ("innovation_per_member_year", "innovation_value_per_member_year", "annual_turnover",
         "annual_turnover_top_quartile", "turnover_cost_per_member_year", "bonus_cost_per_member_year")
MEAN_OF_WEEKLY = ("mean_lmx", "lmx_sd_within_team", "in_group_share", "mean_trust", "mean_engagement",
                  "mean_performance", "mean_psych_safety", "mean_fairness")


COHORT_OUTCOMES = ("performance_low_lmx_tercile", "performance_mid_lmx_tercile", "performance_high_lmx_tercile")

#: measurement windows of the RATES and MEAN_OF_WEEKLY outcomes; the first is the outcome's plain name
WINDOWS = ("from_week_26", "last_year")
#: readable window names (table and figure)
WINDOW_LABELS = {"from_week_26": "weeks 26-end", "last_year": "last year"}
YEAR_WEEKS = 52


def windowed(outcome: str, window: str) -> str:
    """The name of ``outcome`` measured over ``window``: ``annual_turnover`` over ``last_year``
    is ``annual_turnover_last_year``."""
    if window not in WINDOWS:
        raise ValueError(f"window {window!r} is not one of {WINDOWS}")
    return outcome if window == WINDOWS[0] else f"{outcome}_{window}"


LAST_YEAR = tuple(windowed(o, "last_year") for o in RATES + MEAN_OF_WEEKLY)
OUTCOMES = RATES + MEAN_OF_WEEKLY + COHORT_OUTCOMES + LAST_YEAR  # every run-level outcome

# meaning and unit of every run-level outcome (all float64), measured over the weeks of
# :func:`measured_weeks`; collected into docs/data_dictionary.md by lmxsim.datadict
_FROM_WEEK_26_DOCS = {
    "innovation_per_member_year": ("successful ideas per member per year", "ideas/member-year"),
    "innovation_value_per_member_year": ("value of successful ideas per member per year (each idea worth 0.5 + "
                                         "the inventor's competence)", "value units/member-year"),
    "annual_turnover": ("voluntary quits per head per year", "share per year"),
    "annual_turnover_top_quartile": ("voluntary quits of members in the top quartile of recent performance, per "
                                     "top-quartile head per year", "share per year"),
    "turnover_cost_per_member_year": ("cost of voluntary turnover per member per year", "annual salaries/member-year"),
    "bonus_cost_per_member_year": ("money paid in bonuses per member per year", "annual salaries/member-year"),
    "mean_lmx": ("mean over the measured weeks of the weekly mean LMX quality", "0-1 scale"),
    "lmx_sd_within_team": ("mean over the measured weeks of the within-team SD of LMX (differentiation)",
                           "0-1 scale (sd)"),
    "in_group_share": ("mean over the measured weeks of the share of members in the in-group", "share"),
    "mean_trust": ("mean over the measured weeks of members' trust in their leader", "0-1 scale"),
    "mean_engagement": ("mean over the measured weeks of members' engagement", "0-1 scale"),
    "mean_performance": ("mean over the measured weeks of members' weekly output", "output units/week"),
    "mean_psych_safety": ("mean over the measured weeks of members' psychological safety", "0-1 scale"),
    "mean_fairness": ("mean over the measured weeks of members' perceived fairness", "0-1 scale"),
    "performance_low_lmx_tercile": ("mean output 3-6 months after week 26 of the members present at week 26 in "
                                    "the lowest third of LMX then", "output units/week"),
    "performance_mid_lmx_tercile": ("the same for the middle third of LMX at week 26", "output units/week"),
    "performance_high_lmx_tercile": ("the same for the highest third of LMX at week 26", "output units/week"),
}
OUTCOME_DOCS = {
    **_FROM_WEEK_26_DOCS,
    **{windowed(o, "last_year"): (f"{_FROM_WEEK_26_DOCS[o][0]}; measured over the last 52 weeks (steady state; "
                                  "the second half of a run shorter than 2 years), not from week 26",
                                  _FROM_WEEK_26_DOCS[o][1]) for o in RATES + MEAN_OF_WEEKLY},
}


class CohortTracker:
    """Performance 3-6 months after week ``start`` of the members present at ``start``, by
    their LMX tercile then (the design of Scandura & Graen 1984; ``leader_training`` switches
    policy at week 26 = ``start``), in each organisation of a batch. Call :meth:`observe` with
    the engine (``model.engine`` for one model) after every step."""

    def __init__(self, start: int = MEASURE_FROM_WEEK, window: tuple[int, int] = (13, 26)):
        self.start, self.window = start, window
        self.person: np.ndarray | None = None    # per position: who was there at the start
        self.tercile: np.ndarray | None = None   # per position: their LMX tercile then
        self.total = self.count = None

    def observe(self, engine) -> None:
        m = engine.members
        if engine.week == self.start:
            idx = np.flatnonzero(m.occupied)
            order = np.lexsort((m.lmx[idx], m.org[idx]))      # within each organisation, by LMX
            heads = np.bincount(m.org[idx], minlength=engine.n_orgs)
            first = np.concatenate([[0], np.cumsum(heads)[:-1]])
            rank = np.empty(len(idx), dtype=np.int64)
            rank[order] = np.arange(len(idx)) - first[m.org[idx][order]]
            self.person = np.full(m.capacity, -1, dtype=np.int64)
            self.tercile = np.zeros(m.capacity, dtype=np.int64)
            self.person[idx] = m.person_id[idx]
            self.tercile[idx] = np.minimum(3 * rank // np.maximum(heads[m.org[idx]], 1), 2)
            self.total, self.count = np.zeros((engine.n_orgs, 3)), np.zeros((engine.n_orgs, 3))
        elif self.start + self.window[0] < engine.week <= self.start + self.window[1] and self.person is not None:
            n = len(self.person)
            idx = np.flatnonzero(m.occupied[:n] & (m.person_id[:n] == self.person))   # still there
            cell = m.org[idx] * 3 + self.tercile[idx]
            self.total += np.bincount(cell, weights=m.performance[idx], minlength=3 * engine.n_orgs).reshape(-1, 3)
            self.count += np.bincount(cell, minlength=3 * engine.n_orgs).reshape(-1, 3)

    def outcomes(self, org: int = 0) -> dict[str, float]:
        if self.total is None:
            return dict.fromkeys(COHORT_OUTCOMES, float("nan"))
        total, count = self.total[org], self.count[org]
        mean = np.divide(total, count, out=np.full(3, np.nan), where=count > 0)
        return dict(zip(COHORT_OUTCOMES, mean.tolist()))


def first_measured_week(horizon: int, window: str = WINDOWS[0], start: int = MEASURE_FROM_WEEK) -> int:
    """First week of ``window`` in a run of ``horizon`` weeks (the window ends at the horizon).

    ``from_week_26``: week ``start`` (month 6), but never later than the second half of the
    run - so a 30-week run is measured over weeks 16-30, not 26-30. ``last_year``: the last
    52 weeks, but never earlier than the second half - a 156-week run over weeks 105-156, a
    78-week run over weeks 40-78, a 30-week run over weeks 16-30 like ``from_week_26``.
    """
    half = horizon // 2 + 1
    if window == "from_week_26":
        return min(start, half)
    if window == "last_year":
        return max(horizon - YEAR_WEEKS + 1, half)
    raise ValueError(f"window {window!r} is not one of {WINDOWS}")


def measured_weeks(frame: pd.DataFrame, start: int = MEASURE_FROM_WEEK, window: str = WINDOWS[0]) -> pd.DataFrame:
    """The weeks of ``frame`` outcomes are measured over in ``window`` (see
    :func:`first_measured_week`): by default from ``start`` (month 6) on."""
    return frame[_measured(frame["week"].to_numpy(), window, start)]


def _measured(week: np.ndarray, window: str, start: int) -> np.ndarray:
    """Which of the weeks ``week`` (0 = the initial state) ``window`` measures."""
    simulated = week >= 1
    horizon = int(week[simulated].max()) if simulated.any() else 0
    return simulated & (week >= first_measured_week(horizon, window, start))


def window_summary(w) -> dict[str, float]:
    """The RATES and MEAN_OF_WEEKLY outcomes over the weekly rows ``w`` (plain names): a DataFrame
    or a mapping of column name -> values of those weeks.

    innovation_per_member_year: successful ideas per head per 52 weeks;
    annual_turnover: voluntary quits per head per 52 weeks;
    annual_turnover_top_quartile: the same for members in the top quartile of recent performance;
    turnover_cost_per_member_year: annual salaries lost to turnover per head per year;
    bonus_cost_per_member_year: annual salaries paid in bonuses per head per year;
    the rest are means of the weekly values (weeks where a value is undefined, e.g. nobody is
    left, are skipped, as pandas does).
    """
    head_years = _total(w["headcount"]) / 52.0
    out = {
        "innovation_per_member_year": _total(w["innovation"]) / head_years if head_years else np.nan,
        "innovation_value_per_member_year": _total(w["innovation_value"]) / head_years if head_years else np.nan,
        "annual_turnover": _total(w["quits"]) / head_years if head_years else np.nan,
        # the top quartile holds a quarter of the head-years
        "annual_turnover_top_quartile": _total(w["quits_top_quartile"]) / (0.25 * head_years)
        if head_years else np.nan,
        "turnover_cost_per_member_year": _total(w["turnover_cost"]) / head_years if head_years else np.nan,
        "bonus_cost_per_member_year": _total(w["bonus_cost"]) / head_years if head_years else np.nan,
    }
    for col in MEAN_OF_WEEKLY:
        out[col] = _mean(w[col])
    return out


#: the weekly columns :func:`window_summary` reads
SUMMARY_INPUTS = ("headcount", "innovation", "innovation_value", "quits", "quits_top_quartile", "turnover_cost",
                  "bonus_cost", *MEAN_OF_WEEKLY)


def _total(values) -> float:
    """The sum, undefined values counted as 0 (pandas' ``Series.sum()``, to the last bit)."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        undefined = np.isnan(a)
        if undefined.any():
            a = np.where(undefined, 0.0, a)
    return float(a.sum())


def _mean(values) -> float:
    """The mean of the defined values (pandas' ``Series.mean()``, to the last bit: the sum with
    undefined values as 0, over their count)."""
    a = np.asarray(values, dtype=np.float64)
    n = len(a) - int(np.isnan(a).sum())
    return _total(a) / n if n else np.nan


def run_summary(frame, start: int = MEASURE_FROM_WEEK) -> dict[str, float]:
    """Headline outcomes of one run: :func:`window_summary` over every window of :data:`WINDOWS`
    (the weeks :func:`measured_weeks` selects), named by :func:`windowed` (``annual_turnover``,
    ``annual_turnover_last_year``, ...). ``frame``: the weekly frame, or a mapping of its
    columns (``week`` and :data:`SUMMARY_INPUTS`) to arrays."""
    week = np.asarray(frame["week"])
    columns = {name: np.asarray(frame[name]) for name in SUMMARY_INPUTS}
    out = {}
    for window in WINDOWS:
        keep = _measured(week, window, start)
        summary = window_summary({name: values[keep] for name, values in columns.items()})
        out.update({windowed(name, window): value for name, value in summary.items()})
    return out
