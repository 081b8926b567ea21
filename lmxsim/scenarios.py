"""Named scenarios: parameter presets plus timed interventions (ODD section 7, "Scenarios").

A :class:`Scenario` names a situation a trainer can demo or a researcher can study: a
suggested policy, parameter overrides, and :class:`Event` objects that change the
organisation at given weeks (a leader trained to switch policy, a budget cut, a team
growing past its leader's span, ...). Events act through the model's public methods,
so a scenario never reaches into the model's arrays itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lmxsim import interventions
from lmxsim.errors import LMXInputError


@dataclass(frozen=True)
class Event:
    """Something that happens to the organisation at ``week`` (after that week's step)."""

    week: int

    def due(self, week: int) -> bool:
        return week == self.week

    def apply(self, model) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:
        return f"week {self.week}: {type(self).__name__}"


@dataclass(frozen=True)
class SwitchPolicy(Event):
    """Leaders of a share of teams adopt ``policy`` (e.g. after LMX training)."""

    policy: str = "proactive_deal"
    share_of_teams: float = 1.0

    def apply(self, model) -> None:
        model.set_policy(self.policy, teams=model.first_teams(self.share_of_teams))

    def describe(self) -> str:
        from lmxsim.policies import policy_class

        label = policy_class(self.policy).label or self.policy
        return f"week {self.week}: leaders of {self.share_of_teams:.0%} of teams switch to {label}"


@dataclass(frozen=True)
class ScaleLeaderHours(Event):
    """Leaders' weekly exchange time is multiplied by ``factor`` (a budget cut when < 1)."""

    factor: float = 0.5

    def apply(self, model) -> None:
        model.leaders.hours_per_week *= self.factor

    def describe(self) -> str:
        return f"week {self.week}: leader exchange time x{self.factor:g}"


@dataclass(frozen=True)
class NewLeader(Event):
    """A new leader takes over a share of teams: every dyad there starts again as strangers."""

    share_of_teams: float = 1.0

    def apply(self, model) -> None:
        interventions.replace_leaders(model, model.first_teams(self.share_of_teams))

    def describe(self) -> str:
        return f"week {self.week}: a new leader takes over {self.share_of_teams:.0%} of teams"


@dataclass(frozen=True)
class BrokenPromiseShock(Event):
    """A promise to every member is broken at once (e.g. a cancelled project, a frozen raise)."""

    def apply(self, model) -> None:
        interventions.break_promises(model, model.members.occupied.copy())

    def describe(self) -> str:
        return f"week {self.week}: every member sees a promise broken"


@dataclass(frozen=True)
class GrowTeams(Event):
    """Teams grow linearly from their current size to ``to_size`` positions by ``until_week``."""

    until_week: int = 78
    to_size: int = 20

    def due(self, week: int) -> bool:
        return self.week <= week <= self.until_week

    def apply(self, model) -> None:
        span = max(1, self.until_week - self.week)
        start = model.team_params.team_size   # per team (one number when all agree)
        target = np.round(start + (self.to_size - start) * min(1.0, (model.week - self.week) / span)).astype(np.int64)
        interventions.grow_teams(model, target)

    def describe(self) -> str:
        return f"weeks {self.week}-{self.until_week}: teams grow to {self.to_size} positions"


@dataclass(frozen=True)
class HiringWave(Event):
    """Each team gains ``extra_per_team`` positions, filled at once with graduates."""

    extra_per_team: int = 3
    competence_shift: float = -0.15

    def apply(self, model) -> None:
        interventions.hire_wave(model, self.extra_per_team, self.competence_shift)

    def describe(self) -> str:
        return f"week {self.week}: +{self.extra_per_team} graduates per team"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    watch: str
    policy: str = "reactive_in_crowd"
    overrides: dict = field(default_factory=dict)
    events: tuple[Event, ...] = ()


_TRAP_ORG = {"team_size": 12, "leader_hours_per_week": 6.0}

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "default", "Default organisation",
        "20 teams of 10 with default parameters and a reactive leader - the status quo.",
        "Watch the in-group form in the first quarter and the LMX spread within teams grow.\n"
        "Compare turnover and innovation with any other policy on the same seed."),
    Scenario(
        "in_crowd_trap", "The in-crowd trap",
        "Busy leaders (6 h/week for 12 reports) who wait for members to prove themselves.",
        "The in-group stays small; out-group trust drifts down and their turnover intention rises.\n"
        "Innovation comes from the few with latitude and safety.",
        policy="reactive_in_crowd", overrides=_TRAP_ORG),
    Scenario(
        "deal_with_everyone", "Make the deal with everyone",
        "The same busy organisation as the in-crowd trap, led proactively.",
        "Everyone receives the offer at onboarding and each review; LMX rises across the team.\n"
        "Watch whether time spread thin breaks promises - trust tells.",
        policy="proactive_deal", overrides=_TRAP_ORG),
    Scenario(
        "leader_training", "Leader training (Graen, Novak & Sommerkamp 1982)",
        "Reactive leaders are trained to make the deal with everyone at week 26.",
        "Productivity rises within 3-6 months of the training.\n"
        "The gain is largest for members whose LMX was low before it (Scandura & Graen 1984).",
        policy="reactive_in_crowd", events=(SwitchPolicy(26, "proactive_deal"),)),
    Scenario(
        "remote_team", "The team goes remote",
        "Contact is half as effective, leaders see members through more noise, safety spreads less.",
        "Relationships form more slowly and the leader's view of members gets noisier.\n"
        "Which policy copes better with thin contact?",
        overrides={"contact_efficiency": 0.5, "perception_noise": 0.25, "safety_diffusion": 0.05,
                   "cross_team_ties": 0.2}),
    Scenario(
        "budget_cut", "Budget cut",
        "At week 52 leaders lose half their time for exchanges.",
        "Promises made in good times now fall due with less time to keep them.\n"
        "Watch trust and turnover in the quarters after week 52.",
        events=(ScaleLeaderHours(52, 0.5),)),
    Scenario(
        "growing_team", "The team outgrows its leader",
        "Teams grow from 8 to 20 positions between weeks 26 and 78; leader time stays fixed.",
        "Each member's share of leader time shrinks as the team grows past the span of control.\n"
        "Watch LMX, promises kept and newcomer turnover.",
        overrides={"team_size": 8}, events=(GrowTeams(26, until_week=78, to_size=20),)),
    Scenario(
        "new_leader", "A new leader takes over",
        "At week 78 every team gets a new leader: relationships start again as strangers.",
        "LMX and the in-group reset; the first weeks with the new leader set the tone.\n"
        "Proactive leaders rebuild faster than reactive ones.",
        events=(NewLeader(78),)),
    Scenario(
        "broken_promise", "A broken-promise shock",
        "At week 52 every member sees a promise broken at once.",
        "Trust falls several times faster than it builds, and the scar slows recovery.\n"
        "Turnover intention follows trust down a few weeks later.",
        events=(BrokenPromiseShock(52),)),
    Scenario(
        "hiring_wave", "A hiring wave of graduates",
        "At week 52 each team gains three graduates with less competence.",
        "The leader's time is spread over more newcomers, who need it most.\n"
        "Onboarding is a moment for the deal: compare first-year turnover across policies.",
        events=(HiringWave(52),)),
)}


def get_scenario(name: str, field: str = "scenario") -> Scenario:
    """The scenario called ``name``; anything else raises :class:`LMXInputError` listing the
    names (``field``: the argument or option that gave it)."""
    if not isinstance(name, str) or name not in SCENARIOS:
        raise LMXInputError(field, name, "one of " + ", ".join(SCENARIOS))
    return SCENARIOS[name]


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def validate_events(scenario: Scenario, params) -> None:
    """Events must fit the organisation (e.g. growth must not shrink teams)."""
    for e in scenario.events:
        if isinstance(e, GrowTeams) and e.to_size < params.team_size:
            raise LMXInputError("team_size", params.team_size,
                                f"at most {e.to_size} in scenario {scenario.name!r} (teams grow to {e.to_size})")


def shares_to_teams(n_teams: int, share: float) -> np.ndarray:
    """The first ``round(share * n_teams)`` team indices (at least one when share > 0)."""
    k = int(round(share * n_teams))
    if share > 0:
        k = max(1, k)
    return np.arange(min(k, n_teams))
