"""The engine: a batch of independent organisations advanced week by week in one set of arrays.

Replications x policies x design points - each organisation with its own seed, parameters
and policy - share the member and leader arrays (positions of organisation 0 first, then 1,
...; teams numbered across the batch). Nothing couples them: per-team arithmetic runs over
each team, collaboration ties stay inside an organisation, every random number is keyed by
the organisation's own seed (:mod:`lmxsim.draws`), and per-organisation totals are summed in
position order. So each organisation's numbers are exactly those it gets alone
(``tests/test_engine.py``), and a batch costs far less per organisation than separate runs:
the fixed cost of a week (Python, numpy calls) is paid once for the batch.

:class:`lmxsim.model.LMXModel` is the Mesa face of one organisation (a batch of one);
:func:`run_batch` runs many to their horizon and returns each one's weekly frame.

All organisations of a batch share the scenario preset (its events fall in the same weeks)
and the horizon; everything else may differ.
"""

from __future__ import annotations

from collections import deque
import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim._structure import Workforce, number_within
from lmxsim.draws import Luck, of_desks, of_leaders, person_keys
from lmxsim.errors import LMXInputError
from lmxsim.keyed_random import KeyedStreams
from lmxsim.org_params import OrgParams, ParamTable, each
from lmxsim.params import Params, check_overrides
from lmxsim.people import hire
from lmxsim.policies import get_policy
from lmxsim.scenarios import Scenario, shares_to_teams
from lmxsim.state import LeaderState, MemberState
from lmxsim.submodels.attitudes import update_attitudes
from lmxsim.submodels.decide import decide, review
from lmxsim.submodels.exchange import exchange
from lmxsim.submodels.innovation import innovate
from lmxsim.submodels.perception import perceive
from lmxsim.submodels.social import compare_and_spread
from lmxsim.submodels.turnover import quit_and_refill, weekly_leaving_share
from lmxsim.submodels.work import work

WEEK_STATS = ("successes", "innovation_value", "ideas_tried", "quits", "quits_top_quartile", "hires",
              "promises_kept", "promises_broken", "breaches", "bonus_cost")
MAX_TENURE_WEEKS = 40 * 52


@dataclass(frozen=True)
class OrgSpec:
    """One organisation of a batch: its first policy, parameters, seed and scenario preset."""

    policy: str
    params: Params
    seed: int
    preset: Scenario


