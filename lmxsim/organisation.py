"""The organisation: teams, reporting lines and collaboration ties (ODD sections 2 and 5).

Collaboration ties join member *positions*: a newcomer takes over the desk, and with it
the ties, of the person they replace. Inside a team the ties form a small world
(a ring lattice of ``within_team_ties`` neighbours, each tie rewired inside the team with
probability ``tie_rewiring``; Watts & Strogatz 1998); ``cross_team_ties`` adds sparse ties
between random members of different teams. The ties are held as a sparse adjacency
matrix for the vectorised weekly step; :func:`to_networkx` gives the same organisation,
with leaders and reporting lines, as a networkx graph for users and drawings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:   # networkx is imported where a graph is made: a batch of runs never needs it (~0.17 s a process)
    import networkx as nx


def team_ring_ties(team_of: np.ndarray, positions: np.ndarray, k, rewire,
                   desk_luck) -> tuple[np.ndarray, np.ndarray]:
    """Small-world ties among ``positions`` of each team (positions grouped by team).

    ``k`` (ring neighbours) and ``rewire`` (probability) are one number, or one per position.
    ``desk_luck(positions)`` gives the :class:`lmxsim.draws.Luck` of those desks.
    Returns the two endpoint arrays of the undirected ties (self-ties already removed).
    """
    teams = team_of[positions]
    order = np.argsort(teams, kind="stable")
    positions, teams = positions[order], teams[order]
    first = np.searchsorted(teams, teams, side="left")
    size = np.bincount(teams)[teams]
    rank = np.arange(len(positions)) - first
    half = (np.ones(len(team_of), dtype=np.int64) * k)[positions] // 2
    rewire = (np.ones(len(team_of)) * rewire)[positions]
    luck = desk_luck(positions)
    us, vs = [], []
    for j in range(1, int(half.max(initial=0)) + 1):  # loop over lattice distance, not over teams
        ok = np.flatnonzero((size > j) & (half >= j))
        u = positions[ok]
        v = positions[first[ok] + (rank[ok] + j) % size[ok]]
        # rewire inside the team: a uniformly chosen teammate
        rewired = luck.uniform("ties.rewire", at=ok, draw=j) < rewire[ok]
        new_rank = luck.integers("ties.rewire_to", size[ok], at=ok, draw=j)
        v = np.where(rewired, positions[first[ok] + new_rank], v)
        us.append(u)
        vs.append(v)
    if not us:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    u, v = np.concatenate(us), np.concatenate(vs)
    keep = u != v
    return u[keep], v[keep]


def cross_ties(team_of: np.ndarray, org_of: np.ndarray, mean_ties, desk_luck) -> tuple[np.ndarray, np.ndarray]:
    """Random ties between members of different teams of an organisation, ``mean_ties`` per
    member on average (one number, or one per position).

    Each desk starts Poisson(mean_ties / 2) ties, each to a uniformly chosen desk of its
    organisation (ties inside the team are dropped): in all, Poisson(mean_ties * n / 2) ties
    with uniform ends. Positions of an organisation are contiguous. ``desk_luck(positions)``
    gives the :class:`lmxsim.draws.Luck` of those desks."""
    n = len(team_of)
    positions = np.arange(n)
    size = np.bincount(org_of)
    offset = np.concatenate([[0], np.cumsum(size)[:-1]])
    luck = desk_luck(positions)
    started = luck.poisson("ties.cross_count", np.ones(n) * mean_ties / 2)
    us, vs = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for i in range(int(started.max(initial=0))):   # the i-th tie each desk starts
        at = np.flatnonzero(started > i)
        us.append(positions[at])
        vs.append(offset[org_of[at]] + luck.integers("ties.cross", size[org_of[at]], at=at, draw=i))
    u, v = np.concatenate(us), np.concatenate(vs)
    keep = team_of[u] != team_of[v]
    return u[keep], v[keep]


def adjacency(n: int, u: np.ndarray, v: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency matrix (duplicate ties collapse to one). The sums over ties of
    :class:`lmxsim._structure.Workforce` rely on the entries being exactly 1."""
    a = sp.coo_matrix((np.ones(2 * len(u)), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n))
    a = a.tocsr()
    a.data[:] = 1.0
    return a


def to_networkx(team_of: np.ndarray, ties: sp.csr_matrix, n_teams: int) -> nx.Graph:
    """The organisation as a graph.

    Nodes ``0 .. P-1`` are member positions (attribute ``kind="member"``), nodes
    ``P .. P+T-1`` are the leaders (``kind="leader"``); every node has ``team``. Edges have
    ``kind="reports_to"`` (member position to its leader) or ``kind="collaborates"``.
    """
    import networkx as nx

    n = len(team_of)
    g = nx.Graph()
    g.add_nodes_from((i, {"kind": "member", "team": int(team_of[i])}) for i in range(n))
    g.add_nodes_from((n + t, {"kind": "leader", "team": t}) for t in range(n_teams))
    g.add_edges_from(((i, n + int(team_of[i])) for i in range(n)), kind="reports_to")
    upper = sp.triu(ties, k=1).tocoo()
    g.add_edges_from(zip(upper.row.tolist(), upper.col.tolist()), kind="collaborates")
    return g
