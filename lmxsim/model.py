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

import mesa
import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim.agents import LeaderAgent, MemberAgent
from lmxsim.compat import is_mesa_scenario
from lmxsim.engine import Engine, OrgSpec
from lmxsim.errors import LMXInputError
from lmxsim.model_args import (MAX_SEED, as_rng, as_seed, check_memory, from_mesa_scenario, preset_named,
                               signature_with_parameters)
from lmxsim.panel import Panel
from lmxsim.params import Params, check_overrides
from lmxsim.reporters import MODEL_REPORTERS
from lmxsim.scenarios import validate_events

__all__ = ["LMXModel", "MAX_SEED"]

# read from the engine: model.members is model.engine.members, and so on
_ENGINE_STATE = ("members", "leaders", "week", "week_stats", "ties", "workforce", "streams", "policy_table",
                 "team_positions", "recent_quits_and_heads")


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
        draw_seed: the seed every random number is keyed by (:mod:`lmxsim.draws`): ``seed``,
            or one drawn from Mesa's generator when the model was given none.
        engine: the :class:`lmxsim.engine.Engine` (a batch of one organisation) that holds the
            state and runs the schedule; ``members``, ``leaders``, ``week``, ``ties``, ... are its.
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
        # without an integer seed, the key seed is drawn from Mesa's generator (rng= is used, and advanced)
        self.draw_seed = self.seed if self.seed is not None else int(self.rng.integers(0, 2**63))
        self.preset = preset
        self.params = p = Params(**{**preset.overrides, **check_overrides(kwargs)})
        validate_events(preset, p)
        if isinstance(panel_every, (bool, np.bool_)) or not isinstance(panel_every, numbers.Integral) \
                or panel_every < 0:   # numpy's integers too, as n_teams and seed accept them
            raise LMXInputError("panel_every", panel_every, "an integer >= 0 (weeks; 0 = no panel)")
        panel_every = int(panel_every)
        if not isinstance(member_agents, (bool, np.bool_)):
            raise LMXInputError("member_agents", member_agents, "True or False")
        check_memory(p, preset, panel_every, member_agents)
        self.n_teams = p.n_teams
        self.panel = Panel(panel_every)
        self.member_agents_eager = member_agents
        self._agent_at: dict[int, MemberAgent] = {}
        self.former_members: dict[int, MemberAgent] = {}
        self._organisation_graph = self._graph_ties = None   # the graph, and the ties it was drawn from
        spec = OrgSpec(policy if policy is not None else preset.policy, p, self.draw_seed, preset)
        self.engine = Engine([spec], on_hired=self._on_hired, on_leaving=self._on_leaving)
        self._on_hired(np.flatnonzero(self.members.occupied))   # the initial workforce
        self.leader_agents = [LeaderAgent(self, t) for t in range(p.n_teams)]
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
        self.datacollector.collect(self)

    def __getattr__(self, name: str):   # only for names not found on the model itself
        if name in _ENGINE_STATE and "engine" in self.__dict__:
            return getattr(self.engine, name)
        if name == "scenario":   # Mesa 3.3.1 has none: point old code at the new name
            raise AttributeError("LMXModel.scenario is now model.preset (Mesa >= 3.4 keeps its own scenario "
                                 "object in model.scenario)")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One week of the schedule (ODD section 3; :meth:`lmxsim.engine.Engine.step`), then the
        week's data. A policy that fails leaves the model as it was, and the next step is this week."""
        try:
            self.engine.step()
        except BaseException:
            self.steps -= 1   # Mesa counted this step before calling it
            raise
        self.datacollector.collect(self)
        self.panel.collect(self, last_week=self.week == self.params.weeks)
        if self.week >= self.params.weeks:
            self.running = False

    def set_horizon(self, weeks: int) -> None:
        """Change the horizon ``params.weeks`` of a run in progress: a longer one lets a finished
        run go on from where it is; one at or below the current week ends it here. The value is
        checked like any parameter (:class:`~lmxsim.errors.LMXInputError`)."""
        params = self.params.replace(weeks=weeks)
        validate_events(self.preset, params)
        self.params = params
        self.running = self.week < self.params.weeks

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
        return bool(self.engine.review_due()[0])

    # ------------------------------------------------------------------ policies
    def policy_of_team(self, team: int) -> str:
        return self.policy_table[self.leaders.policy[_index("team", team, self.n_teams)]].name

    @property
    def policies_in_use(self) -> list[str]:
        return [self.policy_table[i].name for i in np.unique(self.leaders.policy)]

    def set_policy(self, name: str, teams=None) -> None:
        """Switch the leaders of ``teams`` (default: all) to policy ``name`` from next week."""
        teams = np.arange(self.n_teams) if teams is None else np.asarray(teams)
        if teams.size == 0:   # no team: nothing to switch
            return
        if teams.ndim != 1 or not np.issubdtype(teams.dtype, np.integer) or (
                len(teams) and (teams.min() < 0 or teams.max() >= self.n_teams)):
            raise LMXInputError("teams", teams.tolist(), f"team indices in [0, {self.n_teams - 1}]")
        self.engine.set_policy(name, teams)

    # ------------------------------------------------------------------ organisation
    @property
    def organisation(self):
        """The organisation as a networkx graph (see :func:`lmxsim.organisation.to_networkx`)."""
        if self._organisation_graph is None or self._graph_ties is not self.ties:
            self._graph_ties = self.ties
            self._organisation_graph = organisation.to_networkx(self.members.team, self.ties, self.n_teams)
        return self._organisation_graph

    # ------------------------------------------------------------------ people
    def _on_hired(self, idx: np.ndarray) -> None:
        for i in idx.tolist():
            if self.member_agents_eager:
                self._agent_at[i] = MemberAgent(self, i)
            else:
                self._agent_at.pop(i, None)

    def _on_leaving(self, idx: np.ndarray) -> None:
        self.panel.record_leavers(self, idx)
        for i in idx.tolist():
            agent = self._agent_at.pop(i, None)
            if agent is not None:
                agent.leave(self.week)
                self.former_members[agent.person_id] = agent

    def member_at(self, position: int) -> MemberAgent:
        """The Mesa agent of the person now in ``position`` (created on demand)."""
        position = _index("position", position, self.members.capacity)
        agent = self._agent_at.get(position)
        if agent is None or agent.person_id != self.members.person_id[position]:
            agent = self._agent_at[position] = MemberAgent(self, position)
        return agent

    def member_agents(self) -> list[MemberAgent]:
        """All current members as Mesa agents."""
        return [self.member_at(i) for i in np.flatnonzero(self.members.occupied)]

    def promise_effects(self) -> pd.DataFrame:
        """Per week: promises kept and broken and the summed trust change each produced."""
        return self.engine.promise_effects(0)

    # ------------------------------------------------------------------ data
    def model_frame(self) -> pd.DataFrame:
        """The weekly time series (one row per week, week 0 = initial state)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "week", np.arange(len(df)))
        return df

    def panel_frame(self) -> pd.DataFrame:
        return self.panel.frame()


def _index(field: str, value, n: int) -> int:
    """A whole number in [0, n) (no negative index counting from the end)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or not 0 <= value < n:
        raise LMXInputError(field, value, f"a whole number in [0, {n - 1}]")
    return int(value)


LMXModel.__init__.__signature__ = signature_with_parameters(LMXModel.__init__)
