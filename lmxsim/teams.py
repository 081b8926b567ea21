"""Vectorised per-team arithmetic over member positions.

Every policy and submodel that needs a team total, mean, spread or ranking calls these
helpers, so "per team" is computed one way everywhere and never with a Python loop.

``blocks`` (optional everywhere) is ``(n_teams, team_size)`` when the positions are laid
out team by team in equal blocks - team ``t`` owns positions ``t*S .. t*S+S-1``, as in
every organisation until teams grow (see :attr:`lmxsim.state.MemberState.blocks`). It
only selects a faster route to the very same numbers: every result is bit-identical
with and without it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def blocks_of(team: np.ndarray, n_teams: int) -> tuple[int, int] | None:
    """``(n_teams, team_size)`` if ``team`` is ``0..0, 1..1, ...`` in equal blocks, else ``None``."""
    n = len(team)
    if n_teams < 1 or n == 0 or n % n_teams:
        return None
    size = n // n_teams
    if not np.array_equal(team, np.repeat(np.arange(n_teams, dtype=team.dtype), size)):
        return None
    return n_teams, size


def per_member(per_team: np.ndarray, team: np.ndarray, blocks: tuple[int, int] | None = None) -> np.ndarray:
    """Each position's entry of a per-team array (``per_team[team]``)."""
    if blocks is not None:
        return np.repeat(per_team, blocks[1])
    return per_team[team]


def team_sum(team: np.ndarray, values: np.ndarray, n_teams: int) -> np.ndarray:
    return np.bincount(team, weights=values, minlength=n_teams)


def team_mean(team: np.ndarray, values: np.ndarray, mask: np.ndarray, n_teams: int,
              counts: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``values`` over the masked positions of each team (0 for empty teams).

    ``counts`` may pass ``np.bincount(team, weights=mask, minlength=n_teams)`` if already known."""
    if counts is None:
        counts = np.bincount(team, weights=mask, minlength=n_teams)
    return team_moments(team, np.asarray(values, dtype=float), np.asarray(mask, dtype=float), counts, False)[0]


def team_sd(team: np.ndarray, values: np.ndarray, mask: np.ndarray, n_teams: int,
            counts: np.ndarray | None = None) -> np.ndarray:
    """Population standard deviation within each team over masked positions."""
    if counts is None:
        counts = np.bincount(team, weights=mask, minlength=n_teams)
    return team_moments(team, np.asarray(values, dtype=float), np.asarray(mask, dtype=float), counts, True)[1]


@njit(cache=True)
def team_moments(team, values, weight, counts, with_sd):   # pragma: no cover - compiled
    """Per team: the mean of ``values`` over the positions of weight 1 (members present), and
    with ``with_sd`` their population standard deviation (0 for an empty team). Sums run in
    position order: the numbers of ``np.bincount(team, weights=values * weight) / counts``."""
    n_teams = counts.size
    mean, sd = np.zeros(n_teams), np.zeros(n_teams)
    for i in range(team.size):
        mean[team[i]] += values[i] * weight[i]
    for t in range(n_teams):
        mean[t] = mean[t] / counts[t] if counts[t] > 0 else 0.0
    if with_sd:
        for i in range(team.size):
            deviation = values[i] - mean[team[i]]
            sd[team[i]] += deviation * deviation * weight[i]
        for t in range(n_teams):
            sd[t] = np.sqrt(sd[t] / counts[t] if counts[t] > 0 else 0.0)
    return mean, sd


def top_k_in_team(team: np.ndarray, score: np.ndarray, mask: np.ndarray, k: np.ndarray | int,
                  blocks: tuple[int, int] | None = None) -> np.ndarray:
    """Boolean mask of the ``k`` highest-scoring masked positions of each team.

    ``k`` may be a scalar or an array with one entry per team. Ties go to the lower position
    index. Each team's choice depends on that team's scores alone.
    """
    team = np.asarray(team)
    # each team's positions, in position order (already so when teams are laid out in blocks)
    order = np.arange(len(team)) if blocks is not None else np.argsort(team, kind="stable")
    n_teams = int(team.max(initial=-1)) + 1
    ends = np.cumsum(np.bincount(team, minlength=n_teams))
    k_team = np.broadcast_to(np.asarray(k, dtype=np.int64), (n_teams,))
    return _top_k(order, ends, np.asarray(score, dtype=float), np.asarray(mask, dtype=bool),
                  np.ascontiguousarray(k_team))


@njit(cache=True)
def _top_k(order, ends, score, mask, k):   # pragma: no cover - compiled
    """For each team (positions order[ends[t-1]:ends[t]]), mark its k[t] best masked scores:
    k times, the first masked, unchosen position with the highest score."""
    chosen = np.zeros(len(score), dtype=np.bool_)
    start = 0
    for t in range(len(ends)):
        stop = ends[t]
        for _ in range(min(k[t], stop - start)):
            best = -1
            for j in range(start, stop):
                i = order[j]
                if mask[i] and not chosen[i] and (best < 0 or score[i] > score[best]):
                    best = i
            if best < 0:
                break
            chosen[best] = True
        start = stop
    return chosen
