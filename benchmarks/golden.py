"""Bit-identity guard for performance work: save the model's outputs, then compare after a change.

Usage:
    python benchmarks/golden.py save /tmp/golden.pkl      # before changing the hot loop
    python benchmarks/golden.py check /tmp/golden.pkl     # after: every frame must be identical

The cases cover every policy on the default scenario, every scenario with its own policy,
a mixed-policy organisation (half the teams switch mid-run), odd organisation shapes
(teams of one, no ties, many cross-team ties) and a few seeds. For each case the weekly
``model_frame()``, the member ``panel_frame()``, the promise log and the final member
arrays are compared exactly (``NaN == NaN``; no tolerance at all).
"""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pandas as pd

from lmxsim import LMXModel
from lmxsim.policies import policy_names
from lmxsim.scenarios import scenario_names
from lmxsim.state import MEMBER_FIELD_NAMES


def cases() -> list[tuple[str, dict, int | None]]:
    """(name, model kwargs, week at which half the teams switch policy or None)."""
    out = []
    for policy in policy_names():
        for seed in (1, 2):
            out.append((f"default/{policy}/{seed}", dict(policy=policy, seed=seed, weeks=104), None))
    for scenario in scenario_names():
        out.append((f"scenario/{scenario}", dict(scenario=scenario, seed=3, weeks=104), None))
        out.append((f"scenario/{scenario}/deal", dict(scenario=scenario, policy="proactive_deal", seed=4, weeks=104),
                    None))
    out.append(("mixed/reactive->distributed", dict(policy="reactive_in_crowd", seed=5, weeks=60), 20))
    out.append(("mixed/transactional->similarity", dict(policy="transactional", seed=6, weeks=60), 30))
    out.append(("shape/team1", dict(policy="proactive_deal", seed=7, n_teams=15, team_size=1, weeks=40), None))
    out.append(("shape/noties", dict(policy="distributed", seed=8, within_team_ties=0, cross_team_ties=0.0,
                                     weeks=40), None))
    out.append(("shape/dense", dict(policy="distributed", seed=9, within_team_ties=12, cross_team_ties=5.0,
                                    team_size=25, n_teams=8, weeks=40), None))
    out.append(("shape/busy", dict(policy="reactive_in_crowd", seed=10, annual_base_turnover=0.9, quit_sensitivity=8.0,
                                   hiring_lag_weeks=0, idea_rate=5.0, idea_success=1.0, weeks=60), None))
    out.append(("shape/large", dict(policy="proactive_deal", seed=11, n_teams=300, team_size=12, weeks=30), None))
    out.append(("panel4", dict(policy="similarity_bias", seed=12, panel_every=4, weeks=60), None))
    out.append(("noseed-equal", dict(policy="equal_split", seed=0, weeks=30), None))
    return out


def outputs(kwargs: dict, switch_week: int | None) -> dict:
    model = LMXModel(**kwargs)
    weeks = model.params.weeks
    if switch_week is not None:
        model.run(switch_week)
        other = "distributed" if "reactive" in kwargs["policy"] else "similarity_bias"
        model.set_policy(other, teams=np.arange(0, model.n_teams, 2))
        model.run(weeks - switch_week)
    else:
        model.run()
    arrays = {name: getattr(model.members, name).copy() for name in MEMBER_FIELD_NAMES}
    return {"model": model.model_frame(), "panel": model.panel_frame(), "promises": model.promise_effects(),
            "arrays": arrays}


def compare(a: dict, b: dict) -> list[str]:
    problems = []
    for key in ("model", "panel", "promises"):
        try:
            pd.testing.assert_frame_equal(a[key], b[key], check_exact=True)
        except AssertionError as exc:
            problems.append(f"{key}: {str(exc).splitlines()[0:3]}")
    for name, arr in a["arrays"].items():
        other = b["arrays"][name]
        if arr.dtype != other.dtype or arr.shape != other.shape or not np.array_equal(arr, other, equal_nan=True):
            problems.append(f"array {name} differs")
    return problems


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    results = {name: outputs(kw, sw) for name, kw, sw in cases()}
    if mode == "save":
        with open(path, "wb") as fh:
            pickle.dump(results, fh)
        print(f"saved {len(results)} cases to {path}")
        return
    with open(path, "rb") as fh:
        golden = pickle.load(fh)
    bad = 0
    for name, res in results.items():
        problems = compare(golden[name], res)
        if problems:
            bad += 1
            print(f"DIFFERENT {name}: {problems}")
    print(f"{len(results) - bad}/{len(results)} cases bit-identical")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
