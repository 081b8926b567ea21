"""The reference model: the weekly schedule of ODD section 3, run agent by agent through Mesa.

Members and leaders are Mesa agents (:mod:`lmxsim.reference.agents`); each phase of the week
runs through Mesa's AgentSet, ``model.agents_by_type[RefMember].do("perceive")`` and so on.
The model keeps the desks: which team owns each, its collaboration ties, who sits there
(``seats``), how many people have sat there (``occupants``) and when a vacancy is refilled.
"""

from __future__ import annotations

import math
from collections import deque

import mesa
import numpy as np
import pandas as pd

from lmxsim import organisation
from lmxsim.draws import Luck
from lmxsim.params import Params
from lmxsim.reference.agents import POLICIES, ROTATES_ASSIGNMENTS, RefLeader, RefMember
from lmxsim.reference.luck import KeyedLuck
from lmxsim.reference.reporters import REFERENCE_REPORTERS

# every member state variable the agreement test compares, agent by agent
STATE_NAMES = ("person_id", "person_key", "hire_week", "dyad_start_week", "competence", "creativity_trait",
               "mobility", "affectivity", "conscientiousness", "similarity", "liking", "rater_bias", "trust",
               "scar", "lmx", "stage", "in_group", "expectation", "clarity", "autonomy", "psych_safety",
               "creativity", "engagement", "fairness", "turnover_intention", "strain", "performance", "performance_avg",
               "citizenship", "perceived_competence", "perceived_loyalty", "contact", "hours", "support",
               "assignment", "bonus", "ideas", "successful_ideas", "successes_this_week")
# every leader state variable it compares, team by team
LEADER_STATE_NAMES = ("departures",)
# of which this week's exchange only: what a person hired after the exchange has not had yet
THIS_WEEKS_EXCHANGE = ("hours", "support", "assignment", "bonus")