class Engine:
    """Organisations ``specs`` at week 0 (see the module docstring).

    ``on_hired(idx)`` and ``on_leaving(idx)`` are called with the positions of new hires and of
    this week's leavers (before they leave), from week 1 on: the Mesa face keeps its agents and
    panel by them.
    """

    def __init__(self, specs: list[OrgSpec], on_hired=None, on_leaving=None):
        if not specs:
            raise LMXInputError("specs", specs, "at least one organisation")
        for field in ("preset", "weeks"):
            values = {s.preset.name if field == "preset" else s.params.weeks for s in specs}
            if len(values) > 1:
                raise LMXInputError(field, sorted(values), "one value for every organisation of a batch")
        self.specs = specs
        self.preset = specs[0].preset
        self.n_orgs = len(specs)
        self.week = 0
        self.on_hired = self.on_leaving = lambda idx: None
        self._table = ParamTable([s.params for s in specs])
        self.org_params = OrgParams(self._table, np.arange(self.n_orgs))
        self._per_org: dict[tuple, np.ndarray] = {}   # (name, function or None) -> per organisation
        self.streams = KeyedStreams(np.array([s.seed for s in specs], dtype=np.uint64))
        self._counters = {kind: np.zeros(self.n_orgs, dtype=np.int64) for kind in ("person", "leader", "slot")}
        self.week_stats = self._no_stats()
        self._quit_history: deque = deque(maxlen=52)
        self._promise_log: list[tuple] = []
        self.policy_table: list = []

        # leaders: one per team, teams numbered across the batch
        teams_per_org = np.array([s.params.n_teams for s in specs])
        self.n_teams = int(teams_per_org.sum())
        self.team_offset = np.concatenate([[0], np.cumsum(teams_per_org)[:-1]])
        team_org = np.repeat(np.arange(self.n_orgs, dtype=np.int64), teams_per_org)
        self.team_params = OrgParams(self._table, team_org)
        first_policy = np.array([self._policy_index(s.policy) for s in specs], dtype=np.int32)
        self.leaders = LeaderState(
            policy=first_policy[team_org], policy_since_week=np.zeros(self.n_teams, dtype=np.int32),
            hours_per_week=np.ones(self.n_teams) * self.team_params.leader_hours_per_week,
            similarity_trait=np.zeros(self.n_teams), leader_id=self.next_ids("leader", team_org),
            start_week=np.zeros(self.n_teams, dtype=np.int32), org=team_org, departures=np.zeros(self.n_teams))
        self.leaders.similarity_trait = of_leaders(self, np.arange(self.n_teams)).uniform("leader.trait")

        # positions grouped by team; small-world ties inside teams, sparse ties across
        sizes = np.ones(self.n_teams, dtype=np.int64) * self.team_params.team_size
        m = self.members = MemberState(int(sizes.sum()))
        m.team[:] = np.repeat(np.arange(self.n_teams, dtype=np.int32), sizes)
        m.org[:] = team_org[m.team]
        m.slot[:] = self.next_ids("slot", m.org)
        positions = np.arange(m.capacity)
        p = self.params
        self._tie_ends = (np.empty(0, np.int64), np.empty(0, np.int64))
        u, v = organisation.team_ring_ties(m.team, positions, p.within_team_ties, p.tie_rewiring,
                                           lambda at: of_desks(self, at))
        cu, cv = organisation.cross_ties(m.team, m.org, p.cross_team_ties, lambda at: of_desks(self, at))
        self.add_ties(np.concatenate([u, cu]), np.concatenate([v, cv]))

        # initial workforce: tenure drawn from the steady state of the base turnover rate
        first = Luck(self.streams, person_keys(m.slot, 0), m.org, 0)
        leaving = self.per_org("annual_base_turnover", of=weekly_leaving_share)[m.org]
        tenure = first.geometric("hire.tenure", np.maximum(1e-9, leaving)) - 1
        hire(self, positions, tenure_weeks=np.minimum(tenure, MAX_TENURE_WEEKS).astype(np.int32))
        review(self, self.take_stock(), np.ones(self.n_orgs, dtype=bool))
        self.on_hired, self.on_leaving = on_hired or self.on_hired, on_leaving or self.on_leaving

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One week of every organisation, in the order of ODD section 3."""
        undo = self._undo_point()
        self.week += 1
        self.week_stats = self._no_stats()
        here = self.take_stock()
        try:
            perceive(self, here)
            decisions = decide(self, here)
        except BaseException:
            self._undo(undo)
            raise
        exchange(self, here, decisions)
        work(self, here, decisions)
        innovate(self, here, decisions)
        compare_and_spread(self, here)
        update_attitudes(self, here, decisions)
        quit_and_refill(self, here)
        for event in self.preset.events:
            if event.due(self.week):
                event.apply(self)
        here = self.take_stock()   # after the quits, hires and events: what the reporters read
        due = self.review_due()
        if due.any():
            review(self, here, due)

    def take_stock(self) -> Workforce:
        """Who is at work now (:class:`lmxsim._structure.Workforce`); reporters read ``workforce``."""
        m = self.members
        self.workforce = Workforce(m.team, m.occupied, self.n_teams, self.ties, m.org, self.n_orgs)
        return self.workforce

    @property
    def params(self) -> OrgParams:
        """The parameters as each member position sees them."""
        if self._params_index is not self.members.org:
            self._params_index = self.members.org
            self._params = OrgParams(self._table, self.members.org)
        return self._params

    _params_index = None

    def per_org(self, name: str, of=None) -> np.ndarray:
        """Parameter ``name`` of each organisation, as a float64 array (for the compiled passes) -
        or ``of`` of it, in Python floats (:func:`lmxsim.org_params.each`); both computed once."""
        values = self._per_org.get((name, of))
        if values is None:
            values = np.ones(self.n_orgs) * getattr(self.org_params, name)
            values = self._per_org[(name, of)] = values if of is None else each(of, values)
        return values

    def stream_key(self, purpose: str) -> tuple[np.ndarray, np.ndarray]:
        """Each organisation's key (two words) of the random-number stream ``purpose``."""
        return self.streams.key(purpose)

    def review_due(self) -> np.ndarray:
        """Per organisation: this week is a quarterly review."""
        return (self.week > 0) & (self.week % (np.ones(self.n_orgs, dtype=np.int64)
                                              * self.org_params.review_interval_weeks) == 0)

    def _no_stats(self) -> dict[str, np.ndarray]:
        return {name: np.zeros(self.n_orgs, dtype=float if name in ("innovation_value", "bonus_cost") else np.int64)
                for name in WEEK_STATS}

    def _undo_point(self) -> tuple:
        """What a week changes before its decisions: the week, its statistics and the leaders'
        views of members (perception). Random numbers are keyed: there is nothing to rewind."""
        m = self.members
        return self.week, self.week_stats, m.perceived_competence, m.perceived_loyalty

    def _undo(self, point: tuple) -> None:
        m = self.members
        self.week, self.week_stats, m.perceived_competence, m.perceived_loyalty = point

    # ------------------------------------------------------------------ policies
    def _policy_index(self, name: str) -> int:
        names = [policy.name for policy in self.policy_table]
        if name in names:
            return names.index(name)
        self.policy_table.append(get_policy(name))
        return len(self.policy_table) - 1

    def set_policy(self, name: str, teams) -> None:
        """Switch the leaders of ``teams`` (numbered across the batch) to ``name`` from next week;
        their organisations' leaders review their in-groups at once."""
        idx = self._policy_index(name)
        before = (self.leaders.policy.copy(), self.leaders.policy_since_week.copy())
        self.leaders.policy[teams] = idx
        self.leaders.policy_since_week[teams] = self.week + 1
        reached = np.zeros(self.n_orgs, dtype=bool)
        reached[self.leaders.org[teams]] = True
        try:
            review(self, self.take_stock(), reached)
        except BaseException:  # the new policy's in_group() failed: keep the old leaders
            self.leaders.policy[:], self.leaders.policy_since_week[:] = before
            raise

    def positions_by_policy(self) -> list[tuple[int, np.ndarray]]:
        """Each policy in use (its index in ``policy_table``) and the positions its leaders lead,
        in position order; kept until a policy changes or positions are added."""
        key = (self.members.capacity, self.leaders.policy.tobytes())
        if self._by_policy[0] != key:
            policy_of = self.leaders.policy[self.members.team]
            self._by_policy = (key, [(i, np.flatnonzero(policy_of == i)) for i in np.unique(self.leaders.policy)], {})
        return self._by_policy[1]

    def teams_of(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The teams of positions ``sel`` (in order) and each position's team numbered within them
        (int32), as ``np.unique(team[sel], return_inverse=True)``; kept for each policy's positions."""
        self.positions_by_policy()
        cache = self._by_policy[2]
        key = (len(sel), int(sel[0]) if len(sel) else -1, int(sel[-1]) if len(sel) else -1)
        found = cache.get(key)
        if found is None or not np.array_equal(found[0], sel):
            teams, team = np.unique(self.members.team[sel], return_inverse=True)
            team = team.astype(np.int32)
            team.setflags(write=False)   # shared by the views of later weeks
            found = cache[key] = (sel.copy(), teams, team)
        return found[1], found[2]

    _by_policy: tuple = (None, [], {})

    def first_teams(self, share: float) -> np.ndarray:
        """The first ``share`` of each organisation's teams (where an intervention reaches)."""
        n_teams = np.ones(self.n_orgs, dtype=np.int64) * self.org_params.n_teams
        return np.concatenate([self.team_offset[o] + shares_to_teams(int(n_teams[o]), share)
                               for o in range(self.n_orgs)])

    def change_params(self, **overrides) -> None:
        """From now on every organisation of the batch runs with ``overrides`` (checked like any
        parameter; e.g. a team going remote in the middle of a workshop). The organisation's
        structure (teams, sizes) is what it is: only parameters the weekly rules read change."""
        checked = check_overrides(overrides)
        self.specs = [dataclasses.replace(s, params=s.params.replace(**checked)) for s in self.specs]
        self._table = ParamTable([s.params for s in self.specs])
        self.org_params = OrgParams(self._table, np.arange(self.n_orgs))
        self.team_params = OrgParams(self._table, self.leaders.org)
        self._params_index = None
        self._per_org = {}   # the compiled passes read the new values too

    # ------------------------------------------------------------------ organisation
    def add_ties(self, u: np.ndarray, v: np.ndarray) -> None:
        """New collaboration ties between positions ``u[i]`` and ``v[i]``."""
        self._tie_ends = (np.concatenate([self._tie_ends[0], u]), np.concatenate([self._tie_ends[1], v]))
        self.ties = organisation.adjacency(self.members.capacity, *self._tie_ends)

    def team_positions(self) -> np.ndarray:
        """Positions per team, occupied or vacant."""
        return np.bincount(self.members.team, minlength=self.n_teams)

    def next_ids(self, kind: str, orgs: np.ndarray) -> np.ndarray:
        """Each organisation's next ids of ``kind`` ("person", "leader", "slot"), in order."""
        return number_within(orgs, self._counters[kind])

    # ------------------------------------------------------------------ books
    def record_leavers(self, idx: np.ndarray) -> None:
        """Book-keeping for this week's leavers (before their positions are vacated)."""
        m = self.members
        if len(idx):
            here = self.workforce
            leaving = np.zeros(self.n_orgs, dtype=bool)
            leaving[m.org[idx]] = True
            top = here.org_quantile(m.performance_avg, 0.75, wanted=leaving)
            self.week_stats["quits_top_quartile"] = here.org_count(idx[m.performance_avg[idx] >= top[m.org[idx]]])
        self.on_leaving(idx)

    def record_turnover(self, leavers: np.ndarray, hired: np.ndarray) -> None:
        """This week's quits and hires, and the headcount after them (for the turnover rate)."""
        count = self.workforce.org_count
        self.week_stats["quits"], self.week_stats["hires"] = count(leavers), count(hired)
        heads = np.bincount(self.members.org, weights=self.members.occupied, minlength=self.n_orgs)
        self._quit_history.append((self.week_stats["quits"], heads))

    def recent_quits_and_heads(self, window: int) -> tuple[np.ndarray, np.ndarray]:
        """Per organisation: quits and head-weeks over the last ``window`` weeks."""
        recent = list(self._quit_history)[-window:]
        if not recent:
            return np.zeros(self.n_orgs, dtype=np.int64), np.zeros(self.n_orgs)
        return sum(q for q, _ in recent), sum(h for _, h in recent)

    def record_promises(self, kept: np.ndarray, gain: np.ndarray, broken: np.ndarray, loss: np.ndarray) -> None:
        """This week's kept and broken promises (positions) and the trust each gained or lost."""
        org, n = self.members.org, self.n_orgs
        self.week_stats["promises_kept"] = np.bincount(org[kept], minlength=n)
        self.week_stats["promises_broken"] = np.bincount(org[broken], minlength=n)
        self._promise_log.append((self.week, np.bincount(org[kept], weights=gain, minlength=n),
                                  self.week_stats["promises_kept"], np.bincount(org[broken], weights=loss, minlength=n),
                                  self.week_stats["promises_broken"]))

    def promise_effects(self, org: int = 0) -> pd.DataFrame:
        """Per week: promises kept and broken in organisation ``org`` and the trust change each produced."""
        rows = [(w, float(g[org]), int(k[org]), float(lo[org]), int(b[org])) for w, g, k, lo, b in self._promise_log]
        return pd.DataFrame(rows, columns=["week", "trust_gained", "kept", "trust_lost", "broken"])


def run_batch(specs: list[OrgSpec], weeks: int | None = None, observers=()) -> list[pd.DataFrame]:
    """Run the organisations ``specs`` together to their horizon (or ``weeks`` weeks); return each
    one's weekly frame (as :meth:`lmxsim.LMXModel.model_frame`). Each ``observer(engine)`` is
    called after every week (e.g. :class:`lmxsim.outcomes.CohortTracker`)."""
    from lmxsim.reporters import weekly_rows

    engine = Engine(specs)
    rows = [weekly_rows(engine)]
    for _ in range(specs[0].params.weeks if weeks is None else weeks):
        engine.step()
        rows.append(weekly_rows(engine))
        for observe in observers:
            observe(engine)
    weekly = by_column(rows)
    return [frame_of(weekly, org) for org in range(engine.n_orgs)]


def by_column(rows: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The batch's weekly reporter rows as one (organisation x week) array per reporter."""
    return {name: np.stack([row[name] for row in rows], axis=1) for name in rows[0]}


def frame_of(weekly: dict[str, np.ndarray], org: int) -> pd.DataFrame:
    """Organisation ``org``'s weekly frame from :func:`by_column` of the batch's weekly rows."""
    return pd.DataFrame(columns_of(weekly, org))


def columns_of(weekly: dict[str, np.ndarray], org: int) -> dict[str, np.ndarray]:
    """The columns of :func:`frame_of` (``week`` first) without building the frame."""
    columns = {name: values[org] for name, values in weekly.items()}
    weeks = len(next(iter(columns.values())))
    return {"week": np.arange(weeks), **columns}
