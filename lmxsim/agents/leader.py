"""Leaders as Mesa agents: one per team, a window onto the leader arrays and the team.

``leader.hours_per_week = 4`` changes that leader's weekly time budget (checked against
its declared range in :data:`lmxsim.state.LEADER_FIELDS`); ``leader.policy = "proactive_deal"``
switches that leader's policy from next week, as :meth:`lmxsim.model.LMXModel.set_policy`
does. The rest (ids, weeks, the similarity trait members' similarity derives from, the team
lists) is read-only.
"""

from __future__ import annotations

import mesa
import numpy as np

from lmxsim.agents.views import read_only, state_property
from lmxsim.errors import LMXInputError
from lmxsim.state import LEADER_FIELDS

_OWNER = "LeaderAgent"


class LeaderAgent(mesa.Agent):
    """The leader of one team."""

    def __init__(self, model, team_id: int):
        super().__init__(model)
        self._team_id = int(team_id)

    team_id = read_only(_OWNER, "team_id", "the team this leader leads", lambda self: self._team_id)

    @property
    def policy(self) -> str:
        """Name of this leader's policy; setting it switches the policy from next week."""
        return self.model.policy_of_team(self._team_id)

    @policy.setter
    def policy(self, name: str) -> None:
        from lmxsim.policies import policy_names

        if not isinstance(name, str) or name not in policy_names():
            raise LMXInputError(f"{_OWNER}.policy", name, "one of " + ", ".join(sorted(policy_names())))
        self.model.set_policy(name, teams=[self._team_id])

    def _positions(self) -> np.ndarray:
        m = self.model.members
        return np.flatnonzero((m.team == self._team_id) & m.occupied)

    members = read_only(_OWNER, "members", "the team's current members as MemberAgent objects",
                        lambda self: [self.model.member_at(i) for i in self._positions()])
    in_group = read_only(_OWNER, "in_group", "the members this leader counts as in-group",
                         lambda self: [self.model.member_at(i) for i in self._positions()
                                       if self.model.members.in_group[i]])
    mean_lmx = read_only(_OWNER, "mean_lmx", "mean LMX of the team's current members (nan if none)",
                         lambda self: float(self.model.members.lmx[idx].mean())
                         if len(idx := self._positions()) else float("nan"))

    def __repr__(self) -> str:
        return f"<Leader of team {self.team_id} policy={self.policy} members={len(self._positions())}>"


def _leader_property(spec) -> property:
    name = spec.name

    def read(agent):
        return getattr(agent.model.leaders, name)[agent._team_id].item()

    def write(agent, value):
        getattr(agent.model.leaders, name)[agent._team_id] = value

    return state_property(spec, _OWNER, read, write)


for _spec in LEADER_FIELDS:
    if _spec.name != "policy":   # the policy is read and set by name, above
        setattr(LeaderAgent, _spec.name, _leader_property(_spec))
