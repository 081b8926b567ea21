"""Member-weeks per second of the full weekly step, DataCollector included.

Usage:  python benchmarks/bench_step.py [--sizes 1000 10000 100000] [--weeks 52] [--policy NAME]

The member panel is off (panel_every=0) and member agents are created on demand, so the
figure measures the vectorised weekly schedule plus the weekly DataCollector. Model
construction is timed separately. Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from lmxsim import LMXModel


def bench(members: int, weeks: int, policy: str, team_size: int = 10, repeats: int = 3) -> dict:
    n_teams = max(1, members // team_size)
    best = np.inf
    build = np.inf
    for r in range(repeats):
        t0 = time.perf_counter()
        model = LMXModel(policy=policy, seed=r, n_teams=n_teams, team_size=team_size, weeks=weeks,
                         panel_every=0, member_agents=False)
        t1 = time.perf_counter()
        model.run(weeks)
        t2 = time.perf_counter()
        best = min(best, t2 - t1)
        build = min(build, t1 - t0)
    mw = n_teams * team_size * weeks / best
    return {"members": n_teams * team_size, "weeks": weeks, "seconds": best, "build_seconds": build,
            "member_weeks_per_second": mw, "ms_per_week": 1000 * best / weeks}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--policy", default="proactive_deal")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(f"# lmxsim weekly step, policy={args.policy}, {args.weeks} weeks, best of {args.repeats}; "
          f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{'members':>10} {'ms/week':>10} {'member-weeks/s':>16} {'build s':>9}")
    for size in args.sizes:
        r = bench(size, args.weeks, args.policy, repeats=args.repeats)
        print(f"{r['members']:>10,} {r['ms_per_week']:>10.2f} {r['member_weeks_per_second']:>16,.0f} "
              f"{r['build_seconds']:>9.2f}")


if __name__ == "__main__":
    main()
