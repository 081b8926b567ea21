"""Batch experiments: specification checks, determinism across engines, kill-and-resume,
summary arithmetic, and a tiny version of every shipped experiment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmxsim import experiments
from lmxsim.errors import LMXInputError
from lmxsim.experiments.analysis import differences_table, summary_table
from lmxsim.experiments.shipped import SPECS_DIR
from lmxsim.experiments.spec import parse_spec
from lmxsim.experiments.store import load_parts, read_manifest
from lmxsim.runs import replication_seeds

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(SPECS_DIR.glob("*.toml"))

TINY = {
    "experiment": {"name": "tiny", "purpose": "test", "policies": ["reactive_in_crowd", "proactive_deal"],
                   "replications": 3, "weeks": 12, "root_seed": 11,
                   "outcomes": ["innovation_per_member_year", "annual_turnover", "mean_lmx"]},
    "fixed": {"n_teams": 2},
    "factors": {"team_size": [4, 6]},
}


def write_spec(path: Path, data: dict) -> Path:
    lines = []
    for section, table in data.items():
        lines.append(f"[{section}]")
        for k, v in table.items():
            if isinstance(v, dict):
                continue
            lines.append(f"{k} = {toml_value(v)}")
        for k, v in table.items():
            if isinstance(v, dict):
                lines.append(f"[{section}.{k}]")
                lines.extend(f"{kk} = {toml_value(vv)}" for kk, vv in v.items())
    path.write_text("\n".join(lines) + "\n")
    return path


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def tiny_spec(**experiment):
    data = {k: dict(v) for k, v in TINY.items()}
    data["experiment"].update(experiment)
    return parse_spec(data)


# ----------------------------------------------------------------------------- specification
def test_shipped_specifications_are_valid_and_described_in_the_readme():
    readme = (ROOT / "experiments" / "README.md").read_text()
    assert {p.stem for p in SHIPPED} >= {"policy_comparison", "span_of_control", "leader_training", "sensitivity"}
    for path in SHIPPED:
        spec = experiments.load_spec(path)
        assert spec.name == path.stem
        assert f"`{path.stem}`" in readme


@pytest.mark.parametrize("mutate, key", [
    (lambda d: d["experiment"].update(colour="red"), "experiment.colour"),
    (lambda d: d.update(extra={"a": 1}), "extra"),
    (lambda d: d["fixed"].update(team_sise=5), "fixed.team_sise"),
    (lambda d: d["fixed"].update(n_teams=0), "fixed.n_teams"),
    (lambda d: d["fixed"].update(n_teams="four"), "fixed.n_teams"),
    (lambda d: d["experiment"].update(policies=["reactive_in_crowd", "nope"]), "experiment.policies"),
    (lambda d: d["experiment"].update(outcomes=["happiness"]), "experiment.outcomes"),
    (lambda d: d["experiment"].update(replications=0), "experiment.replications"),
    (lambda d: d["experiment"].update(replications=2.5), "experiment.replications"),
    (lambda d: d["experiment"].update(weeks=0), "experiment.weeks"),
    (lambda d: d["experiment"].update(scenario="moon"), "experiment.scenario"),
    (lambda d: d["factors"].update(team_size=[4, 999]), "factors.team_size"),
    (lambda d: d["factors"].update(scenario=["default", "moon"]), "factors.scenario"),
    (lambda d: d.update(design={"method": "lhs", "samples": 4, "ranges": {"trust_gain": [0.1, 0.2]}}),
     "factors/design"),
])
def test_malformed_specification_is_refused_naming_file_and_key(tmp_path, mutate, key):
    data = {k: dict(v) for k, v in TINY.items()}
    data["experiment"] = dict(TINY["experiment"])
    mutate(data)
    path = write_spec(tmp_path / "bad.toml", data)
    with pytest.raises(LMXInputError) as err:
        experiments.load_spec(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_design_ranges_are_checked_against_parameter_ranges():
    data = {"experiment": dict(TINY["experiment"]),
            "design": {"method": "sobol", "samples": 4, "ranges": {"trust_gain": [0.1, 0.2],
                                                                     "promise_reliability": [0.5, 1.5]}}}
    with pytest.raises(LMXInputError, match="design.ranges.promise_reliability"):
        parse_spec(data, where="x.toml")


def test_cli_refuses_a_bad_spec_with_exit_code_2_and_writes_nothing(tmp_path):
    path = write_spec(tmp_path / "bad.toml", {**TINY, "fixed": {"n_teams": -1}})
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "lmxsim.cli", "experiment", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "fixed.n_teams" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


# ----------------------------------------------------------------------------- planning
def test_policies_and_design_points_share_the_seed_of_their_replication():
    tasks = experiments.plan(tiny_spec())
    assert len(tasks) == 2 * 3 * 2
    assert [t.run_id for t in tasks] == list(range(len(tasks)))
    by_rep = {}
    for t in tasks:
        by_rep.setdefault(t.replicate, set()).add(t.seed)
    assert all(len(seeds) == 1 for seeds in by_rep.values())
    assert len({next(iter(s)) for s in by_rep.values()}) == 3
    assert all(0 <= t.seed < 2**63 for t in tasks)  # a signed 64-bit integer in every tool
    # the one seed scheme of every command: replication r of root_seed 11
    assert {t.replicate: t.seed for t in tasks} == dict(enumerate(replication_seeds(11, 3)))
    assert tasks == experiments.plan(tiny_spec())  # the plan is deterministic


def test_sampling_designs_draw_points_inside_their_ranges():
    data = {"experiment": dict(TINY["experiment"]),
            "design": {"method": "lhs", "samples": 10, "ranges": {"trust_gain": [0.05, 0.2], "team_size": [3, 9]}}}
    points = experiments.design_points(parse_spec(data))
    assert len(points) == 10
    assert all(0.05 <= p["trust_gain"] <= 0.2 and 3 <= p["team_size"] <= 9 for p in points)
    assert all(isinstance(p["team_size"], int) for p in points)


# ----------------------------------------------------------------------------- determinism
@pytest.fixture(scope="module")
def reference():
    return experiments.run(tiny_spec(), progress=False)


def test_two_worker_processes_give_identical_numbers(reference):
    pd.testing.assert_frame_equal(reference, experiments.run(tiny_spec(), workers=2, progress=False))


def test_a_progress_bar_on_a_terminal_leaves_the_workers_forked(reference, monkeypatch):
    """A bar starts no thread, so the pool still forks its workers where it may (a tqdm bar's
    monitor thread made every `experiment run` on a terminal spawn them, importing everything again)."""
    import io
    import threading

    from lmxsim import parallel

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    before = set(threading.enumerate())
    seen = []
    choose = parallel.start_method
    monkeypatch.setattr(parallel, "start_method", lambda: seen.append(set(threading.enumerate()) - before) or choose())
    result = experiments.run(tiny_spec(), workers=2, progress=True)
    pd.testing.assert_frame_equal(reference, result)
    assert seen == [set()], f"threads started before the pool: {seen}"
    assert "12/12" in sys.stderr.getvalue()   # the bar was drawn


def test_experiment_run_shows_its_progress_bar_on_a_terminal_only(tmp_path):
    from helpers import run_with_stderr_on_a_terminal

    path = write_spec(tmp_path / "tiny.toml", TINY)
    code, err = run_with_stderr_on_a_terminal(["experiment", "run", str(path), "--out", str(tmp_path / "a")])
    assert code == 0 and "12/12" in err and "run/s" in err
    piped = subprocess.run([sys.executable, "-m", "lmxsim.cli", "experiment", "run", str(path), "--out",
                            str(tmp_path / "b")], capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and "run/s" not in piped.stderr and "12/12" not in piped.stderr


def test_dask_local_cluster_gives_identical_numbers(reference):
    client, executor = experiments.dask_executor(local_workers=2)
    try:
        result = experiments.run(tiny_spec(), executor=executor, progress=False)
    finally:
        client.close()
    pd.testing.assert_frame_equal(reference, result)


def test_the_runs_of_a_batch_are_stored_in_one_part(tmp_path, reference):
    """12 small runs of one scenario and horizon make one batch, which finishes at once: one part
    (it was one part per run, the default flush interval being 2% of the runs)."""
    out = tmp_path / "exp"
    stored = experiments.run(tiny_spec(), out=out, progress=False)
    pd.testing.assert_frame_equal(reference, stored)
    assert len(list((out / "runs").glob("part-*.parquet"))) == 1


def test_streamed_results_equal_in_memory_results_and_rerun_is_a_no_op(tmp_path, reference):
    out = tmp_path / "exp"
    stored = experiments.run(tiny_spec(), out=out, progress=False, flush_every=2)
    pd.testing.assert_frame_equal(reference, stored)  # the same column types in memory and on disk
    manifest = read_manifest(out)
    assert manifest["status"] == "complete" and manifest["runs_stored"] == len(reference)
    assert manifest["spec_hash"] == tiny_spec().digest()
    assert {"numpy", "mesa", "lmxsim"} <= set(manifest["versions"])
    parts_before = sorted((out / "runs").iterdir())
    again = experiments.run(tiny_spec(), out=out, progress=False)
    assert sorted((out / "runs").iterdir()) == parts_before
    pd.testing.assert_frame_equal(stored, again)


def test_a_different_spec_on_the_same_directory_is_refused(tmp_path):
    out = tmp_path / "exp"
    experiments.run(tiny_spec(), out=out, progress=False)
    with pytest.raises(LMXInputError, match="different specification"):
        experiments.run(tiny_spec(root_seed=12), out=out, progress=False)


def test_a_directory_holding_other_files_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / "exp"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(LMXInputError, match="holds other files: notes.txt"):
        experiments.run(tiny_spec(), out=out, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_directory_left_before_its_manifest_was_written_is_resumed(tmp_path):
    out = tmp_path / "exp"
    (out / ".staging").mkdir(parents=True)
    (out / ".staging" / "manifest.json.1234abcd.tmp").write_text('{"half')
    (out / ".lock").touch()
    (out / "runs").mkdir()
    stored = experiments.run(tiny_spec(), out=out, progress=False)
    assert len(stored) == 12 and read_manifest(out)["status"] == "complete"
    assert sorted(p.name for p in out.iterdir()) == [".lock", "manifest.json", "runs"]


def test_killed_run_resumes_to_every_run_exactly_once_and_equals_an_uninterrupted_run(tmp_path, reference):
    spec_data = {k: dict(v) for k, v in TINY.items()}
    # four scenarios run as four batches, one after the other (a batch holds one scenario): the
    # kill lands between batches, after the first batch's runs are stored and before the last's
    spec_data["experiment"] = {**TINY["experiment"], "weeks": 150, "replications": 3}
    spec_data["fixed"] = {"n_teams": 6}
    spec_data["factors"] = {"scenario": ["default", "remote_team", "budget_cut", "hiring_wave"]}
    path = write_spec(tmp_path / "slow.toml", spec_data)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "lmxsim.cli", "experiment", "run", str(path), "--out", str(out),
           "--workers", "1", "--flush-every", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else []
            if len(parts) >= 3:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    partial = load_parts(out)
    total = 2 * 3 * 4   # policies x replications x scenarios
    assert 3 <= len(partial) < total, "the kill should land part-way"
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    result = load_parts(out)
    assert sorted(result.run_id) == list(range(total))  # every run exactly once
    uninterrupted = experiments.run(experiments.load_spec(path), progress=False)
    pd.testing.assert_frame_equal(uninterrupted, result)
    assert not list(out.rglob("*.tmp")) and not (out / ".staging").exists()


# ----------------------------------------------------------------------------- analysis
def test_summary_and_differences_match_a_hand_computed_case():
    spec = tiny_spec(outcomes=["mean_lmx"])
    runs = pd.DataFrame({
        "run_id": range(6), "point_id": 0, "team_size": 4, "replicate": [0, 0, 1, 1, 2, 2],
        "policy": ["reactive_in_crowd", "proactive_deal"] * 3, "seed": 0,
        "mean_lmx": [0.40, 0.50, 0.42, 0.50, 0.44, 0.56],
    })
    s = summary_table(runs, spec)
    r = s[s.policy == "reactive_in_crowd"].iloc[0]
    # 0.40, 0.42, 0.44: mean 0.42, sd 0.02, se 0.011547, t(0.975, 2) = 4.302653
    assert r["mean"] == pytest.approx(0.42)
    assert r.ci_high - r["mean"] == pytest.approx(4.302653 * 0.02 / np.sqrt(3), rel=1e-5)
    d = differences_table(runs, spec).iloc[0]
    # reactive - proactive per replication: -0.10, -0.08, -0.12: mean -0.10, sd 0.02
    assert d.difference == pytest.approx(-0.10)
    assert d.ci_low == pytest.approx(-0.10 - 4.302653 * 0.02 / np.sqrt(3), rel=1e-5)
    # d_z: mean paired difference / sd of the paired differences = -0.10 / 0.02
    assert d.d_z == pytest.approx(-5.0, rel=1e-6)
    # d_pooled: (0.42 - 0.52) / sqrt((0.0004 + 0.0012) / 2)
    assert d.d_pooled == pytest.approx(-0.10 / np.sqrt(0.0008), rel=1e-6)
    assert "cohens_d" not in differences_table(runs, spec).columns


def test_summarize_writes_tables_and_a_figure_per_factor(tmp_path):
    out = tmp_path / "exp"
    experiments.run(tiny_spec(), out=out, progress=False)
    summary, diffs, figures = experiments.summarize(out)
    assert set(summary.policy) == {"reactive_in_crowd", "proactive_deal"}
    assert len(summary) == 2 * 2 * 3  # points x policies x outcomes
    assert (out / "summary" / "summary.csv").exists() and (out / "summary" / "differences.csv").exists()
    by_level = pd.read_csv(out / "summary" / "factor_differences.csv")
    assert set(by_level.level) == {6} and set(by_level.baseline) == {4}
    assert all(f.exists() and f.stat().st_size > 0 for f in figures)


def test_summarize_of_an_experiment_without_factors_draws_its_policies(tmp_path):
    """policy_comparison has one design point: no factor to draw against, so one figure of the
    policies (mean and CI per outcome) - summarize wrote none before."""
    spec = parse_spec({"experiment": dict(TINY["experiment"]), "fixed": {"n_teams": 2}})
    out = tmp_path / "exp"
    experiments.run(spec, out=out, progress=False)
    summary, _, figures = experiments.summarize(out)
    assert figures == [out / "summary" / "policies.png"]
    assert figures[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(summary.point_id) == {0}


def test_summarize_of_one_policy_writes_a_differences_file_pandas_reads(tmp_path):
    # leader_training has one policy: differences.csv was one newline (pandas: EmptyDataError)
    out = tmp_path / "exp"
    experiments.run(tiny_spec(policies=["reactive_in_crowd"]), out=out, progress=False)
    experiments.summarize(out)
    diffs = pd.read_csv(out / "summary" / "differences.csv")
    assert diffs.empty and {"policy_a", "policy_b", "outcome", "difference", "ci_low", "d_z"} <= set(diffs.columns)


def test_an_output_file_blocked_by_a_folder_stops_everything_before_anything_is_written(tmp_path):
    out = tmp_path / "exp"
    experiments.run(tiny_spec(), out=out, progress=False)
    (out / "summary" / "differences.csv").mkdir(parents=True)
    with pytest.raises(LMXInputError) as info:   # it was IsADirectoryError, summary.csv already moved in
        experiments.summarize(out)
    assert info.value.field == "--out" and str(info.value.value).endswith("differences.csv")
    assert sorted(p.name for p in (out / "summary").iterdir()) == ["differences.csv"]


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_sensitivity_gives_nan_not_made_up_indices_for_an_outcome_without_data(tmp_path, method, recwarn):
    # 12-week runs: the 52-week cohort outcome is NaN in every run. Morris gave the masked '--'
    # (a text column in the CSV), Sobol 0.0 for every index and a RuntimeWarning
    outcomes = ["mean_lmx", "performance_high_lmx_tercile"]
    data = {"experiment": {**TINY["experiment"], "policies": ["reactive_in_crowd"], "replications": 1,
                           "outcomes": outcomes},
            "fixed": {"n_teams": 2},
            "design": {"method": method, "samples": 4, "ranges": {"idea_rate": [0.1, 0.3], "trust_gain": [0.02, 0.1]}}}
    out = tmp_path / "exp"
    experiments.run(parse_spec(data), out=out, progress=False)
    experiments.sensitivity(out)
    table = pd.read_csv(out / "sensitivity" / "sensitivity.csv")
    index = "ST" if method == "sobol" else "mu_star"
    assert table[index].dtype == np.float64
    by_outcome = table.groupby("outcome")[index]
    assert by_outcome.apply(lambda x: x.isna().all())["performance_high_lmx_tercile"]
    assert by_outcome.apply(lambda x: x.notna().all())["mean_lmx"]
    assert not [w for w in recwarn if issubclass(w.category, (RuntimeWarning, FutureWarning))]


# ----------------------------------------------------------------------------- shipped experiments, tiny
def shrink(path: Path, tmp_path: Path) -> Path:
    """The shipped specification with few replications, few weeks and a small organisation."""
    data = tomllib.loads(path.read_text())
    data["experiment"]["replications"] = 2
    data["experiment"]["weeks"] = min(52, data["experiment"]["weeks"])  # cohort outcomes need week 52
    data.setdefault("fixed", {})["n_teams"] = 2
    if "design" in data:
        data["design"]["samples"] = 4
    if "factors" in data and "team_size" in data["factors"]:
        data["factors"]["team_size"] = data["factors"]["team_size"][:2]
    return write_spec(tmp_path / path.name, data)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_tiny_version_of_shipped_experiment_runs_and_summarizes(tmp_path, path):
    small = shrink(path, tmp_path)
    spec = experiments.load_spec(small)
    out = tmp_path / "out"
    runs = experiments.run(spec, out=out, workers=1, progress=False)
    assert len(runs) == len(experiments.plan(spec))
    assert runs[list(spec.outcomes)].notna().any().all()
    experiments.summarize(out)
    if spec.method in ("sobol", "morris"):
        table = experiments.sensitivity(out)
        assert set(table.parameter) == set(spec.ranges)
        assert (out / "sensitivity" / "sensitivity.png").exists()
