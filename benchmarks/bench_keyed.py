"""Keyed random numbers (lmxsim.keyed_random): draws per second against numpy, and compile cost.

Usage:  python benchmarks/bench_keyed.py [--sizes 10000 1000000] [--seconds 1.5] [--json FILE]

Throughput: each draw is timed many times over the same ids with a new week every call (the
model draws new numbers every week; repeating one week would let the CPU's branch predictor
learn the data); numpy's ``Generator`` draws the same number of values on the same parameters.
Each call is timed by the thread's CPU time (the median call is reported: on a machine shared
with other jobs, time spent descheduled is not the code's) and by the wall clock (the best
call). Compile cost: fresh Python processes with an empty ``NUMBA_CACHE_DIR`` (compiling, then
writing the cache) and then the same directory (loading it), timing the first call of every
kernel in CPU seconds. One core; timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from lmxsim import keyed_random as kr

ROOT = Path(__file__).resolve().parents[1]


# -------------------------------------------------------------------------------- Box-Muller, for the record
@numba.njit(cache=False)
def _box_muller_kernel(keys0, keys1, org, who, week, draw, out):
    """The normal this module used before: Box-Muller from one block's two uniforms."""
    key, words = kr._buffers()
    for start in range(0, who.size, kr._CHUNK):
        stop = min(start + kr._CHUNK, who.size)
        kr._blocks(keys0, keys1, org, who, week, draw, start, stop, key, words)
        for j in range(stop - start):
            u, v = kr._u53(words[0, j], words[1, j]), kr._u53(words[2, j], words[3, j])
            out[start + j] = math.sqrt(-2.0 * math.log1p(-u)) * math.cos(2.0 * math.pi * v)
    return -1


def _reference_uniform(who: np.ndarray, week: int) -> np.ndarray:
    """Uniforms from the readable numpy Philox: what the module did before its kernels."""
    k0, k1 = kr.KeyedStreams(2026).key("bench")
    w = who.astype(np.uint64)
    a, b, _, _ = kr.philox4x32((w & np.uint64(0xFFFFFFFF), w >> np.uint64(32), week, 0), (k0[0], k1[0]))
    return ((a << np.uint64(21)) ^ (b >> np.uint64(11))) * 2.0**-53


# -------------------------------------------------------------------------------- throughput
def _time_calls(call, seconds: float) -> tuple[list[float], list[float]]:
    """CPU and wall times of ``call(week)`` with weeks 1, 2, ... for about ``seconds`` (at least 5 calls)."""
    call(0)                                   # compile or load, and warm up
    cpu, wall, week = [], [], 1
    while len(cpu) < 5 or sum(cpu) < seconds:
        c0, t0 = time.thread_time(), time.perf_counter()
        call(week)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - t0)
        week += 1
    return cpu, wall


