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

# With a block layout, top-k by repeated arg-min is faster than sorting up to this k.
_ARGMIN_TOP_K = 4


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
    totals = np.bincount(team, weights=values * mask, minlength=n_teams)
    return np.divide(totals, counts, out=np.zeros(n_teams), where=counts > 0)


def team_sd(team: np.ndarray, values: np.ndarray, mask: np.ndarray, n_teams: int,
            counts: np.ndarray | None = None, blocks: tuple[int, int] | None = None) -> np.ndarray:
    """Population standard deviation within each team over masked positions."""
    if counts is None:
        counts = np.bincount(team, weights=mask, minlength=n_teams)
    mean = team_mean(team, values, mask, n_teams, counts)
    dev = values - per_member(mean, team, blocks)
    np.square(dev, out=dev)
    sq = team_mean(team, dev, mask, n_teams, counts)
    return np.sqrt(sq, out=sq)


def _sort_key(team: np.ndarray, score: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """Team index plus a score-derived fraction in [0, 1): one float sort ranks within teams."""
    if mask.any():
        masked = score[mask]
        lo, hi = float(masked.min()), float(masked.max())
    else:
        lo, hi = 0.0, 0.0
    fraction = np.where(mask, (hi - score) / (hi - lo + 1.0), 0.999_999)
    return team + fraction, np.isfinite(hi - lo + 1.0)


def rank_in_team(team: np.ndarray, score: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rank (0 = best) of each masked position's score within its team; unmasked get a large rank."""
    key, _ = _sort_key(team, score, mask)
    return _rank_from_key(team, key, mask)


def _rank_from_key(team: np.ndarray, key: np.ndarray, mask: np.ndarray) -> np.ndarray:
    order = np.argsort(key, kind="stable")
    sorted_team = team[order]
    first = np.searchsorted(sorted_team, sorted_team, side="left")
    ranks = np.empty(len(team), dtype=np.int64)
    ranks[order] = np.arange(len(team)) - first
    return np.where(mask, ranks, np.iinfo(np.int64).max)


def top_k_in_team(team: np.ndarray, score: np.ndarray, mask: np.ndarray, k: np.ndarray | int,
                  blocks: tuple[int, int] | None = None) -> np.ndarray:
    """Boolean mask of the ``k`` highest-scoring masked positions of each team.

    ``k`` may be a scalar or an array with one entry per team. Ties (also ties created by
    the rounding of the sort key) go to the lower position index.
    """
    if not mask.any():
        return np.zeros(len(team), dtype=bool)
    key, finite = _sort_key(team, score, mask)
    if blocks is not None and finite and np.ndim(k) == 0:
        n_teams, size = blocks
        k = int(k)
        if k <= 0:
            return np.zeros(len(team), dtype=bool)
        if k >= size:
            return mask.copy()
        # Within one team the keys share their integer part, so the global stable sort
        # orders each block exactly as a stable sort of the block alone: the first k in
        # each row are the positions of rank < k. Arg-min returns the first minimum, the
        # same tie-break as the stable sort.
        rows = key.reshape(n_teams, size)
        chosen = np.zeros((n_teams, size), dtype=bool)
        if k <= _ARGMIN_TOP_K:
            rows = rows.copy()
            r = np.arange(n_teams)
            for _ in range(k):
                j = rows.argmin(axis=1)
                chosen[r, j] = True
                rows[r, j] = np.inf
        else:
            order = np.argsort(rows, axis=1, kind="stable")
            np.put_along_axis(chosen, order[:, :k], True, axis=1)
        return mask & chosen.reshape(-1)
    k_of = np.asarray(k)[team] if np.ndim(k) else k
    return mask & (_rank_from_key(team, key, mask) < k_of)
