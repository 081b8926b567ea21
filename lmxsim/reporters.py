"""Weekly outcome reporters for Mesa's DataCollector (ODD section 4.11, "Observation").

Each reporter is a small named function of the model, so a chart label and its
computation sit together. ``MODEL_REPORTERS`` maps the column names of ``model.csv``
to these functions. Each is declared with ``@reports(unit, dtype)``: its docstring's first
line is the column's meaning in the data dictionary (``docs/data_dictionary.md``).
"""

from __future__ import annotations

import numpy as np

from lmxsim.datadict import reports

TURNOVER_WINDOW_WEEKS = 13


def _mean(model, values) -> float:
    """Mean over occupied positions (NaN in an empty organisation)."""
    idx = model.workforce.idx
    return float(values[idx].mean()) if len(idx) else float("nan")


@reports("ideas/week", "int64")
def innovation(model) -> int:
    """Successful ideas this week."""
    return int(model.week_stats.get("successes", 0))


@reports("value units/week", "float64")
def innovation_value(model) -> float:
    """Value of this week's successful ideas (each worth 0.5 + the inventor's competence)."""
    return float(model.week_stats.get("innovation_value", 0.0))


@reports("ideas/week", "int64")
def ideas_tried(model) -> int:
    """Ideas tried this week (successful or not)."""
    return int(model.week_stats.get("ideas_tried", 0))


@reports("people/week", "int64")
def quits(model) -> int:
    """Voluntary leavers this week."""
    return int(model.week_stats.get("quits", 0))


@reports("people/week", "int64")
def quits_top_quartile(model) -> int:
    """Leavers this week whose recent performance was in the organisation's top quartile."""
    return int(model.week_stats.get("quits_top_quartile", 0))


@reports("people/week", "int64")
def hires(model) -> int:
    """Newcomers who started this week (vacancies refilled and positions added)."""
    return int(model.week_stats.get("hires", 0))


@reports("people", "int64")
def headcount(model) -> int:
    """Members employed at the end of the week (occupied positions)."""
    return len(model.workforce.idx)


@reports("positions", "int64")
def positions(model) -> int:
    """Positions in the organisation, occupied or vacant."""
    return int(model.members.capacity)


@reports("share per year", "float64")
def turnover_rate_annualised(model) -> float:
    """Quits over the last 13 weeks per head, scaled to a year."""
    q, h = model.recent_quits_and_heads(TURNOVER_WINDOW_WEEKS)
    return float(q / h * 52.0) if h > 0 else 0.0


@reports("0-1 scale", "float64")
def mean_lmx(model) -> float:
    """Mean LMX quality over current members (LMX-7 score = 7 + 28 x lmx)."""
    return _mean(model, model.members.lmx)


@reports("0-1 scale (sd)", "float64")
def lmx_sd_within_team(model) -> float:
    """Mean over teams of the standard deviation of LMX within the team (differentiation)."""
    here = model.workforce
    sd = here.team_sd(model.members.lmx)
    staffed = here.heads > 1
    return float(sd[staffed].mean()) if staffed.any() else 0.0


@reports("share", "float64")
def in_group_share(model) -> float:
    """Share of current members in their leader's in-group, as the leader sees it."""
    idx = model.workforce.idx
    return float(model.members.in_group[idx].mean()) if len(idx) else float("nan")


@reports("0-1 scale", "float64")
def mean_trust(model) -> float:
    """Mean trust of current members in their leader."""
    return _mean(model, model.members.trust)


@reports("0-1 scale", "float64")
def mean_engagement(model) -> float:
    """Mean engagement and affective commitment of current members."""
    return _mean(model, model.members.engagement)


@reports("output units/week", "float64")
def mean_performance(model) -> float:
    """Mean output of current members this week (1 = full routine output)."""
    return _mean(model, model.members.performance)


@reports("0-1 scale", "float64")
def mean_psych_safety(model) -> float:
    """Mean psychological safety of current members."""
    return _mean(model, model.members.psych_safety)


@reports("0-1 scale", "float64")
def mean_fairness(model) -> float:
    """Mean perceived fairness of treatment relative to teammates."""
    return _mean(model, model.members.fairness)


@reports("0-1 scale", "float64")
def mean_autonomy(model) -> float:
    """Mean autonomy felt (latitude granted and believed genuine)."""
    return _mean(model, model.members.autonomy)


@reports("0-1 scale", "float64")
def mean_turnover_intention(model) -> float:
    """Mean intention to quit of current members."""
    return _mean(model, model.members.turnover_intention)


@reports("annual salaries/week", "float64")
def turnover_cost(model) -> float:
    """Cost of this week's leavers in annual salaries (``turnover_cost_salaries`` each)."""
    return quits(model) * model.params.turnover_cost_salaries


@reports("promises/week", "int64")
def promises_kept(model) -> int:
    """Leader promises that fell due and were kept this week."""
    return int(model.week_stats.get("promises_kept", 0))


@reports("promises/week", "int64")
def promises_broken(model) -> int:
    """Leader promises that fell due and were broken this week."""
    return int(model.week_stats.get("promises_broken", 0))


MODEL_REPORTERS = {f.__name__: f for f in (
    innovation, innovation_value, ideas_tried, quits, quits_top_quartile, hires, headcount, positions,
    turnover_rate_annualised, mean_lmx, lmx_sd_within_team, in_group_share, mean_trust,
    mean_engagement, mean_performance, mean_psych_safety, mean_fairness, mean_autonomy,
    mean_turnover_intention, turnover_cost, promises_kept, promises_broken,
)}
