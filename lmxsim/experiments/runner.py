"""Running an experiment: plan every run, execute on any executor, stream results to disk.

Every run is one (design point, replication, policy). Its seed comes from
``numpy.random.SeedSequence(root_seed)``: one child sequence per replication, shared by
every policy and design point, so replication r meets the same organisation and the same
people wherever it runs (common random numbers): differences between policies, and
between levels of a factor, are paired comparisons with less noise. A run's result depends only on
its task, so the numbers are identical whatever the number of workers or the engine - one
process, a local process pool, or a Dask cluster.

Results stream to ``DIR/runs/part-*.parquet`` (and ``DIR/weekly/`` for weekly series) as
runs finish; each part is written to a temporary name and renamed, so a killed run leaves
only whole parts. Re-running the same command on the same directory skips the runs
already stored and finishes the rest; a different specification on the same directory is
refused. ``DIR/manifest.json`` records the specification, its hash, versions, the seed
plan, and start and end times.
"""

from __future__ import annotations

import platform
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from lmxsim.compat import release_model
from lmxsim.errors import LMXInputError
from lmxsim.experiments.design import design_points
from lmxsim.experiments.spec import ExperimentSpec
from lmxsim.experiments.store import ResultStore
from lmxsim.model import LMXModel
from lmxsim.outcomes import COHORT_OUTCOMES, CohortTracker, run_summary

SEED_SCHEME = ("numpy.random.SeedSequence(root_seed).spawn(replications); every run of replication r uses child r, "
               "whatever its policy and design point (common random numbers: paired comparisons)")


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
    children = np.random.SeedSequence(spec.root_seed).spawn(spec.replications)
    seeds = [int(c.generate_state(1, dtype=np.uint64)[0]) for c in children]
    tasks = []
    for i, point in enumerate(points):
        scenario = point.get("scenario", spec.scenario)
        params = {**spec.fixed, **{k: v for k, v in point.items() if k != "scenario"}, "weeks": spec.weeks}
        for r in range(spec.replications):
            for policy in spec.policies:
                tasks.append(RunTask(len(tasks), i, r, policy, seeds[r], scenario, tuple(point.items()),
                                     tuple(params.items()), tuple(spec.outcomes), spec.weekly))
    return tasks


def execute(task: RunTask) -> tuple[dict, pd.DataFrame | None]:
    """Run one simulation; return its result row and, if asked, its weekly series."""
    model = LMXModel(policy=task.policy, scenario=task.scenario, seed=task.seed, panel_every=0,
                     member_agents=False, **dict(task.params))
    cohort = CohortTracker() if any(o in COHORT_OUTCOMES for o in task.outcomes) else None
    while model.running and model.week < model.params.weeks:
        model.step()
        if cohort is not None:
            cohort.observe(model)
    frame = model.model_frame()
    summary = run_summary(frame)
    if cohort is not None:
        summary.update(cohort.outcomes())
    row = {"run_id": task.run_id, "point_id": task.point_id, "replicate": task.replicate, "policy": task.policy,
           "seed": task.seed, **dict(task.point), **{k: summary[k] for k in task.outcomes}}
    weekly = None
    if task.weekly:
        weekly = frame
        weekly.insert(0, "run_id", task.run_id)
    release_model(model)  # Mesa 3.3.1 keeps every model alive otherwise
    return row, weekly


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
        progress: bool = True, flush_every: int | None = None, engine: str | None = None) -> pd.DataFrame:
    """Run ``spec`` and return one row per run (sorted by ``run_id``).

    Args:
        spec: a validated specification (see :func:`lmxsim.experiments.load_spec`).
        out: directory to stream results to and resume from; ``None`` keeps them in memory.
        executor: any ``concurrent.futures.Executor`` (e.g. a Dask ``client.get_executor()``);
            default: a local process pool of ``workers`` processes (inline when ``workers == 1``).
        progress: show a progress bar (runs done, rate, time left) on stderr.
        flush_every: write a result part after this many finished runs (default: about 2% of the runs).
    """
    tasks = plan(spec)
    store = ResultStore(out, spec) if out is not None else None
    done = store.completed_ids() if store else set()
    todo = [t for t in tasks if t.run_id not in done]
    if store:
        store.start(manifest_extra={
            "seed_plan": {"root_seed": spec.root_seed, "scheme": SEED_SCHEME, "n_points": len(design_points(spec)),
                          "n_runs": len(tasks)},
            "versions": versions(),
            "engine": engine or (type(executor).__name__ if executor else f"process pool, {workers} workers"),
        })
    flush_every = flush_every or max(1, min(200, len(tasks) // 50))
    own = executor is None and workers > 1
    if own:
        executor = ProcessPoolExecutor(max_workers=workers)
    rows, weekly = [], []
    bar = _progress(len(tasks), len(done), progress)
    try:
        pending_rows, pending_weekly = [], []
        last_flush = time.monotonic()
        for row, series in _results(executor, todo):
            pending_rows.append(row)
            if series is not None:
                pending_weekly.append(series)
            if bar is not None:
                bar.update(1)
            if store and (len(pending_rows) >= flush_every or time.monotonic() - last_flush > 30):
                store.write_part(pending_rows, pending_weekly)
                pending_rows, pending_weekly, last_flush = [], [], time.monotonic()
            elif not store:
                rows.extend(pending_rows)
                weekly.extend(pending_weekly)
                pending_rows, pending_weekly = [], []
        if store and pending_rows:
            store.write_part(pending_rows, pending_weekly)
    finally:
        if bar is not None:
            bar.close()
        if own:
            executor.shutdown(cancel_futures=True)
    if store:
        store.finish(expected=len(tasks))
        return store.load()
    return pd.DataFrame(rows).sort_values("run_id").reset_index(drop=True)


def _results(executor: Executor | None, todo: list[RunTask]):
    """Yield each run's result as soon as it is finished (in this process when there is no executor)."""
    if executor is None:
        for task in todo:
            yield execute(task)
        return
    futures = [executor.submit(execute, t) for t in todo]
    try:
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        for fut in futures:
            fut.cancel()


def _progress(total: int, already: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=already, unit="run", desc="runs", file=sys.stderr, dynamic_ncols=True,
                mininterval=0.5, smoothing=0.1)


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
