"""Weekly outcome reporters for Mesa's DataCollector (ODD section 4.11, "Observation").

Each reporter is a small named function of the model, so a chart label and its
computation sit together. ``MODEL_REPORTERS`` maps the column names of ``model.csv``
to these functions.
"""

from __future__ import annotations

import numpy as np

from lmxsim.teams import team_sd

TURNOVER_WINDOW_WEEKS = 13


def _occ(model):
    return model.members.occupied


def _mean(model, values) -> float:
    """Mean over occupied positions (NaN in an empty organisation)."""
    idx = model.occupancy().idx
    if not len(idx):
        return float("nan")
    # == float(values[occupied].mean()): the same pairwise sum, divided by the count
    return float(np.add.reduce(values.take(idx)) / len(idx))


def innovation(model) -> int:
    """Successful ideas this week."""
    return int(model.week_stats.get("successes", 0))


def innovation_value(model) -> float:
    """Value of this week's successful ideas (each worth 0.5 + the inventor's competence)."""
    return float(model.week_stats.get("innovation_value", 0.0))


def ideas_tried(model) -> int:
    return int(model.week_stats.get("ideas_tried", 0))


def quits(model) -> int:
    """Voluntary leavers this week."""
    return int(model.week_stats.get("quits", 0))


def quits_top_quartile(model) -> int:
    """Leavers this week whose recent performance was in the organisation's top quartile."""
    return int(model.week_stats.get("quits_top_quartile", 0))


def hires(model) -> int:
    return int(model.week_stats.get("hires", 0))


def headcount(model) -> int:
    return len(model.occupancy().idx)


def positions(model) -> int:
    return int(model.members.capacity)


def turnover_rate_annualised(model) -> float:
    """Quits over the last 13 weeks per head, scaled to a year."""
    q, h = model.recent_quits_and_heads(TURNOVER_WINDOW_WEEKS)
    return float(q / h * 52.0) if h > 0 else 0.0


def mean_lmx(model) -> float:
    return _mean(model, model.members.lmx)


def lmx_sd_within_team(model) -> float:
    """Mean over teams of the standard deviation of LMX within the team (differentiation)."""
    m = model.members
    occ = model.occupancy()
    sd = team_sd(m.team, m.lmx, occ.f, model.n_teams, counts=occ.heads, blocks=m.blocks(model.n_teams))
    staffed = occ.heads > 1
    return float(sd[staffed].mean()) if staffed.any() else 0.0


def in_group_share(model) -> float:
    idx = model.occupancy().idx
    if not len(idx):
        return float("nan")
    # a sum of zeros and ones is exact in any order
    return float(np.count_nonzero(model.members.in_group[idx]) / len(idx))


def mean_trust(model) -> float:
    return _mean(model, model.members.trust)


def mean_engagement(model) -> float:
    return _mean(model, model.members.engagement)


def mean_performance(model) -> float:
    return _mean(model, model.members.performance)


def mean_psych_safety(model) -> float:
    return _mean(model, model.members.psych_safety)


def mean_fairness(model) -> float:
    return _mean(model, model.members.fairness)


def mean_autonomy(model) -> float:
    return _mean(model, model.members.autonomy)


def mean_turnover_intention(model) -> float:
    return _mean(model, model.members.turnover_intention)


def turnover_cost(model) -> float:
    """Cost of this week's leavers in annual salaries (``turnover_cost_salaries`` each)."""
    return quits(model) * model.params.turnover_cost_salaries


def promises_kept(model) -> int:
    return int(model.week_stats.get("promises_kept", 0))


def promises_broken(model) -> int:
    return int(model.week_stats.get("promises_broken", 0))


MODEL_REPORTERS = {f.__name__: f for f in (
    innovation, innovation_value, ideas_tried, quits, quits_top_quartile, hires, headcount, positions,
    turnover_rate_annualised, mean_lmx, lmx_sd_within_team, in_group_share, mean_trust,
    mean_engagement, mean_performance, mean_psych_safety, mean_fairness, mean_autonomy,
    mean_turnover_intention, turnover_cost, promises_kept, promises_broken,
)}
