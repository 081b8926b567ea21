"""Member and leader state as numpy arrays (ODD section 2, "Entities and state variables").

Members live in *positions* (slots): one row per position in every array. A position
belongs to one team for ever; it is either occupied by a person or vacant while the
vacancy is being refilled. All weekly submodels work on whole arrays, so the cost of a
week grows with the number of positions, not with Python-level loops.

``MEMBER_FIELDS`` declares every member state variable with its dtype, bounds and unit;
the tests use the bounds to check the invariants over random parameter sets.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from lmxsim.errors import LMXInputError

STRANGER, ACQUAINTANCE, PARTNER = 0, 1, 2
STAGE_NAMES = ("stranger", "acquaintance", "partnership")


@dataclass(frozen=True)
class FieldSpec:
    """One state variable: dtype, inclusive bounds (``None``: unbounded), unit and meaning.

    ``settable`` marks the variables a user may set on an agent (``agent.trust = 0.3``):
    the person's or leader's state that the weekly rules carry forward. The others are
    derived each week (this week's hours, performance, ...) or book-keeping (ids, team,
    weeks), and stay read-only.
    """

    name: str
    dtype: type
    low: float | None
    high: float | None
    unit: str
    meaning: str
    settable: bool = False

    @property
    def allowed(self) -> str:
        """What a value must be, in words (for error messages)."""
        if self.dtype is np.bool_:
            return "True or False"
        kind = "an integer" if np.issubdtype(self.dtype, np.integer) else "a finite number"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{kind} in [{low}, {high}] {self.unit}"

    def check(self, value, field: str | None = None):
        """``value`` as this variable's type, or :class:`LMXInputError` naming ``field``
        (default: the variable's name), the value and the range. Nothing is clipped."""
        field = self.name if field is None else field
        if self.dtype is np.bool_:
            if not isinstance(value, (bool, np.bool_)):
                raise LMXInputError(field, value, self.allowed)
            return bool(value)
        if isinstance(value, (bool, np.bool_)):
            raise LMXInputError(field, value, self.allowed)
        if np.issubdtype(self.dtype, np.integer):
            if not isinstance(value, numbers.Integral):
                raise LMXInputError(field, value, self.allowed)
            number = int(value)
        elif not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise LMXInputError(field, value, self.allowed)
        else:
            number = float(value)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise LMXInputError(field, value, self.allowed)
        return number


_U = "0-1 scale"
MEMBER_FIELDS: tuple[FieldSpec, ...] = (
    # position
    FieldSpec("team", np.int32, 0, None, "index", "team that owns the position"),
    FieldSpec("occupied", np.bool_, None, None, "flag", "a person holds the position"),
    FieldSpec("refill_week", np.int32, -1, None, "week", "week a vacancy is refilled (-1: none pending)"),
    FieldSpec("org", np.int64, 0, None, "index", "organisation of the position (in a batch of organisations)"),
    FieldSpec("slot", np.int64, 0, None, "index", "the organisation's own number for the position (desk)"),
    FieldSpec("occupants", np.int32, 0, None, "people", "people who have held the position so far"),
    # person
    FieldSpec("person_id", np.int64, -1, None, "id", "unique id of the person (-1 when vacant)"),
    FieldSpec("serial", np.int32, 0, None, "index", "the person is the desk's serial-th occupant (0: the first)"),
    FieldSpec("person_key", np.int64, 0, None, "key", "who the person is to the random numbers: slot << 32 | serial"),
    FieldSpec("hire_week", np.int32, None, None, "week", "week the person joined (negative: before the run)"),
    FieldSpec("dyad_start_week", np.int32, None, None, "week", "week the current leader-member dyad began"),
    FieldSpec("competence", np.float64, 0, 1, _U, "true ability to do the job well", settable=True),
    FieldSpec("creativity_trait", np.float64, 0, 1, _U, "stable creative disposition", settable=True),
    FieldSpec("mobility", np.float64, 0, 1, _U, "stable disposition to leave (outside options)", settable=True),
    FieldSpec("affectivity", np.float64, 0, 1, _U, "stable disposition to be engaged (positive affectivity)",
              settable=True),
    FieldSpec("conscientiousness", np.float64, 0, 1, _U, "stable disposition to give effort beyond the contract",
              settable=True),
    FieldSpec("similarity", np.float64, 0, 1, _U, "similarity to the leader (deep-level, stable)", settable=True),
    FieldSpec("trust", np.float64, 0, 1, _U, "member's trust in the leader", settable=True),
    FieldSpec("scar", np.float64, 0, 1, _U, "memory of broken promises; slows trust building", settable=True),
    FieldSpec("liking", np.float64, 0, 1, _U, "member's liking of the leader (affect dimension of LMX)", settable=True),
    FieldSpec("rater_bias", np.float64, None, None, "competence units",
              "the leader's persistent bias in seeing this member (liking + idiosyncrasy)", settable=True),
    FieldSpec("perceived_competence", np.float64, 0, 1, _U, "leader's view of the member's competence", settable=True),
    FieldSpec("perceived_loyalty", np.float64, 0, 1, _U, "leader's view of the member's loyalty/extra effort",
              settable=True),
    FieldSpec("contact", np.float64, 0, None, "hours/week", "recent leader contact (moving average)", settable=True),
    FieldSpec("lmx", np.float64, 0, 1, _U, "quality of the leader-member exchange (LMX-7 = 7 + 28 lmx)", settable=True),
    FieldSpec("stage", np.int8, 0, 2, "stage", "0 stranger, 1 acquaintance, 2 partnership", settable=True),
    FieldSpec("in_group", np.bool_, None, None, "flag", "in the leader's in-group, as the leader sees it",
              settable=True),
    FieldSpec("expectation", np.float64, 0, 1, _U, "what the member expects from the leader", settable=True),
    FieldSpec("clarity", np.float64, 0, 1, _U, "how clear the deal is: what is offered and expected", settable=True),
    FieldSpec("autonomy", np.float64, 0, 1, _U, "latitude felt (granted and believed genuine)", settable=True),
    FieldSpec("psych_safety", np.float64, 0, 1, _U, "psychological safety to take interpersonal risks", settable=True),
    FieldSpec("creativity", np.float64, 0, 1, _U, "current creative engagement", settable=True),
    FieldSpec("engagement", np.float64, 0, 1, _U, "engagement and affective commitment", settable=True),
    FieldSpec("fairness", np.float64, 0, 1, _U, "perceived fairness of treatment relative to teammates", settable=True),
    FieldSpec("turnover_intention", np.float64, 0, 1, _U, "intention to quit", settable=True),
    FieldSpec("strain", np.float64, 0, 1, _U, "role strain: ambiguity and overload from latitude beyond readiness, "
              "helping and vacancies", settable=True),
    FieldSpec("performance", np.float64, 0, None, "output units/week", "this week's output (1 = full routine)"),
    FieldSpec("performance_avg", np.float64, 0, None, "output units/week",
              "recent performance (13-week moving average): who counts as a high performer"),
    FieldSpec("citizenship", np.float64, 0, 1, _U, "effort beyond the contract this week"),
    FieldSpec("support", np.float64, 0, 1, _U, "quality of support received this week"),
    FieldSpec("hours", np.float64, 0, None, "hours/week", "leader hours received this week"),
    FieldSpec("assignment", np.bool_, None, None, "flag", "holds an important assignment this week"),
    FieldSpec("bonus", np.float64, 0, 1, _U, "salience of extrinsic reward this week"),
    FieldSpec("ideas", np.int32, 0, None, "ideas", "ideas generated since the last panel row"),
    FieldSpec("successful_ideas", np.int32, 0, None, "ideas", "successful ideas since the last panel row"),
    FieldSpec("successes_this_week", np.int32, 0, None, "ideas", "successful ideas this week"),
)

MEMBER_FIELD_NAMES = tuple(f.name for f in MEMBER_FIELDS)


class MemberState:
    """Struct-of-arrays for all member positions. ``state.trust[i]`` is position i's trust."""

    def __init__(self, capacity: int):
        for f in MEMBER_FIELDS:
            setattr(self, f.name, np.zeros(capacity, dtype=f.dtype))
        self.person_id[:] = -1
        self.refill_week[:] = -1

    @property
    def capacity(self) -> int:
        return len(self.team)

    def grow(self, extra: int) -> np.ndarray:
        """Append ``extra`` empty positions; return their indices."""
        start = self.capacity
        for f in MEMBER_FIELDS:
            old = getattr(self, f.name)
            new = np.zeros(extra, dtype=f.dtype)
            if f.name in ("person_id", "refill_week"):
                new[:] = -1
            setattr(self, f.name, np.concatenate([old, new]))
        return np.arange(start, start + extra)


LEADER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("policy", np.int32, 0, None, "index", "index into the model's policy table (set by policy name)"),
    FieldSpec("policy_since_week", np.int32, None, None, "week", "week the current policy was adopted"),
    FieldSpec("hours_per_week", np.float64, 0, None, "hours/week", "time budget for exchanges with the team",
              settable=True),
    FieldSpec("similarity_trait", np.float64, 0, 1, "position on a circle",
              "the leader's trait; members' similarity to the leader is derived from it at hiring"),
    FieldSpec("leader_id", np.int64, 0, None, "id", "unique id of the person in the leader role"),
    FieldSpec("start_week", np.int32, None, None, "week", "week the current leader took over"),
    FieldSpec("org", np.int64, 0, None, "index", "organisation of the team (in a batch of organisations)"),
    FieldSpec("departures", np.float64, 0, None, "share per year",
              "the team's recent quit rate (13-week moving average, annualised): what turnover contagion feeds on"),
)


@dataclass
class LeaderState:
    """One entry per team (each team has exactly one leader); see ``LEADER_FIELDS``."""

    policy: np.ndarray            # int index into the model's policy table
    policy_since_week: np.ndarray  # week the current policy was adopted
    hours_per_week: np.ndarray     # exchange time budget, hours/week
    similarity_trait: np.ndarray   # position on the similarity circle, 0-1
    leader_id: np.ndarray          # unique id of the person in the leader role
    start_week: np.ndarray         # week the current leader took over
    org: np.ndarray                # organisation of the team (in a batch)
    departures: np.ndarray         # the team's recent quit rate, share per year
