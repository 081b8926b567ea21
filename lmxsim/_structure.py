"""Who is at work this week, and the team and tie arithmetic the weekly rules need.

A :class:`Workforce` is built once at the start of a week (and again before the week's data
are collected): occupancy changes only when people quit and vacancies are refilled. The
rules ask it domain questions - each member's team headcount, a team mean, the mean over a
member's collaborators, the top k of each team - and never see how it answers them.

This is the one private module where speed helpers live. What it does for speed:

* team layout: while positions are laid out team by team in equal blocks (every
  organisation until teams grow), per-team values are spread to members with
  ``np.repeat`` instead of fancy indexing; the numbers are the same either way
  (:mod:`lmxsim.teams`);
* counts: team headcounts and each member's number of present collaborators are computed
  once a week, not in every rule that averages over them;
* sums over ties: the tie matrix is 0/1, so a compiled loop adds the neighbours' values
  without reading the matrix's ones (scipy's numbers, in scipy's order);
* one block: the positions a policy leads are read as a slice where they follow each other
  (a batch keeps each policy's organisations together), not gathered into copies.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import float64, njit, vectorize

from lmxsim.keyed_random import _compiled
from lmxsim.teams import blocks_of, per_member, team_mean, team_sd, team_sum, top_k_in_team


def rule(equation):
    """A weekly rule written as its equation on one member's numbers, compiled by numba (no
    ``fastmath``: the same operations in the same order as the plain array expression, with the
    C library's ``exp``, ``log``, ``log1p`` and ``pow``, so the same bits on every CPU - numpy 2's
    own versions of these, used on AVX-512 CPUs, are a last bit off for some inputs, which is why
    model code leaves such functions of arrays to rules). A phase's compiled pass (``kernel``)
    calls it member by member; numpy code calls ``elementwise(rule)`` on arrays."""
    return _compiled()(equation)


_ELEMENTWISE: dict = {}


def elementwise(rule_):
    """``rule_`` as a numpy ufunc over float64 arrays (or numbers), built on first use (~0.1 s,
    once per process) - for numpy callers outside the compiled passes."""
    ufunc = _ELEMENTWISE.get(rule_)
    if ufunc is None:
        arity = rule_.py_func.__code__.co_argcount
        ufunc = _ELEMENTWISE[rule_] = _compiled(
            lambda **options: vectorize([float64(*[float64] * arity)], **options))(rule_.py_func)
    return ufunc


def kernel(loop):
    """A phase's compiled pass over member positions (numba, cached on disk): it calls the
    phase's rules in the order of the schedule, member by member."""
    return _compiled()(loop)


