"""The one run pipeline of ``compare``, ``validate`` and ``experiment run``, and their one seed scheme.

**Seeds.** Replication ``r`` of a root seed runs with :func:`replication_seeds` ``(root_seed,
n)[r]``: child ``r`` of ``numpy.random.SeedSequence(root_seed)``, its first 64-bit word
shifted right by one bit (:data:`SEED_SCHEME`). Every policy, design point and command uses
that seed for replication ``r`` (common random numbers: differences between policies are
paired comparisons), so ``lmxsim compare --root-seed S``, ``lmxsim validate`` (root seed 0)
and an experiment with ``root_seed = S`` run replication ``r`` on the same organisation and
people. A child depends only on the root seed and ``r``, not on ``n``: the first 20 seeds of
40 replications are the 20 seeds of 20 replications. Seeds are below ``2**63``, an ordinary
signed 64-bit integer in every tool that reads the results.

**Runs.** A :class:`RunTask` says what to simulate - policy, scenario preset, seed, parameter
overrides (``weeks`` among them), optionally a policy switch - and what to keep of it
(``collect``). :func:`run_tasks` runs a list of tasks in this process, on a local process
pool or on any ``concurrent.futures.Executor`` (e.g. a Dask cluster's) and yields one
:class:`RunResult` per task. It is the only place that builds an ``LMXModel`` for those
commands; a task's result depends only on the task, so the numbers are the same whatever
runs it and whatever runs beside it.
"""

from __future__ import annotations

import numbers
from concurrent.futures import Executor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from lmxsim.errors import LMXInputError
from lmxsim.parallel import local_pool

SEED_SCHEME = ("numpy.random.SeedSequence(root_seed).spawn(replications); every run of replication r uses the seed "
               "child_r.generate_state(1, uint64)[0] >> 1, a 63-bit integer in [0, 2**63) stored as int64 "
               "everywhere (Parquet, pandas, DuckDB, R's arrow), whatever its policy and design point "
               "(common random numbers: paired comparisons)")


