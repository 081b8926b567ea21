"""Members as Mesa agents: how users see, inspect, draw and change a person.

The model's state lives in numpy arrays (:mod:`lmxsim.state`); a ``MemberAgent`` is a
window onto one person's row. Every member state variable is an attribute
(``agent.lmx``, ``agent.trust``, ...). The person's state that the weekly rules carry
forward can be set (``agent.trust = 0.3`` writes the model's array, checked against the
variable's declared range); what the model derives each week (performance, hours, ...) or
keeps as book-keeping (ids, team, weeks) is read-only. The panel's column names are
attributes too (``agent.trust_in_leader`` is ``agent.trust``). When the person leaves, the
agent is removed from the model and keeps a snapshot of their last state, so their story
can still be read, but no longer changed.
"""

from __future__ import annotations

import mesa

from lmxsim.agents.views import read_only, state_property
from lmxsim.panel import STATE_COLUMNS
from lmxsim.state import MEMBER_FIELD_NAMES, MEMBER_FIELDS, STAGE_NAMES

_OWNER = "MemberAgent"


class MemberAgent(mesa.Agent):
    """One person in a member position."""

    def __init__(self, model, position: int):
        super().__init__(model)
        self._position = int(position)
        self._person_id = int(model.members.person_id[position])
        self._hire_week = int(model.members.hire_week[position])
        self._left_week: int | None = None
        self._snapshot: dict | None = None

    position = read_only(_OWNER, "position", "the member position (row of the state arrays) the person holds",
                         lambda self: self._position)
    person_id = read_only(_OWNER, "person_id", "unique id of the person", lambda self: self._person_id)
    hire_week = read_only(_OWNER, "hire_week", "week the person joined", lambda self: self._hire_week)
    left_week = read_only(_OWNER, "left_week", "week the person quit (None while employed)",
                          lambda self: self._left_week)
    active = read_only(_OWNER, "active", "the person still works here", lambda self: self._left_week is None)
    team_id = read_only(_OWNER, "team_id", "the person's team", lambda self: int(self.team))
    leader = read_only(_OWNER, "leader", "the team's leader agent",
                       lambda self: self.model.leader_agents[self.team_id])
    tenure_weeks = read_only(_OWNER, "tenure_weeks", "weeks since the person joined",
                             lambda self: (self.model.week if self.active else self._left_week) - self._hire_week)
    stage_name = read_only(_OWNER, "stage_name", "name of the relationship stage",
                           lambda self: STAGE_NAMES[int(self.stage)])

    def state(self) -> dict:
        """All state variables of this person as plain Python values."""
        if self._snapshot is not None:
            return dict(self._snapshot)
        m = self.model.members
        return {name: getattr(m, name)[self._position].item() for name in MEMBER_FIELD_NAMES}

    def leave(self, week: int) -> None:
        """Freeze the person's state at the moment they quit and take them out of the model."""
        self._snapshot = self.state()
        self._left_week = week
        self.remove()

    def _writable_row(self, name: str) -> int:
        """The position to write ``name`` to; refuses a leaver and a stale agent."""
        if self._snapshot is not None:
            raise AttributeError(f"{_OWNER}.{name} cannot be set: member {self._person_id} left in week "
                                 f"{self._left_week}, and their state is a snapshot")
        if int(self.model.members.person_id[self._position]) != self._person_id:
            raise AttributeError(f"{_OWNER}.{name} cannot be set: member {self._person_id} no longer holds "
                                 f"position {self._position}")
        return self._position

    def __repr__(self) -> str:
        status = "active" if self.active else f"left in week {self.left_week}"
        return f"<Member {self.person_id} team {self.team_id} lmx={self.lmx:.2f} {status}>"



def _member_property(spec, alias: str | None = None) -> property:
    name = spec.name

    def read(agent):
        if agent._snapshot is not None:
            return agent._snapshot[name]
        return getattr(agent.model.members, name)[agent._position].item()

    def write(agent, value):
        getattr(agent.model.members, name)[agent._writable_row(alias or name)] = value

    return state_property(spec, _OWNER, read, write, attribute=alias)


_SPECS = {f.name: f for f in MEMBER_FIELDS}
for _spec in MEMBER_FIELDS:
    if _spec.name in ("person_id", "hire_week"):  # fixed for the person: defined in the class
        continue
    setattr(MemberAgent, _spec.name, _member_property(_spec))
# the panel's names for the same variables (``trust_in_leader`` is ``trust``, ...)
for _column, _name in STATE_COLUMNS.items():
    if _column != _name:
        setattr(MemberAgent, _column, _member_property(_SPECS[_name], alias=_column))
