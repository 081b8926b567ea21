"""The benchmark script runs end to end and reports sane fields (no timing is asserted).

``benchmarks/run_all.py --quick`` measures tiny organisations, a few dashboard frames, a
tiny experiment with 1 and 2 workers, a tiny Sobol design, one engine run, the numba kernels'
first use, two profiles and the machine's memory bandwidth, each in a subprocess; this checks
that it finishes, writes its JSON, Markdown and plot, and that every figure is present, finite
and positive. ``--baseline`` is given this checkout, standing in for the previous engine.
How fast anything is, is not a test's business (see docs/performance.md).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run_all.py"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    plot = out / "scaling.png"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out), "--plot", str(plot),
                           "--baseline", str(ROOT)],
                          capture_output=True, text=True, cwd=str(ROOT), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, plot, proc.stdout, json.loads((out / "results.json").read_text())


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def test_writes_json_markdown_and_plot(quick_run):
    out, plot, stdout, res = quick_run
    assert (out / "results.md").read_text().strip() == stdout.strip()
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert res["command"].startswith("python benchmarks/run_all.py")
    assert res["machine"]["cpus"] >= 1 and res["machine"]["numpy"]
    assert len(res["load_before"]) == 3 and _positive(res["seconds"])


def test_step_rows_for_both_implementations(quick_run):
    res = quick_run[3]
    impls = {r["impl"] for r in res["step"]}
    assert impls == {"vectorised", "reference"}
    for r in res["step"]:
        assert r["members"] == r["n_teams"] * r["team_size"] > 0
        assert len(r["run_seconds"]) == r["repeats"]
        for key in ("ms_per_week_best", "ms_per_week_median", "member_weeks_per_second_best",
                    "member_weeks_per_second_median", "rss_peak_mb", "rss_after_imports_mb"):
            assert _positive(r[key]), key
        assert r["ms_per_week_best"] <= r["ms_per_week_median"]
        assert r["rss_peak_mb"] >= r["rss_after_imports_mb"] * 0.99
        assert math.isclose(r["member_weeks_per_second_best"] * r["ms_per_week_best"] / 1000, r["members"],
                            rel_tol=1e-9)
    ratio = res["ratio"][0]
    assert _positive(ratio["ratio_best"]) and _positive(ratio["vectorised"]) and _positive(ratio["reference"])
    assert math.isclose(ratio["ratio_best"], ratio["vectorised"] / ratio["reference"], rel_tol=1e-9)


def test_dashboard_experiment_and_scaling(quick_run):
    res = quick_run[3]
    dash = res["dashboard"][0]
    assert dash["label"] == "workshop default" and dash["members"] > 0 and dash["source"]
    assert _positive(dash["median_ms"]) and dash["p95_ms"] >= dash["median_ms"]
    assert set(dash["median_ms_by_part"]) == {"step", "network", "charts", "monitors"}
    exp = res["experiment"]
    assert [r["workers"] for r in exp["rows"]] == [1, 2]
    for r in exp["rows"]:
        assert r["runs"] == 6 and _positive(r["runs_per_minute"]) and _positive(r["seconds"])
        assert _positive(r["cpu_seconds"]) and r["seconds"] in r["all_seconds"]
    assert _positive(exp["speedup_2_vs_1"]) and math.isclose(exp["parallel_efficiency_2"],
                                                               exp["speedup_2_vs_1"] / 2)
    pair = exp["two_independent_runs"]
    assert len(pair["seconds"]) == 2 and _positive(pair["runs_per_minute"]) and _positive(pair["speedup_vs_1"])
    sc = res["scaling"]
    assert [r["team_size"] for r in sc["teams"]] == [5, 20] and all(_positive(r["ms_per_week"]) for r in sc["teams"])
    assert [r["weeks"] for r in sc["weeks"]] == [4, 8] and all(_positive(r["run_seconds"]) for r in sc["weeks"])


def test_phase_breakdown(quick_run):
    phases = quick_run[3]["phases"][0]
    parts = phases["ms_per_week_by_part"]
    for name in ("perceive", "decide (policy)", "exchange", "work", "innovate", "compare_and_spread",
                 "update_attitudes", "quit_and_refill", "data collection", "random numbers"):
        assert _positive(parts[name]), name
    # the phases (which include their own draws) and the data collection fit in the whole step
    assert sum(v for k, v in parts.items() if k != "random numbers") <= phases["ms_per_week"] * 1.05


def test_markdown_has_every_table(quick_run):
    text = quick_run[2]
    for heading in ("### Weekly step", "### Vectorised vs per-agent reference", "### Dashboard",
                    "### Experiment throughput", "### Scaling with the number of teams", "### Scaling with weeks",
                    "### Where a week goes", "### Sobol design", "### One 1,000-member organisation on the engine",
                    "### numba kernels", "### Profile:", "### Physical bounds", "### Bounds no tuning"):
        assert heading in text


def test_sobol_single_numba_profile_and_bounds(quick_run):
    res = quick_run[3]
    sob = res["sobol"]
    assert sob["runs"] == 48 and sob["workers"] == 2 and _positive(sob["seconds"]) and _positive(sob["cpu_seconds"])
    assert math.isclose(sob["runs_per_minute"], 60 * sob["runs"] / sob["seconds"])
    single = res["single"]
    assert single["members"] == 1_000 and len(single["run_seconds"]) == single["repeats"]
    assert math.isclose(single["member_weeks_per_second_best"] * single["ms_per_week_best"] / 1000, 1_000)
    assert "million" not in res   # 1,000,000 members is left out of the quick run
    warm = res["numba"]["warm"]
    assert warm["cache_index_files"] > 0 and _positive(warm["first_use_seconds"]) and _positive(warm["import_seconds"])
    assert [p["n_orgs"] for p in res["profile"]] == [5, 1]
    for prof in res["profile"]:
        assert len(prof["top"]) == 5 and prof["positions"] == prof["n_orgs"] * (200 if prof["n_orgs"] == 5 else 1000)
        own = [r["tottime_ms_per_week"] for r in prof["top"]]
        assert own == sorted(own, reverse=True) and sum(own) <= prof["tottime_ms_per_week"] * (1 + 1e-9)
    phys = res["physical"]
    assert _positive(phys["bandwidth"]["copy_gb_per_s"]) and _positive(phys["bandwidth"]["read_gb_per_s"])
    assert phys["state"]["bytes_per_position"] >= 8 * phys["state"]["float64_arrays"] > 0
    (traffic,) = phys["traffic"]   # every compiled call counted: at least the member state a week's passes read
    assert traffic["positions"] == 2000 and traffic["calls_per_week"] >= 20
    assert traffic["bytes_per_member_week"] > phys["state"]["bytes_per_position"]
    assert traffic["top"][0]["bytes_per_member_week"] >= traffic["top"][-1]["bytes_per_member_week"] > 0


def test_fixed_cost_and_draws_alone(quick_run):
    bounds = quick_run[3]["bounds"]
    steps = bounds["startup"]["seconds"]   # each step does more than the one before it
    assert 0 < steps["interpreter"] < steps["import the engine"] < steps["and a first tiny batch"]
    assert bounds["startup"]["fixed_seconds"] == steps["and a first tiny batch"]
    (draws,) = bounds["draws"]
    # every member draws at least its weekly perception, work noise, ideas and quit numbers
    assert draws["members"] == 1_000 and draws["draws_per_member_week"] >= 5 and draws["calls_per_week"] >= 5
    assert math.isclose(draws["ceiling_member_weeks_per_second"] * draws["ns_per_member_week"], 1e9)


def test_baseline_times_step_and_experiment_alternately(quick_run):
    """``--baseline CHECKOUT`` also runs the step and the experiment with lmxsim from CHECKOUT
    (here this checkout stands in for the previous engine)."""
    out, _, stdout, res = quick_run
    assert [r["members"] for r in res["baseline"]["step"]] == [200]
    exp = res["experiment"]
    base = exp["baseline"]
    assert base["checkout"] == str(ROOT) and [r["workers"] for r in base["rows"]] == [1, 2]
    for b, a in zip(base["rows"], exp["rows"]):
        assert b["runs"] == a["runs"] == 6 and _positive(b["seconds"])
        assert math.isclose(base["speedup"][str(b["workers"])], b["seconds"] / a["seconds"])
    assert "Previous engine" in stdout and "### Before and after" in stdout
