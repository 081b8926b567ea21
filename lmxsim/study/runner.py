"""``lmxsim study run``: many simulated studies per sample size, analysed, summarised, drawn (docs/study.md).

For every sample size (leaders x members per leader) of the grid: ``replications`` studies of
the design and ``null_replications`` of the null design (the treated leaders "switch" to the
policy they already have). Study r of either design uses seed r of the study's root seed
(:func:`lmxsim.runs.replication_seeds`), in every cell: common random numbers across designs
and sample sizes. Studies run on the batch engine (:func:`lmxsim.study.simulate.simulate_batches`)
and are analysed where they ran (:func:`lmxsim.study.analysis.analyse`), on ``workers`` local
processes.

``DIR`` holds ``manifest.json`` (the specification and its hash), one ``cells/L<leaders>_m<members>.parquet``
per finished sample size (every study's estimates), ``power.csv`` (the summary, one row per
sample size, instrument and wave; columns in docs/data_dictionary.md) and ``power_curve.png``.
Every file is written to a temporary name and renamed, so a killed run leaves only whole
files; running again on the same DIR skips the finished cells. A different specification on
the same DIR is refused.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from lmxsim.errors import LMXInputError
from lmxsim.output import check_writable
from lmxsim.progress import progress_bar
from lmxsim.runs import replication_seeds
from lmxsim.study.analysis import POWER_COLUMNS, analyse, summarise
from lmxsim.study.instruments import RATING, SCALES
from lmxsim.study.simulate import BATCH_POSITIONS, simulate_batches
from lmxsim.study.spec import StudySpec, load_study

EXPECTED_SIGN = {**{name: scale.expected_sign for name, scale in SCALES.items()}, RATING.name: RATING.expected_sign}


def cell_name(leaders: int, members: int) -> str:
    return f"L{leaders}_m{members}"


def _write_atomic(path: Path, write) -> None:
    """``write(tmp)`` then rename to ``path``: the file is there whole or not at all."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def open_output(out, spec: StudySpec) -> Path:
    """Create ``out`` with its manifest, or check that it holds this study (one-line errors:
    a file, a directory that cannot be written, one holding another study)."""
    if not isinstance(out, (str, os.PathLike)):
        raise LMXInputError("out", out, "a directory path for the study's results")
    out = Path(out)
    manifest = out / "manifest.json"
    check_writable(out)   # a file of that name, or a directory that cannot be written: one line
    if manifest.exists():
        stored = json.loads(manifest.read_text())
        if stored.get("digest") != spec.digest():
            raise LMXInputError("--out", str(out), f"a new directory, or one holding this study (it holds study "
                                f"{stored.get('spec', {}).get('name')!r} with another specification)")
        return out
    if out.is_dir() and any(out.iterdir()):
        raise LMXInputError("--out", str(out), "a new or empty directory, or one holding this study")
    (out / "cells").mkdir(parents=True, exist_ok=True)
    from lmxsim import __version__

    text = json.dumps({"spec": spec.as_dict(), "digest": spec.digest(), "lmxsim": __version__}, indent=2)
    _write_atomic(manifest, lambda tmp: tmp.write_text(text))
    return out


def _chunk_job(spec: StudySpec, leaders: int, members: int, seeds: list[int], arms: list[str]) -> pd.DataFrame:
    """Simulate and analyse a few studies (a worker's job)."""
    data, cohort = simulate_batches(spec, leaders, members, seeds, arms)
    return analyse(data, cohort, spec)


