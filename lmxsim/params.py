"""Every model parameter, with its unit, default, allowed range and source.

This module is the single place where parameters are declared (ODD sections 6-7 and
the parameter table in ``docs/parameters.md``, which is generated from it by
``lmxsim list --markdown``). ``Params`` validates every value once, at
construction, and raises :class:`~lmxsim.errors.LMXInputError` naming the parameter,
the value and the allowed range. Nothing is silently clipped.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lmxsim.errors import LMXInputError


def param(default, unit: str, low, high, source: str, group: str):
    """Declare one parameter: default, unit, inclusive range ``[low, high]`` and source."""
    return field(
        default=default,
        metadata={"unit": unit, "low": low, "high": high, "source": source, "group": group},
    )


@dataclass(frozen=True)
class Params:
    """All parameters of the LMX model (one week per step).

    Create with keyword overrides, e.g. ``Params(team_size=20)``. Values are checked
    against their declared ranges; see :func:`describe` for the table.
    """

    # --- organisation -------------------------------------------------------------
    n_teams: int = param(20, "teams", 1, 200_000,
                         "design choice: 200 members by default, the size at which `lmxsim validate` pools "
                         "its statistics", "organisation")
    team_size: int = param(10, "positions per team", 1, 500,
                           "typical span of control for knowledge work (6-12)", "organisation")
    within_team_ties: int = param(4, "collaboration ties per member", 0, 50,
                                  "small-world team networks (Watts & Strogatz 1998)", "organisation")
    tie_rewiring: float = param(0.1, "probability", 0.0, 1.0,
                                "Watts & Strogatz 1998 small-world regime", "organisation")
    cross_team_ties: float = param(0.5, "ties per member (mean)", 0.0, 10.0,
                                   "assumption: sparse boundary-spanning ties", "organisation")
    weeks: int = param(156, "weeks", 1, 5_200, "design choice: a three-year default horizon", "organisation")

    # --- leader -------------------------------------------------------------------
    leader_hours_per_week: float = param(8.0, "hours/week", 0.0, 40.0,
                                         "assumption: one-on-ones, coaching and feedback time of a first-line manager",
                                         "leader")
    hours_scale_stranger: float = param(1.5, "hours/week", 0.05, 20.0,
                                        "calibrated: weekly hours giving 63% support quality to a new dyad",
                                        "leader")
    hours_scale_acquaintance: float = param(1.0, "hours/week", 0.05, 20.0,
                                            "calibrated: tested roles need less contact (Graen & Uhl-Bien 1995)",
                                            "leader")
    hours_scale_partner: float = param(0.5, "hours/week", 0.05, 20.0,
                                       "calibrated: mature partnerships run on in-kind reciprocity (Graen & Uhl-Bien 1995)",
                                       "leader")
    promise_reliability: float = param(0.9, "probability", 0.0, 1.0,
                                       "assumption: a leader who delivers fully keeps 9 in 10 promises", "leader")
    empowerment_genuineness: float = param(0.8, "fraction", 0.0, 1.0,
                                           "assumption: members use granted latitude only as far as the "
                                           "empowerment feels genuine", "leader")
    failure_tolerance: float = param(0.6, "probability", 0.0, 1.0,
                                     "assumption: share of failed experiments met with support, not blame (Edmondson 1999)",
                                     "leader")
    perception_noise: float = param(0.15, "competence units (sd)", 0.0, 1.0,
                                    "assumption: sd of one weekly observation at 1 hour of contact", "leader")
    perception_gain: float = param(0.1, "1/week", 0.0, 1.0,
                                   "assumption: weight of one week's observation in the leader's view", "leader")
    similarity_bias: float = param(0.2, "competence units", 0.0, 1.0,
                                   "Liden, Wayne & Stilwell 1993: liking/similarity shape early LMX", "leader")
    rater_idiosyncrasy: float = param(0.2, "competence units (sd)", 0.0, 0.5,
                                      "Scullen, Mount & Goff 2000: idiosyncratic rater effects dominate ratings",
                                      "leader")
    review_interval_weeks: int = param(13, "weeks", 1, 104, "design choice: quarterly reviews", "leader")
    assignments_per_team: int = param(2, "assignments", 0, 100,
                                      "assumption: important assignments are scarce (Dansereau, Graen & Haga 1975)",
                                      "leader")
    deal_hours: float = param(1.0, "leader hours per offer", 0.0, 10.0,
                              "assumption: making or renewing the deal is a one-on-one conversation of about an "
                              "hour (Graen, Novak & Sommerkamp 1982 trained one-on-ones with each member)", "leader")
    in_group_threshold: float = param(0.55, "perceived score", 0.0, 1.0,
                                      "assumption: proof needed to be seen as in-group (Dansereau et al. 1975)",
                                      "leader")

    # --- exchange and trust -------------------------------------------------------
    contact_efficiency: float = param(1.0, "fraction", 0.05, 1.0,
                                      "1 = co-located; remote work lowers it (assumption)", "exchange")
    contract_expectation: float = param(0.2, "expectation units", 0.0, 1.0,
                                        "calibrated: what a member expects from a purely contractual exchange",
                                        "exchange")
    clarity_half_life_weeks: float = param(26.0, "weeks", 1.0, 520.0,
                                           "assumption: an explicit deal stays clear for about two quarters "
                                           "unless renewed", "exchange")
    promise_event_rate: float = param(0.25, "events/week", 0.0, 1.0,
                                      "assumption: a commitment falls due about monthly", "exchange")
    trust_gain: float = param(0.08, "fraction of gap", 0.0, 1.0,
                              "calibrated: share of the distance to full trust closed by a kept promise", "exchange")
    trust_loss_ratio: float = param(1.1, "ratio", 1.0, 10.0,
                                    "calibrated (fact 8): loss/gain per event at trust 0.5 without scar; promises fall "
                                    "due in deals, where trust is high, so the realised ratio is about 3.5:1 (Slovic "
                                    "1993; computational trust models use about 3:1)", "exchange")
    trust_drift: float = param(0.005, "1/week", 0.0, 1.0,
                               "calibrated (fact 3): weekly pull of trust towards the care shown (benevolence; "
                               "Mayer, Davis & Schoorman 1995); faster makes trust a copy of LMX (r > .8)", "exchange")
    scar_half_life_weeks: float = param(26.0, "weeks", 1.0, 520.0,
                                        "assumption: violations are remembered for months (Slovic 1993; "
                                        "Robinson 1996)", "exchange")
    partner_contact_hours: float = param(1.0, "hours/week", 0.0, 20.0,
                                         "assumption: a mature partnership needs sustained contact - at least about "
                                         "an hour a week (Graen & Uhl-Bien 1995)", "exchange")
    lmx_rate_stranger: float = param(0.15, "1/week", 0.0, 1.0,
                                     "Liden, Wayne & Stilwell 1993: LMX forms within weeks", "exchange")
    lmx_rate_acquaintance: float = param(0.06, "1/week", 0.0, 1.0, "calibrated", "exchange")
    lmx_rate_partner: float = param(0.03, "1/week", 0.0, 1.0,
                                    "calibrated: mature exchanges are stable (Graen & Uhl-Bien 1995)", "exchange")

    # --- work ---------------------------------------------------------------------
    base_effort: float = param(0.55, "fraction", 0.0, 1.0,
                               "calibrated (facts 4, 11): contractual effort as a share of full effort", "work")
    learning_rate: float = param(0.004, "1/week", 0.0, 0.5,
                                 "assumption: about 20% of the competence gap closed per year with full coaching",
                                 "work")
    forgetting_rate: float = param(0.002, "1/week", 0.0, 0.1, "assumption: slow skill obsolescence", "work")
    assignment_boost: float = param(0.1, "fraction", 0.0, 2.0,
                                    "assumption: output gain from an important assignment (mostly a learning "
                                    "and visibility opportunity)", "work")
    empowerment_gain: float = param(0.4, "output share per unit of usable autonomy", 0.0, 2.0,
                                    "empowering leadership - performance about rho = .3 (Kim, Beehr & Prewett 2018); "
                                    "autonomy need satisfaction - performance rho = .28 (Cerasoli et al. 2016)", "work")
    backing_need: float = param(0.3, "fraction", 0.0, 1.0,
                                "assumption: share of a member's readiness for latitude that depends on the "
                                "leader's backing (support); Cheong et al. 2016 on empowering leadership's burden",
                                "work")
    overreach_penalty: float = param(0.3, "output share per unit of excess autonomy", 0.0, 1.0,
                                     "assumption; Langfred & Moye 2004: autonomy helps only with the ability "
                                     "to use it", "work")
    practice_rate: float = param(0.002, "1/week", 0.0, 0.5,
                                 "assumption: learning by doing - share of the competence gap closed per week "
                                 "at full effort (Argote & Epple 1990)", "work")
    clarity_performance: float = param(0.25, "output share per clarity unit", 0.0, 1.0,
                                       "calibrated (fact 11: training gain +10-30%); role ambiguity - performance rho about "
                                       "-.2 (Tubre & Collins 2000): a clear deal tells the member what good work is", "work")
    safety_performance: float = param(0.2, "output share per safety unit", 0.0, 1.0,
                                      "psychological safety - performance about rho = .2 (Frazier et al. 2017); "
                                      "Edmondson 1999", "work")
    ramp_up_weeks: float = param(13.0, "weeks", 0.0, 104.0,
                                 "assumption: a newcomer reaches full output over about a quarter "
                                 "(starting at half)", "work")
    bonus_effort_gain: float = param(0.3, "fraction", 0.0, 1.0,
                                     "Cerasoli et al. 2016: incentives lift routine (quantity) performance", "work")
    crowding_out: float = param(0.5, "fraction", 0.0, 1.0,
                                "Cerasoli et al. 2016: salient incentives weaken intrinsic motivation", "work")
    bonus_size: float = param(0.1, "annual salaries per member-year at full bonus", 0.0, 1.0,
                              "assumption: a salient bonus is about 10% of pay (WorldatWork surveys, approx.)",
                              "work")
    creative_reward_gain: float = param(0.3, "idea-rate share per unit of creativity-contingent reward", 0.0, 2.0,
                                        "Byron & Khazanchi 2012: rewards contingent on creativity raise it, "
                                        "performance-contingent ones do not", "work")
    performance_noise: float = param(0.7, "sd (log units)", 0.0, 1.0,
                                     "calibrated (fact 4): week-to-week output variability; r(LMX, weekly output) is about "
                                     ".33 (Martin et al. 2016: rho = .30)", "work")

    # --- creativity and innovation ------------------------------------------------
    idea_rate: float = param(1.5, "ideas/member-week", 0.0, 5.0,
                             "calibrated (fact 7: more ideas, less Poisson noise, higher r(LMX, creative output)): "
                             "ideas at full creativity and autonomy", "innovation")
    idea_success: float = param(0.35, "probability", 0.0, 1.0,
                                "assumption: success chance of a tried idea for a fully competent member",
                                "innovation")
    failure_punishment: float = param(0.1, "safety units", 0.0, 1.0,
                                      "assumption: loss of psychological safety after a punished failure",
                                      "innovation")

    # --- social comparison and spread ----------------------------------------------
    safety_diffusion: float = param(0.1, "1/week", 0.0, 1.0,
                                    "assumption: psychological safety is a shared team climate (Edmondson 1999)",
                                    "social")
    comparison_sensitivity: float = param(0.8, "fairness units per LMX unit", 0.0, 1.0,
                                          "assumption: upward comparison lowers perceived fairness "
                                          "(Yu, Matta & Cornfield 2018)", "social")
    differentiation_cost: float = param(0.5, "fairness and safety units per LMX sd", 0.0, 2.0,
                                        "Liden et al. 2006; Yu, Matta & Cornfield 2018: LMX differentiation hurts "
                                        "cohesion, climate and felt fairness", "social")
    helping_strain: float = param(0.05, "strain units per helping hour/week", 0.0, 1.0,
                                  "Bergeron 2007; Bolino & Turnley 2005: citizenship toward colleagues takes the "
                                  "helper's time and can overload them", "social")
    inspiration: float = param(0.05, "creativity units per neighbour success", 0.0, 1.0,
                               "assumption: ideas spread over collaboration ties", "social")
    peer_hours: float = param(2.0, "hours/week", 0.0, 20.0,
                              "assumption: peer support available under shared leadership", "social")

    # --- attitudes and turnover ------------------------------------------------------
    strain_cost: float = param(0.3, "attitude units per strain unit", 0.0, 1.0,
                               "assumption: role strain (ambiguity, overload) lowers engagement and raises the "
                               "intention to quit (Rizzo, House & Lirtzman 1970; Skogstad et al. 2007)", "turnover")
    vacancy_strain: float = param(0.5, "strain units per vacant share of the team", 0.0, 2.0,
                                  "assumption: stayers cover the work of vacancies", "turnover")
    turnover_contagion: float = param(0.3, "intention units per annual team quit rate", 0.0, 2.0,
                                      "Felps et al. 2009: colleagues' leaving raises a member's own quitting",
                                      "turnover")
    attitude_rate: float = param(0.1, "1/week", 0.0, 1.0,
                                 "assumption: attitudes adjust over about 10 weeks", "turnover")
    annual_base_turnover: float = param(0.10, "fraction/year", 0.0, 0.9,
                                        "calibrated: the base hazard at intention 0.5; with strain, contagion and the first-year "
                                        "hazard realised turnover is about 12-13% a year (knowledge work: 10-15%)",
                                        "turnover")
    quit_sensitivity: float = param(4.0, "log-hazard per intention unit", 0.0, 20.0,
                                    "calibrated to r(intention, quitting) .38-.50 (Griffeth et al. 2000)",
                                    "turnover")
    first_year_hazard: float = param(1.5, "ratio", 1.0, 5.0,
                                     "assumption: the quit hazard is higher in the first year of tenure "
                                     "(Griffeth, Hom & Gaertner 2000)", "turnover")
    hiring_lag_weeks: int = param(8, "weeks", 0, 104, "assumption: two months to refill a vacancy", "turnover")
    onboarding_weeks: int = param(4, "weeks", 0, 52,
                                  "Liden, Wayne & Stilwell 1993: the first weeks set the exchange", "turnover")
    turnover_cost_salaries: float = param(1.0, "annual salaries per leaver", 0.0, 5.0,
                                          "assumption: a leaver commonly costs 0.5-2x an annual salary", "turnover")

    # --- people --------------------------------------------------------------------
    competence_mean: float = param(0.55, "competence units", 0.05, 0.95,
                                   "assumption: mean competence of hires", "people")
    competence_spread: float = param(0.15, "competence units (sd)", 0.01, 0.3,
                                     "assumption: spread of competence among hires", "people")
    initial_trust: float = param(0.5, "trust units", 0.0, 1.0,
                                 "assumption: calculus-based trust at the start of a dyad", "people")
    trust_propensity_sd: float = param(0.15, "trust units (sd)", 0.0, 0.5,
                                       "propensity to trust varies between people and matters most early in a "
                                       "relationship (Colquitt, Scott & LePine 2007; Mayer, Davis & Schoorman 1995)",
                                       "people")
    initial_lmx: float = param(0.3, "LMX units", 0.0, 1.0,
                               "assumption: scripted 'stranger' exchange (Graen & Uhl-Bien 1995)", "people")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            _check(f.name, value, f)
            # numpy scalars (e.g. from a sweep built with np.linspace) become plain Python numbers
            kind = int if f.type in (int, "int") else float
            if type(value) is not kind:
                object.__setattr__(self, f.name, kind(value))

    def replace(self, **overrides: Any) -> "Params":
        """A copy with some values changed (validated)."""
        return dataclasses.replace(self, **check_overrides(overrides))

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _allowed(f: dataclasses.Field) -> str:
    meta = f.metadata
    kind = "an integer" if f.type in (int, "int") else "a number"
    return f"{kind} in [{meta['low']}, {meta['high']}] {meta['unit']}"


def _check(name: str, value: Any, f: dataclasses.Field) -> None:
    """The one check of a parameter value: its type (integer or finite number, never a
    boolean) and its declared range; raises :class:`LMXInputError` naming ``name``."""
    meta = f.metadata
    kind = type(value)
    if f.type in (int, "int"):
        ok = kind is int or (isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)))
    else:
        ok = ((kind is float or kind is int or (isinstance(value, numbers.Real)
                                                 and not isinstance(value, (bool, np.bool_))))
              and math.isfinite(value))
    if not (ok and meta["low"] <= value <= meta["high"]):
        raise LMXInputError(name, value, _allowed(f))


def check_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Check a partial set of parameter values (names and ranges) without building ``Params``.

    The one check for every place that collects overrides before a model exists (``--set``,
    ``LMXModel(**params)``, an experiment's ``[fixed]``): an unknown name or a value out of
    its declared range raises :class:`LMXInputError` naming that parameter.
    """
    fields = {f.name: f for f in dataclasses.fields(Params)}
    for name, value in overrides.items():
        if name not in fields:
            raise LMXInputError(name, value, "a known parameter (see `lmxsim list`)")
        _check(name, value, fields[name])
    return dict(overrides)


def names() -> list[str]:
    """Names of all parameters in declaration order."""
    return [f.name for f in dataclasses.fields(Params)]


def describe() -> list[dict[str, Any]]:
    """One dict per parameter: name, group, default, unit, low, high, source."""
    return [
        {"name": f.name, "group": f.metadata["group"], "default": f.default, "unit": f.metadata["unit"],
         "low": f.metadata["low"], "high": f.metadata["high"], "source": f.metadata["source"]}
        for f in dataclasses.fields(Params)
    ]


def coerce(name: str, text: str) -> Any:
    """Convert a command-line string to the declared type of parameter ``name``."""
    fields = {f.name: f for f in dataclasses.fields(Params)}
    if name not in fields:
        raise LMXInputError(name, text, "a known parameter (see `lmxsim list`)")
    f = fields[name]
    try:
        if f.type in (int, "int"):
            as_float = float(text)
            if not as_float.is_integer():
                raise ValueError
            return int(as_float)
        return float(text)
    except ValueError:
        raise LMXInputError(name, text, _allowed(f)) from None
