"""Running an experiment: plan every run, execute on any executor, stream results to disk.

Every run is one (design point, replication, policy). Its seed comes from
``numpy.random.SeedSequence(root_seed)``: one child sequence per replication, shared by
every policy and design point, so replication r meets the same organisation and the same
people wherever it runs (common random numbers): differences between policies, and
between levels of a factor, are paired comparisons with less noise. The seed is the
child's first 64-bit word shifted right by one bit, an integer in ``[0, 2**63)``, so it is
an ordinary signed 64-bit integer in every tool that reads the results (see
:data:`SEED_SCHEME`); ``lmxsim compare`` and ``lmxsim validate`` give replication r the
same seed (:func:`lmxsim.runs.replication_seeds`). The runs themselves are executed by
:func:`lmxsim.runs.run_tasks`, the one run pipeline of every command. A run's result
depends only on its task, so the numbers are identical whatever the number of workers or
the engine - one process, a local process pool (:mod:`lmxsim.parallel`), or a Dask cluster.

Results stream to ``DIR/runs/part-*.parquet`` (and ``DIR/weekly/`` for weekly series) as
runs finish, every part with the one schema of :func:`lmxsim.experiments.store.store_schema`.
Each file is staged, flushed and renamed, so a killed run, or one stopped by a full disk,
leaves only whole parts. Re-running the same command on the same directory skips the runs
already stored and finishes the rest; a different specification on the same directory is
refused, and so is a second process while one is writing there. Ctrl-C stores the runs
already finished and raises :class:`RunInterrupted`. ``DIR/manifest.json`` records the
specification, its hash, versions, the seed plan, the column types, and start and end times.
"""

from __future__ import annotations

import platform
import signal
import threading
import time
from concurrent.futures import Executor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from lmxsim import runs
from lmxsim.errors import LMXInputError
from lmxsim.experiments.design import design_points
from lmxsim.experiments.spec import ExperimentSpec
from lmxsim.experiments.store import ResultStore, StoreWriteError, rows_table
from lmxsim.outcomes import COHORT_OUTCOMES
from lmxsim.parallel import local_pool
from lmxsim.progress import progress_bar
from lmxsim.runs import SEED_SCHEME, replication_seeds


@dataclass(frozen=True)
class RunTask:
    run_id: int
    point_id: int
    replicate: int
    policy: str
    seed: int
    scenario: str
    point: tuple          # ((factor, value), ...) of the design point
    params: tuple         # ((name, value), ...) every override for the model
    outcomes: tuple
    weekly: bool


def plan(spec: ExperimentSpec) -> list[RunTask]:
    """Every run of the experiment, in a fixed order (``run_id`` 0, 1, ...)."""
    points = design_points(spec)
    seeds = replication_seeds(spec.root_seed, spec.replications)
    tasks = []
    for i, point in enumerate(points):
        scenario = point.get("scenario", spec.scenario)
        params = {**spec.fixed, **{k: v for k, v in point.items() if k != "scenario"}, "weeks": spec.weeks}
        for r in range(spec.replications):
            for policy in spec.policies:
                tasks.append(RunTask(len(tasks), i, r, policy, seeds[r], scenario, tuple(point.items()),
                                     tuple(params.items()), tuple(spec.outcomes), spec.weekly))
    return tasks


def simulation(task: RunTask) -> runs.RunTask:
    """What :func:`lmxsim.runs.run_tasks` runs for ``task``: its model, and the outcomes it needs."""
    collect = ["outcomes"]
    if any(o in COHORT_OUTCOMES for o in task.outcomes):
        collect.append("cohort_outcomes")
    if task.weekly:
        collect.append("weekly")
    return runs.RunTask(task.policy, task.seed, task.scenario, task.params, tuple(collect))


def record(task: RunTask, result: runs.RunResult) -> tuple[dict, pd.DataFrame | None]:
    """``task``'s result row and, if asked, its weekly series (with ``run_id`` first)."""
    row = {"run_id": task.run_id, "point_id": task.point_id, "replicate": task.replicate, "policy": task.policy,
           "seed": task.seed, "scenario": task.scenario,
           **{k: v for k, v in task.point if k != "scenario"}, **{k: result.outcomes[k] for k in task.outcomes}}
    weekly = None
    if task.weekly:
        weekly = result.weekly
        weekly.insert(0, "run_id", task.run_id)
    return row, weekly


