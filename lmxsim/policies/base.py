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

import math
from contextlib import contextmanager
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
    """The leader's information about each member position.

    The arrays are read-only and describe this week: some are views of the model's state, which
    moves on after ``decide`` returns, so a policy that keeps one for later keeps a copy
    (``np.array(view.lmx)``)."""

    week: int
    params: Params                  # as each member position sees them (see lmxsim.org_params)
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
    review_week: np.ndarray         # per position: this week is a quarterly review (bool)
    policy_start: np.ndarray        # first week under this leader's current policy
    in_group_capacity: np.ndarray   # per team: high-quality dyads the leader's hours can sustain
    rng: "KeyedRandom"              # ``rng.random(n)``: one keyed uniform per member position
    team_id: np.ndarray             # per position: the team's number in the model (``team`` counts 0, 1, ... in the view)
    person_id: np.ndarray           # per position: who holds it (-1 when vacant); a policy may remember people by it

    def __post_init__(self):
        for name, value in vars(self).items():   # every array read-only: some are slices of the model's state
            if isinstance(value, np.ndarray):
                value = value.view()
                value.flags.writeable = False
                object.__setattr__(self, name, value)

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


class KeyedRandom:
    """``view.rng``: a policy's random numbers, one per member position, keyed by person.

    ``view.rng.random(len(view.team))`` gives each position's person a uniform number in
    [0, 1) that depends only on the run's seed, the person, the week and how many times the
    policy has asked this week (see :mod:`lmxsim.draws`, purpose ``policy``): the same person
    draws the same number under every policy and in any batch. Only whole-organisation draws
    are offered - a draw of another size could not be keyed by person."""

    def __init__(self, luck):
        self._luck = luck
        self._calls = 0

    def random(self, size=None) -> np.ndarray:
        n = len(self._luck.who)
        if size != n and size != (n,):
            raise LMXInputError("view.rng.random(size)", size, f"{n} (one number per member position; "
                                "policy draws are keyed by person)")
        self._calls += 1
        return self._luck.uniform("policy", draw=self._calls - 1)


@dataclass
class Decisions:
    """A policy's choices for the week, one entry per member position (each in [0, 1] unless noted).

    time_weight: relative share of the leader's exchange hours (>= 0, normalised per team).
    offer: explicitness of the exchange offer made this week ("the deal"); 0 = none. Making it
        costs ``deal_hours * offer`` of the leader's hours this week (a one-on-one).
    promise: what the deal announces the leader will deliver (delivered-value units, 0-1): the
        member expects it and the promises that fall due are measured against it.
    latitude: autonomy granted.
    assignment_priority: score; the model gives the team's scarce assignments to the top.
    bonus: salience of extrinsic reward; paid in money (``bonus_size`` annual salaries per
        member-year at 1).
    reward_contingency: 1 = reward tied to the individual, 0 = team-based.
    reward_basis: what the bonus rewards: 0 = performance (output), 1 = creativity (ideas).
    peer_leadership: share of support members draw from collaboration ties.
    time_use: fraction of the leader's exchange hours actually spent (scalar).
    """

    time_weight: np.ndarray
    offer: np.ndarray
    latitude: np.ndarray
    assignment_priority: np.ndarray
    bonus: np.ndarray | float = 0.0
    promise: np.ndarray | float = 0.45
    reward_contingency: float = 1.0
    reward_basis: float = 0.0
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

    def check(self, policy_name: str, n: int) -> None:
        """Refuse decisions the model cannot use, naming the policy and the field.

        Every per-member field must be a single number or one number per member position
        (``n`` of them), finite and inside the range given in the class docstring;
        ``time_use``, ``reward_contingency`` and ``reward_basis`` must be single numbers in [0, 1].
        Raises :class:`~lmxsim.errors.LMXInputError` with field ``policy 'NAME': FIELD``.
        """
        for name, (low, high) in _PER_MEMBER_RANGES.items():
            _check_numbers(policy_name, name, getattr(self, name), low, high, n)
        for name in ("time_use", "reward_contingency", "reward_basis"):
            _check_numbers(policy_name, name, getattr(self, name), 0.0, 1.0, None)


# per-member fields of Decisions and their allowed [low, high]
_PER_MEMBER_RANGES = {
    "time_weight": (0.0, np.inf),
    "offer": (0.0, 1.0),
    "latitude": (0.0, 1.0),
    "assignment_priority": (-np.inf, np.inf),
    "bonus": (0.0, 1.0),
    "promise": (0.0, 1.0),
    "peer_leadership": (0.0, 1.0),
}


