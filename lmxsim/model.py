"""LMXModel: leaders and members exchanging, innovating and quitting, week by week.

The step method reads as the schedule of ODD section 3:

1. perceive      - leaders observe members through contact-dependent noise
2. decide        - each leader's policy spreads time, offers, latitude, assignments
3. exchange      - support, promises kept or broken, trust and LMX move, stages change
4. work          - effort, performance and competence growth
5. innovate      - ideas arise, are tried at a risk, fail or succeed
6. compare/spread- fairness against teammates; safety spreads over collaboration ties
7. attitudes, turnover - engagement and intention; quits; vacancies refilled
8. events        - the scenario's interventions due this week
9. review        - quarterly, leaders re-evaluate whom they count as in-group
then the week's data are collected.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections import deque

import mesa
import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim.agents import LeaderAgent, MemberAgent
from lmxsim.compat import is_mesa_scenario, scenario_parameters
from lmxsim.errors import LMXInputError
from lmxsim.panel import Panel
from lmxsim.params import Params, check_overrides, names as param_names
from lmxsim.people import circle_similarity, hire, start_dyad
from lmxsim.policies import Decisions, PolicyView, get_policy
from lmxsim.reporters import MODEL_REPORTERS
from lmxsim.resources import check_fits, model_bytes
from lmxsim.scenarios import get_scenario, shares_to_teams, validate_events
from lmxsim.state import LeaderState, MemberState
from lmxsim.submodels.attitudes import update_attitudes
from lmxsim.submodels.exchange import break_promises, exchange
from lmxsim.submodels.innovation import innovate
from lmxsim.submodels.perception import perceive
from lmxsim.submodels.social import compare_and_spread
from lmxsim.submodels.turnover import quit_and_refill
from lmxsim.submodels.work import work
from lmxsim.teams import per_member

# Weekly support quality reaches 75% at hours_scale * ln 4: the number of such dyads a
# leader's hours can sustain is the in-group capacity a reactive leader works with.
HIGH_QUALITY_FACTOR = np.log(4.0)


class LMXModel(mesa.Model):
    """An organisation of teams whose leaders exchange with each member every week.

    Args:
        policy: name of the leadership policy all leaders start with (default: the
            preset's policy). See ``lmxsim.policies.policy_names()``.
        scenario: name of a scenario preset (``lmxsim.scenarios.scenario_names()``;
            default ``"default"``), as ``--scenario`` on the command line. On Mesa >= 3.4
            this may instead be a Mesa scenario object
            (``mesa.experimental.scenarios.Scenario(rng=5, n_teams=3)``): its ``rng`` seeds
            the model and its other fields are taken as the keyword arguments below.
        seed: the one seed every random draw derives from (an integer >= 0).
        panel_every: collect the member panel every K weeks (0 = off).
        member_agents: create a Mesa agent for every member up front (``False`` creates
            them on demand, for very large organisations).
        preset: the preset's name, where ``scenario=`` is taken by Mesa (Mesa >= 3.4's
            SolaraViz passes its own scenario object there when it rebuilds a model).
            Give ``scenario`` or ``preset``, not two different names.
        rng: as in Mesa, instead of ``seed``: a ``numpy.random.Generator`` (used, and
            advanced, by the model), a ``BitGenerator``, a ``SeedSequence`` or an integer
            (``rng=5`` gives the same run as ``seed=5``). Not both ``seed`` and ``rng``.
        **kwargs: any parameter of :class:`lmxsim.params.Params`, overriding the
            preset's values (e.g. ``n_teams=20, team_size=10``); every one is also an
            explicit keyword in the signature, so ``help()`` and SolaraViz see them all.

    Attributes:
        preset: the :class:`lmxsim.scenarios.Scenario` preset in use (its name, policy,
            parameter overrides and timed events). Named ``preset`` because Mesa >= 3.4
            keeps its own scenario object in ``model.scenario``.
        seed: the integer seed, or ``None`` when the model was given no seed or a
            generator rather than an integer.
    """

    def __init__(self, policy: str | None = None, scenario: str | None = None, seed: int | None = None,
                 panel_every: int = 1, member_agents: bool = True, *, preset: str | None = None,
                 rng=None, **kwargs):
        mesa_scenario = None
        if is_mesa_scenario(scenario):
            mesa_scenario, scenario = scenario, None
            policy, preset, rng, kwargs = _from_mesa_scenario(mesa_scenario, policy, preset, rng, kwargs)
        preset = _preset(scenario, preset)
        if seed is not None and rng is not None:
            raise LMXInputError("rng", rng, "either seed or rng, not both (as in Mesa)")
        if seed is not None:
            seed = _as_seed(seed)
        rng = _as_rng(rng)
        # rng=<int> seeds Mesa exactly as seed=<int> does (and newer Mesa deprecates seed=)
        super().__init__(rng=seed if seed is not None else rng)
        if mesa_scenario is not None:
            self.scenario = mesa_scenario   # Mesa's own attribute (Mesa >= 3.4)
        self.rng = _Generator(self.rng.bit_generator)  # the same stream; a faster rng.random(n)
        self.seed = seed if seed is not None else (rng if isinstance(rng, int) else None)
        self.preset = preset
        self.params = Params(**{**self.preset.overrides, **check_overrides(kwargs)})
        validate_events(self.preset, self.params)
        if isinstance(panel_every, bool) or not isinstance(panel_every, int) or panel_every < 0:
            raise LMXInputError("panel_every", panel_every, "an integer >= 0 (weeks; 0 = no panel)")
        if not isinstance(member_agents, (bool, np.bool_)):
            raise LMXInputError("member_agents", member_agents, "True or False")
        p = self.params
        _check_memory(p, self.preset, panel_every, member_agents)
        self.week = 0
        self.n_teams = p.n_teams
        self.week_stats: dict[str, float] = {}
        self._next_person = 0
        self._quit_history: deque = deque(maxlen=52)
        self._promise_log: list[tuple[int, float, int, float, int]] = []
        self.panel = Panel(panel_every)
        self.member_agents_eager = member_agents
        self._agent_at: dict[int, MemberAgent] = {}
        self.former_members: dict[int, MemberAgent] = {}

        self.hours_scale = np.array([p.hours_scale_stranger, p.hours_scale_acquaintance, p.hours_scale_partner])
        self.lmx_rate = np.array([p.lmx_rate_stranger, p.lmx_rate_acquaintance, p.lmx_rate_partner])
        self.scar_decay = 0.5 ** (1.0 / p.scar_half_life_weeks)
        self.clarity_decay = 0.5 ** (1.0 / p.clarity_half_life_weeks)

        # policies: a table of instances; leaders hold an index into it
        self._policies: list = []
        first_policy = self._policy_index(policy if policy is not None else self.preset.policy)

        self.leaders = LeaderState(
            policy=np.full(p.n_teams, first_policy, dtype=np.int32),
            policy_since_week=np.zeros(p.n_teams, dtype=np.int32),
            hours_per_week=np.full(p.n_teams, p.leader_hours_per_week),
            similarity_trait=self.rng.random(p.n_teams),
            leader_id=np.arange(p.n_teams, dtype=np.int64),
            start_week=np.zeros(p.n_teams, dtype=np.int32),
        )
        self._next_leader = p.n_teams
        self.leader_agents = [LeaderAgent(self, t) for t in range(p.n_teams)]

        # organisation: positions grouped by team, small-world ties inside, sparse across
        self.members = MemberState(p.n_teams * p.team_size)
        self.members.team[:] = np.repeat(np.arange(p.n_teams, dtype=np.int32), p.team_size)
        self.members.layout_changed()
        self._occupancy_cache: _Occupancy | None = None
        self._occupancy_trusted = False
        u, v = organisation.team_ring_ties(self.members.team, np.arange(self.members.capacity),
                                           p.within_team_ties, p.tie_rewiring, self.rng)
        cu, cv = organisation.cross_ties(self.members.team, p.cross_team_ties, self.rng)
        self._tie_ends = (np.concatenate([u, cu]), np.concatenate([v, cv]))
        self._rebuild_ties()

        # initial workforce: tenure drawn from the steady state of the base turnover rate
        n = self.members.capacity
        weekly_stay = (1.0 - p.annual_base_turnover) ** (1.0 / 52.0)
        tenure = self.rng.geometric(max(1e-9, 1.0 - weekly_stay), n) - 1
        hire(self, np.arange(n), tenure_weeks=np.minimum(tenure, 40 * 52).astype(np.int32))
        self._review()

        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        # Mesa has already counted this step; until the policies have decided, the week can
        # be undone, so that a policy that raises (or returns unusable decisions) leaves the
        # model exactly as it was and the next step() is this same week again
        undo = self._undo_point()
        self.week = self.steps
        self.week_stats = {}
        # occupancy changes only in quit_and_refill: check the cache once for phases 1-7a
        self.occupancy()
        self._occupancy_trusted = True
        try:
            try:
                perceive(self)
                decisions = self._decide()
            except BaseException:
                self._undo(undo)
                raise
            exchange(self, decisions)
            work(self, decisions)
            innovate(self, decisions)
            self.week_stats["successes"] = int(self.members.successes_this_week.sum())
            compare_and_spread(self)
            update_attitudes(self)
        finally:
            self._occupancy_trusted = False
        quit_and_refill(self)
        self._quit_history.append((self.week_stats["quits"], int(self.members.occupied.sum())))
        for event in self.preset.events:
            if event.due(self.week):
                event.apply(self)
        if self.is_review_week:
            self._review()
        self.occupancy()
        self._occupancy_trusted = True     # the reporters only read
        try:
            self.datacollector.collect(self)
        finally:
            self._occupancy_trusted = False
        self.panel.collect(self)
        if self.week >= self.params.weeks:
            self.running = False

    def _undo_point(self) -> tuple:
        """What the week changes before its decisions: the counters, the week's statistics,
        the leaders' views of members (perception) and the random generator's state."""
        m = self.members
        return (self.steps - 1, self.week, self.week_stats, m.perceived_competence.copy(),
                m.perceived_loyalty.copy(), self.rng.bit_generator.state)

    def _undo(self, point: tuple) -> None:
        """Return to ``point`` (see :meth:`_undo_point`)."""
        m = self.members
        self.steps, self.week, self.week_stats, competence, loyalty, rng_state = point
        m.perceived_competence[:] = competence
        m.perceived_loyalty[:] = loyalty
        self.rng.bit_generator.state = rng_state

    def run(self, weeks: int | None = None) -> "LMXModel":
        """Run ``weeks`` more weeks (default: up to the horizon ``params.weeks``)."""
        if weeks is not None and (isinstance(weeks, (bool, np.bool_)) or not isinstance(weeks, numbers.Integral)
                                  or weeks < 0):
            raise LMXInputError("weeks", weeks, "a whole number of weeks >= 0 (None: up to the horizon)")
        todo = self.params.weeks - self.week if weeks is None else weeks
        for _ in range(max(0, todo)):
            self.step()
        return self

    @property
    def is_review_week(self) -> bool:
        return self.week > 0 and self.week % self.params.review_interval_weeks == 0

    # ------------------------------------------------------------------ policies
    def _policy_index(self, name: str) -> int:
        for i, pol in enumerate(self._policies):
            if pol.name == name:
                return i
        self._policies.append(get_policy(name))
        return len(self._policies) - 1

    def policy_of_team(self, team: int) -> str:
        return self._policies[self.leaders.policy[team]].name

    @property
    def policies_in_use(self) -> list[str]:
        return [self._policies[i].name for i in np.unique(self.leaders.policy)]

    def set_policy(self, name: str, teams=None) -> None:
        """Switch the leaders of ``teams`` (default: all) to policy ``name`` from next week."""
        teams = np.arange(self.n_teams) if teams is None else np.asarray(teams)
        if teams.ndim != 1 or not np.issubdtype(teams.dtype, np.integer) or (
                len(teams) and (teams.min() < 0 or teams.max() >= self.n_teams)):
            raise LMXInputError("teams", teams.tolist(), f"team indices in [0, {self.n_teams - 1}]")
        idx = self._policy_index(name)
        before = (self.leaders.policy.copy(), self.leaders.policy_since_week.copy())
        self.leaders.policy[teams] = idx
        self.leaders.policy_since_week[teams] = self.week + 1
        try:
            self._review()
        except BaseException:  # the new policy's in_group() failed: keep the old leaders
            self.leaders.policy[:], self.leaders.policy_since_week[:] = before
            raise

    def _policies_in_use(self) -> np.ndarray:
        """``np.unique(leaders.policy)``, without the sort when every leader has the same policy."""
        pol = self.leaders.policy
        if len(pol) and (pol == pol[0]).all():
            return pol[:1].copy()
        return np.unique(pol)

    def _view(self) -> PolicyView:
        m, p = self.members, self.params
        capacity = np.floor(self.leaders.hours_per_week * p.contact_efficiency
                            / (p.hours_scale_stranger * HIGH_QUALITY_FACTOR)).astype(np.int64)
        return PolicyView(
            week=self.week, params=p, n_teams=self.n_teams, team=m.team, occupied=m.occupied,
            tenure_weeks=self.week - m.hire_week, perceived_competence=m.perceived_competence,
            perceived_loyalty=m.perceived_loyalty, similarity=m.similarity, lmx=m.lmx, stage=m.stage,
            in_group=m.in_group, onboarding=m.occupied & (m.dyad_start_week >= self.week - p.onboarding_weeks),
            review_week=self.is_review_week,
            policy_start=per_member(self.leaders.policy_since_week, m.team, m.blocks(self.n_teams)),
            in_group_capacity=np.maximum(capacity, 1), rng=self.rng,
        )

    def _decide(self) -> Decisions:
        """Ask each policy in use for its decisions; each member gets their own leader's."""
        view = self._view()
        in_use = self._policies_in_use()
        n = self.members.capacity
        parts = [(i, self._policies[i].decide(view)) for i in in_use]
        for i, d in parts:
            if not isinstance(d, Decisions):
                raise LMXInputError(f"policy {self._policies[i].name!r}: decide()", f"a {type(d).__name__}",
                                    "a lmxsim.policies.Decisions object")
            d.check(self._policies[i].name, n)
        if len(parts) == 1:
            d = parts[0][1]
            return _broadcast(d, n, _constant(d.time_use, self.n_teams), _constant(d.reward_contingency, n))
        policy_of = self.leaders.policy[self.members.team]
        out = {}
        for field in ("time_weight", "offer", "latitude", "assignment_priority", "bonus", "peer_leadership"):
            out[field] = np.zeros(n)
            for i, d in parts:
                sel = policy_of == i
                out[field][sel] = np.broadcast_to(getattr(d, field), (n,))[sel]
        time_use = np.ones(self.n_teams)
        contingency = np.ones(n)
        for i, d in parts:
            time_use[self.leaders.policy == i] = d.time_use
            contingency[policy_of == i] = d.reward_contingency
        return _broadcast(Decisions(**out), n, time_use, contingency)

    def _review(self) -> None:
        """Quarterly review: each leader re-evaluates whom they count as in-group."""
        view = self._view()
        policy_of = self.leaders.policy[self.members.team]
        in_group = np.zeros(self.members.capacity, dtype=bool)
        n = self.members.capacity
        for i in self._policies_in_use():
            sel = policy_of == i
            chosen = self._policies[i].in_group(view)
            if not (isinstance(chosen, np.ndarray) and chosen.shape == (n,) and chosen.dtype == bool):
                shown = f"shape {chosen.shape}, dtype {chosen.dtype}" if isinstance(chosen, np.ndarray) else \
                    f"a {type(chosen).__name__}"
                raise LMXInputError(f"policy {self._policies[i].name!r}: in_group()", shown,
                                    f"a boolean numpy array of {n} values (one per member position)")
            in_group[sel] = chosen[sel]
        self.members.in_group = in_group & self.members.occupied

    # ------------------------------------------------------------------ ties
    def _rebuild_ties(self) -> None:
        self.ties = organisation.adjacency(self.members.capacity, *self._tie_ends)
        self._organisation_graph = None

    def neighbour_mean(self, values: np.ndarray, default=0.0) -> np.ndarray:
        """Mean of ``values`` over each position's occupied collaborators (``default`` if none)."""
        occ = self.occupancy()
        count, has = occ.neighbour_count()
        total = self.ties @ (values * occ.f)
        return _divide_or_default(total, count, has, default)

    def neighbour_mean_of_flags(self, flags: np.ndarray) -> np.ndarray:
        """:meth:`neighbour_mean` of a 0/1 array that is mostly 0 (default 0).

        Sums of zeros and ones are exact in any order, so the neighbour totals are
        gathered from the few flagged positions only; the result is bit-identical."""
        occ = self.occupancy()
        count, has = occ.neighbour_count()
        on = np.flatnonzero(flags & occ.occupied)
        if len(count) < 4096 or len(on) * 8 > len(count):  # small or dense: one sparse product is cheaper
            return _divide_or_default(self.ties @ (flags * occ.f), count, has, 0.0)
        ties = self.ties
        starts, ends = ties.indptr[on], ties.indptr[on + 1]
        lengths = ends - starts
        # ties are symmetric: position i's total is the number of flagged neighbours j
        gather = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        total = np.bincount(ties.indices[gather], minlength=len(count)).astype(float)
        return _divide_or_default(total, count, has, 0.0)

    def occupancy(self) -> "_Occupancy":
        """Arrays derived from ``members.occupied`` (float mask, indices, team headcounts,
        neighbour counts), recomputed whenever occupancy, positions or ties change."""
        cache = self._occupancy_cache
        if self._occupancy_trusted and cache is not None:
            return cache
        m = self.members
        if (cache is None or cache.ties is not self.ties or cache.occupied.shape != m.occupied.shape
                or not np.array_equal(cache.occupied, m.occupied)):
            cache = self._occupancy_cache = _Occupancy(self, previous=cache)
        return cache

    @property
    def organisation(self):
        """The organisation as a networkx graph (see :func:`lmxsim.organisation.to_networkx`)."""
        if self._organisation_graph is None:
            self._organisation_graph = organisation.to_networkx(self.members.team, self.ties, self.n_teams)
        return self._organisation_graph

    # ------------------------------------------------------------------ people
    def next_person_ids(self, k: int) -> np.ndarray:
        ids = np.arange(self._next_person, self._next_person + k, dtype=np.int64)
        self._next_person += k
        return ids

    def on_hired(self, idx: np.ndarray) -> None:
        if self.member_agents_eager:
            for i in idx.tolist():
                self._agent_at[i] = MemberAgent(self, i)
        else:
            for i in idx.tolist():
                self._agent_at.pop(i, None)

    def member_at(self, position: int) -> MemberAgent:
        """The Mesa agent of the person now in ``position`` (created on demand)."""
        agent = self._agent_at.get(position)
        if agent is None or agent.person_id != self.members.person_id[position]:
            agent = MemberAgent(self, position)
            self._agent_at[position] = agent
        return agent

    def member_agents(self) -> list[MemberAgent]:
        """All current members as Mesa agents."""
        return [self.member_at(i) for i in np.flatnonzero(self.members.occupied)]

    def record_leavers(self, idx: np.ndarray) -> None:
        """Book-keeping for this week's leavers (before their positions are vacated)."""
        m = self.members
        if len(idx) and m.occupied.any():
            top = _upper_quartile(m.performance_avg[m.occupied])
            self.week_stats["quits_top_quartile"] = int((m.performance_avg[idx] >= top).sum())
        self.panel.record_leavers(self, idx)
        for i in idx.tolist():
            agent = self._agent_at.pop(i, None)
            if agent is not None:
                agent.leave(self.week)
                self.former_members[agent.person_id] = agent

    def recent_quits_and_heads(self, window: int) -> tuple[int, float]:
        """Quits and head-weeks over the last ``window`` weeks."""
        recent = list(self._quit_history)[-window:]
        return sum(q for q, _ in recent), float(sum(h for _, h in recent))

    def record_promises(self, change: np.ndarray, kept: np.ndarray, broken: np.ndarray) -> None:
        self.record_promise_totals(change[kept], change[broken])

    def record_promise_totals(self, gained: np.ndarray, changed_by_broken: np.ndarray) -> None:
        """This week's trust changes of kept promises and of broken ones (negative), in position order."""
        nk, nb = len(gained), len(changed_by_broken)
        self.week_stats["promises_kept"] = nk
        self.week_stats["promises_broken"] = nb
        self._promise_log.append((self.week, float(gained.sum()), nk, float(-changed_by_broken.sum()), nb))

    def promise_effects(self) -> pd.DataFrame:
        """Per week: promises kept and broken and the summed trust change each produced."""
        return pd.DataFrame(self._promise_log, columns=["week", "trust_gained", "kept", "trust_lost", "broken"])

    # ------------------------------------------------------------------ interventions
    def first_teams(self, share: float) -> np.ndarray:
        return shares_to_teams(self.n_teams, share)

    def replace_leaders(self, teams: np.ndarray) -> None:
        """New leaders take over ``teams``: new similarity traits, every dyad starts again."""
        teams = np.asarray(teams)
        self.leaders.similarity_trait[teams] = self.rng.random(len(teams))
        self.leaders.leader_id[teams] = np.arange(self._next_leader, self._next_leader + len(teams))
        self._next_leader += len(teams)
        self.leaders.start_week[teams] = self.week
        m = self.members
        idx = np.flatnonzero(np.isin(m.team, teams) & m.occupied)
        m.similarity[idx] = circle_similarity(self.rng.random(len(idx)), self.leaders.similarity_trait[m.team[idx]])
        start_dyad(self, idx)

    def break_promises(self, who: np.ndarray) -> None:
        """A promise to each member in ``who`` is broken at once, by the same rule as any broken promise."""
        who = np.asarray(who, dtype=bool) & self.members.occupied
        break_promises(self, who)
        self.week_stats["promises_broken"] = self.week_stats.get("promises_broken", 0) + int(who.sum())

    def _add_positions(self, per_team: np.ndarray, refill_week: int) -> np.ndarray:
        m, p = self.members, self.params
        total = int(per_team.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        new = m.grow(total)
        m.team[new] = np.repeat(np.arange(self.n_teams, dtype=np.int32), per_team)
        m.layout_changed()
        m.refill_week[new] = refill_week
        # each new position gets ties to random teammates (up to within_team_ties)
        us, vs = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
        for _ in range(p.within_team_ties // 2):
            mates = self._random_teammates(new)
            us.append(new)
            vs.append(mates)
        u, v = np.concatenate(us), np.concatenate(vs)
        keep = u != v
        self._tie_ends = (np.concatenate([self._tie_ends[0], u[keep]]), np.concatenate([self._tie_ends[1], v[keep]]))
        self._rebuild_ties()
        return new

    def _random_teammates(self, positions: np.ndarray) -> np.ndarray:
        team = self.members.team
        order = np.argsort(team, kind="stable")
        sorted_team = team[order]
        start = np.searchsorted(sorted_team, team[positions], side="left")
        end = np.searchsorted(sorted_team, team[positions], side="right")
        pick = start + (self.rng.random(len(positions)) * (end - start)).astype(np.int64)
        return order[pick]

    def team_positions(self) -> np.ndarray:
        return np.bincount(self.members.team, minlength=self.n_teams)

    def grow_teams(self, target_size: int) -> None:
        """Open positions so that every team has ``target_size`` positions (refilled after the hiring lag)."""
        extra = np.maximum(0, target_size - self.team_positions())
        self._add_positions(extra, self.week + self.params.hiring_lag_weeks)

    def hire_wave(self, extra_per_team: int, competence_shift: float) -> None:
        """Add ``extra_per_team`` positions per team and fill them now with graduates."""
        new = self._add_positions(np.full(self.n_teams, extra_per_team), self.week)
        hire(self, new, tenure_weeks=np.zeros(len(new), dtype=np.int32), competence_shift=competence_shift)
        self.week_stats["hires"] = self.week_stats.get("hires", 0) + len(new)

    # ------------------------------------------------------------------ data
    def model_frame(self) -> pd.DataFrame:
        """The weekly time series (one row per week, week 0 = initial state)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "week", np.arange(len(df)))
        return df

    def panel_frame(self) -> pd.DataFrame:
        return self.panel.frame()


if not hasattr(mesa.Model, "scenario"):   # Mesa 3.3.1: point old code at the new name
    def _scenario_renamed(self):
        raise AttributeError("LMXModel.scenario is now model.preset (Mesa >= 3.4 keeps its own scenario "
                             "object in model.scenario)")

    LMXModel.scenario = property(_scenario_renamed, doc="Renamed: use ``model.preset``.")


_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0
_RAW_UNIFORMS_OK: dict = {}


def _raw_uniforms_ok(kind: type) -> bool:
    """Does ``Generator.random`` turn this bit generator's raw 64-bit words into ``(x >> 11) * 2**-53``?
    (Checked once per bit-generator type against numpy itself.)"""
    if kind not in _RAW_UNIFORMS_OK:
        try:
            expected = np.random.Generator(kind(20_260_101)).random(1_000)
            raw = kind(20_260_101).random_raw(1_000)
            _RAW_UNIFORMS_OK[kind] = bool(np.array_equal(
                expected.view(np.uint64), ((raw >> np.uint64(11)) * _TWO_TO_MINUS_53).view(np.uint64)))
        except Exception:  # noqa: BLE001 - any surprise: keep numpy's own path
            _RAW_UNIFORMS_OK[kind] = False
    return _RAW_UNIFORMS_OK[kind]


class _Generator(np.random.Generator):
    """numpy's Generator, with ``random(n)`` computed from raw 64-bit words.

    ``Generator.random`` makes each double as ``(x >> 11) * 2**-53`` from the bit generator's
    next raw output ``x``; doing that conversion on a ``random_raw(n)`` array gives the very
    same numbers and leaves the generator in the very same state, about twice as fast for
    PCG64. Used only where a check against numpy itself passes; otherwise, for small draws
    and for other arguments, ``Generator.random`` as usual. Everything else is inherited.
    """

    def random(self, size=None, dtype=np.float64, out=None):
        if (out is None and dtype is np.float64 and isinstance(size, (int, np.integer)) and size >= 64
                and _raw_uniforms_ok(type(self.bit_generator))):
            raw = self.bit_generator.random_raw(int(size))
            raw >>= np.uint64(11)
            return raw * _TWO_TO_MINUS_53
        return super().random(size, dtype, out)


class _Occupancy:
    """What the week's submodels derive from ``members.occupied``; see :meth:`LMXModel.occupancy`."""

    def __init__(self, model: LMXModel, previous: "_Occupancy | None" = None):
        m = model.members
        self.occupied = m.occupied.copy()
        self.f = self.occupied.astype(float)                    # 1.0 occupied, 0.0 vacant
        self.idx = np.flatnonzero(self.occupied)
        self.ties = model.ties
        self._neighbours = None
        n = len(self.occupied)
        if (previous is not None and previous.ties is self.ties and len(previous.occupied) == n
                and len(previous.heads) == model.n_teams):
            # counts of 0/1 flags are exact integers: update last week's by the few changes
            changed = np.flatnonzero(previous.occupied != self.occupied)
            if len(changed) * 16 <= n:
                delta = self.f[changed] - previous.f[changed]        # +1 hired, -1 left
                self.heads = previous.heads + np.bincount(m.team[changed], weights=delta, minlength=model.n_teams)
                if previous._neighbours is not None:
                    starts, ends = self.ties.indptr[changed], self.ties.indptr[changed + 1]
                    lengths = ends - starts
                    gather = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
                    count = previous._neighbours[0] + np.bincount(self.ties.indices[gather],
                                                                  weights=np.repeat(delta, lengths), minlength=n)
                    self._neighbours = (count, count > 0)
                return
        self.heads = np.bincount(m.team, weights=self.occupied, minlength=model.n_teams)  # per team (float)

    def neighbour_count(self) -> tuple[np.ndarray, np.ndarray]:
        """Occupied collaborators of each position, and whether there is any."""
        if self._neighbours is None:
            count = self.ties @ self.f
            self._neighbours = (count, count > 0)
        return self._neighbours


def _divide_or_default(total: np.ndarray, count: np.ndarray, has: np.ndarray, default) -> np.ndarray:
    if np.ndim(default) == 0:
        out = np.full(count.shape, float(default))
    else:
        out = np.array(np.broadcast_to(np.asarray(default, dtype=float), count.shape))
    return np.divide(total, count, out=out, where=has)


def _upper_quartile(values: np.ndarray) -> float:
    """``np.quantile(values, 0.75)`` (default 'linear' method), bit for bit, with one partial sort.

    Mirrors numpy's own steps: virtual index ``(n - 1) * 0.75``, the two order statistics
    around it, and numpy's ``_lerp`` (which interpolates from the upper point when the
    weight is at least one half)."""
    n = len(values)
    if n == 0 or not np.isfinite(values).all():
        return float(np.quantile(values, 0.75))
    virtual = (n - 1) * 0.75
    lo = int(np.floor(virtual))
    if virtual >= n - 1:
        return float(values.max())
    part = np.partition(values, (lo, lo + 1))
    a, b = part[lo], part[lo + 1]
    t = virtual - lo
    diff = b - a
    return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def _broadcast(d: Decisions, n: int, time_use_team: np.ndarray, contingency: np.ndarray) -> Decisions:
    """Decisions with every field an array of length n (plus per-team time use)."""
    full = Decisions(
        time_weight=_full_length(d.time_weight, n),
        offer=_full_length(d.offer, n),
        latitude=_full_length(d.latitude, n),
        assignment_priority=_full_length(d.assignment_priority, n),
        bonus=_full_length(d.bonus, n),
        reward_contingency=contingency,
        peer_leadership=_full_length(d.peer_leadership, n),
        time_use=1.0,
    )
    full.time_use_team = time_use_team
    return full


def _full_length(values, n: int) -> np.ndarray:
    """``values`` as a float array of length ``n`` (a read-only broadcast view for a scalar)."""
    if isinstance(values, np.ndarray) and values.shape == (n,) and values.dtype == np.float64:
        return values
    if isinstance(values, (float, int)) and not isinstance(values, bool):
        return _constant(values, n)
    a = np.asarray(values, float)
    if a.shape == (n,):
        return a
    return np.broadcast_to(a, (n,))


_CONSTANTS: dict = {}


def _constant(value: float, n: int) -> np.ndarray:
    """A read-only length-``n`` float array of ``value`` (a zero-stride view, reused)."""
    key = (float(value).hex(), n)   # hex: 0.0 and -0.0 stay apart
    a = _CONSTANTS.get(key)
    if a is None:
        if len(_CONSTANTS) > 256:
            _CONSTANTS.clear()
        a = _CONSTANTS[key] = np.broadcast_to(np.float64(value), (n,))
    return a


MAX_SEED = 2**64 - 1   # the largest seed numpy's SeedSequence children give (uint64)


def _as_seed(seed, field: str = "seed") -> int:
    """The one check of a seed: a whole number in [0, 2**64 - 1].

    Integers, whole floats (``3.0``) and numeric strings (from a text box or the command
    line, e.g. ``" 42 "``) are accepted; booleans, fractions, NaN, infinities, negative or
    too large numbers and other text are refused with :class:`LMXInputError` naming ``field``.
    """
    allowed = f"a whole number in [0, {MAX_SEED}] (2**64 - 1)"
    if isinstance(seed, (bool, np.bool_)):
        raise LMXInputError(field, seed, allowed)
    if isinstance(seed, str):
        try:
            value = int(seed.strip())
        except ValueError:
            raise LMXInputError(field, seed, allowed) from None
    elif isinstance(seed, numbers.Integral):
        value = int(seed)
    elif isinstance(seed, numbers.Real) and math.isfinite(seed) and float(seed).is_integer():
        value = int(seed)
    else:
        raise LMXInputError(field, seed, allowed)
    if not 0 <= value <= MAX_SEED:
        raise LMXInputError(field, seed, allowed)
    return value


def _preset(scenario, preset):
    """The preset named by ``scenario=`` or ``preset=`` (default ``"default"``)."""
    if scenario is not None and preset is not None and scenario != preset:
        raise LMXInputError("preset", preset, f"the same preset as scenario={scenario!r}, or only one of the two")
    if preset is not None:
        return get_scenario(preset, "preset")
    return get_scenario("default" if scenario is None else scenario)


_FROM_MESA_SCENARIO = ("policy", "preset")


def _from_mesa_scenario(mesa_scenario, policy, preset, rng, kwargs: dict):
    """Take ``policy``, ``preset``, ``rng`` and model parameters from a Mesa scenario object.

    A value may come from the scenario or from an argument, not from both."""
    fields = scenario_parameters(mesa_scenario)
    given = {"policy": policy, "preset": preset}
    for name, value in fields.items():
        if name not in _FROM_MESA_SCENARIO and name not in param_names():
            raise LMXInputError(f"scenario.{name}", value, "policy, preset or a known parameter (see `lmxsim list`)")
        if given.get(name) is not None or name in kwargs:
            raise LMXInputError(f"scenario.{name}", value, f"given once: in the scenario or as {name}=, not both")
    if mesa_scenario.rng is not None:
        if rng is not None:
            raise LMXInputError("scenario.rng", mesa_scenario.rng, "given once: in the scenario or as rng=, not both")
        rng = mesa_scenario.rng
    kwargs = {**kwargs, **{k: v for k, v in fields.items() if k not in _FROM_MESA_SCENARIO}}
    return fields.get("policy", policy), fields.get("preset", preset), rng, kwargs


_RNG_ALLOWED = "a numpy Generator, BitGenerator or SeedSequence, or a whole number >= 0"


def _as_rng(rng):
    """``rng=`` as Mesa accepts it: a numpy generator object as it is, a seed as an integer."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return rng
    try:
        return _as_seed(rng)
    except LMXInputError:
        raise LMXInputError("rng", rng, _RNG_ALLOWED) from None


def _check_memory(p: Params, scenario, panel_every: int, member_agents: bool) -> None:
    """Refuse an organisation (or a member panel) too large for this machine's memory."""
    check_fits("n_teams x team_size", f"{p.n_teams} x {p.team_size}", model_bytes(p, scenario, 0, member_agents),
               "an organisation that fits in memory")
    check_fits("panel_every", panel_every, model_bytes(p, scenario, panel_every, member_agents),
               "a member panel that fits in memory (a larger panel_every, or 0 for none)")


def _signature() -> inspect.Signature:
    """Expose every parameter as an explicit keyword argument (for help() and SolaraViz).

    The catch-all stays last and is named ``kwargs``: Mesa 3.3.1's SolaraViz accepts a
    model whose only required-looking parameter is ``**kwargs`` and refuses any other name."""
    base = inspect.signature(LMXModel.__init__)
    fixed = [prm for prm in base.parameters.values() if prm.kind != inspect.Parameter.VAR_KEYWORD]
    defaults = Params()
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=getattr(defaults, name))
             for name in param_names()]
    return base.replace(parameters=[*fixed, *extra, inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])


LMXModel.__init__.__signature__ = _signature()
