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

import numbers
from collections import deque
from functools import partial

import mesa
import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim._structure import Workforce
from lmxsim.agents import LeaderAgent, MemberAgent
from lmxsim.compat import is_mesa_scenario
from lmxsim.draws import Luck, of_desks, of_leaders, person_keys
from lmxsim.errors import LMXInputError
from lmxsim.keyed_random import KeyedStreams
from lmxsim.model_args import (MAX_SEED, as_rng, as_seed, check_memory, from_mesa_scenario, preset_named,
                               signature_with_parameters)
from lmxsim.panel import Panel
from lmxsim.params import Params, check_overrides
from lmxsim.people import hire
from lmxsim.policies import get_policy
from lmxsim.reporters import MODEL_REPORTERS
from lmxsim.scenarios import validate_events
from lmxsim.state import LeaderState, MemberState
from lmxsim.submodels.attitudes import update_attitudes
from lmxsim.submodels.decide import decide, review
from lmxsim.submodels.exchange import exchange
from lmxsim.submodels.innovation import innovate
from lmxsim.submodels.perception import perceive
from lmxsim.submodels.social import compare_and_spread
from lmxsim.submodels.turnover import quit_and_refill
from lmxsim.submodels.work import work

__all__ = ["LMXModel", "MAX_SEED"]
_as_seed = as_seed   # the seed check, as the command line imports it


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
            policy, preset, rng, kwargs = from_mesa_scenario(mesa_scenario, policy, preset, rng, kwargs)
        preset = preset_named(scenario, preset)
        if seed is not None and rng is not None:
            raise LMXInputError("rng", rng, "either seed or rng, not both (as in Mesa)")
        seed = None if seed is None else as_seed(seed)
        rng = as_rng(rng)
        # rng=<int> seeds Mesa exactly as seed=<int> does (and newer Mesa deprecates seed=)
        super().__init__(rng=seed if seed is not None else rng)
        if mesa_scenario is not None:
            self.scenario = mesa_scenario   # Mesa's own attribute (Mesa >= 3.4)
        self.seed = seed if seed is not None else (rng if isinstance(rng, int) else None)
        # every random number is keyed by this seed (lmxsim.draws); without an integer seed,
        # one is drawn from Mesa's generator (so rng=<Generator> is used, and advanced)
        self.draw_seed = self.seed if self.seed is not None else int(self.rng.integers(0, 2**63))
        self.streams = KeyedStreams(self.draw_seed)
        self.preset = preset
        self.params = p = Params(**{**preset.overrides, **check_overrides(kwargs)})
        validate_events(preset, p)
        if isinstance(panel_every, bool) or not isinstance(panel_every, int) or panel_every < 0:
            raise LMXInputError("panel_every", panel_every, "an integer >= 0 (weeks; 0 = no panel)")
        if not isinstance(member_agents, (bool, np.bool_)):
            raise LMXInputError("member_agents", member_agents, "True or False")
        check_memory(p, preset, panel_every, member_agents)
        self.week = 0
        self.n_teams = p.n_teams
        self.week_stats: dict[str, float] = {}
        self.panel = Panel(panel_every)
        self.member_agents_eager = member_agents
        self._agent_at: dict[int, MemberAgent] = {}
        self.former_members: dict[int, MemberAgent] = {}
        self._next_person = self._next_leader = 0
        self._quit_history: deque = deque(maxlen=52)
        self._promise_log: list[tuple[int, float, int, float, int]] = []
        self.hours_scale = np.array([p.hours_scale_stranger, p.hours_scale_acquaintance, p.hours_scale_partner])
        self.lmx_rate = np.array([p.lmx_rate_stranger, p.lmx_rate_acquaintance, p.lmx_rate_partner])
        self.scar_decay = 0.5 ** (1.0 / p.scar_half_life_weeks)
        self.clarity_decay = 0.5 ** (1.0 / p.clarity_half_life_weeks)
        self.policy_table: list = []   # leaders hold an index into it
        first_policy = self._policy_index(policy if policy is not None else preset.policy)
        self.leaders = LeaderState(
            policy=np.full(p.n_teams, first_policy, dtype=np.int32),
            policy_since_week=np.zeros(p.n_teams, dtype=np.int32),
            hours_per_week=np.full(p.n_teams, p.leader_hours_per_week),
            similarity_trait=np.zeros(p.n_teams),
            leader_id=self.next_leader_ids(p.n_teams),
            start_week=np.zeros(p.n_teams, dtype=np.int32),
            org=np.zeros(p.n_teams, dtype=np.int32),
        )
        self.leaders.similarity_trait[:] = of_leaders(self, np.arange(p.n_teams)).uniform("leader.trait")
        self.leader_agents = [LeaderAgent(self, t) for t in range(p.n_teams)]
        # organisation: positions grouped by team, small-world ties inside, sparse across
        self.members = MemberState(p.n_teams * p.team_size)
        self.members.team[:] = np.repeat(np.arange(p.n_teams, dtype=np.int32), p.team_size)
        positions = np.arange(self.members.capacity)
        self._next_slot = 0
        self.members.slot[:] = self.next_slots(len(positions))
        desks = partial(of_desks, self)
        u, v = organisation.team_ring_ties(self.members.team, positions, p.within_team_ties, p.tie_rewiring, desks)
        cu, cv = organisation.cross_ties(self.members.team, p.cross_team_ties, desks)
        self._tie_ends = (np.empty(0, np.int64), np.empty(0, np.int64))
        self.add_ties(np.concatenate([u, cu]), np.concatenate([v, cv]))
        # initial workforce: tenure drawn from the steady state of the base turnover rate
        weekly_stay = (1.0 - p.annual_base_turnover) ** (1.0 / 52.0)
        first_keys = person_keys(self.members.slot, 0)
        tenure = Luck(self.streams, first_keys, self.members.org, 0).geometric("hire.tenure", max(1e-9, 1 - weekly_stay)) - 1
        hire(self, positions, tenure_weeks=np.minimum(tenure, 40 * 52).astype(np.int32))
        review(self, self.take_stock())
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        # until the policies have decided, the week can be undone: a policy that raises (or
        # returns unusable decisions) leaves the model as it was, and the next step() is this week
        undo = self._undo_point()
        self.week = self.steps
        self.week_stats = {}
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
        update_attitudes(self, here)
        quit_and_refill(self, here)
        for event in self.preset.events:
            if event.due(self.week):
                event.apply(self)
        if self.is_review_week:
            review(self, self.take_stock())
        self._collect()

    def take_stock(self) -> Workforce:
        """Who is at work now (see :class:`lmxsim._structure.Workforce`); the reporters read
        ``model.workforce``, taken after the week's quits, hires and events."""
        self.workforce = Workforce(self.members.team, self.members.occupied, self.n_teams, self.ties)
        return self.workforce

    def _collect(self) -> None:
        self.take_stock()
        self.datacollector.collect(self)
        self.panel.collect(self)
        if self.week >= self.params.weeks:
            self.running = False

    def _undo_point(self) -> tuple:
        """What the week changes before its decisions: the counters, the week's statistics and
        the leaders' views of members (perception). Random numbers are keyed: nothing to rewind."""
        m = self.members
        return self.steps - 1, self.week, self.week_stats, m.perceived_competence, m.perceived_loyalty

    def _undo(self, point: tuple) -> None:
        m = self.members
        self.steps, self.week, self.week_stats, m.perceived_competence, m.perceived_loyalty = point

    def run(self, weeks: int | None = None) -> "LMXModel":
        """Run ``weeks`` more weeks (default: up to the horizon ``params.weeks``)."""
        if weeks is not None and (isinstance(weeks, (bool, np.bool_)) or not isinstance(weeks, numbers.Integral)
                                  or weeks < 0):
            raise LMXInputError("weeks", weeks, "a whole number of weeks >= 0 (None: up to the horizon)")
        for _ in range(max(0, self.params.weeks - self.week if weeks is None else weeks)):
            self.step()
        return self

    @property
    def is_review_week(self) -> bool:
        return self.week > 0 and self.week % self.params.review_interval_weeks == 0

    # ------------------------------------------------------------------ policies
    def _policy_index(self, name: str) -> int:
        names = [policy.name for policy in self.policy_table]
        if name in names:
            return names.index(name)
        self.policy_table.append(get_policy(name))
        return len(self.policy_table) - 1

    def policy_of_team(self, team: int) -> str:
        return self.policy_table[self.leaders.policy[team]].name

    @property
    def policies_in_use(self) -> list[str]:
        return [self.policy_table[i].name for i in np.unique(self.leaders.policy)]

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
            review(self, self.take_stock())
        except BaseException:  # the new policy's in_group() failed: keep the old leaders
            self.leaders.policy[:], self.leaders.policy_since_week[:] = before
            raise

    # ------------------------------------------------------------------ organisation
    def add_ties(self, u: np.ndarray, v: np.ndarray) -> None:
        """New collaboration ties between positions ``u[i]`` and ``v[i]``."""
        self._tie_ends = (np.concatenate([self._tie_ends[0], u]), np.concatenate([self._tie_ends[1], v]))
        self.ties = organisation.adjacency(self.members.capacity, *self._tie_ends)
        self._organisation_graph = None

    @property
    def organisation(self):
        """The organisation as a networkx graph (see :func:`lmxsim.organisation.to_networkx`)."""
        if self._organisation_graph is None:
            self._organisation_graph = organisation.to_networkx(self.members.team, self.ties, self.n_teams)
        return self._organisation_graph

    def team_positions(self) -> np.ndarray:
        """Positions per team, occupied or vacant."""
        return np.bincount(self.members.team, minlength=self.n_teams)

    # ------------------------------------------------------------------ people
    def next_person_ids(self, k: int) -> np.ndarray:
        self._next_person += k
        return np.arange(self._next_person - k, self._next_person, dtype=np.int64)

    def next_slots(self, k: int) -> np.ndarray:
        self._next_slot += k
        return np.arange(self._next_slot - k, self._next_slot, dtype=np.int64)

    def next_leader_ids(self, k: int) -> np.ndarray:
        self._next_leader += k
        return np.arange(self._next_leader - k, self._next_leader, dtype=np.int64)

    def on_hired(self, idx: np.ndarray) -> None:
        for i in idx.tolist():
            if self.member_agents_eager:
                self._agent_at[i] = MemberAgent(self, i)
            else:
                self._agent_at.pop(i, None)

    def member_at(self, position: int) -> MemberAgent:
        """The Mesa agent of the person now in ``position`` (created on demand)."""
        agent = self._agent_at.get(position)
        if agent is None or agent.person_id != self.members.person_id[position]:
            agent = self._agent_at[position] = MemberAgent(self, position)
        return agent

    def member_agents(self) -> list[MemberAgent]:
        """All current members as Mesa agents."""
        return [self.member_at(i) for i in np.flatnonzero(self.members.occupied)]

    def record_leavers(self, idx: np.ndarray) -> None:
        """Book-keeping for this week's leavers (before their positions are vacated)."""
        m = self.members
        if len(idx):
            top = np.quantile(m.performance_avg[m.occupied], 0.75)
            self.week_stats["quits_top_quartile"] = int((m.performance_avg[idx] >= top).sum())
        self.panel.record_leavers(self, idx)
        for i in idx.tolist():
            agent = self._agent_at.pop(i, None)
            if agent is not None:
                agent.leave(self.week)
                self.former_members[agent.person_id] = agent

    def record_turnover(self, quits: int, hires: int) -> None:
        """This week's quits and hires, and the headcount after them (for the turnover rate)."""
        self.week_stats["quits"], self.week_stats["hires"] = quits, hires
        self._quit_history.append((quits, int(self.members.occupied.sum())))

    def recent_quits_and_heads(self, window: int) -> tuple[int, float]:
        """Quits and head-weeks over the last ``window`` weeks."""
        recent = list(self._quit_history)[-window:]
        return sum(q for q, _ in recent), float(sum(h for _, h in recent))

    def record_promise_totals(self, gained: np.ndarray, changed_by_broken: np.ndarray) -> None:
        """This week's trust changes of kept promises and of broken ones (negative), in position order."""
        nk, nb = len(gained), len(changed_by_broken)
        self.week_stats["promises_kept"], self.week_stats["promises_broken"] = nk, nb
        self._promise_log.append((self.week, float(gained.sum()), nk, float(-changed_by_broken.sum()), nb))

    def promise_effects(self) -> pd.DataFrame:
        """Per week: promises kept and broken and the summed trust change each produced."""
        return pd.DataFrame(self._promise_log, columns=["week", "trust_gained", "kept", "trust_lost", "broken"])

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

LMXModel.__init__.__signature__ = signature_with_parameters(LMXModel.__init__)
