"""Attributes of agents that are windows onto the model's state arrays (:mod:`lmxsim.state`).

A Mesa user expects ``agent.trust = 0.3`` to change that person's trust. The agents keep no
state of their own: a settable attribute validates the value against the variable's
declaration (:meth:`lmxsim.state.FieldSpec.check`) and writes it into the model's array,
where next week's rules read it. Variables the model derives each week or keeps as
book-keeping are read-only, and say so in the error.
"""

from __future__ import annotations

from lmxsim.state import LEADER_FIELDS, MEMBER_FIELDS, FieldSpec


def state_property(spec: FieldSpec, owner: str, read, write, attribute: str | None = None) -> property:
    """A property for state variable ``spec`` of agents of class ``owner``.

    ``read(agent)`` returns the value; ``write(agent, value)`` stores an already validated
    value. A variable not declared ``settable`` refuses writes with an AttributeError that
    names it and says which variables can be set. ``attribute`` is the property's name
    when it differs from the variable's (an alias), for the messages."""
    attribute = attribute or spec.name
    alias = "" if attribute == spec.name else f"; the same as `{spec.name}`"
    doc = f"{spec.meaning} ({spec.allowed}{'' if spec.settable else '; read-only'}{alias}). See lmxsim.state."

    if spec.settable:
        def set_value(agent, value):
            write(agent, spec.check(value, f"{owner}.{attribute}"))
    else:
        def set_value(agent, value):
            raise AttributeError(read_only_message(owner, attribute, spec.meaning))
    return property(read, set_value, doc=doc)


def read_only(owner: str, name: str, meaning: str, read) -> property:
    """A property that reads with ``read(agent)`` and refuses writes with a clear message."""
    def set_value(agent, value):
        raise AttributeError(read_only_message(owner, name, meaning))
    return property(read, set_value, doc=f"{meaning} (read-only).")


def read_only_message(owner: str, name: str, meaning: str) -> str:
    """Why ``owner.name`` cannot be set, and what can."""
    fields = MEMBER_FIELDS if owner == "MemberAgent" else LEADER_FIELDS
    settable = [f.name for f in fields if f.settable] + (["policy"] if owner == "LeaderAgent" else [])
    return (f"{owner}.{name} is read-only ({meaning}): the model derives it or keeps it as book-keeping. "
            f"Settable: {', '.join(settable)}")
