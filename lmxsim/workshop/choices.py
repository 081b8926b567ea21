"""What a participant decides for their team in a round - the levers the model has - checked on
the server.

A round's choices name people (person ids of the team), never positions or teams: a participant
can only ever decide for the people the server lists as theirs. Each lever maps onto the
policy's :class:`~lmxsim.policies.Decisions` (see :mod:`lmxsim.workshop.leader`):

- ``hours``: a weight per person (0-10); the leader's weekly exchange hours are split in proportion
  (Decisions.time_weight). Everyone gets some unless given 0.
- ``latitude``: how much autonomy each person gets (0-1).
- ``deal``: the people to make (or renew) the deal with in the round's first week (Decisions.offer;
  each offer costs ``deal_hours`` of the leader's hours that week), and ``promise`` - what the deal
  announces (0-1, delivered-value units).
- ``assignments``: who gets the team's important assignments (at most as many as there are);
  assignments nobody was given go to other members at random - the work must be done.

People not in the lists (newcomers hired during the round) get ``NEWCOMER_HOURS`` and
``NEWCOMER_LATITUDE``.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field

from lmxsim.errors import LMXInputError

MAX_HOURS_WEIGHT = 10.0
DEFAULT_HOURS = 1.0
DEFAULT_LATITUDE = 0.3
DEFAULT_PROMISE = 0.45
NEWCOMER_HOURS = 1.0
NEWCOMER_LATITUDE = 0.3
KEYS = ("hours", "latitude", "deal", "promise", "assignments")


@dataclass(frozen=True)
class TeamChoices:
    """One participant's choices for a round (see the module docstring). Build with :meth:`parse`."""

    hours: dict[int, float] = field(default_factory=dict)
    latitude: dict[int, float] = field(default_factory=dict)
    deal: frozenset[int] = frozenset()
    promise: float = DEFAULT_PROMISE
    assignments: frozenset[int] = frozenset()

    @classmethod
    def baseline(cls, people) -> "TeamChoices":
        """Equal hours, modest latitude, no deal, no assignments: where a participant starts."""
        return cls(hours={int(p): DEFAULT_HOURS for p in people}, latitude={int(p): DEFAULT_LATITUDE for p in people})

    @classmethod
    def parse(cls, raw, people, assignments_allowed: int) -> "TeamChoices":
        """Choices from a participant's form (or a forged request), or :class:`LMXInputError` naming the field.

        ``raw`` is a dict with any of the keys ``hours`` and ``latitude`` (``{person id: number}``),
        ``deal`` and ``assignments`` (lists of person ids) and ``promise`` (a number); ``people``
        are the person ids of the participant's team now.
        """
        if not isinstance(raw, dict):
            raise LMXInputError("choices", type(raw).__name__, "a dict with keys " + ", ".join(KEYS))
        unknown = sorted(set(map(str, raw)) - set(KEYS))
        if unknown:
            raise LMXInputError("choices", unknown[0], "keys " + ", ".join(KEYS))
        team = {int(p) for p in people}
        base = cls.baseline(team)
        hours = {**base.hours, **_per_person(raw.get("hours", {}), "hours", team, 0.0, MAX_HOURS_WEIGHT)}
        latitude = {**base.latitude, **_per_person(raw.get("latitude", {}), "latitude", team, 0.0, 1.0)}
        deal = _people(raw.get("deal", ()), "deal", team)
        assignments = _people(raw.get("assignments", ()), "assignments", team)
        if len(assignments) > assignments_allowed:
            raise LMXInputError("assignments", len(assignments), f"at most {assignments_allowed} people "
                                "(the team's important assignments)")
        promise = _number(raw.get("promise", DEFAULT_PROMISE), "promise", 0.0, 1.0)
        return cls(hours=hours, latitude=latitude, deal=deal, promise=promise, assignments=assignments)

    def carried_over(self, people) -> "TeamChoices":
        """The same choices for next round's team: leavers dropped, newcomers at the baseline;
        the deal is not renewed (a deal is made in a round's first week, once)."""
        team = {int(p) for p in people}
        base = TeamChoices.baseline(team)
        return TeamChoices(hours={**base.hours, **{p: h for p, h in self.hours.items() if p in team}},
                           latitude={**base.latitude, **{p: v for p, v in self.latitude.items() if p in team}},
                           deal=frozenset(), promise=self.promise,
                           assignments=frozenset(p for p in self.assignments if p in team))

    def as_dict(self) -> dict:
        """A plain dict :meth:`parse` accepts (JSON keys may be strings)."""
        return {"hours": dict(self.hours), "latitude": dict(self.latitude), "deal": sorted(self.deal),
                "promise": self.promise, "assignments": sorted(self.assignments)}


def _number(value, name: str, low: float, high: float) -> float:
    allowed = f"a number in [{low:g}, {high:g}]"
    # NaN and the infinities fail the comparison; an int is compared exactly (10**400 would overflow
    # math.isfinite, which converts it to a float)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise LMXInputError(name, value, allowed)
    return float(value)


def _person(key, name: str, team: set[int]) -> int:
    """A person id of the team from an int or a decimal string (JSON object keys are strings)."""
    if isinstance(key, bool):
        pid = None
    elif isinstance(key, numbers.Integral):
        pid = int(key)
    elif isinstance(key, str) and re.fullmatch(r"-?[0-9]{1,18}", key.strip()):   # ASCII digits: "--1", "²" are not ids
        pid = int(key)
    else:
        pid = None
    if pid is None or pid not in team:
        shown = ", ".join(map(str, sorted(team))) if len(team) <= 30 else f"{len(team)} ids"
        raise LMXInputError(name, key, f"a person of your team ({shown})")
    return pid


def _per_person(raw, name: str, team: set[int], low: float, high: float) -> dict[int, float]:
    if not isinstance(raw, dict):
        raise LMXInputError(name, type(raw).__name__, "a mapping {person id: number}")
    return {_person(k, name, team): _number(v, f"{name}[{k}]", low, high) for k, v in raw.items()}


def _people(raw, name: str, team: set[int]) -> frozenset[int]:
    if isinstance(raw, (str, bytes, dict)) or not hasattr(raw, "__iter__"):
        raise LMXInputError(name, type(raw).__name__, "a list of person ids of your team")
    return frozenset(_person(k, name, team) for k in raw)
