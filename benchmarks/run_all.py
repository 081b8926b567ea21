"""Every lmxsim performance figure in one run: the numbers behind docs/performance.md.

Usage (from the repository root; about 15 minutes on 2 cores, 25 with --baseline - run it on a quiet machine)::

    python benchmarks/run_all.py                      # full run
    python benchmarks/run_all.py --baseline /tmp/before   # also the step and policy_comparison of another checkout
    python benchmarks/run_all.py --quick --out /tmp/b --plot /tmp/b/scaling.png   # a tiny smoke run

Writes ``OUT/results.json`` (every measurement, the machine, the command) and
``OUT/results.md`` (the tables), prints the tables, and saves the scaling plot
(``--plot``, default ``docs/performance_scaling.png``). Default ``OUT`` is ``benchmarks/latest``.

What is measured, each in a fresh subprocess (so peak memory is per measurement):

1. **step** - member-weeks per second of the full weekly step, Mesa DataCollector included
   (panel off, member agents on demand), at 1k, 10k, 100k and 1M members (teams of 10),
   for the vectorised model and for the per-agent reference (``reference_model.py``) where it
   finishes in reasonable time; the ratio is taken over the same weeks and seeds. Peak
   memory is the process's peak resident set (``ru_maxrss``), with the interpreter and
   imports alone shown separately.
2. **dashboard** - one week's step plus what the page needs to show it (the network's and
   the charts' frame data, which the browser draws; monitors) at the workshop default, at 500
   members and in compare mode.
3. **experiment** - runs per minute of ``lmxsim experiment run policy_comparison``
   with 1 and 2 worker processes, and the parallel efficiency; with ``--baseline``, the same
   command with the other checkout's ``lmxsim``, alternating, and the ratio.
4. **sobol** - ``benchmarks/sobol_10k.toml`` (10,240 runs of 200 members) with 2 workers
   (``--quick``: a 48-run design).
5. **single** - one 10,000-member organisation, ``lmxsim.engine.run_batch([spec])``.
6. **million** - 1,000,000 members on the engine: seconds per week, peak RSS (not in ``--quick``).
7. **numba** - first use of the compiled kernels in a fresh process with an empty
   ``NUMBA_CACHE_DIR``, then in a second one with the cache the first wrote.
8. **profile** - cProfile's top functions (own time) of a 70,000-position batch week and of
   a 10,000-member organisation's week.
9. **physical** - memory bandwidth (numpy copy of 200 MB), bytes of member state per position,
   and the bytes a week's compiled calls read and return per member-week against its CPU time.
10. **scaling** - cost per week against members, against the number of teams (fixed
    members), and total cost against weeks; plotted log-log.
11. **phases** - where a week goes, phase by phase, and the keyed draws alone.
12. **bounds** - two costs no tuning of the weekly rules removes: a fresh process's fixed cost
    before its first week (interpreter, imports, numba loading its cached kernels), and a week's
    keyed draws replayed alone (ns per member-week at 10,000 and 1,000,000 members) - with what
    they imply for the targets.

Timings are wall-clock; "best" is the fastest repeat, "median" the median repeat.
Nothing here asserts a timing: tests only check that this script runs (tests/test_benchmarks_smoke.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POLICY = "proactive_deal"
POLICIES = ["reactive_in_crowd", "proactive_deal", "equal_split", "transactional", "similarity_bias", "laissez_faire",
            "distributed"]   # policy_comparison's seven
TEAM_SIZE = 10

# members -> (weeks timed, repeats)
FULL_VECTORISED = {1_000: (156, 5), 10_000: (156, 5), 100_000: (52, 3), 1_000_000: (10, 2)}
FULL_REFERENCE = {1_000: (52, 3), 10_000: (26, 3), 100_000: (3, 1)}
QUICK_VECTORISED = {200: (10, 2)}
QUICK_REFERENCE = {200: (5, 1)}

TARGETS = {
    "ratio_10k": 100.0,                # x the per-agent reference at 10,000 members
    "member_weeks_10k": 10_000_000,    # member-weeks per second at 10,000 members
    "step_1m_seconds": 0.3,            # one week at 1,000,000 members (issue 11; was 0.5)
    "memory_1m_gib": 2.0,              # peak memory at 1,000,000 members
    "dashboard_ms": 100.0,             # step + redraw at the workshop default
    "speedup_2_workers": 1.8,          # 2 workers vs 1 worker
    "speedup_vs_baseline": 15.0,       # policy_comparison on 1 worker vs the previous engine (issue 11)
    "baseline_policy_comparison_s": 34.0,  # the previous engine's time quoted in issue 11 (when no --baseline)
    "sobol_10k_seconds": 120.0,        # a 10,000-run Sobol design of 200-member organisations on 2 cores
}


# ============================================================================ children
def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _release(model) -> None:
    """Let Mesa forget a finished model (:func:`lmxsim.compat.release_model`; a ``--baseline``
    checkout may predate that module, so fall back to Mesa 3.3.1's ``Agent._ids`` directly)."""
    try:
        from lmxsim.compat import release_model
    except ImportError:
        import mesa
        getattr(mesa.Agent, "_ids", {}).pop(model, None)
    else:
        release_model(model)


def child_step(cfg: dict) -> dict:
    """Build and run one implementation at one size; time the weekly steps."""
    members, weeks, repeats = cfg["members"], cfg["weeks"], cfg["repeats"]
    team_size = cfg.get("team_size", TEAM_SIZE)
    n_teams = max(1, members // team_size)
    if cfg["impl"] == "vectorised":
        from lmxsim import LMXModel

        def make(seed):
            return LMXModel(policy=cfg.get("policy", POLICY), seed=seed, n_teams=n_teams, team_size=team_size,
                            weeks=weeks + 1, panel_every=0, member_agents=False)
    else:
        sys.path.insert(0, str(HERE))
        from reference_model import ReferenceModel

        def make(seed):
            return ReferenceModel(policy=cfg.get("policy", POLICY), seed=seed, n_teams=n_teams, team_size=team_size,
                                  weeks=weeks + 1)
    rss_imports = _rss_now_mb()
    if cfg.get("warmup", True):  # first use of every code path in this process, on a tiny organisation
        small = max(1, 200 // team_size)
        warm = (LMXModel(policy=cfg.get("policy", POLICY), seed=99, n_teams=small, team_size=team_size, weeks=5,
                         panel_every=0, member_agents=False) if cfg["impl"] == "vectorised"
                else ReferenceModel(policy=cfg.get("policy", POLICY), seed=99, n_teams=small, team_size=team_size,
                                    weeks=5))
        warm.run(4)
        _release(warm)
        del warm
    builds, runs = [], []
    for seed in range(repeats):
        t0 = time.perf_counter()
        model = make(seed)
        t1 = time.perf_counter()
        model.run(weeks)
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        runs.append(t2 - t1)
        _release(model)
        del model
    real = n_teams * team_size
    best, median = min(runs), statistics.median(runs)
    return {
        "impl": cfg["impl"], "members": real, "n_teams": n_teams, "team_size": team_size, "weeks": weeks,
        "repeats": repeats, "policy": cfg.get("policy", POLICY), "build_seconds": min(builds), "run_seconds": runs,
        "ms_per_week_best": 1000 * best / weeks, "ms_per_week_median": 1000 * median / weeks,
        "member_weeks_per_second_best": real * weeks / best,
        "member_weeks_per_second_median": real * weeks / median,
        "rss_after_imports_mb": rss_imports, "rss_peak_mb": _rss_peak_mb(),
    }


def child_dashboard(cfg: dict) -> dict:
    """One week's step plus what the page needs to show it, week after week.

    Since issue 13 the browser draws the network and the charts from data: a Play frame is
    each desk's colour index and flags (``NetworkFeed.frame``), the weeks each chart gained
    (``ChartFeed.series``) and the monitors."""
    weeks = cfg["weeks"]
    try:
        from lmxsim.dashboard.charts import ChartFeed, monitor_values
        from lmxsim.dashboard.network import NetworkFeed, compute_layout
        from lmxsim.dashboard.session import Settings, Simulation
    except ImportError as exc:  # the dashboard is not there: time an equivalent
        return _dashboard_fallback(cfg, f"lmxsim.dashboard not importable ({exc})")
    settings = Settings.for_scenario(cfg.get("scenario", "default"))
    if cfg.get("n_teams"):
        settings = settings.replace(params={**settings.param_dict, "n_teams": cfg["n_teams"],
                                            "team_size": cfg["team_size"]})
    if cfg.get("compare"):
        settings = settings.replace(compare=True)
    t0 = time.perf_counter()
    sim = Simulation(settings)
    layouts = [compute_layout(run.model) for run in sim.runs]
    feeds = [NetworkFeed(run, layout, title=run.label) for run, layout in zip(sim.runs, layouts)]
    chart_feed = ChartFeed(sim.runs, sim.horizon, settings.scenario_obj)
    for feed in feeds:
        feed.scene()   # the fixed drawing, sent once per organisation
        feed.frame()
    chart_feed.series()
    first = time.perf_counter() - t0
    parts = {"step": [], "network": [], "charts": [], "monitors": [], "total": []}
    for _ in range(weeks):
        a = time.perf_counter()
        sim.step(1)
        b = time.perf_counter()
        for feed in feeds:
            feed.frame()
        c = time.perf_counter()
        chart_feed.series()
        d = time.perf_counter()
        for run in sim.runs:
            monitor_values(run.model)
        e = time.perf_counter()
        for key, value in zip(("step", "network", "charts", "monitors", "total"), (b - a, c - b, d - c, e - d, e - a)):
            parts[key].append(value)
    members = sim.runs[0].model.members.capacity
    return _dashboard_summary(cfg, parts, first, members, len(sim.runs),
                              "lmxsim.dashboard: Simulation.step(1) + NetworkFeed.frame() per run + ChartFeed.series() "
                              "+ monitor_values() per run (the data of a Play frame; the browser draws it)")


def _dashboard_fallback(cfg: dict, why: str) -> dict:
    import io

    import matplotlib
    matplotlib.use("Agg")
    import networkx as nx
    from matplotlib.figure import Figure

    from lmxsim import LMXModel
    n_teams, team_size = cfg.get("n_teams") or 5, cfg.get("team_size") or 8
    model = LMXModel(seed=1, n_teams=n_teams, team_size=team_size, panel_every=0)
    graph = model.organisation
    pos = nx.spring_layout(graph, seed=1)
    fig = Figure(figsize=(6.6, 6.6))
    ax = fig.add_subplot()
    parts = {"step": [], "network": [], "charts": [], "monitors": [], "total": []}
    for _ in range(cfg["weeks"]):
        a = time.perf_counter()
        model.step()
        b = time.perf_counter()
        ax.clear()
        nx.draw_networkx(graph, pos=pos, ax=ax, node_size=30, with_labels=False,
                         node_color=[float(model.members.lmx[i]) if i < model.members.capacity else 1.0
                                     for i in graph.nodes])
        fig.savefig(io.BytesIO(), format="png")
        c = time.perf_counter()
        for key, value in zip(("step", "network", "charts", "monitors", "total"), (b - a, c - b, 0.0, 0.0, c - a)):
            parts[key].append(value)
    return _dashboard_summary(cfg, parts, 0.0, model.members.capacity, 1,
                              f"fallback: model.step() + a matplotlib network redraw ({why})")


def _dashboard_summary(cfg, parts, first, members, runs, source) -> dict:
    def ms(values, q=None):
        values = sorted(values)
        if q is None:
            return 1000 * statistics.median(values)
        return 1000 * values[min(len(values) - 1, int(q * len(values)))]

    return {"label": cfg["label"], "members": members, "runs": runs, "weeks": cfg["weeks"], "source": source,
            "first_frame_ms": 1000 * first, "median_ms": ms(parts["total"]), "p95_ms": ms(parts["total"], 0.95),
            "max_ms": 1000 * max(parts["total"]),
            "median_ms_by_part": {k: ms(v) for k, v in parts.items() if k != "total"}}


def child_scaling(cfg: dict) -> dict:
    """Cost per week against the number of teams (fixed members), and run time against weeks."""
    from lmxsim import LMXModel
    out = {"teams": [], "weeks": []}
    members = cfg["members"]
    for team_size in cfg["team_sizes"]:
        n_teams = members // team_size
        best = float("inf")
        for seed in range(cfg["repeats"]):
            model = LMXModel(policy=POLICY, seed=seed, n_teams=n_teams, team_size=team_size, weeks=cfg["weeks"] + 1,
                             panel_every=0, member_agents=False)
            t = time.perf_counter()
            model.run(cfg["weeks"])
            best = min(best, time.perf_counter() - t)
            _release(model)
        out["teams"].append({"members": n_teams * team_size, "n_teams": n_teams, "team_size": team_size,
                             "ms_per_week": 1000 * best / cfg["weeks"]})
    for weeks in cfg["horizons"]:
        best = float("inf")
        for seed in range(cfg["repeats"]):
            model = LMXModel(policy=POLICY, seed=seed, n_teams=members // TEAM_SIZE, team_size=TEAM_SIZE,
                             weeks=weeks, panel_every=0, member_agents=False)
            t = time.perf_counter()
            model.run()
            best = min(best, time.perf_counter() - t)
            _release(model)
        out["weeks"].append({"members": members, "weeks": weeks, "run_seconds": best,
                             "ms_per_week": 1000 * best / weeks})
    out["rss_peak_mb"] = _rss_peak_mb()
    return out


def child_phases(cfg: dict) -> dict:
    """Where a week's time goes: each phase of LMXModel.step, and the random-number draws."""
    import collections

    import numpy as np

    import lmxsim.model as M
    from lmxsim import LMXModel

    spent = collections.defaultdict(list)

    def timed(name, f):
        def g(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[name].append(time.perf_counter() - t)
        return g

    try:   # this engine: the schedule lives in lmxsim.engine (Engine.step calls its module's functions)
        import lmxsim.engine as E
    except ImportError:
        E = None
    where = E if E is not None and hasattr(E, "perceive") else M
    for name in ("perceive", "exchange", "work", "innovate", "compare_and_spread", "update_attitudes",
                 "quit_and_refill"):
        setattr(where, name, timed(name, getattr(where, name)))
    if hasattr(where, "decide"):   # the phase functions of lmxsim.submodels.decide
        where.decide = timed("decide (policy)", where.decide)
        where.review = timed("review (quarterly)", where.review)
    else:                          # a baseline checkout from before: model methods
        M.LMXModel._decide = timed("decide (policy)", M.LMXModel._decide)
        M.LMXModel._review = timed("review (quarterly)", M.LMXModel._review)

    class TimedGenerator:
        """Forwards to the model's Generator (same draws, same order) and times each call."""

        def __init__(self, rng):
            self._rng = rng

        def __getattr__(self, name):
            attr = getattr(self._rng, name)
            return timed("random numbers", attr) if callable(attr) else attr

    n = cfg["members"]
    keyed = None
    try:
        from lmxsim.keyed_random import KeyedStreams as keyed
    except ImportError:
        pass
    if keyed is not None and E is not None:
        # keyed draws: time every public draw of KeyedStreams (outermost call only: some call others)
        depth = [0]

        def outer(f):
            def g(*a, **k):
                depth[0] += 1
                t = time.perf_counter()
                try:
                    return f(*a, **k)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        spent["random numbers"].append(time.perf_counter() - t)
            return g
        for name in ("words", "uniform", "uniform_pair", "normal", "normal_pair", "poisson", "binomial", "beta22",
                     "geometric", "integers", "bernoulli"):
            if hasattr(keyed, name):
                setattr(keyed, name, outer(getattr(keyed, name)))
    model = LMXModel(policy=POLICY, seed=1, n_teams=n // TEAM_SIZE, team_size=TEAM_SIZE, weeks=cfg["weeks"] + 3,
                     panel_every=0, member_agents=False)
    if keyed is None or E is None:
        model.rng = TimedGenerator(model.rng)
    for _ in range(2):   # first use of every code path (and numba's compiled kernels) before timing
        model.step()
    model.datacollector.collect = timed("data collection", model.datacollector.collect)
    spent.clear()
    steps = []
    for _ in range(cfg["weeks"]):
        t = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - t)
    weeks = cfg["weeks"]
    phases = {name: 1000 * float(np.sum(v)) / weeks for name, v in spent.items()}
    return {"members": n, "weeks": weeks, "ms_per_week": 1000 * float(np.mean(steps)),
            "ms_per_week_by_part": phases,
            "note": "phase times include their own random draws; 'random numbers' is those draws alone"}


# ---------------------------------------------------------------------------- issue 11 engine
def _org_specs(n_orgs: int, n_teams: int, team_size: int, weeks: int, policies=(POLICY,), root_seed: int = 2026):
    """``n_orgs`` organisations for :class:`lmxsim.engine.Engine`, policies in turn, seeds as experiments use."""
    from lmxsim.engine import OrgSpec
    from lmxsim.params import Params
    from lmxsim.runs import replication_seeds
    from lmxsim.scenarios import get_scenario
    preset = get_scenario("default")
    params = Params(**{**preset.overrides, "n_teams": n_teams, "team_size": team_size, "weeks": weeks})
    seeds = replication_seeds(root_seed, n_orgs)
    specs = [OrgSpec(policies[i % len(policies)], params, seeds[i], preset) for i in range(n_orgs)]
    return sorted(specs, key=lambda s: s.policy)   # each policy's organisations together, as run_tasks batches them


def child_single(cfg: dict) -> dict:
    """One organisation of ``members`` run to its horizon by ``run_batch([spec])`` (reporters included)."""
    from lmxsim.engine import run_batch
    members, weeks, repeats = cfg["members"], cfg["weeks"], cfg["repeats"]
    run_batch(_org_specs(1, max(1, 200 // TEAM_SIZE), TEAM_SIZE, 4), 4)   # first use of every code path
    runs, cpus = [], []
    for r in range(repeats):
        specs = _org_specs(1, members // TEAM_SIZE, TEAM_SIZE, weeks, root_seed=r)
        t, c = time.perf_counter(), time.process_time()
        run_batch(specs)
        runs.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    real = members // TEAM_SIZE * TEAM_SIZE
    return {"members": real, "weeks": weeks, "repeats": repeats, "run_seconds": runs, "cpu_seconds": cpus,
            "member_weeks_per_cpu_second_best": real * weeks / min(cpus),
            "what": "lmxsim.engine.run_batch([one OrgSpec]) to the horizon, weekly reporters included, build excluded",
            "ms_per_week_best": 1000 * min(runs) / weeks, "ms_per_week_median": 1000 * statistics.median(runs) / weeks,
            "member_weeks_per_second_best": real * weeks / min(runs),
            "member_weeks_per_second_median": real * weeks / statistics.median(runs), "rss_peak_mb": _rss_peak_mb()}


def child_million(cfg: dict) -> dict:
    """A 1,000,000-member organisation on the engine: seconds per week (step, and weekly reporters) and peak RSS."""
    from lmxsim.engine import Engine
    from lmxsim.reporters import weekly_rows
    rss_imports = _rss_now_mb()
    members, weeks = cfg["members"], cfg["weeks"]
    t = time.perf_counter()
    engine = Engine(_org_specs(1, members // TEAM_SIZE, TEAM_SIZE, weeks + 1))
    build = time.perf_counter() - t
    rss_built = _rss_now_mb()
    steps, reports, cpus = [], [], []
    for _ in range(weeks):
        a, cpu = time.perf_counter(), time.process_time()
        engine.step()
        b = time.perf_counter()
        weekly_rows(engine)
        c = time.perf_counter()
        steps.append(b - a)
        reports.append(c - b)
        cpus.append(time.process_time() - cpu)
    later = [s + r for s, r in zip(steps[1:], reports[1:])]
    return {"members": engine.members.capacity, "weeks": weeks, "build_seconds": build,
            "first_week_seconds": steps[0] + reports[0], "step_seconds": steps, "reporter_seconds": reports,
            "week_seconds_mean_after_first": statistics.mean(later), "week_seconds_median_after_first":
            statistics.median(later), "step_seconds_mean_after_first": statistics.mean(steps[1:]),
            "week_cpu_seconds_mean_after_first": statistics.mean(cpus[1:]),
            "rss_after_imports_mb": rss_imports, "rss_after_build_mb": rss_built, "rss_peak_mb": _rss_peak_mb()}


def child_numba(cfg: dict) -> dict:
    """Import, then a tiny organisation's first weeks (every kernel's first call), then the same again.

    The parent sets ``NUMBA_CACHE_DIR`` (empty for the cold run, filled by it for the warm run)."""
    t0 = time.perf_counter()
    import lmxsim.keyed_random  # noqa: F401  (numba itself, and the kernels' definitions)
    t1 = time.perf_counter()
    from lmxsim.engine import Engine

    def tiny(seed):
        engine = Engine(_org_specs(1, 4, 5, 20, root_seed=seed))
        for _ in range(14):   # past the first quarterly review: every rule and kernel has run
            engine.step()

    a = time.perf_counter()
    tiny(0)
    b = time.perf_counter()
    tiny(1)
    c = time.perf_counter()
    cache = Path(os.environ.get("NUMBA_CACHE_DIR", ""))
    files = [f for f in cache.rglob("*") if f.is_file()] if str(cache) else []
    return {"import_seconds": t1 - t0, "first_use_seconds": b - a, "again_seconds": c - b,
            "compile_seconds": (b - a) - (c - b), "cache_dir": str(cache), "cache_files": len(files),
            "cache_index_files": sum(f.suffix == ".nbi" for f in files),
            "cache_mb": sum(f.stat().st_size for f in files) / 2**20}


def child_profile(cfg: dict) -> dict:
    """cProfile of engine weeks (after two warm-up weeks): the top functions by own time."""
    import cProfile
    import pstats

    from lmxsim.engine import Engine
    from lmxsim.reporters import weekly_rows
    policies = cfg.get("policies", [POLICY])
    engine = Engine(_org_specs(cfg["n_orgs"], cfg["members_per_org"] // TEAM_SIZE, TEAM_SIZE, cfg["weeks"] + 3,
                               policies=policies))
    for _ in range(2):
        engine.step()
        weekly_rows(engine)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for _ in range(cfg["weeks"]):
        engine.step()
        weekly_rows(engine)
    prof.disable()
    wall = time.perf_counter() - t
    stats = pstats.Stats(prof).stats
    rows = []
    for (file, line, name), (cc, nc, tt, ct, _callers) in stats.items():
        where = file if file == "~" else str(Path(file).name if "lmxsim" not in file
                                                 else file[file.rfind("lmxsim"):])
        rows.append({"function": f"{where}:{line}({name})" if file != "~" else name, "calls": nc,
                     "tottime_ms_per_week": 1000 * tt / cfg["weeks"], "cumtime_ms_per_week": 1000 * ct / cfg["weeks"]})
    rows.sort(key=lambda r: -r["tottime_ms_per_week"])
    total = sum(r["tottime_ms_per_week"] for r in rows)
    return {"label": cfg["label"], "positions": engine.members.capacity, "n_orgs": cfg["n_orgs"],
            "weeks": cfg["weeks"], "ms_per_week_profiled": 1000 * wall / cfg["weeks"], "tottime_ms_per_week": total,
            "function_calls_per_week": sum(r["calls"] for r in rows) / cfg["weeks"], "top": rows[:cfg.get("top", 8)]}


def child_bandwidth(cfg: dict) -> dict:
    """Memory bandwidth as numpy sees it: copy a ``mb`` MB float64 array (read + write counted)."""
    import numpy as np
    n = cfg["mb"] * 2**20 // 8
    src = np.random.default_rng(0).random(n)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(cfg.get("repeats", 7)):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    read = float("inf")
    for _ in range(cfg.get("repeats", 7)):   # a read-only pass (sum) for comparison
        t = time.perf_counter()
        src.sum()
        read = min(read, time.perf_counter() - t)
    nbytes = src.nbytes
    return {"mb": cfg["mb"], "copy_seconds": best, "copy_gb_per_s": 2 * nbytes / best / 1e9,
            "sum_seconds": read, "read_gb_per_s": nbytes / read / 1e9}


def child_state_bytes(cfg: dict) -> dict:
    """Bytes of member state per position (every MemberState array)."""
    import numpy as np

    from lmxsim.state import MemberState
    m = MemberState(1000)
    arrays = {k: v for k, v in vars(m).items() if isinstance(v, np.ndarray)}
    return {"arrays": len(arrays), "float64_arrays": sum(v.dtype == np.float64 for v in arrays.values()),
            "bytes_per_position": sum(v.itemsize for v in arrays.values())}


def child_traffic(cfg: dict) -> dict:
    """Bytes of the arrays every compiled call of a week reads and returns (arguments + results,
    counted once per call: a lower bound of the memory traffic - numpy expressions between the
    calls are not counted, a gather through the tie matrix counts each value once), per
    member-week, against the week's CPU time measured without the counting."""
    import numpy as np
    from numba.core.registry import CPUDispatcher

    from lmxsim.engine import Engine
    from lmxsim.reporters import weekly_rows
    engine = Engine(_org_specs(cfg["n_orgs"], cfg["members_per_org"] // TEAM_SIZE, TEAM_SIZE, 2 * cfg["weeks"] + 10,
                               policies=cfg.get("policies", [POLICY])))
    for _ in range(3):
        engine.step()
        weekly_rows(engine)
    cpu, block = float("inf"), cfg["weeks"] // 3 or 1
    for _ in range(3):   # best CPU time of a block of weeks, nothing counted
        t = time.process_time()
        for _ in range(block):
            engine.step()
            weekly_rows(engine)
        cpu = min(cpu, (time.process_time() - t) / block)
    counted: dict[str, list] = {}

    def nbytes(x):
        return x.nbytes if isinstance(x, np.ndarray) else sum(map(nbytes, x)) if isinstance(x, tuple) else 0

    def counting(name, f):
        def call(*args):
            out = f(*args)
            entry = counted.setdefault(name, [0, 0])
            entry[0] += sum(map(nbytes, args)) + nbytes(out)
            entry[1] += 1
            return out
        call.py_func = f.py_func   # a rule stays usable by lmxsim._structure.elementwise
        return call

    for module in [m for name, m in list(sys.modules.items()) if name.startswith("lmxsim") and m is not None]:
        for name, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                setattr(module, name, counting(name, value))
    for _ in range(cfg["weeks"]):
        engine.step()
        weekly_rows(engine)
    per_mw = {name: b / cfg["weeks"] / engine.members.capacity for name, (b, _n) in counted.items()}
    total = sum(per_mw.values())
    return {"label": cfg["label"], "positions": engine.members.capacity, "cpu_ms_per_week": 1000 * cpu,
            "ns_per_member_week": 1e9 * cpu / engine.members.capacity, "bytes_per_member_week": total,
            "calls_per_week": sum(n for _b, n in counted.values()) / cfg["weeks"],
            "gb_per_s": total * engine.members.capacity / cpu / 1e9,
            "top": sorted(({"function": k, "bytes_per_member_week": v, "calls_per_week": counted[k][1] / cfg["weeks"]}
                           for k, v in per_mw.items()), key=lambda r: -r["bytes_per_member_week"])[:8]}


def child_draws(cfg: dict) -> dict:
    """The keyed draws of a week alone: every ``KeyedStreams`` call of ``weeks`` engine weeks is
    recorded (arguments copied), then replayed and timed - the cost the keyed-random-number
    scheme puts on each member-week whatever else the engine does."""
    import numpy as np

    from lmxsim.engine import Engine
    from lmxsim.keyed_random import KeyedStreams
    from lmxsim.reporters import weekly_rows
    engine = Engine(_org_specs(1, cfg["members"] // TEAM_SIZE, TEAM_SIZE, cfg["weeks"] + 5))
    for _ in range(2):
        engine.step()
        weekly_rows(engine)
    calls, depth = [], [0]
    originals = {}

    def recording(name):
        f = originals[name] = getattr(KeyedStreams, name)

        def g(self, *a, **k):
            depth[0] += 1
            try:
                if depth[0] == 1:
                    calls.append((self, name, [x.copy() if hasattr(x, "copy") else x for x in a], dict(k)))
                return f(self, *a, **k)
            finally:
                depth[0] -= 1
        return g
    names = ("words", "uniform", "uniform_pair", "normal", "normal_pair", "poisson", "binomial", "beta22",
             "geometric", "integers", "bernoulli")
    for name in names:
        setattr(KeyedStreams, name, recording(name))
    for _ in range(cfg["weeks"]):
        engine.step()
        weekly_rows(engine)
    for name in names:
        setattr(KeyedStreams, name, originals[name])
    best = float("inf")
    for _ in range(cfg.get("repeats", 5)):
        t = time.perf_counter()
        for streams, name, a, k in calls:
            getattr(streams, name)(*a, **k)
        best = min(best, time.perf_counter() - t)
    elements = sum(int(np.size(a[1])) for _s, _n, a, _k in calls)
    member_weeks = engine.members.capacity * cfg["weeks"]
    per = best / member_weeks
    return {"members": engine.members.capacity, "weeks": cfg["weeks"], "calls_per_week": len(calls) / cfg["weeks"],
            "draws_per_member_week": elements / member_weeks, "ns_per_member_week": 1e9 * per,
            "ceiling_member_weeks_per_second": 1 / per}


def child_startup(cfg: dict) -> dict:
    """A fresh process's fixed cost before its first simulated week: the interpreter, importing the
    engine, and a first tiny batch (numba loading its cached kernels) - each the best of ``repeats``."""
    tiny = ("from lmxsim.engine import run_batch, OrgSpec; from lmxsim.params import Params; "
            "from lmxsim.scenarios import get_scenario; "
            "run_batch([OrgSpec('proactive_deal', Params(n_teams=2, team_size=5, weeks=1), 1, get_scenario('default'))])")
    steps = {"interpreter": "pass", "import the engine": "from lmxsim.engine import run_batch",
             "and a first tiny batch": tiny}
    out = {}
    for label, code in steps.items():
        best = float("inf")
        for _ in range(cfg.get("repeats", 5)):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=tempfile.gettempdir())
            best = min(best, time.perf_counter() - t)
        out[label] = best
    return {"seconds": out, "fixed_seconds": out["and a first tiny batch"]}


CHILDREN = {"traffic": child_traffic, "step": child_step, "dashboard": child_dashboard, "scaling": child_scaling, "phases": child_phases,
            "single": child_single, "million": child_million, "numba": child_numba, "profile": child_profile,
            "bandwidth": child_bandwidth, "state_bytes": child_state_bytes, "draws": child_draws,
            "startup": child_startup}


def run_child(cfg: dict, timeout: float = 3600, package_dir: str | None = None, env_extra: dict | None = None) -> dict:
    """Run one measurement in a fresh interpreter; return its JSON result. With ``package_dir``,
    ``lmxsim`` is imported from that checkout instead (e.g. an older commit, for before/after);
    ``env_extra`` adds environment variables (e.g. ``NUMBA_CACHE_DIR``)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", **(env_extra or {})}
    if package_dir:
        env["PYTHONPATH"] = os.pathsep.join([str(package_dir)] + [x for x in [env.get("PYTHONPATH")] if x])
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(cfg)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {cfg} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ============================================================================ experiment
TINY_SPEC = """[experiment]
name = "benchmark_smoke"
purpose = "A tiny experiment for the benchmark smoke run."
scenario = "default"
policies = ["reactive_in_crowd", "proactive_deal"]
replications = 3
weeks = 8
root_seed = 1

[fixed]
n_teams = 4
team_size = 5
"""


def _experiment_command(spec: Path, out: Path, workers: int, package_dir: str | Path) -> tuple[list, dict]:
    """``python -m lmxsim.cli experiment run SPEC`` with ``lmxsim`` imported from ``package_dir``.

    Run it with a working directory outside any checkout (the output's parent): ``python -m``
    puts the working directory first on ``sys.path``, so a run started in this repository would
    import this checkout's ``lmxsim`` whatever ``PYTHONPATH`` says."""
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(package_dir)] + [x for x in [os.environ.get("PYTHONPATH")] if x])}
    return ([sys.executable, "-m", "lmxsim.cli", "experiment", "run", str(spec), "--out", str(out), "--workers",
             str(workers), "--quiet"], env)


def time_experiment(spec: Path, workers: int, package_dir: str | Path = ROOT) -> dict:
    """Wall-clock and CPU seconds (user + sys of the command and its workers) of one experiment run
    into a fresh directory."""
    import resource
    out = Path(tempfile.mkdtemp(prefix="lmxsim-bench-exp-"))
    cmd, env = _experiment_command(spec, out / "run", workers, package_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(out), env=env)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"workers": workers, "seconds": seconds, "cpu_seconds": cpu}


def _imported_from(package_dir: str | Path) -> str:
    """Where the experiment command, as :func:`_experiment_command` runs it, imports lmxsim from."""
    cwd = Path(tempfile.mkdtemp(prefix="lmxsim-bench-which-"))
    _, env = _experiment_command(Path("x"), cwd, 1, package_dir)
    proc = subprocess.run([sys.executable, "-c", "import lmxsim; print(lmxsim.__file__)"], capture_output=True,
                          text=True, cwd=str(cwd), env=env)
    shutil.rmtree(cwd, ignore_errors=True)
    return str(Path(proc.stdout.strip()).resolve().parent.parent)


def _rows(trials: list[dict], workers: list[int], n_runs: int) -> list[dict]:
    rows = []
    for n in workers:
        mine = [t for t in trials if t["workers"] == n]
        best = min(mine, key=lambda t: t["seconds"])
        rows.append({"workers": n, "runs": n_runs, "seconds": best["seconds"], "cpu_seconds": best["cpu_seconds"],
                     "cpu_utilisation": best["cpu_seconds"] / (best["seconds"] * n),
                     "all_seconds": [t["seconds"] for t in mine], "runs_per_minute": 60 * n_runs / best["seconds"]})
    return rows


def experiment_throughput(spec: Path, workers: list[int], repeats: int = 1, baseline: str | None = None) -> dict:
    """Runs per minute of `lmxsim experiment run SPEC --workers N --quiet`, each into a fresh directory.

    Worker counts alternate (1, 2, 1, 2, ...) so that a burst of other load hits both alike;
    the best repeat of each counts. With ``baseline`` (a checkout), the same command with
    ``lmxsim`` from that checkout runs just before each current run (baseline, current, baseline,
    current, ...), and the ratio of their best times is reported per worker count. CPU seconds
    (user + sys of the command and its workers) show how much of the time the cores were busy."""
    sys.path.insert(0, str(ROOT))
    from lmxsim.experiments import load_spec, plan
    n_runs = len(plan(load_spec(spec)))
    imported = {"current": _imported_from(ROOT)}
    if baseline:
        imported["baseline"] = _imported_from(baseline)
        if not imported["baseline"].startswith(str(Path(baseline).resolve())):
            raise RuntimeError(f"the baseline command imports lmxsim from {imported['baseline']}, not {baseline}")
    trials, base_trials = [], []
    for _ in range(repeats):
        for n in workers:
            if baseline:
                base_trials.append(time_experiment(spec, n, baseline))
            trials.append(time_experiment(spec, n, ROOT))
    rows = _rows(trials, workers, n_runs)
    result = {"spec": str(spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec), "rows": rows,
              "command": "PYTHONPATH=CHECKOUT python -m lmxsim.cli experiment run SPEC --out DIR --workers N --quiet",
              "repeats": repeats, "lmxsim_imported_from": imported}
    if baseline:
        commit = subprocess.run(["git", "-C", str(baseline), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        base_rows = _rows(base_trials, workers, n_runs)
        result["baseline"] = {"checkout": str(baseline), "commit": commit, "rows": base_rows,
                              "speedup": {str(b["workers"]): b["seconds"] / a["seconds"]
                                          for b, a in zip(base_rows, rows)}}
    by = {r["workers"]: r["runs_per_minute"] for r in rows}
    if 1 in by and 2 in by:
        result["speedup_2_vs_1"] = by[2] / by[1]
        result["parallel_efficiency_2"] = by[2] / by[1] / 2
        # The machine's own ceiling: two independent single-worker runs at the same time
        # (no pool, no shared parent). What they lose against one run alone is what two busy
        # cores lose to each other (shared cache, memory bandwidth, clock, hypervisor).
        outs = [Path(tempfile.mkdtemp(prefix="lmxsim-bench-pair-")) for _ in range(2)]
        cmds = [_experiment_command(spec, out / "run", 1, ROOT) for out in outs]
        t = time.perf_counter()
        procs = [subprocess.Popen(cmd, cwd=str(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
                 for (cmd, env), out in zip(cmds, outs)]
        walls = []
        for proc in procs:
            _, err = proc.communicate()
            walls.append(time.perf_counter() - t)
            if proc.returncode != 0:
                raise RuntimeError(f"concurrent single-worker run failed:\n{err.decode()[-3000:]}")
        for out in outs:
            shutil.rmtree(out, ignore_errors=True)
        pair_rpm = 60 * 2 * n_runs / max(walls)
        result["two_independent_runs"] = {"seconds": walls, "runs_per_minute": pair_rpm,
                                          "speedup_vs_1": pair_rpm / by[1]}
    return result


TINY_SOBOL_SPEC = """[experiment]
name = "benchmark_sobol_smoke"
purpose = "A tiny Sobol design for the benchmark smoke run."
scenario = "default"
policies = ["reactive_in_crowd", "proactive_deal"]
replications = 1
weeks = 8
root_seed = 1

[fixed]
n_teams = 4
team_size = 5

[design]
method = "sobol"
samples = 4

[design.ranges]
leader_hours_per_week = [3.0, 14.0]
trust_loss_ratio = [1.5, 5.0]
promise_reliability = [0.6, 1.0]
failure_tolerance = [0.2, 1.0]
"""


# ============================================================================ reporting
def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
            "cpus": os.cpu_count()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    from importlib import metadata
    for pkg in ("numpy", "scipy", "mesa", "pandas", "matplotlib"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return info


def evaluate_targets(res: dict) -> list[dict]:
    step = {(r["impl"], r["members"]): r for r in res.get("step", [])}
    out = []
    ratio = {r["members"]: r for r in res.get("ratio", [])}
    if 10_000 in ratio:
        out.append({"target": ">= 100x the per-agent reference at 10,000 members",
                    "measured": f"{ratio[10_000]['ratio_best']:.0f}x", "met": ratio[10_000]["ratio_best"] >= 100})
    exp = res.get("experiment", {})
    one = {r["workers"]: r for r in exp.get("rows", [])}.get(1)
    if one and exp.get("spec", "").endswith("policy_comparison.toml"):
        base = exp.get("baseline")
        if base:
            x = base["speedup"]["1"]
            b1 = {r["workers"]: r for r in base["rows"]}[1]["seconds"]
            out.append({"target": "policy_comparison, 1 worker: >= 15x the previous engine",
                        "measured": f"{x:.1f}x ({b1:.1f} s -> {one['seconds']:.2f} s, same run, alternating)",
                        "met": x >= TARGETS["speedup_vs_baseline"]})
        else:
            x = TARGETS["baseline_policy_comparison_s"] / one["seconds"]
            out.append({"target": "policy_comparison, 1 worker: >= 15x the previous engine (34 s, issue 11)",
                        "measured": f"{x:.1f}x ({one['seconds']:.2f} s; no --baseline in this run)",
                        "met": x >= TARGETS["speedup_vs_baseline"]})
    sob = res.get("sobol")
    if sob:
        out.append({"target": f"Sobol design of {sob['runs']:,} runs (200 members, 156 weeks) on 2 workers < 2 min",
                    "measured": f"{sob['seconds']:.0f} s", "met": sob["seconds"] < TARGETS["sobol_10k_seconds"]})
    single = res.get("single")
    if single and single["members"] >= 10_000:
        v = single["member_weeks_per_second_best"]
        out.append({"target": ">= 10 million member-weeks/s, one 10,000-member run (run_batch)",
                    "measured": f"{v / 1e6:.2f} M", "met": v >= TARGETS["member_weeks_10k"]})
    if ("vectorised", 10_000) in step:
        v = step[("vectorised", 10_000)]["member_weeks_per_second_best"]
        out.append({"target": ">= 10 million member-weeks/s at 10,000 members (LMXModel, DataCollector)",
                    "measured": f"{v / 1e6:.2f} M", "met": v >= TARGETS["member_weeks_10k"]})
    big = res.get("million")
    if big:
        out.append({"target": "< 0.3 s per week at 1,000,000 members (engine, reporters included)",
                    "measured": f"{big['week_seconds_mean_after_first']:.3f} s mean of weeks 2-{big['weeks']} "
                                f"(first week {big['first_week_seconds']:.2f} s)",
                    "met": big["week_seconds_mean_after_first"] < TARGETS["step_1m_seconds"]})
        out.append({"target": "peak memory < 2 GiB at 1,000,000 members (engine)",
                    "measured": f"{big['rss_peak_mb'] / 1024:.2f} GiB peak RSS",
                    "met": big["rss_peak_mb"] / 1024 < TARGETS["memory_1m_gib"]})
    nb = res.get("numba", {})
    if "cold" in nb and "warm" in nb:
        out.append({"target": "numba kernels cached across processes (warm first use far below cold)",
                    "measured": f"first use {nb['cold']['first_use_seconds']:.1f} s cold, "
                                f"{nb['warm']['first_use_seconds']:.2f} s warm ({nb['warm']['cache_index_files']} "
                                f"cached kernels)",
                    "met": nb["warm"]["first_use_seconds"] < nb["cold"]["first_use_seconds"] / 5})
    if ("vectorised", 1_000_000) in step:
        r = step[("vectorised", 1_000_000)]
        out.append({"target": "< 0.3 s per weekly step at 1,000,000 members (LMXModel, DataCollector)",
                    "measured": f"{r['ms_per_week_best'] / 1000:.3f} s (median {r['ms_per_week_median'] / 1000:.3f} s)",
                    "met": r["ms_per_week_median"] / 1000 < TARGETS["step_1m_seconds"]})
        out.append({"target": "within 2 GiB at 1,000,000 members (LMXModel)",
                    "measured": f"{r['rss_peak_mb'] / 1024:.2f} GiB peak RSS",
                    "met": r["rss_peak_mb"] / 1024 <= TARGETS["memory_1m_gib"]})
    dash = [d for d in res.get("dashboard", []) if d["label"] == "workshop default"]
    if dash:
        d = dash[0]
        out.append({"target": "dashboard step + redraw < 100 ms at the workshop default",
                    "measured": f"{d['median_ms']:.0f} ms median, {d['p95_ms']:.0f} ms p95",
                    "met": d["median_ms"] < TARGETS["dashboard_ms"]})
    if "speedup_2_vs_1" in exp:
        out.append({"target": "2 workers >= 1.8x the throughput of 1 worker",
                    "measured": f"{exp['speedup_2_vs_1']:.2f}x", "met": exp["speedup_2_vs_1"] >= 1.8})
    return out


def markdown(res: dict) -> str:
    lines = [f"Command: `{res['command']}`  ", f"Started {res['started']}, took {res['seconds']:.0f} s; "
             f"load average before {res['load_before']}, after {res['load_after']}.  ",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in res["machine"].items()), ""]
    runs = res.get("part_runs", {})
    if runs:
        lines += ["| part | measured by | started | load average before -> after |", "|---|---|---|---|"]
        lines += [f"| {part} | `{r.get('command')}` | {r.get('started')} | {r.get('load_before')} -> "
                  f"{r.get('load_after')} |" for part, r in runs.items()]
        lines.append("")
    if res.get("step"):
        lines += ["### Weekly step (DataCollector included; teams of 10, policy proactive_deal)", "",
                  "| implementation | members | weeks x repeats | ms/week (best) | ms/week (median) | "
                  "member-weeks/s (best) | build s | peak RSS MB | of which imports MB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in res["step"]:
            lines.append(f"| {r['impl']} | {r['members']:,} | {r['weeks']} x {r['repeats']} | "
                         f"{r['ms_per_week_best']:.2f} | {r['ms_per_week_median']:.2f} | "
                         f"{r['member_weeks_per_second_best']:,.0f} | {r['build_seconds']:.2f} | "
                         f"{r['rss_peak_mb']:.0f} | {r['rss_after_imports_mb']:.0f} |")
        lines.append("")
    base = res.get("baseline")
    if base and base.get("step"):
        now = {}
        for r in res["step"]:   # the main rows (the ratio's matched rows are not in res["step"])
            if r["impl"] == "vectorised":
                now.setdefault(r["members"], r)
        lines += [f"### Before and after (vectorised step; before = commit {base['commit']}, measured alternately "
                  "in the same run)", "",
                  "| members | before ms/week | after ms/week | before member-weeks/s | after member-weeks/s | "
                  "speed-up | before peak RSS MB | after peak RSS MB |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for b in base["step"]:
            a = now.get(b["members"])
            if a:
                lines.append(f"| {b['members']:,} | {b['ms_per_week_best']:.2f} | {a['ms_per_week_best']:.2f} | "
                             f"{b['member_weeks_per_second_best']:,.0f} | {a['member_weeks_per_second_best']:,.0f} | "
                             f"{b['ms_per_week_best'] / a['ms_per_week_best']:.2f}x | {b['rss_peak_mb']:.0f} | "
                             f"{a['rss_peak_mb']:.0f} |")
        lines.append("")
    if res.get("ratio"):
        lines += ["### Vectorised vs per-agent reference (same sizes, seeds and weeks, same run)", "",
                  "| members | weeks | vectorised member-weeks/s | reference member-weeks/s | ratio (best) | "
                  "ratio (median) |", "|---:|---:|---:|---:|---:|---:|"]
        for r in res["ratio"]:
            lines.append(f"| {r['members']:,} | {r['weeks']} | {r['vectorised']:,.0f} | {r['reference']:,.0f} | "
                         f"{r['ratio_best']:.0f}x | {r['ratio_median']:.0f}x |")
        lines.append("")
    if res.get("dashboard"):
        lines += ["### Dashboard: one step plus redraw", "",
                  "| setting | members | weeks | median ms | p95 ms | max ms | step | network | charts | monitors | "
                  "first frame ms |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for d in res["dashboard"]:
            p = d["median_ms_by_part"]
            lines.append(f"| {d['label']} | {d['members']} | {d['weeks']} | {d['median_ms']:.1f} | {d['p95_ms']:.1f} | "
                         f"{d['max_ms']:.1f} | {p['step']:.1f} | {p['network']:.1f} | {p['charts']:.1f} | "
                         f"{p['monitors']:.1f} | {d['first_frame_ms']:.0f} |")
        lines += ["", f"What is timed: {res['dashboard'][0]['source']}.", ""]
    exp = res.get("experiment")
    if exp:
        lines += [f"### Experiment throughput: `{exp['spec']}` (best of {exp['repeats']}, alternating)", "",
                  "| workers | runs | seconds | all repeats s | CPU s | cores busy | runs/minute |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in exp["rows"]:
            lines.append(f"| {r['workers']} | {r['runs']} | {r['seconds']:.1f} | "
                         f"{', '.join(f'{x:.1f}' for x in r['all_seconds'])} | {r['cpu_seconds']:.1f} | "
                         f"{100 * r['cpu_utilisation']:.0f}% | {r['runs_per_minute']:.0f} |")
        base = exp.get("baseline")
        if base:
            lines += ["", f"Previous engine (commit {base['commit']}, `{base['checkout']}`), run just before each of the "
                      "above:", "", "| workers | runs | seconds | all repeats s | CPU s | cores busy | runs/minute | "
                      "this engine's speed-up |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for r in base["rows"]:
                lines.append(f"| {r['workers']} | {r['runs']} | {r['seconds']:.1f} | "
                             f"{', '.join(f'{x:.1f}' for x in r['all_seconds'])} | {r['cpu_seconds']:.1f} | "
                             f"{100 * r['cpu_utilisation']:.0f}% | {r['runs_per_minute']:.0f} | "
                             f"{base['speedup'][str(r['workers'])]:.1f}x |")
        if "speedup_2_vs_1" in exp:
            lines.append(f"\nSpeed-up with 2 workers: {exp['speedup_2_vs_1']:.2f}x; parallel efficiency "
                         f"{100 * exp['parallel_efficiency_2']:.0f}%.")
        pair = exp.get("two_independent_runs")
        if pair:
            lines.append(f"The machine's ceiling - two independent single-worker runs of the same experiment at "
                         f"once (each {', '.join(f'{x:.1f}' for x in pair['seconds'])} s): "
                         f"{pair['runs_per_minute']:.0f} runs/minute, {pair['speedup_vs_1']:.2f}x one run alone.")
        lines.append("")
    sob = res.get("sobol")
    if sob:
        lines += [f"### Sobol design: `{sob['spec']}`", "",
                  "| runs | workers | seconds | CPU s | cores busy | runs/minute |", "|---:|---:|---:|---:|---:|---:|",
                  f"| {sob['runs']:,} | {sob['workers']} | {sob['seconds']:.1f} | {sob['cpu_seconds']:.1f} | "
                  f"{100 * sob['cpu_utilisation']:.0f}% | {sob['runs_per_minute']:,.0f} |", ""]
    single = res.get("single")
    if single:
        lines += [f"### One {single['members']:,}-member organisation on the engine", "",
                  "| members | weeks x repeats | ms/week (best) | ms/week (median) | member-weeks/s (best) | "
                  "member-weeks per CPU second (best) | peak RSS MB |", "|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {single['members']:,} | {single['weeks']} x {single['repeats']} | {single['ms_per_week_best']:.2f} | "
                  f"{single['ms_per_week_median']:.2f} | {single['member_weeks_per_second_best']:,.0f} | "
                  f"{single.get('member_weeks_per_cpu_second_best', float('nan')):,.0f} | "
                  f"{single['rss_peak_mb']:.0f} |", "", f"What is timed: {single['what']}.", ""]
    big = res.get("million")
    if big:
        lines += [f"### {big['members']:,} members on the engine", "",
                  "| build s | first week s | later weeks s (mean) | of which step s | later weeks CPU s (mean) | "
                  "peak RSS MB | RSS after imports MB | RSS after build MB |", "|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {big['build_seconds']:.1f} | {big['first_week_seconds']:.3f} | "
                  f"{big['week_seconds_mean_after_first']:.3f} | {big['step_seconds_mean_after_first']:.3f} | "
                  f"{big.get('week_cpu_seconds_mean_after_first', float('nan')):.3f} | "
                  f"{big['rss_peak_mb']:.0f} | {big['rss_after_imports_mb']:.0f} | {big['rss_after_build_mb']:.0f} |",
                  "", "A week is `Engine.step()` plus the weekly reporters (`weekly_rows`).", ""]
    nb = res.get("numba")
    if nb:
        lines += ["### numba kernels: first use in a fresh process", "",
                  "| cache | import s | first use s (tiny organisation, 14 weeks) | again s | compile s | "
                  "cached kernels | cache MB |", "|---|---:|---:|---:|---:|---:|---:|"]
        for label, r in nb.items():
            lines.append(f"| {label} | {r['import_seconds']:.2f} | {r['first_use_seconds']:.2f} | "
                         f"{r['again_seconds']:.3f} | {r['compile_seconds']:.2f} | {r['cache_index_files']} | "
                         f"{r['cache_mb']:.2f} |")
        lines += ["", "cold: an empty `NUMBA_CACHE_DIR`; warm: a second fresh process with the cache the first "
                  "one wrote (without a `NUMBA_CACHE_DIR`, the kernels are cached in the package's "
                  "`__pycache__`).", ""]
    for prof in res.get("profile", []):
        lines += [f"### Profile: {prof['label']} (cProfile, {prof['weeks']} weeks after 2 warm-up weeks)", "",
                  f"{prof['ms_per_week_profiled']:.1f} ms per week under the profiler, "
                  f"{prof['function_calls_per_week']:,.0f} function calls per week.", "",
                  "| function | calls/week | own ms/week | share | cumulative ms/week |", "|---|---:|---:|---:|---:|"]
        for r in prof["top"]:
            lines.append(f"| `{r['function']}` | {r['calls'] / prof['weeks']:,.0f} | "
                         f"{r['tottime_ms_per_week']:.2f} | {100 * r['tottime_ms_per_week'] / prof['tottime_ms_per_week']:.0f}% | "
                         f"{r['cumtime_ms_per_week']:.2f} |")
        lines.append("")
    phys = res.get("physical")
    if phys:
        bw, st = phys["bandwidth"], phys["state"]
        lines += ["### Physical bounds", "",
                  f"Memory bandwidth (numpy copy of a {bw['mb']} MB float64 array, read + write): "
                  f"{bw['copy_gb_per_s']:.1f} GB/s; read-only (sum): {bw['read_gb_per_s']:.1f} GB/s. "
                  f"Member state: {st['arrays']} arrays ({st['float64_arrays']} float64), "
                  f"{st['bytes_per_position']} bytes per position.", ""]
        if phys.get("traffic"):
            lines += ["Bytes the compiled calls of a week read and return (arguments and results, once per call; "
                      "a lower bound of the traffic), against the week's CPU time measured without counting:", "",
                      "| workload | ns per member-week | bytes per member-week | compiled calls/week | GB/s moved "
                      "| share of the copy bandwidth |", "|---|---:|---:|---:|---:|---:|"]
            lines += [f"| {t['label']} | {t['ns_per_member_week']:.0f} | {t['bytes_per_member_week']:,.0f} | "
                      f"{t['calls_per_week']:.0f} | {t['gb_per_s']:.1f} | {t['gb_per_s'] / bw['copy_gb_per_s']:.0%} |"
                      for t in phys["traffic"]]
            lines.append("")
    sc = res.get("scaling")
    if sc:
        lines += [f"### Scaling with the number of teams ({sc['teams'][0]['members']:,} members)", "",
                  "| teams | team size | ms/week |", "|---:|---:|---:|"]
        lines += [f"| {r['n_teams']:,} | {r['team_size']} | {r['ms_per_week']:.2f} |" for r in sc["teams"]]
        lines += ["", f"### Scaling with weeks ({sc['weeks'][0]['members']:,} members)", "",
                  "| weeks | run s | ms/week |", "|---:|---:|---:|"]
        lines += [f"| {r['weeks']} | {r['run_seconds']:.2f} | {r['ms_per_week']:.2f} |" for r in sc["weeks"]]
        lines.append("")
    if res.get("phases"):
        order = ["perceive", "decide (policy)", "exchange", "work", "innovate", "compare_and_spread",
                 "update_attitudes", "quit_and_refill", "review (quarterly)", "data collection", "random numbers"]
        lines += ["### Where a week goes (ms per week, mean over the weeks; phases include their own draws)", "",
                  "| part | " + " | ".join(f"{p['members']:,} members" for p in res["phases"]) + " |",
                  "|---|" + "---:|" * len(res["phases"])]
        for name in order:
            cells = []
            for p in res["phases"]:
                v = p["ms_per_week_by_part"].get(name, 0.0)
                cells.append(f"{v:.3f} ({100 * v / p['ms_per_week']:.0f}%)")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("| whole step | " + " | ".join(f"{p['ms_per_week']:.3f}" for p in res["phases"]) + " |")
        lines.append("")
    bounds = res.get("bounds")
    if bounds:
        st = bounds["startup"]
        f = st["fixed_seconds"]
        base = res.get("experiment", {}).get("baseline")
        before = ({r["workers"]: r for r in base["rows"]}[1]["seconds"] if base
                  else TARGETS["baseline_policy_comparison_s"])
        whose = "measured in this run" if base else "issue 11's figure"
        lines += ["### Bounds no tuning of the rules removes", "",
                  "A fresh process before its first simulated week (best of "
                  "several): " + "; ".join(f"{k} {v:.2f} s" for k, v in st["seconds"].items()) + ". "
                  f"With a fixed cost F = {f:.2f} s and a job's compute C on one worker, 2 workers give at most "
                  f"(F + C) / (F + C/2): 1.8x needs C >= 8F = {8 * f:.1f} s, while 15x the previous engine's "
                  f"{before:.1f} s for `policy_comparison` ({whose}) needs F + C <= {before / 15:.2f} s - both at "
                  f"once need F <= {before / 135:.2f} s.", "",
                  "| a week's keyed draws, replayed alone | draws per member-week | calls per week "
                  "| ns per member-week | ceiling if nothing else cost anything |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {d['members']:,} members | {d['draws_per_member_week']:.1f} | {d['calls_per_week']:.0f} | "
                  f"{d['ns_per_member_week']:.0f} | {d['ceiling_member_weeks_per_second'] / 1e6:.1f} M member-weeks/s |"
                  for d in bounds["draws"]]
        lines.append("")
    if res.get("targets"):
        lines += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |" for t in res["targets"]]
        lines.append("")
    return "\n".join(lines)


def plot(res: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    def plain_ticks(axis, values):
        axis.set_major_locator(FixedLocator(values))
        axis.set_major_formatter(matplotlib.ticker.FixedFormatter([f"{v:,.0f}" for v in values]))
        axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(NullFormatter())

    fig = Figure(figsize=(13, 4.4))
    axes = fig.subplots(1, 3)
    ax = axes[0]
    for impl, style, label in (("vectorised", "o-", "vectorised engine (LMXModel)"),
                               ("reference", "s--", "reference (per-agent Mesa)")):
        rows = sorted((r for r in res.get("step", []) if r["impl"] == impl), key=lambda r: r["members"])
        if rows:
            ax.loglog([r["members"] for r in rows], [r["ms_per_week_best"] for r in rows], style, label=label)
    vec = sorted((r for r in res.get("step", []) if r["impl"] == "vectorised"), key=lambda r: r["members"])
    if vec:
        x0, y0 = vec[-1]["members"], vec[-1]["ms_per_week_best"]
        xs = [vec[0]["members"], x0]
        ax.loglog(xs, [y0 * x / x0 for x in xs], ":", color="grey", label="slope 1 (cost proportional)")
        plain_ticks(ax.xaxis, [r["members"] for r in vec])
    ax.set(xlabel="members (teams of 10)", ylabel="ms per weekly step", title="Cost vs members")
    ax.legend(fontsize=8)
    sc = res.get("scaling")
    if sc:
        ax = axes[1]
        rows = sc["teams"]
        ys = [r["ms_per_week"] for r in rows]
        ax.loglog([r["n_teams"] for r in rows], ys, "o-", label="vectorised")
        for r in rows:
            ax.annotate(f"{r['team_size']}/team", (r["n_teams"], r["ms_per_week"]), fontsize=7,
                        textcoords="offset points", xytext=(-10, 7))
        mid = sorted(ys)[len(ys) // 2]
        ax.set_ylim(mid / 10, mid * 10)
        plain_ticks(ax.xaxis, [r["n_teams"] for r in rows][::2])
        ax.set(xlabel=f"teams (fixed {rows[0]['members']:,} members)", ylabel="ms per weekly step",
               title="Cost vs number of teams (flat)")
        ax = axes[2]
        rows = sc["weeks"]
        ax.loglog([r["weeks"] for r in rows], [r["run_seconds"] for r in rows], "o-", label="run time")
        x0, y0 = rows[-1]["weeks"], rows[-1]["run_seconds"]
        ax.loglog([rows[0]["weeks"], x0], [y0 * rows[0]["weeks"] / x0, y0], ":", color="grey", label="slope 1")
        plain_ticks(ax.xaxis, [r["weeks"] for r in rows])
        ax.set(xlabel=f"weeks simulated ({rows[0]['members']:,} members)", ylabel="seconds per run",
               title="Cost vs weeks")
        ax.legend(fontsize=8)
    for ax in axes:
        ax.grid(True, which="major", alpha=0.3)
    fig.suptitle(f"lmxsim: cost of the weekly step, DataCollector included (log-log) - "
                 f"{res['machine'].get('cpu', '')}, {res['machine'].get('cpus')} cores, "
                 f"python {res['machine'].get('python')}, numpy {res['machine'].get('numpy')}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


# ============================================================================ main
PARTS = ["step", "dashboard", "experiment", "sobol", "single", "million", "numba", "profile", "physical", "scaling",
         "phases", "bounds"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes and a tiny experiment (smoke test; seconds)")
    ap.add_argument("--out", default=str(HERE / "latest"), help="directory for results.json and results.md")
    ap.add_argument("--plot", default=str(ROOT / "docs" / "performance_scaling.png"), help="scaling plot path")
    ap.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts to leave out")
    ap.add_argument("--only", nargs="*", default=None, choices=PARTS, help="run only these parts")
    ap.add_argument("--update", action="store_true",
                    help="keep the other parts of OUT/results.json (re-measure one part on a quieter machine)")
    ap.add_argument("--baseline", metavar="CHECKOUT",
                    help="also time the vectorised step and the experiment with lmxsim from this checkout (e.g. a "
                         "`git worktree` of an older commit), alternating with the current code")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        cfg = json.loads(args.child)
        print(json.dumps(CHILDREN[cfg["kind"]](cfg)))
        return 0

    if args.only is not None:
        args.skip = [p for p in PARTS if p not in args.only]
    start = time.time()
    given = argv if argv is not None else sys.argv[1:]
    command = "python benchmarks/run_all.py" + (" " + " ".join(given) if given else "")
    out = Path(args.out)
    previous = {}
    if args.update and (out / "results.json").exists():
        previous = json.loads((out / "results.json").read_text())
    res: dict = {"command": command, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(),
                 "load_before": [round(x, 2) for x in os.getloadavg()], "quick": args.quick, "part_runs": {}}
    for part in PARTS:  # with --update, parts not re-measured are kept (with the command and time that made them)
        if part in args.skip and part in previous:
            res[part] = previous[part]
            if part == "step":
                for key in ("ratio", "baseline"):
                    if key in previous:
                        res[key] = previous[key]
            res["part_runs"][part] = previous.get("part_runs", {}).get(part) or {
                "command": previous.get("command"), "started": previous.get("started"),
                "load_before": previous.get("load_before"), "load_after": previous.get("load_after")}
    part_start = {}

    def begin(part):
        part_start[part] = (time.strftime("%Y-%m-%d %H:%M:%S %Z"), [round(x, 2) for x in os.getloadavg()])

    def end(part):
        started, load = part_start[part]
        res["part_runs"][part] = {"command": command, "started": started, "load_before": load,
                                  "load_after": [round(x, 2) for x in os.getloadavg()]}
    vec_sizes = QUICK_VECTORISED if args.quick else FULL_VECTORISED
    ref_sizes = QUICK_REFERENCE if args.quick else FULL_REFERENCE

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    if "step" not in args.skip:
        begin("step")
        res["step"], res["ratio"] = [], []
        if args.baseline:
            commit = subprocess.run(["git", "-C", args.baseline, "rev-parse", "--short", "HEAD"], capture_output=True,
                                    text=True).stdout.strip()
            res["baseline"] = {"checkout": args.baseline, "commit": commit, "step": []}
        for members, (weeks, repeats) in vec_sizes.items():
            say(f"step: vectorised, {members:,} members, {weeks} weeks x {repeats}")
            cfg = {"kind": "step", "impl": "vectorised", "members": members, "weeks": weeks, "repeats": repeats}
            if args.baseline:
                res["baseline"]["step"].append(run_child(cfg, package_dir=args.baseline))
            res["step"].append(run_child(cfg))
        for members, (weeks, repeats) in ref_sizes.items():
            say(f"step: reference, {members:,} members, {weeks} weeks x {repeats}")
            ref = run_child({"kind": "step", "impl": "reference", "members": members, "weeks": weeks,
                             "repeats": repeats})
            res["step"].append(ref)
            # the vectorised model on exactly the same organisations and weeks
            same = run_child({"kind": "step", "impl": "vectorised", "members": members, "weeks": weeks,
                              "repeats": repeats})
            res["ratio"].append({
                "members": ref["members"], "weeks": weeks, "repeats": repeats,
                "vectorised": same["member_weeks_per_second_best"], "reference": ref["member_weeks_per_second_best"],
                "ratio_best": same["member_weeks_per_second_best"] / ref["member_weeks_per_second_best"],
                "ratio_median": same["member_weeks_per_second_median"] / ref["member_weeks_per_second_median"]})
        end("step")
    if "dashboard" not in args.skip:
        begin("dashboard")
        weeks = 5 if args.quick else 60
        configs = [{"label": "workshop default", "weeks": weeks}]
        if not args.quick:
            configs += [{"label": "500 members", "weeks": weeks, "n_teams": 50, "team_size": 10},
                        {"label": "workshop default, compare mode (2 runs)", "weeks": weeks, "compare": True}]
        res["dashboard"] = []
        for cfg in configs:
            say(f"dashboard: {cfg['label']}")
            res["dashboard"].append(run_child({"kind": "dashboard", **cfg}))
        end("dashboard")
    if "experiment" not in args.skip:
        begin("experiment")
        if args.quick:
            tmp = Path(tempfile.mkdtemp(prefix="lmxsim-bench-spec-"))
            spec = tmp / "tiny.toml"
            spec.write_text(TINY_SPEC)
        else:
            spec = ROOT / "lmxsim" / "experiments" / "specs" / "policy_comparison.toml"
        say(f"experiment: {spec.name} with 1 and 2 workers" + (f", alternating with {args.baseline}" if args.baseline
                                                                else ""))
        res["experiment"] = experiment_throughput(spec, [1, 2], repeats=1 if args.quick else 2, baseline=args.baseline)
        if args.quick:
            shutil.rmtree(spec.parent, ignore_errors=True)
        end("experiment")
    if "sobol" not in args.skip:
        begin("sobol")
        tmp = None
        if args.quick:
            tmp = Path(tempfile.mkdtemp(prefix="lmxsim-bench-spec-"))
            spec = tmp / "tiny_sobol.toml"
            spec.write_text(TINY_SOBOL_SPEC)
        else:
            spec = HERE / "sobol_10k.toml"
        from lmxsim.experiments import load_spec, plan
        n_runs = len(plan(load_spec(spec)))
        say(f"sobol: {spec.name}, {n_runs:,} runs, 2 workers")
        trial = time_experiment(spec, 2, ROOT)
        res["sobol"] = {"spec": str(spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec), "runs": n_runs,
                        "workers": 2, "seconds": trial["seconds"], "cpu_seconds": trial["cpu_seconds"],
                        "cpu_utilisation": trial["cpu_seconds"] / (2 * trial["seconds"]),
                        "runs_per_minute": 60 * n_runs / trial["seconds"],
                        "command": "python -m lmxsim.cli experiment run SPEC --out DIR --workers 2 --quiet"}
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        end("sobol")
    if "single" not in args.skip:
        begin("single")
        cfg = ({"members": 1_000, "weeks": 10, "repeats": 1} if args.quick
               else {"members": 10_000, "weeks": 156, "repeats": 3})
        say(f"single: one {cfg['members']:,}-member organisation, run_batch([spec])")
        res["single"] = run_child({"kind": "single", **cfg})
        end("single")
    if "million" not in args.skip and not args.quick:
        begin("million")
        say("million: 1,000,000 members on the engine")
        res["million"] = run_child({"kind": "million", "members": 1_000_000, "weeks": 6})
        end("million")
    if "numba" not in args.skip:
        begin("numba")
        res["numba"] = {}
        if args.quick:   # the cold compile takes ~20 s: the smoke run times the warm cache only
            say("numba: first use with the package's own cache")
            res["numba"]["warm"] = run_child({"kind": "numba"})
        else:
            cache = Path(tempfile.mkdtemp(prefix="lmxsim-bench-numba-"))
            for label in ("cold", "warm"):   # the same, at first empty, NUMBA_CACHE_DIR: two fresh processes
                say(f"numba: first use, {label} cache")
                res["numba"][label] = run_child({"kind": "numba"}, env_extra={"NUMBA_CACHE_DIR": str(cache)})
            shutil.rmtree(cache, ignore_errors=True)
        end("numba")
    if "profile" not in args.skip:
        begin("profile")
        policies = POLICIES
        configs = ([{"label": "batch of 5 x 200 members", "n_orgs": 5, "members_per_org": 200, "weeks": 3,
                     "policies": policies},
                    {"label": "one 1,000-member organisation", "n_orgs": 1, "members_per_org": 1_000, "weeks": 3}]
                   if args.quick else
                   [{"label": "batch of 350 x 200 members (70,000 positions, policy_comparison's batch)",
                     "n_orgs": 350, "members_per_org": 200, "weeks": 10, "policies": policies},
                    {"label": "one 10,000-member organisation", "n_orgs": 1, "members_per_org": 10_000, "weeks": 52}])
        res["profile"] = []
        for cfg in configs:
            say(f"profile: {cfg['label']}")
            res["profile"].append(run_child({"kind": "profile", "top": 5, **cfg}))
        end("profile")
    if "physical" not in args.skip:
        begin("physical")
        say("physical: memory bandwidth (numpy copy) and bytes of member state")
        res["physical"] = {"bandwidth": run_child({"kind": "bandwidth", "mb": 20 if args.quick else 200}),
                           "state": run_child({"kind": "state_bytes"}),
                           "traffic": [run_child({"kind": "traffic", **cfg}) for cfg in (
                               [{"label": "batch of 10 x 200 members", "n_orgs": 10, "members_per_org": 200,
                                 "weeks": 3, "policies": POLICIES}] if args.quick else
                               [{"label": "policy_comparison's batch (350 x 200 members, the 7 policies)",
                                 "n_orgs": 350, "members_per_org": 200, "weeks": 12, "policies": POLICIES},
                                {"label": "one 10,000-member organisation", "n_orgs": 1, "members_per_org": 10_000,
                                 "weeks": 24},
                                {"label": "one 1,000,000-member organisation", "n_orgs": 1,
                                 "members_per_org": 1_000_000, "weeks": 3}])]}
        end("physical")
    if "scaling" not in args.skip:
        begin("scaling")
        say("scaling: teams and weeks")
        if args.quick:
            cfg = {"members": 200, "team_sizes": [5, 20], "horizons": [4, 8], "weeks": 4, "repeats": 1}
        else:
            cfg = {"members": 20_000, "team_sizes": [4, 10, 25, 50, 100, 250, 500], "horizons": [13, 26, 52, 104,
                                                                                                 208, 416],
                   "weeks": 26, "repeats": 3}
        res["scaling"] = run_child({"kind": "scaling", **cfg})
        end("scaling")
    if "bounds" not in args.skip:
        begin("bounds")
        say("bounds: a fresh process's fixed cost, and a week's keyed draws alone")
        res["bounds"] = {"startup": run_child({"kind": "startup", "repeats": 2 if args.quick else 5}),
                         "draws": [run_child({"kind": "draws", "members": n, "weeks": w})
                                   for n, w in ([(1_000, 2)] if args.quick else [(10_000, 12), (1_000_000, 3)])]}
        end("bounds")
    if "phases" not in args.skip:
        begin("phases")
        res["phases"] = []
        for members, weeks in ([(1_000, 10)] if args.quick else [(10_000, 156), (1_000_000, 6)]):
            say(f"phases: {members:,} members")
            res["phases"].append(run_child({"kind": "phases", "members": members, "weeks": weeks}))
        end("phases")
    res["load_after"] = [round(x, 2) for x in os.getloadavg()]
    res["seconds"] = time.time() - start
    res["targets"] = [] if args.quick else evaluate_targets(res)

    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(res, indent=1))
    text = markdown(res)
    (out / "results.md").write_text(text)
    if "step" in res or "scaling" in res:
        plot(res, Path(args.plot))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
