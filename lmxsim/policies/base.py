"""What a leadership policy sees, what it decides, and the registry of policies.

A policy is a small class with a ``name``, a docstring giving its source, a
``classifier`` dict researchers can filter on, and one method, :meth:`Policy.decide`,
that maps a :class:`PolicyView` (the leader's information about every member) to
:class:`Decisions` (how the week's exchange time, offers, latitude, scarce assignments
and rewards are spread). Optionally it overrides :meth:`Policy.in_group` (whom the
leader counts as in-group at a review). The model enforces the constraints a policy
cannot escape: the leader's finite hours, the scarce assignments, and members' reactions.

Register a new policy with the :func:`register` decorator; it is then available by name
to ``LMXModel(policy=...)``, the command line and the dashboard::

    @register
    class Coach(Policy):
        name = "coach"
        classifier = {...}
        def decide(self, view):
            return Decisions.uniform(view, latitude=0.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from lmxsim.errors import LMXInputError
from lmxsim.params import Params
from lmxsim.teams import team_mean, top_k_in_team

CLASSIFIER_KEYS = (
    "proactive",          # initiates the exchange offer rather than waiting for proof
    "differentiates",     # treats members differently
    "uses_merit",         # uses the leader's view of competence/loyalty
    "uses_similarity",    # uses similarity to the leader
    "extrinsic_rewards",  # pays bonuses
    "peer_leadership",    # members lead each other through collaboration ties
)


@dataclass(frozen=True)
class PolicyView:
    """The leader's information about each member position (read-only arrays)."""

    week: int
    params: Params
    n_teams: int
    team: np.ndarray
    occupied: np.ndarray
    tenure_weeks: np.ndarray
    perceived_competence: np.ndarray
    perceived_loyalty: np.ndarray
    similarity: np.ndarray
    lmx: np.ndarray
    stage: np.ndarray
    in_group: np.ndarray
    onboarding: np.ndarray          # newcomer within the onboarding window
    review_week: bool               # this week is a quarterly review
    policy_start: np.ndarray        # first week under this leader's current policy
    in_group_capacity: np.ndarray   # per team: high-quality dyads the leader's hours can sustain
    rng: np.random.Generator

    @property
    def perceived_score(self) -> np.ndarray:
        """The leader's overall view of a member: mean of perceived competence and loyalty."""
        return 0.5 * (self.perceived_competence + self.perceived_loyalty)

    def team_mean(self, values: np.ndarray) -> np.ndarray:
        """Per-member value of the team mean of ``values`` over occupied positions."""
        return team_mean(self.team, values, self.occupied, self.n_teams)[self.team]

    def top_k(self, score: np.ndarray, k, mask: np.ndarray | None = None) -> np.ndarray:
        mask = self.occupied if mask is None else (mask & self.occupied)
        return top_k_in_team(self.team, score, mask, k)

    def full(self, value: float) -> np.ndarray:
        return np.full(len(self.team), float(value))


@dataclass
class Decisions:
    """A policy's choices for the week, one entry per member position (each in [0, 1] unless noted).

    time_weight: relative share of the leader's exchange hours (>= 0, normalised per team).
    offer: explicitness of the exchange offer made this week ("the deal"); 0 = none.
    latitude: autonomy granted.
    assignment_priority: score; the model gives the team's scarce assignments to the top.
    bonus: salience of extrinsic reward.
    reward_contingency: 1 = reward tied to individual performance, 0 = team-based.
    peer_leadership: share of support members draw from collaboration ties.
    time_use: fraction of the leader's exchange hours actually spent (scalar).
    """

    time_weight: np.ndarray
    offer: np.ndarray
    latitude: np.ndarray
    assignment_priority: np.ndarray
    bonus: np.ndarray | float = 0.0
    reward_contingency: float = 1.0
    peer_leadership: np.ndarray | float = 0.0
    time_use: float = 1.0

    @classmethod
    def uniform(cls, view: PolicyView, latitude: float, assignment_priority=None, **kw) -> "Decisions":
        """Same treatment for everyone; assignments rotate at random unless a priority is given."""
        n = len(view.team)
        if assignment_priority is None:
            assignment_priority = view.rng.random(n)
        return cls(time_weight=np.ones(n), offer=np.zeros(n), latitude=np.full(n, latitude),
                   assignment_priority=assignment_priority, **kw)

    def check(self, policy_name: str) -> None:
        """Refuse decisions outside their ranges, naming the policy and the field."""
        for name in ("offer", "latitude", "bonus", "peer_leadership"):
            values = np.asarray(getattr(self, name), dtype=float)
            if values.size and not (np.isfinite(values).all() and values.min() >= 0.0 and values.max() <= 1.0):
                raise ValueError(f"policy {policy_name!r} returned {name} outside [0, 1] "
                                 f"(min {values.min():.3g}, max {values.max():.3g})")
        weights = np.asarray(self.time_weight, dtype=float)
        if not (np.isfinite(weights).all() and weights.min() >= 0.0):
            raise ValueError(f"policy {policy_name!r} returned a time_weight that is negative or not finite")
        if not np.isfinite(np.asarray(self.assignment_priority, dtype=float)).all():
            raise ValueError(f"policy {policy_name!r} returned an assignment_priority that is not finite")
        if not (0.0 <= self.time_use <= 1.0 and 0.0 <= self.reward_contingency <= 1.0):
            raise ValueError(f"policy {policy_name!r} returned time_use or reward_contingency outside [0, 1]")


class Policy:
    """Base class for leadership policies."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    source: ClassVar[str] = ""
    classifier: ClassVar[dict[str, bool]] = {}

    def decide(self, view: PolicyView) -> Decisions:  # pragma: no cover - abstract
        raise NotImplementedError

    def in_group(self, view: PolicyView) -> np.ndarray:
        """Whom the leader counts as in-group at a review: those whose perceived
        competence and loyalty pass the proof threshold."""
        return view.occupied & (view.perceived_score >= view.params.in_group_threshold)

    def __repr__(self) -> str:
        return f"<policy {self.name}>"


_REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy available by its ``name``."""
    if not cls.name or not cls.name.isidentifier():
        raise ValueError(f"policy class {cls.__name__} needs a `name` that is a Python identifier")
    missing = [k for k in CLASSIFIER_KEYS if k not in cls.classifier]
    if missing:
        raise ValueError(f"policy {cls.name!r}: classifier lacks {missing}")
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_policy(name: str) -> Policy:
    """A fresh instance of the policy registered as ``name``."""
    if name not in _REGISTRY:
        raise LMXInputError("policy", name, "one of " + ", ".join(sorted(_REGISTRY)))
    return _REGISTRY[name]()


def policy_names() -> list[str]:
    return list(_REGISTRY)


def policies_where(**criteria: bool) -> list[str]:
    """Names of the policies whose classifier matches all ``criteria``, e.g. ``proactive=True``."""
    return [n for n, c in _REGISTRY.items() if all(c.classifier.get(k) == v for k, v in criteria.items())]


def policy_class(name: str) -> type[Policy]:
    get_policy(name)  # raises the standard error for unknown names
    return _REGISTRY[name]
