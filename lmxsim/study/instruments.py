"""Survey instruments: item-level responses generated from the member state (docs/study.md, "Measurement model").

A researcher never sees ``lmx`` or ``trust``; they see answers to questionnaire items. Each
multi-item scale here is a congeneric (here: parallel) measurement model of one latent
member variable, cut into five response categories:

* standardised latent score ``z_i = (x_i - mean) / sd``, ``x`` the member state and (mean, sd)
  a fixed reference (in a study: the baseline wave of the study's cohort, so a change after
  the training stays a change);
* continuous item response ``y*_ik = lambda z_i + sqrt(1 - lambda^2) e_ik``, ``e_ik ~ N(0, 1)``
  keyed like the engine's draws: a function of (run seed, person, week, purpose
  ``survey.<scale>``, item k), so a survey is reproducible and a second survey of the same
  people in the same week gives the same answers;
* observed answer ``c_ik = 1 + #{t : y*_ik > tau_t}`` with thresholds ``tau = (-1.5, -0.5,
  0.5, 1.5)`` (equally spaced on the latent response, one SD apart: five categories);
* scale score = mean of the k answers (1 .. 5).

The loading ``lambda`` is chosen from the scale's target reliability: for k parallel items with
inter-item correlation r, Cronbach's alpha (= reliability of the sum) is the Spearman-Brown
value ``alpha = k r / (1 + (k - 1) r)``, so the answers must correlate ``r* = alpha / (k - (k - 1)
alpha)``. Cutting into categories lowers a correlation, so ``lambda^2`` is the latent correlation
whose categorised answers correlate exactly r* (for standard normal z; solved with the
bivariate normal CDF, :func:`loading_for`). Alpha of the simulated answers then meets its target
in the population (``tests/test_study_instruments.py``).

The leader-rated performance item (one item, :class:`RatingItem`) adds the rater's biases:
``y* = lambda z_perf + halo z_lmx + b_leader + e``, ``b_leader ~ N(0, leader_var)`` one draw per
leader (its leniency, the same at every wave), ``halo`` the weight of the member's LMX, and
``e ~ N(0, 1 - lambda^2 - halo^2 - leader_var)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lmxsim.errors import LMXInputError
from lmxsim.keyed_random import KeyedStreams

THRESHOLDS = (-1.5, -0.5, 0.5, 1.5)    # cut points on the continuous response (SD units)
CATEGORIES = len(THRESHOLDS) + 1        # five-point scales


@dataclass(frozen=True)
class Scale:
    """A multi-item self-report scale of one member state variable."""

    name: str           # the outcome's name in study results
    state: str          # the member state array it measures (lmxsim.state.MEMBER_FIELDS)
    items: int          # number of items k
    alpha: float        # target reliability (Cronbach's alpha)
    expected_sign: int  # +1: training should raise it; -1: lower it
    source: str

    def check(self) -> None:
        if isinstance(self.items, bool) or not isinstance(self.items, int) or not 1 <= self.items <= 50:
            raise LMXInputError(f"{self.name}.items", self.items, "a whole number of items in [1, 50]")
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float)) or not 0.05 <= self.alpha <= 0.98:
            raise LMXInputError(f"{self.name}.alpha", self.alpha, "a target reliability in [0.05, 0.98]")


@dataclass(frozen=True)
class RatingItem:
    """The leader's one-item rating of a member's performance, with rater bias."""

    name: str = "performance_rating"
    state: str = "performance_avg"   # 13-week average performance
    halo_state: str = "lmx"
    reliability: float = 0.45        # lambda^2: share of the rating's variance that is true performance
    halo: float = 0.30               # weight of the member's standardised LMX (halo, Graen's "in-group" bias)
    leader_var: float = 0.20         # variance of the leader's leniency (a leader-level random effect)
    expected_sign: int = 1
    source: str = ("interrater reliability of supervisory ratings .52 (Viswesvaran, Ones & Schmidt 1996); "
                   "idiosyncratic rater effects (Scullen, Mount & Goff 2000); LMX halo (Duarte, Goodson & Klich 1994)")

    @property
    def error_var(self) -> float:
        return 1.0 - self.reliability - self.halo ** 2 - self.leader_var

    def check(self) -> None:
        for field, value in (("reliability", self.reliability), ("halo", self.halo), ("leader_var", self.leader_var)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
                raise LMXInputError(f"{self.name}.{field}", value, "a number in [0, 1)")
        if self.error_var < 0:
            raise LMXInputError(f"{self.name}.reliability", self.reliability,
                                "reliability + halo^2 + leader_var at most 1 (they share the item's unit variance)")


# The instruments a study can administer, by outcome name.
SCALES = {
    "lmx": Scale("lmx", "lmx", 7, 0.87, +1,
                 "LMX-7 (Graen & Uhl-Bien 1995); mean alpha .87 (Gerstner & Day 1997)"),
    "trust": Scale("trust", "trust", 4, 0.88, +1,
                   "trust in the leader (Mayer & Gavin 2005, 4 items, alpha about .88)"),
    "turnover_intention": Scale("turnover_intention", "turnover_intention", 3, 0.85, -1,
                                "intention to quit (3 items; typical alpha .83-.90)"),
    "psych_safety": Scale("psych_safety", "psych_safety", 7, 0.82, +1,
                          "team psychological safety (Edmondson 1999, 7 items, alpha .82)"),
}
RATING = RatingItem()
OUTCOMES = (*SCALES, RATING.name)


def _categorised_covariance(rho: float) -> float:
    """Cov of two five-point answers whose continuous responses are standard bivariate normal with correlation rho."""
    from scipy.stats import multivariate_normal, norm

    taus = np.array(THRESHOLDS)
    cov = 0.0
    for s in taus:
        for t in taus:
            # P(y1 > s, y2 > t) = Phi2(-s, -t; rho)
            if rho >= 1.0 - 1e-12:
                joint = norm.sf(max(s, t))
            else:
                joint = multivariate_normal.cdf([-s, -t], mean=[0, 0], cov=[[1, rho], [rho, 1]])
            cov += joint - norm.sf(s) * norm.sf(t)
    return cov


@lru_cache(maxsize=None)
def loading_for(items: int, alpha: float) -> float:
    """The loading lambda whose five-point answers have Cronbach's alpha ``alpha`` over ``items`` items.

    The target correlation of two answers is Spearman-Brown's ``r* = alpha / (k - (k-1) alpha)``;
    lambda^2 is the latent correlation whose categorised answers correlate r* (standard normal latent)."""
    from scipy.optimize import brentq

    if items == 1:
        return float(np.sqrt(alpha))   # one item: its reliability is its squared loading (before cutting)
    target = alpha / (items - (items - 1) * alpha)
    var = _categorised_covariance(1.0)
    if _categorised_covariance(0.999999) / var < target:
        raise LMXInputError("alpha", alpha, f"a reliability five-point items can reach with {items} items")
    rho = brentq(lambda r: _categorised_covariance(r) / var - target, 0.0, 0.999999, xtol=1e-10)
    return float(np.sqrt(rho))


def categorise(response: np.ndarray) -> np.ndarray:
    """Five-point answers 1..5 from continuous responses (thresholds :data:`THRESHOLDS`)."""
    return (1 + np.searchsorted(np.array(THRESHOLDS), response, side="left")).astype(np.int8)


def respond(scale: Scale, z: np.ndarray, streams: KeyedStreams, who: np.ndarray, week: int,
            org: np.ndarray | None = None) -> np.ndarray:
    """Item answers (n x k, 1..5) of the members with standardised latent scores ``z``.

    ``who`` are the members' person keys and ``org`` their organisations in ``streams``: the
    item errors are keyed draws (purpose ``survey.<scale>``, item k as the draw index)."""
    scale.check()
    z = np.asarray(z, dtype=float)
    lam = loading_for(scale.items, float(scale.alpha))
    errors = np.column_stack([streams.normal(f"survey.{scale.name}", who, week, draw=k, org=org)
                              for k in range(scale.items)]) if len(z) else np.empty((0, scale.items))
    return categorise(lam * z[:, None] + np.sqrt(1.0 - lam ** 2) * errors)


def rate(item: RatingItem, z_perf: np.ndarray, z_halo: np.ndarray, streams: KeyedStreams, who: np.ndarray,
         leader: np.ndarray, week: int, org: np.ndarray | None = None) -> np.ndarray:
    """The leaders' five-point ratings (1..5) of their members' performance.

    ``leader`` are the rating leaders' ids: a leader's leniency is one keyed draw (purpose
    ``survey.rater_leniency``, week 0), the same at every wave."""
    item.check()
    leniency = np.sqrt(item.leader_var) * streams.normal("survey.rater_leniency", leader, 0, org=org)
    error = np.sqrt(item.error_var) * streams.normal(f"survey.{item.name}", who, week, org=org)
    return categorise(np.sqrt(item.reliability) * np.asarray(z_perf) + item.halo * np.asarray(z_halo)
                      + leniency + error)


def cronbach_alpha(answers: np.ndarray) -> float:
    """Cronbach's alpha of an (n x k) answer matrix: ``k / (k-1) (1 - sum var_item / var_total)``."""
    answers = np.asarray(answers, dtype=float)
    k = answers.shape[1]
    item_var = answers.var(axis=0, ddof=1).sum()
    total_var = answers.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def standardise(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """``(x - mean) / sd``; a constant reference (sd 0) gives zeros."""
    return (np.asarray(x, dtype=float) - mean) / sd if sd > 0 else np.zeros(len(x))
