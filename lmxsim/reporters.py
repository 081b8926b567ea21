"""Weekly outcome reporters (ODD section 4.11, "Observation").

Each reporter is a small named function of the engine giving one value per organisation of
the batch, so a chart label and its computation sit together. ``ORG_REPORTERS`` maps the
column names of ``model.csv`` to these functions; ``MODEL_REPORTERS`` are the same for
Mesa's DataCollector of one :class:`lmxsim.LMXModel` (its organisation's value). Each is
declared with ``@reports(unit, dtype)``: its docstring's first line is the column's meaning
in the data dictionary (``docs/data_dictionary.md``).
"""

from __future__ import annotations

import numpy as np

from lmxsim.datadict import reports

TURNOVER_WINDOW_WEEKS = 13


@reports("ideas/week", "int64")
def innovation(engine) -> np.ndarray:
    """Successful ideas this week."""
    return engine.week_stats["successes"]


@reports("value units/week", "float64")
def innovation_value(engine) -> np.ndarray:
    """Value of this week's successful ideas (each worth 0.5 + the inventor's competence)."""
    return engine.week_stats["innovation_value"]


@reports("ideas/week", "int64")
def ideas_tried(engine) -> np.ndarray:
    """Ideas tried this week (successful or not)."""
    return engine.week_stats["ideas_tried"]


@reports("people/week", "int64")
def quits(engine) -> np.ndarray:
    """Voluntary leavers this week."""
    return engine.week_stats["quits"]


@reports("people/week", "int64")
def quits_top_quartile(engine) -> np.ndarray:
    """Leavers this week whose recent performance was in the organisation's top quartile."""
    return engine.week_stats["quits_top_quartile"]


@reports("people/week", "int64")
def hires(engine) -> np.ndarray:
    """Newcomers who started this week (vacancies refilled and positions added)."""
    return engine.week_stats["hires"]


@reports("people", "int64")
def headcount(engine) -> np.ndarray:
    """Members employed at the end of the week (occupied positions)."""
    return engine.workforce.org_count(engine.workforce.idx)


@reports("positions", "int64")
def positions(engine) -> np.ndarray:
    """Positions in the organisation, occupied or vacant."""
    return np.bincount(engine.members.org, minlength=engine.n_orgs)


@reports("share per year", "float64")
def turnover_rate_annualised(engine) -> np.ndarray:
    """Quits over the last 13 weeks per head, scaled to a year."""
    q, h = engine.recent_quits_and_heads(TURNOVER_WINDOW_WEEKS)
    return np.divide(q * 52.0, h, out=np.zeros(engine.n_orgs), where=h > 0)


@reports("0-1 scale", "float64")
def mean_lmx(engine) -> np.ndarray:
    """Mean LMX quality over current members (LMX-7 score = 7 + 28 x lmx)."""
    return engine.workforce.org_mean(engine.members.lmx)


@reports("0-1 scale (sd)", "float64")
def lmx_sd_within_team(engine) -> np.ndarray:
    """Mean over teams of the standard deviation of LMX within the team (differentiation)."""
    here = engine.workforce
    sd = here.team_sd(engine.members.lmx)
    staffed = here.heads > 1
    org = engine.leaders.org
    total = np.bincount(org, weights=np.where(staffed, sd, 0.0), minlength=engine.n_orgs)
    count = np.bincount(org, weights=staffed, minlength=engine.n_orgs)
    return np.divide(total, count, out=np.zeros(engine.n_orgs), where=count > 0)


@reports("share", "float64")
def in_group_share(engine) -> np.ndarray:
    """Share of current members in their leader's in-group, as the leader sees it."""
    return engine.workforce.org_mean(engine.members.in_group)


@reports("0-1 scale", "float64")
def mean_trust(engine) -> np.ndarray:
    """Mean trust of current members in their leader."""
    return engine.workforce.org_mean(engine.members.trust)


@reports("0-1 scale", "float64")
def mean_engagement(engine) -> np.ndarray:
    """Mean engagement and affective commitment of current members."""
    return engine.workforce.org_mean(engine.members.engagement)


@reports("output units/week", "float64")
def mean_performance(engine) -> np.ndarray:
    """Mean output of current members this week (1 = full routine output)."""
    return engine.workforce.org_mean(engine.members.performance)


@reports("0-1 scale", "float64")
def mean_psych_safety(engine) -> np.ndarray:
    """Mean psychological safety of current members."""
    return engine.workforce.org_mean(engine.members.psych_safety)


@reports("0-1 scale", "float64")
def mean_fairness(engine) -> np.ndarray:
    """Mean perceived fairness of treatment relative to teammates."""
    return engine.workforce.org_mean(engine.members.fairness)


@reports("0-1 scale", "float64")
def mean_autonomy(engine) -> np.ndarray:
    """Mean autonomy felt (latitude granted and believed genuine)."""
    return engine.workforce.org_mean(engine.members.autonomy)


@reports("0-1 scale", "float64")
def mean_turnover_intention(engine) -> np.ndarray:
    """Mean intention to quit of current members."""
    return engine.workforce.org_mean(engine.members.turnover_intention)


@reports("annual salaries/week", "float64")
def turnover_cost(engine) -> np.ndarray:
    """Cost of this week's leavers in annual salaries (``turnover_cost_salaries`` each)."""
    return quits(engine) * engine.org_params.turnover_cost_salaries


@reports("0-1 scale", "float64")
def mean_strain(engine) -> np.ndarray:
    """Mean role strain of current members (latitude beyond readiness, helping, vacancies)."""
    return engine.workforce.org_mean(engine.members.strain)


@reports("annual salaries/week", "float64")
def bonus_cost(engine) -> np.ndarray:
    """Money paid in bonuses this week, in annual salaries (``bonus * bonus_size / 52`` per member)."""
    return engine.week_stats["bonus_cost"]


@reports("breaches/week", "int64")
def contract_breaches(engine) -> np.ndarray:
    """Breaches of the basic contract this week (outside a deal, delivery fell short of it)."""
    return engine.week_stats["breaches"]


@reports("promises/week", "int64")
def promises_kept(engine) -> np.ndarray:
    """Leader promises that fell due and were kept this week."""
    return engine.week_stats["promises_kept"]


@reports("promises/week", "int64")
def promises_broken(engine) -> np.ndarray:
    """Leader promises that fell due and were broken this week."""
    return engine.week_stats["promises_broken"]


ORG_REPORTERS = {f.__name__: f for f in (
    innovation, innovation_value, ideas_tried, quits, quits_top_quartile, hires, headcount, positions,
    turnover_rate_annualised, mean_lmx, lmx_sd_within_team, in_group_share, mean_trust,
    mean_engagement, mean_performance, mean_psych_safety, mean_fairness, mean_autonomy,
    mean_turnover_intention, mean_strain, turnover_cost, bonus_cost, promises_kept, promises_broken,
    contract_breaches,
)}


def weekly_rows(engine) -> dict[str, np.ndarray]:
    """This week's value of every reporter, one per organisation (with its column's dtype)."""
    return {name: np.asarray(f(engine), dtype=f.column.dtype) for name, f in ORG_REPORTERS.items()}


def _for_one_model(f):
    """A Mesa model reporter: ``f`` of the model's engine, for its one organisation."""
    def reporter(model):
        return np.asarray(f(model.engine), dtype=f.column.dtype)[0].item()
    reporter.__name__, reporter.__doc__, reporter.column = f.__name__, f.__doc__, f.column
    return reporter


MODEL_REPORTERS = {name: _for_one_model(f) for name, f in ORG_REPORTERS.items()}
