"""The member-level panel: one row per member per collection period (ODD section 4.11, "Observation").

Every ``panel_every`` weeks the panel records a row for each current member, plus a row
for each member who left during the period (``quit = 1``; ``week`` is the week closing the
period, the other values are their state when they quit). The run's last week closes the
period it falls in, which is then shorter.
``ideas`` and ``successful_ideas`` count the period; the other variables are the state at
the end of the period (or at quitting). Rows are kept as column chunks and assembled
into a pandas DataFrame only when asked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# panel column -> member state array it comes from
STATE_COLUMNS = {
    "lmx": "lmx",
    "trust_in_leader": "trust",
    "autonomy": "autonomy",
    "creativity": "creativity",
    "competence": "competence",
    "performance": "performance",
    "psych_safety": "psych_safety",
    "engagement": "engagement",
    "fairness": "fairness",
    "turnover_intention": "turnover_intention",
    "strain": "strain",
    "stage": "stage",
    "in_group": "in_group",
    "ideas": "ideas",
    "successful_ideas": "successful_ideas",
    "hours_with_leader": "hours",
}
COLUMNS = ("week", "member_id", "team_id", "tenure_weeks", "dyad_weeks", *STATE_COLUMNS, "quit")

# meaning, unit and type of the columns that are not member state (those are declared in
# ``lmxsim.state.MEMBER_FIELDS``); collected into docs/data_dictionary.md by lmxsim.datadict
FIXED_COLUMN_DOCS = {
    "week": ("week closing the collection period (a leaver's row carries the week closing the period "
             "they left in; the run's last week closes the period it falls in)", "week", "int32"),
    "member_id": ("unique id of the person (never reused)", "id", "int64"),
    "team_id": ("team the member belongs to (one leader per team)", "index", "int32"),
    "tenure_weeks": ("weeks since the person joined the organisation", "weeks", "int32"),
    "dyad_weeks": ("weeks since the current leader-member dyad began (a new leader restarts it)", "weeks", "int32"),
    "quit": ("1 = the member quit during the period (values are their state when they quit), 0 = still employed",
             "flag 0/1", "int8"),
}
# panel columns whose meaning differs from the member state they copy
PERIOD_MEANINGS = {
    "ideas": "ideas generated during the period",
    "successful_ideas": "successful ideas during the period",
    "stage": "relationship stage: 0 stranger, 1 acquaintance, 2 partnership",
    "in_group": "1 = in the leader's in-group, as the leader sees it",
    "hours_with_leader": "leader hours the member received in the period's last week",
}


class Panel:
    def __init__(self, every: int):
        self.every = every
        self._chunks: list[dict[str, np.ndarray]] = []
        self._leavers: list[dict[str, np.ndarray]] = []

    @property
    def enabled(self) -> bool:
        return self.every > 0

    def _rows(self, model, idx: np.ndarray, quit_flag: int) -> dict[str, np.ndarray]:
        m = model.members
        rows = {
            "week": np.full(len(idx), model.week, dtype=np.int32),
            "member_id": m.person_id[idx].copy(),
            "team_id": m.team[idx].copy(),
            "tenure_weeks": (model.week - m.hire_week[idx]).astype(np.int32),
            "dyad_weeks": (model.week - m.dyad_start_week[idx]).astype(np.int32),
        }
        for column, name in STATE_COLUMNS.items():
            values = getattr(m, name)[idx]
            rows[column] = values.astype(np.int8) if values.dtype == np.bool_ else values.copy()
        rows["quit"] = np.full(len(idx), quit_flag, dtype=np.int8)
        return rows

    def record_leavers(self, model, idx: np.ndarray) -> None:
        if self.enabled and len(idx):
            self._leavers.append(self._rows(model, idx, 1))

    def collect(self, model, last_week: bool = False) -> None:
        """Record the period's rows if this week closes a collection period - or is the run's
        ``last_week``, which closes a period the horizon cut short (its leavers were lost)."""
        if not self.enabled or (model.week % self.every != 0 and not last_week):
            return
        m = model.members
        idx = np.flatnonzero(m.occupied)
        for rows in self._leavers:  # leavers belong to the period that closes now
            rows["week"][:] = model.week
        self._chunks.extend(self._leavers)
        self._leavers = []
        self._chunks.append(self._rows(model, idx, 0))
        m.ideas[:] = 0
        m.successful_ideas[:] = 0

    def frame(self) -> pd.DataFrame:
        if not self._chunks:
            return pd.DataFrame({c: [] for c in COLUMNS})
        data = {c: np.concatenate([ch[c] for ch in self._chunks]) for c in COLUMNS}
        return pd.DataFrame(data).sort_values(["week", "member_id"], kind="stable").reset_index(drop=True)