class ReferenceModel(mesa.Model):
    """The weekly rules of :class:`lmxsim.LMXModel`, agent by agent (default scenario, no events).

    Args:
        policy: the built-in policy every leader starts with (one of ``POLICIES``).
        seed: the run's seed; every random number is keyed by it, as in ``LMXModel``.
        **params: any parameter of :class:`lmxsim.params.Params`.
    """

    member_class = RefMember   # a subclass can change one rule (the agreement test checks it is caught)
    leader_class = RefLeader   # ... or one decision (the agreement test sets levers no built-in policy uses)

    def __init__(self, policy: str = "reactive_in_crowd", seed: int | None = None, **params):
        super().__init__(rng=seed)  # rng=<int> seeds Mesa as seed=<int> does (newer Mesa deprecates seed=)
        self.params = p = Params(**params)
        if policy not in POLICIES:
            raise ValueError(f"the reference model does not implement policy {policy!r}")
        # as LMXModel: the integer seed, or one drawn from Mesa's generator
        self.draw_seed = seed if seed is not None else int(self.rng.integers(0, 2**63))
        self.luck = KeyedLuck(self.draw_seed)
        self.week = 0
        self.hours_scale = (p.hours_scale_stranger, p.hours_scale_acquaintance, p.hours_scale_partner)
        self.lmx_rate = (p.lmx_rate_stranger, p.lmx_rate_acquaintance, p.lmx_rate_partner)
        self.scar_decay = 0.5 ** (1.0 / p.scar_half_life_weeks)
        self.clarity_decay = 0.5 ** (1.0 / p.clarity_half_life_weeks)
        self.weekly_base_hazard = -math.log1p(-p.annual_base_turnover) / 52.0
        self.policy_table = [policy]   # in order of first use: the order policies draw in a week
        self.policy_draw: dict[str, int] = {}
        self.week_stats: dict[str, float] = {}
        self._next_person = 0
        self._quit_history: deque = deque(maxlen=52)

        self.leaders = [self.leader_class(self, t, policy, leader_id=t) for t in range(p.n_teams)]
        # desks: team by team, numbered (slot) in order of creation
        n = p.n_teams * p.team_size
        self.team_of = [t for t in range(p.n_teams) for _ in range(p.team_size)]
        for pos, t in enumerate(self.team_of):
            self.leaders[t].positions.append(pos)
        self.slot_of = list(range(n))
        self.occupants = [0] * n
        self.seats: list[RefMember | None] = [None] * n
        self.refill_week = [-1] * n
        # collaboration ties: the package's structure, drawn with the same keyed desk luck
        team_of = np.array(self.team_of, dtype=np.int32)
        u, v = organisation.team_ring_ties(team_of, np.arange(n), p.within_team_ties, p.tie_rewiring,
                                           self.desk_luck)
        cu, cv = organisation.cross_ties(team_of, np.zeros(n, dtype=np.int32), p.cross_team_ties, self.desk_luck)
        ties = [set() for _ in range(n)]
        for a, b in zip(np.concatenate([u, cu]).tolist(), np.concatenate([v, cv]).tolist()):
            ties[a].add(b)
            ties[b].add(a)
        self.ties_of = [sorted(s) for s in ties]

        # the initial workforce: weeks already served, keyed by each desk's first occupant
        weekly_stay = (1.0 - p.annual_base_turnover) ** (1.0 / 52.0)
        tenure = [min(self.luck.geometric("hire.tenure", self.slot_of[pos] << 32, 0, max(1e-9, 1.0 - weekly_stay)) - 1,
                      40 * 52) for pos in range(n)]
        self.hire(list(range(n)), tenure)
        self.review()

        self.datacollector = mesa.DataCollector(model_reporters=REFERENCE_REPORTERS)
        self.datacollector.collect(self)

    def desk_luck(self, positions: np.ndarray) -> Luck:
        """The keyed luck of desks ``positions`` (by slot), as ``lmxsim.organisation`` asks for it."""
        slots = np.array(self.slot_of, dtype=np.int64)[positions]
        return Luck(self.luck.streams, slots, np.zeros(len(slots), dtype=np.int64), 0)

    # -- the schedule
    @property
    def member_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[self.member_class]

    @property
    def leader_set(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[self.leader_class]

    @property
    def is_review_week(self) -> bool:
        return self.week > 0 and self.week % self.params.review_interval_weeks == 0

    def step(self):
        self.week = self.steps
        self.week_stats = {"promises_kept": 0, "promises_broken": 0, "breaches": 0, "bonus_cost": 0.0}
        members, leaders = self.member_set, self.leader_set

        members.do("perceive")
        self.policy_draw = self.policy_draw_indices()
        leaders.do("decide")
        leaders.do("share_time")
        members.do("exchange")
        members.do("work")
        self.week_stats["bonus_cost"] = sum(m.bonus * self.params.bonus_size / 52.0 for m in members)

        members.do("get_inspired")
        members.do("innovate")
        self.week_stats["ideas_tried"] = sum(m.tried for m in members)
        self.week_stats["successes"] = sum(m.successes_this_week for m in members)
        self.week_stats["innovation_value"] = sum(m.successes_this_week * (0.5 + m.competence) for m in members)

        leaders.do("team_climate")
        members.do("compare")
        members.do("look_at_colleagues")
        members.do("spread_safety")

        members.do("update_attitudes")
        members.do("consider_quitting")
        self.quit_and_refill()
        self._quit_history.append((self.week_stats["quits"], len(members)))

        if self.is_review_week:
            self.review()
        self.datacollector.collect(self)
        if self.week >= self.params.weeks:
            self.running = False

    def run(self, weeks: int | None = None) -> "ReferenceModel":
        for _ in range(self.params.weeks - self.week if weeks is None else weeks):
            self.step()
        return self

    def policy_draw_indices(self) -> dict[str, int]:
        """This week's draw index of each policy's random numbers (purpose "policy"): a policy's
        k-th ``view.rng.random(n)`` of the week is draw k, counted per policy (each policy has its
        own view); the built-in policies draw once a week, so each drawing policy reads draw 0."""
        in_use = sorted({self.policy_table.index(leader.policy) for leader in self.leaders})
        return {self.policy_table[i]: 0 for i in in_use if self.policy_table[i] in ROTATES_ASSIGNMENTS}

    def quit_and_refill(self):
        p = self.params
        members = [m for m in self.seats if m is not None]
        leavers = [m for m in members if m.quitting]
        if leavers:
            top = float(np.quantile([m.performance_avg for m in members], 0.75))
            self.week_stats["quits_top_quartile"] = sum(m.performance_avg >= top for m in leavers)
        for leader in self.leaders:
            leader.count_departures(sum(m.leader is leader for m in leavers))
        for m in leavers:
            self.seats[m.position] = None
            self.refill_week[m.position] = self.week + p.hiring_lag_weeks
            m.remove()
        due = [i for i, seat in enumerate(self.seats)
               if seat is None and 0 <= self.refill_week[i] <= self.week]
        self.hire(due, [0] * len(due))
        self.week_stats["quits"] = len(leavers)
        self.week_stats["hires"] = len(due)

    def hire(self, positions: list[int], tenure: list[int]) -> None:
        """A new person at each desk of ``positions``, who has served ``tenure`` weeks already.
        The k-th person at a desk is keyed ``slot << 32 | k`` (:mod:`lmxsim.draws`)."""
        for pos, weeks in zip(positions, tenure):
            serial = self.occupants[pos]
            self.occupants[pos] += 1
            person = self.member_class(self, pos, self._next_person, (self.slot_of[pos] << 32) | serial,
                                       self.leaders[self.team_of[pos]])
            self._next_person += 1
            self.seats[pos] = person
            self.refill_week[pos] = -1
            person.join(hire_week=self.week - weeks)

    def review(self):
        self.leader_set.do("review")

    def set_policy(self, name: str, teams=None) -> None:
        """Leaders of ``teams`` (default all) adopt ``name`` from next week, and review now."""
        if name not in POLICIES:
            raise ValueError(f"the reference model does not implement policy {name!r}")
        if name not in self.policy_table:
            self.policy_table.append(name)
        for t in (range(len(self.leaders)) if teams is None else teams):
            self.leaders[t].policy = name
            self.leaders[t].policy_since_week = self.week + 1
        self.review()

    # -- data
    def recent_quits_and_heads(self, window: int):
        recent = list(self._quit_history)[-window:]
        return sum(q for q, _ in recent), float(sum(h for _, h in recent))

    def model_frame(self) -> pd.DataFrame:
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "week", np.arange(len(df)))
        return df

    def member_state(self) -> dict[int, dict[str, float]]:
        """Every current member's state by position (for agreement tests)."""
        return {m.position: {k: getattr(m, k) for k in STATE_NAMES} for m in self.seats if m is not None}

    def leader_state(self) -> dict[int, dict[str, float]]:
        """Every leader's state by team (for agreement tests)."""
        return {leader.team: {k: getattr(leader, k) for k in LEADER_STATE_NAMES} for leader in self.leaders}
