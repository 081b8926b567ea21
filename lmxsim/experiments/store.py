"""The on-disk result store of an experiment: typed Parquet parts plus a manifest.

Layout of ``DIR``::

    manifest.json          specification, its hash, versions, seed plan, column types, times, status
    runs/part-*.parquet    one row per finished run
    weekly/part-*.parquet  weekly series, when the specification asks for them
    .lock                  held (``flock``) by the one lmxsim process writing here; kept, never in the way
    .staging/              files being written; emptied on every start

**One schema per store.** Every part of ``runs/`` (and of ``weekly/``) has exactly the
Arrow schema :func:`store_schema` derives from the specification, also written into
``manifest.json`` under ``"schema"``. So ``pandas.read_parquet(DIR/runs)``,
``pyarrow.dataset.dataset(DIR/runs)``, DuckDB (``SELECT * FROM 'DIR/runs/*.parquet'``)
and R's arrow read a store as one table, and a stored ``seed`` (int64, in ``[0, 2**63)``)
reproduces its run. Each field carries its meaning and unit from the data dictionary
(:mod:`lmxsim.datadict`, ``docs/data_dictionary.md``) as Parquet field metadata
(``description``, ``unit``), so a file read without lmxsim still explains its columns.

=================== ======= =====================================================
column              type    meaning
=================== ======= =====================================================
run_id              int64   0, 1, ... in the fixed order of the plan
point_id            int64   design point
replicate           int64   replication (every policy and point of it shares the seed)
policy              string  leadership policy
seed                int64   the run's seed, in [0, 2**63)
scenario            string  scenario preset of the run (the spec's, or the point's level)
*factor*            int64 / double: one column per parameter varied by the design, typed
                    by its parameter's type in :mod:`lmxsim.params`
*outcome*           double  one column per outcome of the specification
=================== ======= =====================================================

``weekly/`` has ``run_id`` and ``week`` (int64), then one column per weekly reporter
(:data:`lmxsim.reporters.MODEL_REPORTERS`): int64 for counts, double for the rest.

**Safe against kills, full disks and a second process.** A file is written whole into
``.staging/``, flushed to disk (``fsync``) and only then renamed into place, so a process
killed at any moment, or stopped by a full disk, leaves whole parts and a whole manifest;
the manifest is written before any part, and a part's weekly series before its runs, so
a run counts as stored only when everything of it is. Re-running the same command
resumes: it empties ``.staging/``, removes weekly parts whose runs part never arrived,
skips the stored runs and computes the rest. An exclusive lock on ``DIR/.lock``, held
for the whole run, refuses a second process on the same directory.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lmxsim.errors import LMXInputError

STORE_FORMAT = 2          # 1: lmxsim up to 0.1.0 (untyped parts, 64-bit unsigned seeds)
KINDS = ("runs", "weekly")
LOCK_NAME = ".lock"
STAGING_NAME = ".staging"
_OURS = {LOCK_NAME, STAGING_NAME}
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class StoreWriteError(RuntimeError):
    """Writing the store failed (e.g. the disk is full); the directory stays resumable.

    Attributes:
        path: the file or folder being written.
        stored: runs stored so far.
        total: runs of the experiment.
        errno: the operating system's error number.
    """

    def __init__(self, path, stored: int, total: int, error: OSError):
        self.path, self.stored, self.total, self.errno = str(path), stored, total, error.errno
        if error.errno in _DISK_FULL:
            message = (f"disk full writing {path}; {stored} of {total} runs stored; "
                       f"free space and re-run the same command to resume")
        else:
            message = (f"cannot write {path} ({error.strerror or error}); {stored} of {total} runs stored; "
                       f"re-run the same command to resume once it is writable")
        super().__init__(message)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _arrow_type(py_type) -> pa.DataType:
    """int -> int64, float -> double (a declared type may be a class or, with postponed
    annotations, its name)."""
    name = py_type if isinstance(py_type, str) else getattr(py_type, "__name__", str(py_type))
    if name == "int":
        return pa.int64()
    if name == "float":
        return pa.float64()
    if name == "str":
        return pa.string()
    raise TypeError(f"no column type for {py_type!r}")


def store_schema(spec, kind: str = "runs") -> pa.Schema:
    """The Arrow schema of every ``kind`` ("runs" or "weekly") part of ``spec``'s store.

    The one place column names and types of a result store are decided (the table in this
    module's docstring describes them); the runner builds in-memory results with it too.
    """
    if kind == "runs":
        from lmxsim.params import Params

        declared = {f.name: f.type for f in dataclasses.fields(Params)}
        fields = [pa.field("run_id", pa.int64(), nullable=False), pa.field("point_id", pa.int64(), nullable=False),
                  pa.field("replicate", pa.int64(), nullable=False), pa.field("policy", pa.string(), nullable=False),
                  pa.field("seed", pa.int64(), nullable=False), pa.field("scenario", pa.string(), nullable=False)]
        fields += [pa.field(factor, _arrow_type(declared[factor]), nullable=False)
                   for factor in spec.factor_names if factor != "scenario"]
        fields += [pa.field(o, pa.float64()) for o in spec.outcomes]
        return _documented(pa.schema(fields), kind)
    if kind == "weekly":
        from lmxsim.reporters import MODEL_REPORTERS

        fields = [pa.field("run_id", pa.int64(), nullable=False), pa.field("week", pa.int64(), nullable=False)]
        fields += [pa.field(name, _arrow_type("int" if f.column.dtype == "int64" else "float"))
                   for name, f in MODEL_REPORTERS.items()]
        return _documented(pa.schema(fields), kind)
    raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def _documented(schema: pa.Schema, kind: str) -> pa.Schema:
    """``schema`` with each field's meaning and unit from the data dictionary as Parquet field
    metadata (``description``, ``unit``): the file explains itself to any tool that reads it."""
    from lmxsim import datadict

    return pa.schema([f.with_metadata(datadict.arrow_field(f.name, kind).metadata) for f in schema])


def schema_description(schema: pa.Schema) -> list[dict]:
    """``[{"name": ..., "type": ...}, ...]``: a schema as manifest.json records it."""
    return [{"name": f.name, "type": str(f.type)} for f in schema]


def rows_table(spec, rows: list[dict]) -> pa.Table:
    """Result rows (dicts) as a table of the store's ``runs`` schema."""
    schema = store_schema(spec, "runs")
    expected = set(schema.names)
    for row in rows:
        if set(row) != expected:
            raise ValueError(f"run row columns {sorted(row)} differ from the store schema {schema.names}")
    return pa.Table.from_pylist(rows, schema=schema)


def weekly_table(spec, frames: list[pd.DataFrame]) -> pa.Table:
    """Weekly series (one frame per run) as a table of the store's ``weekly`` schema."""
    schema = store_schema(spec, "weekly")
    frame = pd.concat(frames, ignore_index=True)
    if set(frame.columns) != set(schema.names):
        raise ValueError(f"weekly columns {list(frame.columns)} differ from the store schema {schema.names}")
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False, safe=True)
    return table.replace_schema_metadata(schema.metadata)


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (where the platform allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ResultStore:
    """The result directory ``out`` of experiment ``spec``.

    Nothing touches the disk until :meth:`open`, which checks the directory, takes the
    lock, tidies what a killed run left and writes the manifest; :meth:`close` releases
    the lock.
    """

    def __init__(self, out, spec):
        self.dir = Path(out)
        self.spec = spec
        self.manifest_path = self.dir / "manifest.json"
        self.staging = self.dir / STAGING_NAME
        self.manifest: dict = {}
        self.n_stored = 0
        self.total = 0
        self._lock_fd: int | None = None

    def schema(self, kind: str = "runs") -> pa.Schema:
        """The Arrow schema of this store's ``kind`` parts (see :func:`store_schema`)."""
        return store_schema(self.spec, kind)

    # ------------------------------------------------------------------ opening
    def _check(self) -> None:
        """Refuse a file, a foreign directory, another experiment or an older store format."""
        if self.dir.exists() and not self.dir.is_dir():
            raise LMXInputError("--out", str(self.dir), "a directory (a file of that name exists)")
        if self.manifest_path.exists():
            try:
                old = json.loads(self.manifest_path.read_text())
            except (OSError, ValueError) as exc:
                raise LMXInputError("--out", str(self.dir),
                                    f"a directory written by `lmxsim experiment run` (manifest.json is "
                                    f"unreadable: {exc})") from None
            if old.get("spec_hash") != self.spec.digest():
                raise LMXInputError("--out", str(self.dir),
                                    f"an empty directory or one holding this experiment (it holds "
                                    f"{old.get('spec', {}).get('name', '?')!r} with a different specification)")
            if old.get("store_format") != STORE_FORMAT or old.get("schema") != self._schema_record():
                raise LMXInputError("--out", str(self.dir),
                                    "a directory written by this version of lmxsim (it was written by another "
                                    "version, whose seeds or columns differ; choose a new --out)")
        elif self.dir.exists():
            foreign = sorted(p.name for p in self.dir.iterdir()
                             if p.name not in _OURS and not (p.name in KINDS and p.is_dir() and not any(p.iterdir())))
            if foreign:
                raise LMXInputError("--out", str(self.dir), "an empty or new directory (it holds other files: "
                                    + ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "") + ")")

    def _schema_record(self) -> dict:
        kinds = KINDS if self.spec.weekly else ("runs",)
        return {kind: schema_description(self.schema(kind)) for kind in kinds}

    def open(self, manifest_extra: dict, expected: int) -> set[int]:
        """Check, lock and tidy the directory, write the manifest; return the stored ``run_id``s.

        Raises:
            LMXInputError: the directory belongs to something else, or another lmxsim
                process is writing there.
            StoreWriteError: the directory cannot be written (e.g. the disk is full).
        """
        self.total = expected
        self._check()                                  # before creating anything
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise StoreWriteError(self.dir, 0, expected, exc) from None
            raise LMXInputError("--out", str(self.dir), f"a directory you can write to ({exc.strerror})") from None
        self._lock()
        try:
            self._check()                              # again, now that nobody else can write
            done = self.completed_ids()                # first: a message about writing counts them
            self.n_stored = len(done)
            self._tidy()
            if self.manifest_path.exists():
                self.manifest = json.loads(self.manifest_path.read_text())
                self.manifest.setdefault("resumed", []).append(_now())
                self.manifest["status"] = "running"
            else:
                self.manifest = {"experiment": self.spec.name, "purpose": self.spec.purpose,
                                 "spec_file": self.spec.source, "spec_hash": self.spec.digest(),
                                 "spec": self.spec.as_dict(), "store_format": STORE_FORMAT,
                                 "schema": self._schema_record(), "started": _now(), "finished": None,
                                 "status": "running", **manifest_extra}
            self._write_json(self.manifest_path, self.manifest)
            for kind in KINDS if self.spec.weekly else ("runs",):
                self._mkdir(self.dir / kind)
            return done
        except BaseException:
            self.close()
            raise

    def _lock(self) -> None:
        path = self.dir / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise StoreWriteError(path, 0, self.total, exc) from None
            raise LMXInputError("--out", str(self.dir), f"a directory you can write to ({exc.strerror})") from None
        try:
            _lock_exclusive(fd)
        except OSError:
            try:
                holder = os.pread(fd, 100, 0).decode(errors="replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            raise LMXInputError("--out", str(self.dir),
                                f"a directory no other process is writing to: another lmxsim process is writing "
                                f"there{f' ({holder})' if holder else ''}; wait for it to finish or choose "
                                f"another --out") from None
        try:  # who holds it, for the message above; purely informative
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"lmxsim pid {os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        self._lock_fd = fd

    def close(self) -> None:
        """Release the lock (the ``.lock`` file stays; an empty ``.staging/`` goes)."""
        if self._lock_fd is not None:
            try:
                self.staging.rmdir()
            except OSError:
                pass
            os.close(self._lock_fd)       # closing the descriptor releases the lock
            self._lock_fd = None

    def _tidy(self) -> None:
        """Remove what a killed or failed run left: staged files, old-style ``*.tmp`` files and
        weekly parts whose runs part never arrived."""
        shutil.rmtree(self.staging, ignore_errors=True)
        for leftover in [self.dir / "manifest.json.tmp", *self.dir.glob("*/*.tmp")]:
            if leftover.parent.name in KINDS or leftover.parent == self.dir:
                leftover.unlink(missing_ok=True)
        runs = {p.name for p in self._parts("runs")}
        for part in self._parts("weekly"):
            if part.name not in runs:
                part.unlink()
        self._mkdir(self.staging)

    def _mkdir(self, path: Path) -> None:
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):   # the user's --out, not the disk
                raise LMXInputError("--out", str(self.dir), f"a directory you can write to ({exc.strerror}; "
                                    f"{self.n_stored} of {self.total} runs stored)") from None
            raise StoreWriteError(path, self.n_stored, self.total, exc) from None

    # ------------------------------------------------------------------ writing
    def _write_file(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` whole or not at all: stage, fsync, rename."""
        tmp = self.staging / f"{path.name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                _write_all(fd, data)
                os.fsync(fd)               # a full disk may only show here (delayed allocation)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreWriteError(path, self.n_stored, self.total, exc) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def _write_json(self, path: Path, data: dict) -> None:
        self._write_file(path, json.dumps(data, indent=2, sort_keys=False, default=str).encode())

    def write_part(self, rows: list[dict], weekly: list[pd.DataFrame]) -> None:
        """Store finished runs (and their weekly series) as one part of each kind."""
        first = min(r["run_id"] for r in rows)
        name = f"part-{first:08d}-{len(rows):05d}-{uuid.uuid4().hex[:8]}.parquet"
        runs_data = _parquet_bytes(rows_table(self.spec, rows))
        weekly_path = None
        if weekly:
            weekly_path = self.dir / "weekly" / name
            self._write_file(weekly_path, _parquet_bytes(weekly_table(self.spec, weekly)))
        # the runs part is written last: a run counts as done only when its weekly series is stored too
        try:
            self._write_file(self.dir / "runs" / name, runs_data)
        except BaseException:
            if weekly_path is not None:
                weekly_path.unlink(missing_ok=True)
            raise
        self.n_stored += len(rows)

    def finish(self, status: str | None = None, best_effort: bool = False) -> None:
        """Record the end time, the runs stored and ``status`` (default: complete or incomplete)."""
        n = self.n_stored
        self.manifest["finished"] = _now()
        self.manifest["status"] = status or ("complete" if n == self.total
                                             else f"incomplete ({n} of {self.total} runs)")
        self.manifest["runs_stored"] = n
        try:
            self._write_json(self.manifest_path, self.manifest)
        except StoreWriteError:
            if not best_effort:
                raise

    # ------------------------------------------------------------------ reading
    def _parts(self, kind: str = "runs") -> list[Path]:
        return part_files(self.dir, kind)

    def completed_ids(self) -> set[int]:
        ids: set[int] = set()
        for part in self._parts():
            ids.update(read_part(part, columns=["run_id"]).column("run_id").to_pylist())
        return ids

    def load(self, kind: str = "runs") -> pd.DataFrame:
        return load_parts(self.dir, kind)


def _lock_exclusive(fd: int) -> None:
    """Take an exclusive lock on ``fd`` without waiting; ``OSError`` if someone holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def part_files(directory, kind: str = "runs") -> list[Path]:
    """The stored Parquet parts of ``kind`` ("runs" or "weekly"), in name order."""
    folder = Path(directory) / kind
    return sorted(folder.glob("part-*.parquet")) if folder.exists() else []


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One stored part; a damaged one (cut short, overwritten) is one line naming it."""
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        reason = str(exc).splitlines()[0][:120]
        raise LMXInputError("DIR", str(path), f"a readable Parquet part (this one is damaged: {reason}); delete it "
                            "and run the experiment again with the same --out to compute its runs again") from None


def load_parts(directory, kind: str = "runs") -> pd.DataFrame:
    """All stored rows of ``kind`` ("runs" or "weekly"), sorted, one row per run (and week)."""
    parts = part_files(directory, kind)
    if not parts:
        return pd.DataFrame()
    tables = [read_part(p) for p in parts]
    try:
        frame = pa.concat_tables(tables).to_pandas()
    except pa.ArrowInvalid:  # a store of STORE_FORMAT 1, whose parts' column types differ
        frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    keys = ["run_id"] if kind == "runs" else ["run_id", "week"]
    return frame.drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def read_manifest(directory) -> dict:
    path = Path(directory) / "manifest.json"
    if not path.exists():
        raise LMXInputError("DIR", str(directory), "a directory written by `lmxsim experiment run` (no manifest.json)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError covers bad JSON and bad UTF-8
        raise LMXInputError("DIR", str(directory), f"a directory written by `lmxsim experiment run` "
                                                   f"(manifest.json is unreadable: {exc})") from None
    if not isinstance(manifest, dict):
        raise LMXInputError("DIR", str(directory), "a directory written by `lmxsim experiment run` "
                                                   "(manifest.json is not a JSON object)")
    return manifest
