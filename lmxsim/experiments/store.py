"""The on-disk result store of an experiment: Parquet parts plus a manifest.

Layout of ``DIR``::

    manifest.json          specification, its hash, versions, seed plan, times, status
    runs/part-*.parquet    one row per finished run (written whole, then renamed)
    weekly/part-*.parquet  weekly series, when the specification asks for them

A part is written to ``*.tmp`` and renamed into place, so a process killed while writing
leaves no half part; a resumed run reads the parts, skips their ``run_id`` and goes on.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lmxsim.errors import LMXInputError


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _atomic_write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str))
    os.replace(tmp, path)


class ResultStore:
    def __init__(self, out, spec):
        self.dir = Path(out)
        self.spec = spec
        self.manifest_path = self.dir / "manifest.json"
        if self.dir.exists() and not self.dir.is_dir():
            raise LMXInputError("--out", str(self.dir), "a directory (a file of that name exists)")
        if self.manifest_path.exists():
            old = json.loads(self.manifest_path.read_text())
            if old.get("spec_hash") != spec.digest():
                raise LMXInputError("--out", str(self.dir),
                                    f"an empty directory or one holding this experiment (it holds "
                                    f"{old.get('spec', {}).get('name', '?')!r} with a different specification)")
        elif self.dir.exists() and any(self.dir.iterdir()):
            raise LMXInputError("--out", str(self.dir), "an empty or new directory (it holds other files)")
        self.manifest: dict = {}

    # ------------------------------------------------------------------ manifest
    def start(self, manifest_extra: dict) -> None:
        try:
            (self.dir / "runs").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LMXInputError("--out", str(self.dir), f"a directory you can write to ({exc.strerror})") from None
        if self.spec.weekly:
            (self.dir / "weekly").mkdir(exist_ok=True)
        if self.manifest_path.exists():
            self.manifest = json.loads(self.manifest_path.read_text())
            self.manifest.setdefault("resumed", []).append(_now())
            self.manifest["status"] = "running"
        else:
            self.manifest = {"experiment": self.spec.name, "purpose": self.spec.purpose,
                             "spec_file": self.spec.source, "spec_hash": self.spec.digest(),
                             "spec": self.spec.as_dict(), "started": _now(), "finished": None,
                             "status": "running", **manifest_extra}
        _atomic_write_json(self.manifest_path, self.manifest)

    def finish(self, expected: int) -> None:
        n = len(self.completed_ids())
        self.manifest["finished"] = _now()
        self.manifest["status"] = "complete" if n == expected else f"incomplete ({n} of {expected} runs)"
        self.manifest["runs_stored"] = n
        _atomic_write_json(self.manifest_path, self.manifest)

    # ------------------------------------------------------------------ parts
    def _parts(self, kind: str = "runs") -> list[Path]:
        folder = self.dir / kind
        return sorted(folder.glob("part-*.parquet")) if folder.exists() else []

    def completed_ids(self) -> set[int]:
        ids: set[int] = set()
        for part in self._parts():
            ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
        return ids

    def write_part(self, rows: list[dict], weekly: list[pd.DataFrame]) -> None:
        first = min(r["run_id"] for r in rows)
        name = f"part-{first:08d}-{len(rows):05d}-{os.getpid()}"
        if weekly:
            self._write(pd.concat(weekly, ignore_index=True), self.dir / "weekly" / f"{name}.parquet")
        # the runs part is written last: a run counts as done only when its weekly series is stored too
        self._write(pd.DataFrame(rows), self.dir / "runs" / f"{name}.parquet")

    @staticmethod
    def _write(frame: pd.DataFrame, path: Path) -> None:
        tmp = path.with_suffix(".parquet.tmp")
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, path)

    def load(self, kind: str = "runs") -> pd.DataFrame:
        return load_parts(self.dir, kind)


def load_parts(directory, kind: str = "runs") -> pd.DataFrame:
    """All stored rows of ``kind`` ("runs" or "weekly"), sorted, one row per run (and week)."""
    folder = Path(directory) / kind
    parts = sorted(folder.glob("part-*.parquet")) if folder.exists() else []
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    keys = ["run_id"] if kind == "runs" else ["run_id", "week"]
    return frame.drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def read_manifest(directory) -> dict:
    path = Path(directory) / "manifest.json"
    if not path.exists():
        raise LMXInputError("DIR", str(directory), "a directory written by `lmxsim experiment run` (no manifest.json)")
    return json.loads(path.read_text())