def replication_seeds(root_seed: int, n: int) -> list[int]:
    """The seeds of replications ``0 .. n-1`` of ``root_seed`` (see :data:`SEED_SCHEME`).

    Raises:
        LMXInputError: ``root_seed`` is not a whole number >= 0, or ``n`` not one >= 0.
    """
    for name, value in (("root_seed", root_seed), ("replications", n)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
            raise LMXInputError(name, value, "a whole number >= 0")
    children = np.random.SeedSequence(int(root_seed)).spawn(int(n))
    # 63 bits: a seed fits a signed 64-bit column in every tool that reads the results
    return [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in children]


# what a task can keep of its run (RunResult has one attribute of each name)
COLLECTABLE = {
    "outcomes": "run-level outcomes (lmxsim.outcomes.run_summary of the weekly series)",
    "cohort_outcomes": "performance of the week-26 cohort by LMX tercile (lmxsim.outcomes.CohortTracker), "
                       "added to outcomes",
    "weekly": "the weekly series (LMXModel.model_frame), without id columns",
    "panel": "the member panel every panel_every weeks (LMXModel.panel_frame)",
    "promise_effects": "promises kept and broken per week and their trust changes (LMXModel.promise_effects)",
}


@dataclass(frozen=True)
class RunTask:
    """One simulation: who leads which organisation with which luck, and what to keep of it.

    ``params`` are parameter overrides on top of the scenario's (``weeks`` is the horizon),
    given as a dict or as ``((name, value), ...)``. ``switch = (week, policy)``: after that
    week's step every leader adopts ``policy`` (a leader-training field experiment);
    ``panel_every`` is the panel's period when ``collect`` has ``"panel"``.
    """

    policy: str
    seed: int
    scenario: str = "default"
    params: tuple = ()
    collect: tuple[str, ...] = ("outcomes",)
    panel_every: int = 1
    switch: tuple[int, str] | None = None

    def __post_init__(self):
        if isinstance(self.params, dict):
            object.__setattr__(self, "params", tuple(self.params.items()))
        object.__setattr__(self, "collect", tuple(self.collect))
        for item in self.collect:
            if item not in COLLECTABLE:
                raise LMXInputError("collect", item, "any of: " + ", ".join(COLLECTABLE))
        if self.switch is not None:
            week, _policy = self.switch
            if isinstance(week, bool) or not isinstance(week, numbers.Integral) or week < 0:
                raise LMXInputError("switch", self.switch, "(week, policy) with a whole week >= 0")


@dataclass
class RunResult:
    """What :func:`run_tasks` kept of one task's run (``None`` where ``collect`` did not ask)."""

    task: RunTask
    index: int                                  # the task's position in the list given to run_tasks
    outcomes: dict | None = None
    weekly: pd.DataFrame | None = None
    panel: pd.DataFrame | None = None
    promise_effects: pd.DataFrame | None = None


def run_tasks(tasks: Iterable[RunTask], executor: Executor | None = None, workers: int = 1,
              ordered: bool = True) -> Iterator[RunResult]:
    """Run every task; yield one :class:`RunResult` per task as results come in.

    Tasks are run in batches - many organisations advanced together in one set of arrays by
    :class:`lmxsim.engine.Engine` (tasks of one scenario and horizon; a task that keeps the
    member panel runs alone, as an ``LMXModel``) - and a batch's results are exactly those of
    its tasks run one by one.

    Args:
        tasks: what to run.
        executor: any ``concurrent.futures.Executor``; default: ``workers`` local processes
            (:func:`lmxsim.parallel.local_pool`; 1 runs the tasks in this process).
        ordered: yield in task order; ``False`` yields each result as soon as its batch is
            finished (``RunResult.index`` tells which task it belongs to).

    Results stream: a caller can store or reduce each one before the next arrives. Stop
    early by closing the generator (or letting it go): unstarted batches are cancelled, and
    a pool opened here is shut down at once.
    """
    waiting: dict[int, RunResult] = {}
    next_index = 0
    for results in run_batches(tasks, executor, workers):
        if not ordered:
            yield from results
            continue
        waiting.update((r.index, r) for r in results)
        while next_index in waiting:
            yield waiting.pop(next_index)
            next_index += 1


def check_executor(executor) -> None:
    """``executor`` is None (this process) or has ``submit`` (a ``concurrent.futures.Executor``,
    a Dask client's executor); anything else is refused by name before a run starts."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise LMXInputError("executor", type(executor).__name__, "a concurrent.futures.Executor (e.g. a Dask "
                            "client.get_executor()), or None for this process")


def run_batches(tasks: Iterable[RunTask], executor: Executor | None = None,
                workers: int = 1) -> Iterator[list[RunResult]]:
    """Run every task (as :func:`run_tasks`); yield each batch's results together, as soon as the
    batch is finished - a caller that stores results can write a batch at once.

    The tasks are cut into batches for ``workers`` processes, or for as many as a pool of
    :func:`lmxsim.parallel.local_pool` has (at least 2 for any other executor: a Dask client
    does not say)."""
    check_executor(executor)
    tasks = list(tasks)
    chunks = plan_batches(tasks, workers if executor is None else max(2, workers, getattr(executor, "workers", 0)))
    with local_pool(workers) if executor is None else nullcontext(executor) as pool:
        if pool is None:
            for chunk in chunks:
                yield _run_batch([tasks[i] for i in chunk], chunk)
            return
        pending = {pool.submit(_run_batch, [tasks[i] for i in chunk], chunk) for chunk in chunks}
        try:
            for fut in as_completed(pending):
                pending.discard(fut)   # keep no result once it is handed on: results stream through
                yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()


BATCH_POSITIONS = 100_000   # member positions per batch at most: large enough to share a week's fixed cost


def plan_batches(tasks: list[RunTask], workers: int = 1) -> list[list[int]]:
    """Task indices grouped into batches: tasks of one scenario and horizon share a batch, up
    to about :data:`BATCH_POSITIONS` member positions; a task keeping the member panel runs alone.

    Each group of tasks is cut into batches of equal size, as many as a multiple of ``workers``
    where it has tasks enough: every worker then gets the same work (1,400 runs of 200 members
    on 2 workers: four batches of 70,000 positions, not 100,000 + 100,000 + 80,000 with one
    worker running two). Inside a batch, tasks of one (first) policy follow each other: each
    policy's positions are then one block, which its leaders' view reads without copying
    (:func:`lmxsim._structure.one_block`). No task's numbers depend on its batch or its place in it."""
    from lmxsim.params import Params
    from lmxsim.scenarios import get_scenario

    groups: dict[tuple, list[int]] = {}
    sizes = []
    for i, task in enumerate(tasks):
        params = Params(**{**get_scenario(task.scenario).overrides, **dict(task.params)})
        sizes.append(params.n_teams * params.team_size)
        key = ("alone", i) if "panel" in task.collect else (task.scenario, params.weeks)
        groups.setdefault(key, []).append(i)
    workers = max(1, workers)
    batches = []
    for members in groups.values():
        total = sum(sizes[i] for i in members)
        n_batches = max(1, -(-total // BATCH_POSITIONS))
        n_batches = min(len(members), -(-n_batches // workers) * workers)   # a multiple of workers
        cut = [[] for _ in range(n_batches)]
        before = 0
        for i in members:   # a task goes to the batch its middle position falls in
            cut[min(n_batches - 1, (2 * before + sizes[i]) * n_batches // (2 * total))].append(i)
            before += sizes[i]
        batches += [batch for batch in cut if batch]
    return [sorted(batch, key=lambda i: tasks[i].policy) for batch in batches]


def _run_batch(tasks: list[RunTask], indices: list[int]) -> list[RunResult]:
    """Run ``tasks`` together (or, keeping the panel, one alone) and keep what each collects."""
    if len(tasks) == 1 and "panel" in tasks[0].collect:
        return [_run_alone(tasks[0], indices[0])]
    from lmxsim.engine import Engine, OrgSpec, by_column, columns_of
    from lmxsim.outcomes import CohortTracker, run_summary
    from lmxsim.params import Params, check_overrides
    from lmxsim.reporters import weekly_rows
    from lmxsim.scenarios import get_scenario, validate_events

    specs = []
    for task in tasks:
        preset = get_scenario(task.scenario)
        params = Params(**{**preset.overrides, **check_overrides(dict(task.params))})
        validate_events(preset, params)
        specs.append(OrgSpec(task.policy, params, task.seed, preset))
    engine = Engine(specs)
    cohort = CohortTracker()
    rows = [weekly_rows(engine)]
    _switch_due(engine, tasks)
    for _ in range(specs[0].params.weeks):
        engine.step()
        rows.append(weekly_rows(engine))
        cohort.observe(engine)
        _switch_due(engine, tasks)
    results = []
    weekly = by_column(rows)
    for org, (task, index) in enumerate(zip(tasks, indices)):
        result = RunResult(task, index)
        wants = set(task.collect)
        columns = columns_of(weekly, org)
        if wants & {"outcomes", "cohort_outcomes"}:
            result.outcomes = run_summary(columns) if "outcomes" in wants else {}
            if "cohort_outcomes" in wants:
                result.outcomes.update(cohort.outcomes(org))
        if "weekly" in wants:
            result.weekly = pd.DataFrame(columns)
        if "promise_effects" in wants:
            result.promise_effects = engine.promise_effects(org)
        results.append(result)
    return results


def _switch_due(engine, tasks: list[RunTask]) -> None:
    """Every leader of an organisation whose task switches policy this week adopts the new one."""
    for org, task in enumerate(tasks):
        if task.switch is not None and engine.week == task.switch[0]:
            teams = np.flatnonzero(engine.leaders.org == org)
            engine.set_policy(task.switch[1], teams)


def _run_alone(task: RunTask, index: int) -> RunResult:
    """Build the task's model, run it to its horizon and keep what the task collects."""
    from lmxsim.compat import release_model
    from lmxsim.model import LMXModel
    from lmxsim.outcomes import CohortTracker, run_summary

    wants = set(task.collect)
    model = LMXModel(policy=task.policy, scenario=task.scenario, seed=task.seed,
                     panel_every=task.panel_every if "panel" in wants else 0, member_agents=False,
                     **dict(task.params))
    cohort = CohortTracker() if "cohort_outcomes" in wants else None
    _switch_if_due(model, task)
    while model.running and model.week < model.params.weeks:
        model.step()
        if cohort is not None:
            cohort.observe(model.engine)
        _switch_if_due(model, task)
    result = RunResult(task, index)
    if wants & {"outcomes", "cohort_outcomes", "weekly"}:
        frame = model.model_frame()
        if wants & {"outcomes", "cohort_outcomes"}:
            result.outcomes = run_summary(frame) if "outcomes" in wants else {}
            if cohort is not None:
                result.outcomes.update(cohort.outcomes())
        if "weekly" in wants:
            result.weekly = frame
    if "panel" in wants:
        result.panel = model.panel_frame()
    if "promise_effects" in wants:
        result.promise_effects = model.promise_effects()
    release_model(model)  # Mesa 3.3.1 keeps every model alive otherwise
    return result


def _switch_if_due(model, task: RunTask) -> None:
    if task.switch is not None and model.week == task.switch[0]:
        model.set_policy(task.switch[1])
