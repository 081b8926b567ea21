"""Leaders as Mesa agents: one per team, a window onto the leader arrays and the team."""

from __future__ import annotations

import mesa
import numpy as np


class LeaderAgent(mesa.Agent):
    """The leader of one team."""

    def __init__(self, model, team_id: int):
        super().__init__(model)
        self.team_id = int(team_id)

    @property
    def policy(self) -> str:
        return self.model.policy_of_team(self.team_id)

    @property
    def hours_per_week(self) -> float:
        return float(self.model.leaders.hours_per_week[self.team_id])

    @property
    def start_week(self) -> int:
        return int(self.model.leaders.start_week[self.team_id])

    def _positions(self) -> np.ndarray:
        m = self.model.members
        return np.flatnonzero((m.team == self.team_id) & m.occupied)

    @property
    def members(self) -> list:
        """The team's current members as :class:`~lmxsim.agents.MemberAgent` objects."""
        return [self.model.member_at(i) for i in self._positions()]

    @property
    def in_group(self) -> list:
        m = self.model.members
        return [self.model.member_at(i) for i in self._positions() if m.in_group[i]]

    @property
    def mean_lmx(self) -> float:
        idx = self._positions()
        return float(self.model.members.lmx[idx].mean()) if len(idx) else float("nan")

    def __repr__(self) -> str:
        return f"<Leader of team {self.team_id} policy={self.policy} members={len(self._positions())}>"