def throughput(sizes: list[int], seconds: float) -> list[dict]:
    rows = []
    batch = kr.KeyedStreams(np.arange(1000, 1100, dtype=np.uint64))    # 100 organisations
    streams = kr.KeyedStreams(2026)
    for n in sizes:
        who = np.arange(n, dtype=np.int64)
        org = (who * 100 // n).astype(np.int64)             # 100 organisations, each a contiguous block
        rng = np.random.default_rng(1)
        small_lam = rng.uniform(0.0, 1.0, n)                 # idea rates: mostly below 1, typically ~0.15
        keys = streams.key("bench.box_muller")
        out = np.empty(n)
        cases = [
            ("uniform", "keyed", lambda w: streams.uniform("bench", who, w)),
            ("uniform", "keyed, 100 organisations", lambda w: batch.uniform("bench", who, w, org=org)),
            ("uniform", "numpy Philox reference (philox4x32 in array arithmetic)",
             lambda w: _reference_uniform(who, w)),
            ("uniform", "numpy Generator.random", lambda w: rng.random(n)),
            ("normal", "keyed (inverse CDF)", lambda w: streams.normal("bench", who, w)),
            ("normal", "keyed normal_pair, per normal", lambda w: streams.normal_pair("bench", who, w)),
            ("normal", "Box-Muller on the same blocks (not used)",
             lambda w: _box_muller_kernel(*keys, kr._NO_ORG, who, w, 0, out)),
            ("normal", "numpy Generator.standard_normal", lambda w: rng.standard_normal(n)),
            ("poisson, lam ~ U(0, 1)", "keyed", lambda w: streams.poisson("bench", who, w, small_lam)),
            ("poisson, lam ~ U(0, 1)", "numpy Generator.poisson", lambda w: rng.poisson(small_lam)),
            ("poisson, lam = 0.15", "keyed", lambda w: streams.poisson("bench", who, w, 0.15)),
            ("poisson, lam = 0.15", "numpy Generator.poisson", lambda w: rng.poisson(0.15, n)),
            ("poisson, lam = 5", "keyed", lambda w: streams.poisson("bench", who, w, 5.0)),
            ("poisson, lam = 5", "numpy Generator.poisson", lambda w: rng.poisson(5.0, n)),
            ("bernoulli, p = 0.3", "keyed", lambda w: streams.bernoulli("bench", who, w, 0.3)),
            ("bernoulli, p = 0.3", "numpy random(n) < p", lambda w: rng.random(n) < 0.3),
            ("binomial, n = 3, p = 0.5", "keyed", lambda w: streams.binomial("bench", who, w, 3, 0.5)),
            ("binomial, n = 3, p = 0.5", "numpy Generator.binomial", lambda w: rng.binomial(3, 0.5, n)),
            ("beta(2, 2)", "keyed", lambda w: streams.beta22("bench", who, w)),
            ("beta(2, 2)", "numpy Generator.beta", lambda w: rng.beta(2.0, 2.0, n)),
            ("integers below 200", "keyed", lambda w: streams.integers("bench", who, w, 200)),
            ("integers below 200", "numpy Generator.integers", lambda w: rng.integers(0, 200, n)),
        ]
        for what, how, call in cases:
            cpu, wall = _time_calls(call, seconds)
            per_call = 2 if "normal_pair" in how else 1
            rows.append({"draw": what, "how": how, "n": n, "calls": len(cpu),
                         "per_cpu_second_median": per_call * n / statistics.median(cpu),
                         "per_second_wall_best": per_call * n / min(wall),
                         "ns_per_draw_cpu_median": 1e9 * statistics.median(cpu) / (per_call * n)})
            print(f"  {what:26s} {how:56s} {n:>9,} {rows[-1]['per_cpu_second_median'] / 1e6:8.1f} M/s",
                  file=sys.stderr)
    return rows


def per_call(seconds: float) -> list[dict]:
    """Microseconds per call for 1 and 200 elements (one 200-member organisation): the fixed cost."""
    streams, rng, rows = kr.KeyedStreams(2026), np.random.default_rng(1), []
    for n in (1, 200):
        who = np.arange(n, dtype=np.int64)
        for what, how, call in [("uniform", "keyed", lambda w: streams.uniform("bench", who, w)),
                                ("uniform", "numpy Generator.random", lambda w: rng.random(n)),
                                ("poisson, lam = 0.15", "keyed", lambda w: streams.poisson("bench", who, w, 0.15)),
                                ("poisson, lam = 0.15", "numpy Generator.poisson", lambda w: rng.poisson(0.15, n))]:
            cpu, wall = _time_calls(call, seconds / 4)
            rows.append({"draw": what, "how": how, "n": n, "us_per_call_cpu_median": 1e6 * statistics.median(cpu),
                         "us_per_call_wall_best": 1e6 * min(wall)})
    return rows


# -------------------------------------------------------------------------------- compile and cache
KERNELS = {
    "uniform": "s.uniform('c', who, 1)",
    "normal": "s.normal('c', who, 1)",
    "poisson": "s.poisson('c', who, 1, 0.5)",
    "binomial": "s.binomial('c', who, 1, 3, 0.5)",
    "bernoulli": "s.bernoulli('c', who, 1, 0.5)",
    "beta22": "s.beta22('c', who, 1)",
    "geometric": "s.geometric('c', who, 1, 0.5)",
    "integers": "s.integers('c', who, 1, 10)",
    "words": "s.words('c', who, 1)",
}

PROBE = """
import json, sys, time
t0 = time.process_time()
import numba
t1 = time.process_time()
import numpy as np
from lmxsim import keyed_random
t2 = time.process_time()
s, who = keyed_random.KeyedStreams(1), np.arange(100)
first = {}
for name, call in KERNELS.items():
    t = time.process_time()
    eval(call)
    first[name] = time.process_time() - t
print(json.dumps({"import_numba": t1 - t0, "import_lmxsim": t2 - t1, "first_call": first}))
"""


def compile_and_cache() -> dict:
    """First-call times in a fresh process: compiling (empty cache), then loading the cache."""
    with tempfile.TemporaryDirectory(prefix="lmxsim-numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        code = f"KERNELS = {KERNELS!r}\n{PROBE}"
        runs = {}
        for label in ("compile (empty cache)", "load (cache written by the previous process)"):
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            runs[label] = json.loads(out.stdout)
        runs["cache_files"] = sum(1 for _ in Path(cache).rglob("*.nbc"))
    return runs


# -------------------------------------------------------------------------------- report
def markdown(res: dict) -> str:
    m = res["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cpus']} cores; Python {m['python']}, numpy {m['numpy']}, "
             f"numba {m['numba']}; load average {m['load_before']} before, {m['load_after']} after.", "",
             "| draw | how | elements per call | M draws per CPU-second (median call) | ns per draw | "
             "M draws/s (wall clock, best call) |", "|---|---|---:|---:|---:|---:|"]
    for r in res["throughput"]:
        lines.append(f"| {r['draw']} | {r['how']} | {r['n']:,} | {r['per_cpu_second_median'] / 1e6:.1f} | "
                     f"{r['ns_per_draw_cpu_median']:.1f} | {r['per_second_wall_best'] / 1e6:.1f} |")
    lines += ["", "| draw | how | elements per call | µs per call (CPU, median) | µs per call (wall clock, best) |",
              "|---|---|---:|---:|---:|"]
    for r in res["per_call"]:
        lines.append(f"| {r['draw']} | {r['how']} | {r['n']:,} | {r['us_per_call_cpu_median']:.1f} | "
                     f"{r['us_per_call_wall_best']:.1f} |")
    c = res["compile"]
    runs = [k for k in c if k != "cache_files"]
    lines += ["", "| CPU seconds in a fresh process | " + " | ".join(runs) + " |", "|---|" + "---:|" * len(runs)]
    lines.append("| import numba | " + " | ".join(f"{c[k]['import_numba']:.2f}" for k in runs) + " |")
    lines.append("| import lmxsim (the package) and keyed_random | "
                 + " | ".join(f"{c[k]['import_lmxsim']:.2f}" for k in runs) + " |")
    for name in KERNELS:
        lines.append(f"| first call: {name} | " + " | ".join(f"{c[k]['first_call'][name]:.3f}" for k in runs) + " |")
    lines.append("| first calls of all kernels | "
                 + " | ".join(f"{sum(c[k]['first_call'].values()):.2f}" for k in runs) + " |")
    lines.append(f"\n{c['cache_files']} cached kernel files written.")
    return "\n".join(lines)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--seconds", type=float, default=1.5, help="time spent on each draw and size")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    res = {"machine": {"cpu": _cpu_name(), "cpus": os.cpu_count(),
                       "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
                       "load_before": [round(x, 2) for x in os.getloadavg()]}}
    res["throughput"] = throughput(args.sizes, args.seconds)
    res["per_call"] = per_call(args.seconds)
    res["compile"] = compile_and_cache()
    res["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    print(markdown(res))


if __name__ == "__main__":
    main()
