"""Memory estimates, so that a request too large for this machine is refused up front.

A model, a comparison or an experiment that does not fit in memory would otherwise run
for minutes and end in a ``MemoryError`` (or the operating system killing the process).
Each estimate below adds up what the run keeps in memory at its peak - the member state
arrays, the collaboration ties, the Mesa member agents, the member panel, the weekly rows
and, for batches, every run's result - from per-item sizes measured on this code with
``tracemalloc`` (64-bit CPython 3.11, numpy 2): they are estimates to the nearest factor of
about 1.5, not promises. A request whose estimate exceeds the machine's physical memory is
refused with an :class:`~lmxsim.errors.LMXInputError` that gives both figures.
"""

from __future__ import annotations

import os

from lmxsim.errors import LMXInputError

# Measured peaks per item (bytes); see the module docstring.
BYTES_PER_POSITION = 520        # 40 member state arrays (264 B) plus a week's temporaries
BYTES_PER_TIE_END = 48          # sparse adjacency, while it is built (COO -> CSR)
BYTES_PER_MEMBER_AGENT = 1_000  # a Mesa agent per member (``member_agents=True``)
BYTES_PER_PANEL_ROW = 600       # one member-week of the panel, as a DataFrame
BYTES_PER_WEEKLY_ROW = 900      # one week of the model's DataCollector (about 25 outcomes)
BYTES_PER_RUN_RESULT = 2_000    # a planned run and its result row in a batch
BYTES_PER_DESIGN_VALUE = 16     # one value of a sampling design (SALib keeps a copy)


def machine_memory() -> int | None:
    """Physical memory of this machine in bytes (``None`` if the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX systems
        return None


def gib(n_bytes: float) -> str:
    """``n_bytes`` as a short human figure in GiB (or MiB below 1 GiB)."""
    if n_bytes >= 2**30:
        return f"{n_bytes / 2**30:,.0f} GiB" if n_bytes >= 10 * 2**30 else f"{n_bytes / 2**30:.1f} GiB"
    return f"{n_bytes / 2**20:,.0f} MiB"


def positions(params, scenario) -> int:
    """The most member positions the organisation will have (scenario growth included)."""
    from lmxsim.scenarios import GrowTeams, HiringWave

    per_team = params.team_size
    for event in scenario.events:
        if isinstance(event, GrowTeams):
            per_team = max(per_team, event.to_size)
    per_team += sum(e.extra_per_team for e in scenario.events if isinstance(e, HiringWave))
    return params.n_teams * per_team


def model_bytes(params, scenario, panel_every: int = 0, member_agents: bool = False) -> int:
    """Estimated peak memory of one model run to ``params.weeks``."""
    n = positions(params, scenario)
    tie_ends = min(params.within_team_ties, max(0, params.team_size - 1)) + 2 * params.cross_team_ties
    total = n * (BYTES_PER_POSITION + BYTES_PER_TIE_END * tie_ends)
    if member_agents:
        total += n * BYTES_PER_MEMBER_AGENT
    if panel_every:
        total += n * (params.weeks // panel_every) * BYTES_PER_PANEL_ROW
    total += (params.weeks + 1) * BYTES_PER_WEEKLY_ROW
    return int(total)


def check_fits(field: str, value, needed: int, what: str = "a size that fits in memory") -> None:
    """Refuse (naming ``field`` and ``value``) if ``needed`` bytes exceed this machine's memory.

    ``what`` says what is allowed instead; the estimate and the machine's memory follow it.
    """
    have = machine_memory()
    if have is not None and needed > have:
        raise LMXInputError(field, value, f"{what} (needs about {gib(needed)}; this machine has {gib(have)})")