def _check_numbers(policy_name: str, name: str, raw, low: float, high: float, n: int | None) -> None:
    """One field of a policy's decisions: numbers, the right shape, finite, in ``[low, high]``.

    ``n`` is the number of member positions (a scalar is always allowed); ``None`` means the
    field must be a single number.
    """
    def refuse(shown):   # the message is built only when a value is refused
        shape = "a number" if n is None else f"a number or an array of {n} numbers (one per member position)"
        span = f"finite, >= {low:g}" if high == np.inf else ("finite" if low == -np.inf else f"in [{low:g}, {high:g}]")
        return LMXInputError(f"policy {policy_name!r}: {name}", shown, f"{shape}, {span}")

    if raw is None or isinstance(raw, (str, bytes)):
        raise refuse(raw)
    try:
        values = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise refuse(f"{type(raw).__name__} {_short(raw)}") from None
    if values.ndim > (0 if n is None else 1) or (values.ndim == 1 and len(values) != n):
        raise refuse(f"shape {values.shape}")
    if values.size == 0:
        return
    lo, hi = float(values.min()), float(values.max())   # a NaN makes both NaN, an infinity shows at an end
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise refuse(f"{int((~np.isfinite(values)).sum())} non-finite value(s)")
    if lo < low or hi > high:
        raise refuse(f"min {lo:.3g}, max {hi:.3g}")


def _short(value, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


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


def register(cls: type[Policy] | None = None, *, replace: bool = False):
    """Class decorator: make a policy available by its ``name``.

    Use as ``@register`` or ``@register(replace=True)``, or call ``register(cls)``. A name
    already taken is refused - a built-in policy cannot be replaced by accident - unless
    ``replace=True``, or unless the class is the one already registered or a new definition
    of it (same module and qualified name: re-running a notebook cell that defines it).
    Raises :class:`~lmxsim.errors.LMXInputError` naming the class attribute at fault.
    """
    if cls is None:
        return lambda c: register(c, replace=replace)
    if not isinstance(cls, type) or not issubclass(cls, Policy):
        raise LMXInputError("register", cls, "a subclass of lmxsim.policies.Policy")
    name = cls.name
    if not isinstance(name, str) or not name.isidentifier():
        raise LMXInputError(f"policy class {cls.__name__}: name", name, "a Python identifier, e.g. 'coach'")
    if not isinstance(cls.classifier, dict):
        raise LMXInputError(f"policy {name!r}: classifier", cls.classifier, "a dict with the keys "
                            + ", ".join(CLASSIFIER_KEYS))
    missing = [k for k in CLASSIFIER_KEYS if k not in cls.classifier]
    if missing:
        raise LMXInputError(f"policy {name!r}: classifier", sorted(cls.classifier),
                            f"a dict with every key of {', '.join(CLASSIFIER_KEYS)} (lacks {missing})")
    unknown = sorted(set(map(str, cls.classifier)) - set(CLASSIFIER_KEYS))
    if unknown:   # a misspelt key was kept, and the policy left out of policies_where(...) without a word
        raise LMXInputError(f"policy {name!r}: classifier[{unknown[0]!r}]", cls.classifier[unknown[0]],
                            "no such key: the keys are " + ", ".join(CLASSIFIER_KEYS))
    for key in CLASSIFIER_KEYS:
        if not isinstance(cls.classifier[key], (bool, np.bool_)):
            raise LMXInputError(f"policy {name!r}: classifier[{key!r}]", cls.classifier[key], "True or False")
    if cls.decide is Policy.decide:   # it failed at the first week with an empty NotImplementedError
        raise LMXInputError(f"policy {name!r}: decide", None, "a method decide(self, view) returning Decisions "
                            "(see lmxsim.policies.Policy)")
    old = _REGISTRY.get(name)
    if old is not None and not replace and _identity(old) != _identity(cls):
        kind = "built-in" if old.__module__.startswith("lmxsim.policies.") else "registered"
        raise LMXInputError("policy name", name, f"a name not yet taken ({kind} policy "
                            f"{old.__module__}.{old.__qualname__} has it; register(cls, replace=True) replaces it)")
    _REGISTRY[name] = cls
    return cls


def _identity(cls: type) -> tuple[str, str]:
    return cls.__module__, cls.__qualname__


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


@contextmanager
def registered(classes):
    """Register the policy ``classes`` inside the block and unregister those it added: policies
    that exist only for one computation (the lever audit's, the validation's) never show up in
    ``lmxsim list``, ``compare`` or the dashboard."""
    added = [cls.name for cls in classes if cls.name not in _REGISTRY]
    for cls in classes:
        register(cls)
    try:
        yield
    finally:
        for name in added:
            unregister(name)


def get_policy(name: str) -> Policy:
    """A fresh instance of the policy registered as ``name``."""
    if not isinstance(name, str) or name not in _REGISTRY:
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
