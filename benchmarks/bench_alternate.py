"""CPU ms per engine week of this checkout and another, alternating: the ratio a busy machine still gives.

Usage:  python benchmarks/bench_alternate.py BASELINE_CHECKOUT [--rounds 3] [--weeks 24] [--million]

Each measurement runs in a fresh process with ``lmxsim`` imported from one checkout: an
:class:`lmxsim.engine.Engine` of one 10,000-member organisation and of a 250 x 200 batch of the 7
policies (a ``policy_comparison`` batch), two warm-up weeks, then ``step()`` + the weekly reporters;
the figure is the best 4-week block of CPU time per week. It also prints a hash of the member state
at the end, which must agree between checkouts whose results are bit-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = ["reactive_in_crowd", "proactive_deal", "equal_split", "transactional", "similarity_bias",
            "laissez_faire", "distributed"]
SIZES = {"10,000 members": (1, 1000, POLICIES[1:2]), "250 x 200 batch": (250, 20, POLICIES),
         "1,000,000 members": (1, 100_000, POLICIES[1:2])}


def child(label: str, weeks: int) -> None:
    import numpy as np
    sys.path.insert(0, str(HERE))
    from run_all import _org_specs

    from lmxsim.engine import Engine
    from lmxsim.reporters import weekly_rows
    n_orgs, n_teams, policies = SIZES[label]
    engine = Engine(_org_specs(n_orgs, n_teams, 10, 200, policies=policies))
    for _ in range(2):
        engine.step()
        weekly_rows(engine)
    blocks = []
    for _ in range(max(1, weeks // 4)):
        cpu = time.process_time()
        for _ in range(4):
            engine.step()
            weekly_rows(engine)
        blocks.append((time.process_time() - cpu) / 4)
    state = hashlib.sha256()
    for name, value in sorted(vars(engine.members).items()):
        if isinstance(value, np.ndarray):
            state.update(name.encode() + np.ascontiguousarray(value).tobytes())
    print(f"{1000 * min(blocks):.2f} {state.hexdigest()[:16]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--weeks", type=int, default=24)
    ap.add_argument("--million", action="store_true", help="also 1,000,000 members (4 weeks, one round)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.weeks)
    labels = [*SIZES][:2]
    print(f"load average {os.getloadavg()}")
    print("| workload | baseline CPU ms/week | this checkout CPU ms/week | ratio | state hashes agree |")
    print("|---|---:|---:|---:|---|")
    for label in labels + (["1,000,000 members"] if args.million else []):
        rounds = 1 if label.startswith("1,000,000") else args.rounds
        for _ in range(rounds):
            out = []
            for tree in (args.baseline, str(HERE.parent)):
                env = {**os.environ, "PYTHONPATH": tree}
                run = subprocess.run([sys.executable, __file__, args.baseline, "--child", label, "--weeks",
                                      str(4 if label.startswith("1,000,000") else args.weeks)],
                                     capture_output=True, text=True, env=env, check=True)
                out.append(run.stdout.split())
            (base, base_hash), (new, new_hash) = out
            print(f"| {label} | {float(base):.1f} | {float(new):.1f} | {float(base) / float(new):.2f}x | "
                  f"{'yes' if base_hash == new_hash else 'NO'} |", flush=True)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
