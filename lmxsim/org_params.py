"""The parameters of a batch of organisations, as each member position, team or organisation sees them.

A weekly rule reads ``p.trust_gain`` and gets what it needs to broadcast against the member
arrays: the one number when every organisation of the batch has the same value (always, for a
single organisation), else one value per position (``value[org of the position]``).
``p.at(idx)`` is the same view restricted to positions ``idx`` (for rules that act on a few
members); :attr:`Engine.team_params` and :attr:`Engine.org_params` see per team and per
organisation.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lmxsim.params import Params


class ParamTable:
    """Each parameter's value in each organisation: a number when all agree, else an array."""

    def __init__(self, params: list[Params]):
        self.params = params
        self.values: dict[str, object] = {}
        for f in dataclasses.fields(Params):
            column = [getattr(p, f.name) for p in params]
            same = all(v == column[0] for v in column)
            self.values[f.name] = column[0] if same else np.asarray(column)

    def varying(self) -> list[str]:
        """The parameters that differ between organisations."""
        return [name for name, v in self.values.items() if isinstance(v, np.ndarray)]


class OrgParams:
    """Parameters seen from ``index`` (the organisation of each element: position, team, ...)."""

    def __init__(self, table: ParamTable, index: np.ndarray):
        self._table = table
        self._index = index
        self._seen: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str):
        try:
            value = self._table.values[name]
        except KeyError:
            raise AttributeError(name) from None
        if not isinstance(value, np.ndarray):
            return value
        seen = self._seen.get(name)
        if seen is None:
            seen = self._seen[name] = value[self._index]
        return seen

    def at(self, idx) -> "OrgParams":
        """The same parameters, seen from the elements ``idx`` only."""
        return OrgParams(self._table, self._index[idx])


def each(function, values) -> np.ndarray:
    """``function`` of each value of a parameter (one value per organisation), in Python floats -
    the C library's ``exp``, ``log``, ``log1p`` and ``pow``, as the per-agent reference computes
    them. numpy 2 has its own on AVX-512 CPUs, a last bit off for up to 8% of inputs, and compiled
    code turns a power of 0.5 into ``exp2``: a run's numbers would then depend on the machine."""
    return np.array([function(v) for v in np.asarray(values, dtype=float).tolist()])
