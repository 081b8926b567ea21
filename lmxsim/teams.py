"""Vectorised per-team arithmetic over member positions.

Every policy and submodel that needs a team total, mean, spread or ranking calls these
helpers, so "per team" is computed one way everywhere and never with a Python loop.
"""

from __future__ import annotations

import numpy as np


def team_sum(team: np.ndarray, values: np.ndarray, n_teams: int) -> np.ndarray:
    return np.bincount(team, weights=values, minlength=n_teams)


def team_mean(team: np.ndarray, values: np.ndarray, mask: np.ndarray, n_teams: int) -> np.ndarray:
    """Mean of ``values`` over the masked positions of each team (0 for empty teams)."""
    counts = np.bincount(team, weights=mask, minlength=n_teams)
    totals = np.bincount(team, weights=values * mask, minlength=n_teams)
    return np.divide(totals, counts, out=np.zeros(n_teams), where=counts > 0)


def team_sd(team: np.ndarray, values: np.ndarray, mask: np.ndarray, n_teams: int) -> np.ndarray:
    """Population standard deviation within each team over masked positions."""
    mean = team_mean(team, values, mask, n_teams)
    sq = team_mean(team, (values - mean[team]) ** 2, mask, n_teams)
    return np.sqrt(sq)


def rank_in_team(team: np.ndarray, score: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rank (0 = best) of each masked position's score within its team; unmasked get a large rank."""
    # one float sort instead of a lexsort: team + a score-derived fraction in [0, 1)
    lo, hi = (float(score[mask].min()), float(score[mask].max())) if mask.any() else (0.0, 0.0)
    fraction = np.where(mask, (hi - score) / (hi - lo + 1.0), 0.999_999)
    order = np.argsort(team + fraction, kind="stable")
    sorted_team = team[order]
    first = np.searchsorted(sorted_team, sorted_team, side="left")
    ranks = np.empty(len(team), dtype=np.int64)
    ranks[order] = np.arange(len(team)) - first
    return np.where(mask, ranks, np.iinfo(np.int64).max)


def top_k_in_team(team: np.ndarray, score: np.ndarray, mask: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Boolean mask of the ``k`` highest-scoring masked positions of each team.

    ``k`` may be a scalar or an array with one entry per team.
    """
    k_of = np.asarray(k)[team] if np.ndim(k) else k
    return mask & (rank_in_team(team, score, mask) < k_of)