class Workforce:
    """The members present this week, their teams and their collaboration ties.

    Attributes:
        occupied: bool per position, a person holds it.
        present: the same as 1.0 / 0.0 (a vacant desk contributes nothing to a rule).
        idx: the occupied positions, in order.
        heads: per team, the number of members present (float).
    """

    def __init__(self, team: np.ndarray, occupied: np.ndarray, n_teams: int, ties: sp.csr_matrix,
                 org: np.ndarray, n_orgs: int):
        self.team = team
        self.n_teams = n_teams
        self.org = org
        self.n_orgs = n_orgs
        self.ties = ties
        self.occupied = occupied.copy()
        self.present = self.occupied.astype(float)
        self.idx = np.flatnonzero(self.occupied)
        self.heads = team_sum(team, self.present, n_teams)
        self._blocks = blocks_of(team, n_teams)
        self._collaborators: np.ndarray | None = None
        self._org_heads: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.team)

    # ------------------------------------------------------------------ teams
    def per_member(self, per_team: np.ndarray) -> np.ndarray:
        """Each position's entry of a per-team array (``per_team[team]``)."""
        return per_member(per_team, self.team, self._blocks)

    def team_total(self, values: np.ndarray) -> np.ndarray:
        """Per team, the sum of ``values`` over its positions (weight vacant desks 0 yourself)."""
        return team_sum(self.team, values, self.n_teams)

    def team_mean(self, values: np.ndarray) -> np.ndarray:
        """Per team, the mean of ``values`` over members present (0 for an empty team)."""
        return team_mean(self.team, values, self.present, self.n_teams, counts=self.heads)

    def team_sd(self, values: np.ndarray) -> np.ndarray:
        """Per team, the population standard deviation of ``values`` over members present."""
        return team_sd(self.team, values, self.present, self.n_teams, counts=self.heads)

    def vacant_share(self) -> np.ndarray:
        """Per team, the share of its positions that are vacant (0 for a team without positions)."""
        positions = np.bincount(self.team, minlength=self.n_teams)
        return np.divide(positions - self.heads, positions, out=np.zeros(self.n_teams), where=positions > 0)

    def top_k(self, score: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` present members of each team with the highest ``score`` (ties: lower position)."""
        return top_k_in_team(self.team, score, self.occupied, k, self._blocks)

    # ------------------------------------------------------------------ organisations
    def org_count(self, idx: np.ndarray) -> np.ndarray:
        """Per organisation, how many of the positions ``idx``."""
        return np.bincount(self.org[idx], minlength=self.n_orgs)

    def org_total(self, values: np.ndarray) -> np.ndarray:
        """Per organisation, the sum of ``values`` over its positions, in position order."""
        return _org_sums(self.org, np.asarray(values, dtype=float), _ALL, self.n_orgs)

    def org_mean(self, values: np.ndarray) -> np.ndarray:
        """Per organisation, the mean of ``values`` over members present (NaN for none)."""
        if self._org_heads is None:
            self._org_heads = self.org_total(self.present)
        heads = self._org_heads
        total = _org_sums(self.org, np.asarray(values, dtype=float), self.present, self.n_orgs)
        return np.divide(total, heads, out=np.full(self.n_orgs, np.nan), where=heads > 0)

    def org_quantile(self, values: np.ndarray, q: float, wanted: np.ndarray | None = None) -> np.ndarray:
        """Per organisation, the ``q`` quantile of ``values`` over members present (linear
        interpolation between order statistics, numpy's default; NaN for none); only for the
        organisations ``wanted`` (bool per organisation) if given, NaN for the others."""
        idx = self.idx
        org = self.org[idx]
        if wanted is not None:
            keep = wanted[org]
            idx, org = idx[keep], org[keep]
        order = np.argsort(org, kind="stable")
        ends = np.cumsum(np.bincount(org, minlength=self.n_orgs))
        return _segment_quantiles(values[idx][order], ends, q)

    # ------------------------------------------------------------------ ties
    def collaborators(self) -> np.ndarray:
        """Each position's number of present collaborators."""
        if self._collaborators is None:
            self._collaborators = self._tie_total(self.present)
        return self._collaborators

    def neighbour_mean(self, values: np.ndarray, default=0.0, at=None) -> np.ndarray:
        """Mean of ``values`` over each position's present collaborators (``default`` if none);
        for the positions ``at`` only if given (the same numbers, summed over their ties alone)."""
        count = self.collaborators()
        count = count if at is None else count[at]
        total = self._tie_total(np.asarray(values, dtype=float) * self.present, at)
        out = np.array(np.broadcast_to(np.asarray(default, dtype=float), count.shape))
        return np.divide(total, count, out=out, where=count > 0)

    def _tie_total(self, x: np.ndarray, at=None) -> np.ndarray:
        """``ties @ x`` (for the rows ``at`` only, if given). The tie matrix is 0/1
        (:func:`lmxsim.organisation.adjacency`), so each row is a plain sum of ``x`` over the
        row's ties, added in the matrix's order: scipy's numbers, without reading the ones."""
        ties = self.ties
        rows = _EVERY_ROW if at is None else np.asarray(at, dtype=np.int64)
        return _tie_sums(ties.indptr, ties.indices, x, rows, at is None)


@njit(cache=True)
def _segment_quantiles(values, ends, q):   # pragma: no cover - compiled
    """The q quantile of each segment values[ends[o-1]:ends[o]], linear between the two order
    statistics around rank (n - 1) q (as np.quantile's default); they are found by selection
    rather than by sorting the segment."""
    out = np.full(len(ends), np.nan)
    start = 0
    for o in range(len(ends)):
        stop = ends[o]
        if stop > start:
            virtual = (stop - start - 1) * q
            lo = int(np.floor(virtual))
            hi = min(lo + 1, stop - start - 1)
            ranked = np.partition(values[start:stop], lo)
            low, high = ranked[lo], ranked[lo]
            if hi > lo:
                high = ranked[hi]
                for v in ranked[hi:]:
                    high = min(high, v)
            out[o] = low + (high - low) * (virtual - lo)
        start = stop
    return out


_ALL = np.ones(0)
_EVERY_ROW = np.zeros(0, dtype=np.int64)


@njit(cache=True)
def _tie_sums(indptr, indices, x, rows, every):   # pragma: no cover - compiled
    """Per position (``every`` one, or the ``rows`` given), the sum of ``x`` over its ties: the
    numbers of ``ties @ x`` for a 0/1 matrix (1.0 * x[j] is x[j]; the same additions in the same order)."""
    n = indptr.size - 1 if every else rows.size
    total = np.zeros(n)
    for r in range(n):
        i = r if every else rows[r]
        acc = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            acc += x[indices[j]]
        total[r] = acc
    return total


@njit(cache=True)
def _org_sums(org, values, weight, n_orgs):   # pragma: no cover - compiled
    """Per organisation, the sum of values (times weight, if given) in position order: the numbers
    of np.bincount(org, weights=values * weight), without the temporary arrays. An organisation's
    positions mostly follow each other, so its running sum stays in a register until the next
    organisation's position comes (the same additions, in the same order)."""
    total = np.zeros(n_orgs)
    if org.size == 0:
        return total
    o = org[0]
    acc = 0.0
    weighted = weight.size > 0
    for i in range(org.size):
        if org[i] != o:
            total[o] = acc
            o = org[i]
            acc = total[o]
        acc += values[i] * weight[i] if weighted else values[i]
    total[o] = acc
    return total


def one_block(positions: np.ndarray):
    """The sorted ``positions`` as a slice where they follow each other (then indexing with it
    reads the arrays without copying them), else ``positions`` themselves."""
    if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
        return slice(int(positions[0]), int(positions[-1]) + 1)
    return positions


def number_within(groups: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """The next numbers of each group for the elements ``groups`` (in element order within a
    group), advancing ``counter`` (one entry per group) past them."""
    order = np.argsort(groups, kind="stable")
    ranked = groups[order]
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - np.searchsorted(ranked, ranked, side="left")
    numbers = counter[groups] + rank
    counter += np.bincount(groups, minlength=len(counter))
    return numbers