def execute(task: RunTask) -> tuple[dict, pd.DataFrame | None]:
    """Run one simulation; return its result row and, if asked, its weekly series."""
    (result,) = runs.run_tasks([simulation(task)])
    return record(task, result)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("lmxsim", "mesa", "numpy", "pandas", "scipy", "networkx", "pyarrow", "SALib", "dask", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run(spec: ExperimentSpec, out: str | Path | None = None, executor: Executor | None = None, workers: int = 1,
        progress: bool = True, flush_every: int | None = None, engine: str | None = None,
        on_start: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run ``spec`` and return one row per run (sorted by ``run_id``), typed by the store schema.

    Args:
        spec: a validated specification (see :func:`lmxsim.experiments.load_spec`).
        out: directory to stream results to and resume from; ``None`` keeps them in memory.
        executor: any ``concurrent.futures.Executor`` (e.g. a Dask ``client.get_executor()``);
            default: a local process pool of ``workers`` processes (inline when ``workers == 1``).
        progress: show a progress bar (runs done, rate, time left) on stderr when it is a terminal.
        flush_every: write a result part after every this many finished runs (default: one part
            per batch of runs, as each batch finishes - its runs finish together).
        engine: how the runs are executed, as the manifest records it (default: from ``executor``).
        on_start: called once ``out`` is checked and locked, before the first run, with the
            number of runs and the number already stored.

    Raises:
        LMXInputError: ``out`` belongs to something else or another lmxsim process is writing there.
        StoreWriteError: ``out`` could not be written (e.g. the disk is full); the runs stored
            so far stay, and the same call resumes.
        RunInterrupted: Ctrl-C (``KeyboardInterrupt``) while results go to ``out``; the runs
            finished so far are stored first.
    """
    if not isinstance(spec, ExperimentSpec):
        raise LMXInputError("spec", type(spec).__name__, "a specification from lmxsim.experiments.load_spec or "
                            "parse_spec")
    runs.check_executor(executor)   # before the store is opened: nothing on disk for a bad call
    tasks = plan(spec)
    store = ResultStore(out, spec) if out is not None else None
    done: set[int] = set()
    if store:
        done = store.open(manifest_extra={
            "seed_plan": {"root_seed": spec.root_seed, "scheme": SEED_SCHEME, "n_points": len(design_points(spec)),
                          "n_runs": len(tasks)},
            "versions": versions(),
            "engine": engine or (type(executor).__name__ if executor else f"process pool, {workers} workers"),
        }, expected=len(tasks))
    todo = [t for t in tasks if t.run_id not in done]
    rows, pending_rows, pending_weekly = [], [], []
    bar = None
    try:
        if on_start is not None:
            on_start(len(tasks), len(done))
        bar = progress_bar(len(tasks), "runs", progress, initial=len(done))
        with local_pool(workers) if executor is None else nullcontext(executor) as pool:
            last_flush = time.monotonic()
            for finished in _results(pool, todo, workers):   # the runs of a batch, finished together
                if store is None:
                    rows.extend(row for row, _series in finished)
                    bar.update(len(finished))
                    continue
                for row, series in finished:
                    pending_rows.append(row)
                    if series is not None:
                        pending_weekly.append(series)
                    if flush_every and (len(pending_rows) >= flush_every or time.monotonic() - last_flush > 30):
                        store.write_part(pending_rows, pending_weekly)
                        pending_rows, pending_weekly, last_flush = [], [], time.monotonic()
                bar.update(len(finished))
                if not flush_every and pending_rows:   # default: a part per batch
                    store.write_part(pending_rows, pending_weekly)
                    pending_rows, pending_weekly = [], []
        if store:
            if pending_rows:
                store.write_part(pending_rows, pending_weekly)
                pending_rows, pending_weekly = [], []
            store.finish()
    except KeyboardInterrupt:
        if store is None:
            raise
        with _sigint_ignored():  # a second Ctrl-C must not cut the final writes short
            if pending_rows:
                try:
                    store.write_part(pending_rows, pending_weekly)
                except StoreWriteError:
                    pass
            store.finish(status=f"interrupted ({store.n_stored} of {len(tasks)} runs)", best_effort=True)
        raise RunInterrupted(store.n_stored, len(tasks)) from None
    except StoreWriteError:
        store.finish(status=f"stopped: could not write ({store.n_stored} of {len(tasks)} runs)", best_effort=True)
        raise
    finally:
        if bar is not None:
            bar.close()
        if store:
            store.close()
    if store:
        return store.load()
    return rows_table(spec, sorted(rows, key=lambda r: r["run_id"])).to_pandas()


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a stored run; the message says how many runs are stored."""

    def __init__(self, stored: int, total: int):
        self.stored, self.total = stored, total
        super().__init__(f"interrupted; {stored} of {total} runs stored; re-run the same command to resume")


@contextmanager
def _sigint_ignored():
    """Ignore SIGINT inside the block (only possible in the main thread; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _results(executor: Executor | None, todo: list[RunTask], workers: int):
    """Yield the results of each batch of runs as soon as it is finished (in this process when
    there is no executor), each run's as (row, weekly series or None)."""
    for results in runs.run_batches([simulation(t) for t in todo], executor, workers):
        yield [record(todo[result.index], result) for result in results]



def dask_executor(address: str | None = None, local_workers: int | None = None):
    """A Dask client and its executor: connect to ``address`` or start a LocalCluster.

    Returns ``(client, executor)``; close the client when done.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installation
        raise LMXInputError("--dask", address or local_workers,
                            'an installed Dask: pip install "lmxsim[distributed]"') from None
    if local_workers is not None:
        if local_workers < 1:
            raise LMXInputError("--dask-local", local_workers, "an integer >= 1")
        cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout=20)
        except OSError as exc:
            raise LMXInputError("--dask", address, f"the address of a reachable Dask scheduler ({exc})") from None
    return client, client.get_executor(pure=False)
