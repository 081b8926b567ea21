"""The reference's weekly reporters: the columns of ``LMXModel.model_frame()``, computed from the agents."""

from __future__ import annotations

import math

TURNOVER_WINDOW_WEEKS = 13


def _members(model):
    return [m for m in model.seats if m is not None]


def _mean_of(name):
    def reporter(model):
        ms = _members(model)
        return sum(getattr(m, name) for m in ms) / len(ms) if ms else float("nan")
    reporter.__name__ = f"mean_{name}"
    return reporter


def _lmx_sd_within_team(model):
    sds = []
    for leader in model.leaders:
        ms = leader.members
        if len(ms) > 1:
            mean = sum(m.lmx for m in ms) / len(ms)
            sds.append(math.sqrt(sum((m.lmx - mean) ** 2 for m in ms) / len(ms)))
    return sum(sds) / len(sds) if sds else 0.0


def _turnover_rate(model):
    q, h = model.recent_quits_and_heads(TURNOVER_WINDOW_WEEKS)
    return q / h * 52.0 if h > 0 else 0.0


def _stat(name, kind=int):
    return lambda model: kind(model.week_stats.get(name, 0))


REFERENCE_REPORTERS = {
    "innovation": _stat("successes"),
    "innovation_value": _stat("innovation_value", float),
    "ideas_tried": _stat("ideas_tried"),
    "quits": _stat("quits"),
    "quits_top_quartile": _stat("quits_top_quartile"),
    "hires": _stat("hires"),
    "headcount": lambda model: len(_members(model)),
    "positions": lambda model: len(model.seats),
    "turnover_rate_annualised": _turnover_rate,
    "mean_lmx": _mean_of("lmx"),
    "lmx_sd_within_team": _lmx_sd_within_team,
    "in_group_share": lambda model: (sum(m.in_group for m in _members(model)) / len(_members(model))
                                     if _members(model) else float("nan")),
    "mean_trust": _mean_of("trust"),
    "mean_engagement": _mean_of("engagement"),
    "mean_performance": _mean_of("performance"),
    "mean_psych_safety": _mean_of("psych_safety"),
    "mean_fairness": _mean_of("fairness"),
    "mean_autonomy": _mean_of("autonomy"),
    "mean_turnover_intention": _mean_of("turnover_intention"),
    "mean_strain": _mean_of("strain"),
    "turnover_cost": lambda model: model.week_stats.get("quits", 0) * model.params.turnover_cost_salaries,
    "bonus_cost": _stat("bonus_cost", float),
    "promises_kept": _stat("promises_kept"),
    "promises_broken": _stat("promises_broken"),
    "contract_breaches": _stat("breaches"),
}
