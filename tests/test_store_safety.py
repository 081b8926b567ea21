"""The experiment result store is typed, crash- and concurrency-safe (issue 10).

Every part of a store has one schema, so pandas, pyarrow and DuckDB read it as one table
and a stored seed reproduces its run; a second process on the same directory is refused;
SIGKILL at any moment, a full disk at any write and Ctrl-C leave a directory the same
command resumes; worker processes die with their parent.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from lmxsim import cli, experiments
from lmxsim.errors import LMXInputError
from lmxsim.experiments import store as store_mod
from lmxsim.experiments.store import ResultStore, load_parts, read_manifest, store_schema
from lmxsim.parallel import local_pool

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_experiments import TINY, write_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

# root_seed 2: before the fix, its first replication's seed (a uint64 word) was below 2**63 and the
# others above, so the first parts stored `seed` as int64 and later ones as uint64: pandas, pyarrow
# and DuckDB all failed to read the store ("Integer value ... not in range"); lmxsim's own loader
# turned the seeds into floats
WEEKLY = {**TINY, "experiment": {**TINY["experiment"], "weekly": True, "root_seed": 2}}
# about 0.1-0.2 s per run: slow enough for a signal to land part-way through its 24 runs
SLOW = {**TINY, "experiment": {**TINY["experiment"], "weeks": 150, "replications": 6}, "fixed": {"n_teams": 6}}
N_SLOW = 24


def spec_file(tmp_path: Path, data: dict, name: str = "spec.toml") -> Path:
    return write_spec(tmp_path / name, data)


def cli_cmd(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "lmxsim.cli", "experiment", "run", str(spec), "--out", str(out), "--quiet", *extra]


@pytest.fixture(scope="module")
def weekly_reference(tmp_path_factory):
    """An uninterrupted stored run of WEEKLY: (runs, weekly)."""
    base = tmp_path_factory.mktemp("reference")
    out = base / "out"
    experiments.run(experiments.load_spec(spec_file(base, WEEKLY)), out=out, progress=False, flush_every=1)
    return load_parts(out, "runs"), load_parts(out, "weekly")


def assert_whole_store(out: Path, reference) -> None:
    """Every run exactly once, equal to the uninterrupted run, as every tool reads it; nothing
    but Parquet in runs/ and weekly/, no staged or temporary file left."""
    runs_ref, weekly_ref = reference
    for kind in ("runs", "weekly"):
        names = [p.name for p in (out / kind).iterdir()]
        assert names and all(n.startswith("part-") and n.endswith(".parquet") for n in names), names
    assert not list(out.rglob("*.tmp")) and not (out / ".staging").exists()
    runs = pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)
    assert runs.run_id.tolist() == list(range(len(runs_ref)))          # every run exactly once
    pd.testing.assert_frame_equal(runs, runs_ref)
    weekly = pd.read_parquet(out / "weekly").sort_values(["run_id", "week"]).reset_index(drop=True)
    assert not weekly.duplicated(["run_id", "week"]).any()
    pd.testing.assert_frame_equal(weekly, weekly_ref)
    manifest = read_manifest(out)
    assert manifest["status"] == "complete" and manifest["runs_stored"] == len(runs_ref)


# ----------------------------------------------------------------------------- 1. typed results
def test_every_tool_reads_a_store_of_many_parts_and_a_stored_seed_reproduces_its_run(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    spec = experiments.load_spec(spec_file(tmp_path, WEEKLY))
    out = tmp_path / "out"
    returned = experiments.run(spec, out=out, progress=False, flush_every=1)
    parts = sorted((out / "runs").glob("*.parquet"))
    assert len(parts) == len(experiments.plan(spec)) == 12
    schema = ResultStore(out, spec).schema("runs")
    assert [(f.name, str(f.type)) for f in schema] == [
        ("run_id", "int64"), ("point_id", "int64"), ("replicate", "int64"), ("policy", "string"),
        ("seed", "int64"), ("scenario", "string"), ("team_size", "int64"), ("innovation_per_member_year", "double"),
        ("annual_turnover", "double"), ("mean_lmx", "double")]
    for kind in ("runs", "weekly"):
        for part in (out / kind).iterdir():
            assert pq.read_schema(part).equals(store_schema(spec, kind), check_metadata=True), part
    manifest = read_manifest(out)
    assert manifest["schema"]["runs"][4] == {"name": "seed", "type": "int64"}
    assert [c["name"] for c in manifest["schema"]["weekly"]][:3] == ["run_id", "week", "innovation"]
    assert "2**63" in manifest["seed_plan"]["scheme"]

    by_pandas = pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)
    by_arrow = ds.dataset(out / "runs").to_table().to_pandas().sort_values("run_id").reset_index(drop=True)
    by_duckdb = duckdb.sql(f"SELECT * FROM '{out}/runs/*.parquet' ORDER BY run_id").df()
    pd.testing.assert_frame_equal(by_pandas, returned)
    pd.testing.assert_frame_equal(by_arrow, returned)
    pd.testing.assert_frame_equal(by_duckdb, returned)
    assert str(by_pandas.seed.dtype) == "int64" and (by_pandas.seed >= 0).all()
    assert by_pandas.seed.nunique() == 3
    weekly_duckdb = duckdb.sql(f"SELECT count(*) AS n FROM '{out}/weekly/*.parquet'").fetchall()[0][0]
    assert weekly_duckdb == len(pd.read_parquet(out / "weekly")) == 12 * 13
    # in memory, the same types
    pd.testing.assert_frame_equal(experiments.run(spec, progress=False), returned)

    # the stored seed, fed back, reproduces the stored outcomes exactly
    tasks = experiments.plan(spec)
    for row in by_duckdb.iloc[[0, 5, 11]].itertuples():
        task = dataclasses.replace(tasks[row.run_id], seed=row.seed)
        again, _ = experiments.execute(task)
        for outcome in spec.outcomes:
            assert again[outcome] == getattr(row, outcome)


def test_a_damaged_part_is_one_line_naming_it_and_deleting_it_recomputes_its_runs(tmp_path, weekly_reference, capsys):
    from helpers import run_cli

    spec = spec_file(tmp_path, WEEKLY)
    out = tmp_path / "out"
    experiments.run(experiments.load_spec(spec), out=out, progress=False, flush_every=1)
    damaged = sorted((out / "runs").glob("part-*.parquet"))[1]
    damaged.write_bytes(damaged.read_bytes()[:100])   # cut short (a copy that stopped half-way)
    for argv in (["experiment", "summarize", str(out)], ["experiment", "run", str(spec), "--out", str(out), "--quiet"]):
        code, _, stderr = run_cli(argv, capsys)   # it was pyarrow's ArrowInvalid traceback, exit 1
        assert code == 2 and stderr.count("\n") == 1, stderr
        assert stderr.startswith(f"lmxsim: error: DIR='{damaged}'") and "delete it" in stderr
    damaged.unlink()
    experiments.run(experiments.load_spec(spec), out=out, progress=False)
    assert_whole_store(out, weekly_reference)


def test_a_finished_store_made_read_only_is_one_line_counting_what_is_stored(tmp_path, capsys):
    from helpers import run_cli
    spec = spec_file(tmp_path, TINY)
    out = tmp_path / "out"
    experiments.run(experiments.load_spec(spec), out=out, progress=False)
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode:
        pytest.skip("no immutable flag on this file system (and root writes through permission bits)")
    try:   # it said "0 of 12 runs stored", exit 1
        code, _, stderr = run_cli(["experiment", "run", str(spec), "--out", str(out), "--quiet"], capsys)
    finally:
        subprocess.run(["chattr", "-i", str(out)], capture_output=True)
    n = len(experiments.plan(experiments.load_spec(spec)))
    assert code == 2 and stderr.count("\n") == 1 and f"{n} of {n} runs stored" in stderr, stderr


def test_a_store_written_by_an_older_lmxsim_is_not_resumed(tmp_path):
    spec = experiments.load_spec(spec_file(tmp_path, TINY))
    out = tmp_path / "old"
    experiments.run(spec, out=out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["store_format"], manifest["schema"]   # as lmxsim 0.1.0 wrote it
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(LMXInputError, match="another version"):
        experiments.run(spec, out=out, progress=False)


# ----------------------------------------------------------------------------- 2. concurrency
def test_a_second_process_on_the_same_directory_is_refused_with_one_line(tmp_path):
    spec = spec_file(tmp_path, SLOW)
    out = tmp_path / "out"
    procs = [subprocess.Popen(cli_cmd(spec, out, "--workers", "1"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(2)]
    results = [(p.returncode, *p.communicate(timeout=300)) for p in procs]
    results = [(p.returncode, o, e) for p, (_, o, e) in zip(procs, results)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    refused_out, refused = next((out_, err) for code, out_, err in results if code == 2)
    assert len(refused.strip().splitlines()) == 1 and refused_out == "", (refused_out, refused)
    assert refused.startswith("lmxsim: error: --out=") and "another lmxsim process is writing there" in refused
    runs = pd.read_parquet(out / "runs")
    assert sorted(runs.run_id) == list(range(N_SLOW))     # each run computed and stored once
    assert read_manifest(out)["status"] == "complete"


def test_the_lock_is_refused_in_process_too_and_released_after_a_run(tmp_path):
    spec = experiments.load_spec(spec_file(tmp_path, TINY))
    out = tmp_path / "out"
    holder = ResultStore(out, spec)
    holder.open({}, expected=12)
    try:
        with pytest.raises(LMXInputError, match=f"pid {os.getpid()}"):
            experiments.run(spec, out=out, progress=False)
    finally:
        holder.close()
    assert len(experiments.run(spec, out=out, progress=False)) == 12
    assert len(experiments.run(spec, out=out, progress=False)) == 12   # the lock was released


# ----------------------------------------------------------------------------- 3. crash safety
KILL_HOOK = """
import os, signal, sys
import lmxsim.experiments.store as store
where, n = sys.argv[1], int(sys.argv[2])
calls = [0]
def killing(original, after):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls[0] == n and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper
if where == "lock":
    store.ResultStore._lock = killing(store.ResultStore._lock, False)