def plan_cell(spec: StudySpec, leaders: int, members: int, workers: int = 1) -> list[tuple[list[int], list[str], list[int]]]:
    """The studies of one sample size as jobs of (seeds, arms, study ids)."""
    n = max(spec.replications, spec.null_replications)
    seeds = replication_seeds(spec.root_seed, n)
    studies = [(seeds[r], "treatment", r) for r in range(spec.replications)]
    studies += [(seeds[r], "null", spec.replications + r) for r in range(spec.null_replications)]
    per_job = max(1, min(BATCH_POSITIONS // (leaders * members), -(-len(studies) // max(1, 4 * workers))))
    return [tuple(map(list, zip(*studies[i:i + per_job]))) for i in range(0, len(studies), per_job)]


def run_study(spec: StudySpec | str | os.PathLike, out, workers: int = 1, progress: bool = True) -> pd.DataFrame:
    """Run every sample size of ``spec`` (a :class:`StudySpec`, a file or a shipped name) into ``out``;
    return the power summary (also ``out/power.csv``; figure ``out/power_curve.png``)."""
    from lmxsim.parallel import local_pool

    if not isinstance(spec, StudySpec):
        spec = load_study(spec)
    out = open_output(out, spec)
    todo = [(n, m) for n, m in spec.cells if not (out / "cells" / f"{cell_name(n, m)}.parquet").exists()]
    per_cell = spec.replications + spec.null_replications
    bar = progress_bar(len(todo) * per_cell, f"study {spec.name}", progress, unit="study")
    try:
        with local_pool(workers) as pool:
            for n, m in todo:
                jobs = plan_cell(spec, n, m, workers)
                parts = []
                futures = [pool.submit(_chunk_job, spec, n, m, seeds, arms) for seeds, arms, _ in jobs] if pool else None
                for (seeds, arms, ids), fut in zip(jobs, futures or [None] * len(jobs)):
                    part = fut.result() if fut is not None else _chunk_job(spec, n, m, seeds, arms)
                    part["study"] = np.asarray(ids)[part["study"].to_numpy()]
                    parts.append(part)
                    bar.update(len(ids))
                cell = pd.concat(parts, ignore_index=True)
                cell.insert(0, "members_per_leader", m)
                cell.insert(0, "leaders", n)
                _write_atomic(out / "cells" / f"{cell_name(n, m)}.parquet", lambda tmp: cell.to_parquet(tmp, index=False))
    finally:
        bar.close()
    return write_summary(spec, out)


def load_estimates(out) -> pd.DataFrame:
    """Every finished cell's study estimates."""
    files = sorted(Path(out, "cells").glob("L*_m*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame()


def write_summary(spec: StudySpec, out) -> pd.DataFrame:
    """``power.csv`` and ``power_curve.png`` from the finished cells of ``out``."""
    out = Path(out)
    estimates = load_estimates(out)
    rows = []
    for (n, m), cell in estimates.groupby(["leaders", "members_per_leader"], sort=True):
        summary = summarise(cell, spec, EXPECTED_SIGN)
        summary.insert(0, "members", n * m)
        summary.insert(0, "members_per_leader", m)
        summary.insert(0, "leaders", n)
        rows.append(summary)
    table = pd.concat(rows, ignore_index=True)
    table.insert(0, "method", spec.method)
    table.insert(0, "design", spec.design)
    table = table[[c.name for c in POWER_COLUMNS]]   # the declared columns, in their order
    _write_atomic(out / "power.csv", lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
    _write_atomic(out / "power_curve.png", lambda tmp: power_curve(table, spec, tmp))
    return table


def power_curve(table: pd.DataFrame, spec: StudySpec, path) -> None:
    """Power against leaders, one panel per instrument, one line per team size (last wave), 95% Wilson bands."""
    from lmxsim.plots import COLOURS, new_figure

    last = table[table.wave == table.wave.max()]
    outcomes = list(dict.fromkeys(last.outcome))
    fig, axes = new_figure(1, len(outcomes), figsize=(3.2 * len(outcomes), 3.4), squeeze=False, sharey=True)
    for ax, outcome in zip(axes[0], outcomes):
        rows = last[last.outcome == outcome]
        for colour, (m, line) in zip(COLOURS, rows.groupby("members_per_leader")):
            line = line.sort_values("leaders")
            ax.plot(line.leaders, line.power, "o-", color=colour, label=f"{m} per leader")
            ax.fill_between(line.leaders, line.power_low, line.power_high, color=colour, alpha=0.15)
            ax.plot(line.leaders, line.false_positive_rate, ":", color=colour)
        ax.axhline(0.8, color="grey", lw=0.8, ls="--")
        ax.axhline(spec.alpha, color="grey", lw=0.8, ls=":")
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel("leaders (teams)")
        ax.set_ylim(0, 1)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("power (dotted: false-positive rate)")
    axes[0][-1].legend(frameon=False, fontsize=8)
    wave = int(last.wave.iloc[0])
    when = "all waves" if wave < 0 else f"{spec.waves[wave]} weeks after training"
    fig.suptitle(f"{spec.name}: {spec.design} design, {spec.method} analysis, {when}; "
                 f"{spec.from_policy} -> {spec.to_policy}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
