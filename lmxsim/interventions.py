"""What a scenario's events (and a user) can do to an organisation between weeks:
new leaders, broken promises, new positions, hiring waves (ODD section 7, "Events").

Each is a function of the model; :mod:`lmxsim.scenarios` calls them when an event is due.
"""

from __future__ import annotations

import numpy as np

from lmxsim.draws import of_desks, of_leaders
from lmxsim.people import hire, start_dyad
from lmxsim.submodels.exchange import break_promises as _break_promises


def replace_leaders(model, teams) -> None:
    """New leaders take over ``teams``: new similarity traits, every dyad starts again."""
    teams = np.asarray(teams)
    leaders, m = model.leaders, model.members
    leaders.leader_id[teams] = model.next_ids("leader", leaders.org[teams])
    leaders.similarity_trait[teams] = of_leaders(model, teams).uniform("leader.trait")
    leaders.start_week[teams] = model.week
    start_dyad(model, np.flatnonzero(np.isin(m.team, teams) & m.occupied))


def break_promises(model, who) -> None:
    """A promise to each member in ``who`` is broken at once, by the same rule as any broken promise."""
    who = np.asarray(who, dtype=bool) & model.members.occupied
    _break_promises(model, who)
    model.week_stats["promises_broken"] = model.week_stats["promises_broken"] + model.workforce.org_count(np.flatnonzero(who))


def grow_teams(model, target_size) -> None:
    """Open positions so that every team has ``target_size`` positions (one number, or one per
    team); they are filled after the hiring lag."""
    extra = np.maximum(0, target_size - model.team_positions())
    add_positions(model, extra, model.week + model.team_params.hiring_lag_weeks)


def hire_wave(model, extra_per_team: int, competence_shift: float) -> None:
    """Add ``extra_per_team`` positions per team and fill them now with graduates."""
    new = add_positions(model, np.full(model.n_teams, extra_per_team), model.week)
    hire(model, new, tenure_weeks=np.zeros(len(new), dtype=np.int32), competence_shift=competence_shift)
    model.week_stats["hires"] = model.week_stats["hires"] + np.bincount(model.members.org[new], minlength=model.n_orgs)


def add_positions(model, per_team: np.ndarray, refill_week) -> np.ndarray:
    """New vacant positions, ``per_team[t]`` in team t, to be filled in ``refill_week`` (one week,
    or one per team); each is tied to random teammates (up to ``within_team_ties``). Returns their indices."""
    m = model.members
    total = int(per_team.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    new = m.grow(total)
    m.team[new] = np.repeat(np.arange(model.n_teams, dtype=np.int32), per_team)
    m.org[new] = model.leaders.org[m.team[new]]
    m.refill_week[new] = (np.ones(model.n_teams, dtype=np.int64) * refill_week)[m.team[new]]
    m.slot[new] = model.next_ids("slot", m.org[new])
    half = np.ones(len(new), dtype=np.int64) * model.params.at(new).within_team_ties // 2
    us, vs = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for j in range(int(half.max(initial=0))):   # the j-th tie of each new desk
        at = new[half > j]
        us.append(at)
        vs.append(random_teammates(model, at, j))
    u, v = np.concatenate(us), np.concatenate(vs)
    model.add_ties(u[u != v], v[u != v])
    return new


def random_teammates(model, positions: np.ndarray, j: int) -> np.ndarray:
    """A uniformly chosen position of the same team for each of ``positions`` (possibly itself):
    its ``j``-th new tie."""
    team = model.members.team
    order = np.argsort(team, kind="stable")
    sorted_team = team[order]
    start = np.searchsorted(sorted_team, team[positions], side="left")
    end = np.searchsorted(sorted_team, team[positions], side="right")
    return order[start + of_desks(model, positions).integers("ties.new", end - start, draw=j)]
