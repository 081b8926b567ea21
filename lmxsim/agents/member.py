"""Members as Mesa agents: how users see, inspect and draw a person.

The model's state lives in numpy arrays (:mod:`lmxsim.state`); a ``MemberAgent`` is a
window onto one person's row. Every member state variable is a read-only attribute
(``agent.lmx``, ``agent.trust``, ...). When the person leaves, the agent is removed from
the model and keeps a snapshot of their last state, so their story can still be read.
"""

from __future__ import annotations

import mesa

from lmxsim.state import MEMBER_FIELD_NAMES, STAGE_NAMES


class MemberAgent(mesa.Agent):
    """One person in a member position."""

    def __init__(self, model, position: int):
        super().__init__(model)
        self.position = int(position)
        self.person_id = int(model.members.person_id[position])
        self.hire_week = int(model.members.hire_week[position])
        self.left_week: int | None = None
        self._snapshot: dict | None = None

    @property
    def active(self) -> bool:
        return self.left_week is None

    @property
    def team_id(self) -> int:
        return int(self.team)

    @property
    def leader(self):
        return self.model.leader_agents[self.team_id]

    @property
    def tenure_weeks(self) -> int:
        end = self.model.week if self.active else self.left_week
        return end - self.hire_week

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES[int(self.stage)]

    def state(self) -> dict:
        """All state variables of this person as plain Python values."""
        if self._snapshot is not None:
            return dict(self._snapshot)
        m = self.model.members
        return {name: getattr(m, name)[self.position].item() for name in MEMBER_FIELD_NAMES}

    def leave(self, week: int) -> None:
        """Freeze the person's state at the moment they quit and take them out of the model."""
        self._snapshot = self.state()
        self.left_week = week
        self.remove()

    def __repr__(self) -> str:
        status = "active" if self.active else f"left in week {self.left_week}"
        return f"<Member {self.person_id} team {self.team_id} lmx={self.lmx:.2f} {status}>"


def _field_property(name: str) -> property:
    def get(self):
        if self._snapshot is not None:
            return self._snapshot[name]
        return getattr(self.model.members, name)[self.position].item()

    return property(get, doc=f"Member state variable `{name}` (see lmxsim.state.MEMBER_FIELDS).")


for _name in MEMBER_FIELD_NAMES:
    if _name in ("person_id", "hire_week"):  # fixed for the person: plain attributes
        continue
    setattr(MemberAgent, _name, _field_property(_name))
