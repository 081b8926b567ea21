"""95% CI half-widths of paired policy differences (vs reactive_in_crowd) at a given number of seeds.

Usage: ``python benchmarks/paired_ci.py 30 [WINDOW]`` (prints JSON: outcome -> policy -> half-width;
WINDOW ``from_week_26`` (default) or ``last_year``).
Run it with ``PYTHONPATH=OTHER_CHECKOUT`` to measure another engine the same way; docs/engine.md
compares the engine before and after keyed random numbers.
"""

from __future__ import annotations

import json
import sys

from lmxsim.compare import compare


def main(seeds: int, window: str = "from_week_26") -> dict:
    """Half-widths in ``window`` (a summary of this engine has one row per window; one of the
    engine before issue 11 has no window column, and its single measure is used)."""
    summary = compare(None, seeds=seeds).summary
    if "window" in summary:   # one row per window: keep one (a dict over both kept the last, silently)
        summary = summary[summary.window == window]
    out = {}
    for outcome in ("innovation_per_member_year", "annual_turnover"):
        rows = summary[(summary.outcome == outcome) & (summary.policy != "reactive_in_crowd")]
        assert not rows.policy.duplicated().any(), "one row per policy"
        out[outcome] = {r.policy: round((float(r.diff_ci_high) - float(r.diff_ci_low)) / 2, 5) for r in rows.itertuples()}
    return out


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30, *sys.argv[2:3])))