elif where == "mid-write":       # half of the file's bytes written
    original = store._write_all
    def half(fd, data):
        calls[0] += 1
        if calls[0] == n:
            os.write(fd, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        original(fd, data)
    store._write_all = half
else:                            # "before-rename" / "after-rename" of the n-th file
    store.os.replace = killing(os.replace, where == "after-rename")
from lmxsim.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("where, n", [
    ("lock", 1),               # DIR created, nothing else: main refused to resume this forever
    ("mid-write", 1),          # the very first write (the manifest), half done
    ("after-rename", 1),       # the manifest in place, no runs/ yet
    ("after-rename", 2),       # a weekly part in place, its runs part not
    ("mid-write", 5),          # a later part half written, mid-run
])
def test_a_kill_at_any_write_leaves_a_directory_the_same_command_resumes(tmp_path, where, n, weekly_reference):
    spec = spec_file(tmp_path, WEEKLY)
    out = tmp_path / "out"
    args = ["experiment", "run", str(spec), "--out", str(out), "--workers", "1", "--flush-every", "1", "--quiet"]
    killed = subprocess.run([sys.executable, "-c", KILL_HOOK, where, str(n), *args], env=ENV,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert out.is_dir()
    resumed = subprocess.run([sys.executable, "-m", "lmxsim.cli", *args], env=ENV, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert_whole_store(out, weekly_reference)


@pytest.mark.parametrize("moment", ["at once", "when DIR appears"])
def test_a_real_kill_right_after_start_then_resume(tmp_path, moment, weekly_reference):
    spec = spec_file(tmp_path, WEEKLY)
    out = tmp_path / "out"
    cmd = cli_cmd(spec, out, "--workers", "2", "--flush-every", "1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while moment != "at once" and not out.exists() and time.monotonic() < deadline:
            time.sleep(0.001)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    resumed = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert_whole_store(out, weekly_reference)


def test_a_real_kill_mid_run_with_two_workers_then_resume(tmp_path):
    spec = spec_file(tmp_path, SLOW)
    out = tmp_path / "out"
    cmd = cli_cmd(spec, out, "--workers", "2", "--flush-every", "1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("runs/*.parquet"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert 3 <= len(load_parts(out)) < N_SLOW
    resumed = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    runs = pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)
    assert runs.run_id.tolist() == list(range(N_SLOW))
    assert not list(out.rglob("*.tmp")) and not (out / ".staging").exists()
    reference = experiments.run(experiments.load_spec(spec), progress=False)
    pd.testing.assert_frame_equal(runs, reference)


# ----------------------------------------------------------------------------- full disk
def _run_cli(spec: Path, out: Path, capsys) -> tuple[int, str]:
    code = cli.main(["experiment", "run", str(spec), "--out", str(out), "--workers", "1", "--flush-every", "4",
                     "--quiet"])
    return code, capsys.readouterr().err


def _count_writes(monkeypatch, spec: Path, out: Path, capsys) -> int:
    calls = [0]
    original = store_mod._write_all

    def counting(fd, data):
        calls[0] += 1
        original(fd, data)

    monkeypatch.setattr(store_mod, "_write_all", counting)
    assert _run_cli(spec, out, capsys)[0] == 0
    monkeypatch.setattr(store_mod, "_write_all", original)
    return calls[0]


def test_a_full_disk_at_every_write_is_one_line_and_resumable(tmp_path, monkeypatch, capsys, weekly_reference):
    spec = spec_file(tmp_path, WEEKLY)
    n_writes = _count_writes(monkeypatch, spec, tmp_path / "count", capsys)
    assert n_writes == 1 + 3 * 2 + 1      # manifest, 3 x (weekly part, runs part), final manifest
    original = store_mod._write_all
    for k in range(1, n_writes + 1):
        out = tmp_path / f"out{k}"
        calls = [0]

        def full_at_k(fd, data):
            calls[0] += 1
            if calls[0] == k:
                os.write(fd, data[: len(data) // 3])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            original(fd, data)

        monkeypatch.setattr(store_mod, "_write_all", full_at_k)
        code, err = _run_cli(spec, out, capsys)
        assert code == 1, (k, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"lmxsim: error: disk full writing {out}"), (k, err)
        assert "runs stored; free space and re-run the same command to resume" in lines[0]
        stored = len(load_parts(out)) if (out / "runs").exists() else 0
        assert f"; {stored} of 12 runs stored;" in lines[0]
        assert not list(out.rglob("*.tmp"))
        for kind in ("runs", "weekly"):
            assert all(p.suffix == ".parquet" for p in (out / kind).glob("*")) if (out / kind).exists() else True
        monkeypatch.setattr(store_mod, "_write_all", original)
        assert _run_cli(spec, out, capsys)[0] == 0, k
        assert_whole_store(out, weekly_reference)


@pytest.mark.parametrize("site", ["fsync", "mkdir"])
def test_a_full_disk_seen_at_fsync_or_mkdir_is_one_line_and_resumable(tmp_path, monkeypatch, capsys, site,
                                                                     weekly_reference):
    spec = spec_file(tmp_path, WEEKLY)
    out = tmp_path / "out"
    enospc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if site == "fsync":      # delayed allocation: write() succeeded, the disk was full all along
        original = os.fsync
        calls = [0]

        def fsync(fd):
            calls[0] += 1
            if calls[0] == 3:
                raise enospc
            original(fd)
        monkeypatch.setattr(store_mod.os, "fsync", fsync)
    else:                    # no room for the directory entry of runs/
        original_mkdir = ResultStore._mkdir

        def mkdir(self, path):
            if path.name == "runs":
                raise store_mod.StoreWriteError(path, self.n_stored, self.total, enospc)
            original_mkdir(self, path)
        monkeypatch.setattr(ResultStore, "_mkdir", mkdir)
    code, err = _run_cli(spec, out, capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "disk full writing" in err, err
    monkeypatch.undo()
    assert _run_cli(spec, out, capsys)[0] == 0
    assert_whole_store(out, weekly_reference)


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def test_a_real_full_file_system_then_more_space_resumes(tmp_path, weekly_reference):
    mnt = tmp_path / "small"
    if not _mount_tmpfs(mnt, "96k"):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        spec = spec_file(tmp_path, WEEKLY)
        out = mnt / "out"
        cmd = cli_cmd(spec, out, "--workers", "1", "--flush-every", "1")
        full = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
        assert full.returncode == 1, full.stderr
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"lmxsim: error: disk full writing {out}"), full.stderr
        assert "free space and re-run the same command to resume" in lines[0]
        assert 0 < len(load_parts(out)) < 12
        assert not list(out.rglob("*.tmp"))
        subprocess.run(["mount", "-o", "remount,size=16m", str(mnt)], check=True, timeout=30)
        resumed = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        assert_whole_store(out, weekly_reference)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


# ----------------------------------------------------------------------------- 4 and 5. processes
def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc/*/stat; zombies count as gone)."""
    parent_of = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] != "Z":
            parent_of[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parent_of.items() if parent in frontier} - found
        found |= frontier
    return found


def _wait_for_workers(proc: subprocess.Popen, n: int = 2, timeout: float = 120) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= n:
            time.sleep(0.5)        # let them start their work
            return _children(proc.pid)
        assert proc.poll() is None, "the command ended before its workers started"
        time.sleep(0.05)
    raise AssertionError("no worker processes appeared")


def _survivors(pids: set[int], timeout: float = 10) -> set[int]:
    """Those of ``pids`` still alive after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = set(pids)
    while time.monotonic() < deadline:
        alive = {p for p in alive if _state(p) != "Z"}
        if not alive:
            break
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "Z"
    return text[text.rindex(")") + 2:].split()[0]


def _compare_cmd(out: Path) -> list[str]:
    return [sys.executable, "-m", "lmxsim.cli", "compare", "--workers", "2", "--seeds", "6", "--weeks", "156",
            "--out", str(out)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["experiment", "compare"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_main_process(tmp_path, command, sig):
    cmd = cli_cmd(spec_file(tmp_path, SLOW), tmp_path / "out", "--workers", "2") if command == "experiment" \
        else _compare_cmd(tmp_path / "out")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        workers = _wait_for_workers(proc)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        left = _survivors(workers)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"{len(left)} of {len(workers)} child processes outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_during_an_experiment_stores_what_is_done_and_says_so(tmp_path):
    spec = spec_file(tmp_path, SLOW)
    out = tmp_path / "out"
    cmd = cli_cmd(spec, out, "--workers", "2", "--flush-every", "1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(out.glob("runs/*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)        # as Ctrl-C in a terminal: the whole process group
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    stored = len(load_parts(out))
    assert lines == [f"lmxsim: interrupted; {stored} of {N_SLOW} runs stored; re-run the same command to resume"], err
    assert 3 <= stored < N_SLOW
    assert read_manifest(out)["status"] == f"interrupted ({stored} of {N_SLOW} runs)"
    assert not _survivors(workers)
    resumed = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(load_parts(out).run_id) == list(range(N_SLOW))


@pytest.mark.parametrize("command", ["compare", "validate"])
def test_ctrl_c_during_compare_or_validate_is_one_line(tmp_path, command):
    cmd = _compare_cmd(tmp_path / "out") if command == "compare" else \
        [sys.executable, "-m", "lmxsim.cli", "validate", "--workers", "2", "--seeds", "6", "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)
    workers = _wait_for_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["lmxsim: interrupted"], err
    assert not (tmp_path / "out").exists()
    assert not _survivors(workers)


def test_local_pool_refuses_fewer_than_one_worker_and_runs_inline_for_one():
    with pytest.raises(LMXInputError, match="--workers"):
        with local_pool(0):
            pass
    with local_pool(1) as pool:
        assert pool is None
