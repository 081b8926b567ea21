"""``lmxsim compare``: policies side by side on the same organisations.

Each policy is run on the same seeds, so policy A and policy B face the same
organisation and the same people at the start ("same team, different leader"); outcome
differences are paired by seed. Replication r runs with the r-th seed of the root seed
(:func:`lmxsim.runs.replication_seeds`), as in ``lmxsim validate`` and ``lmxsim experiment
run``, so the same root seed gives the same runs in every command. The result is a tidy
table (one row per policy and outcome: mean, 95% CI, difference from the first policy with
its CI) and the weekly series behind the figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lmxsim.datadict import Column
from lmxsim.errors import LMXInputError
from lmxsim.params import Params, names as param_names
from lmxsim.scenarios import get_scenario, validate_events
from lmxsim.policies import policy_names
from lmxsim.runs import RunTask, replication_seeds, run_tasks
from lmxsim.stats import d_z, holm, mean_ci, paired_difference, paired_p

# outcome key -> (label, unit, direction: +1 higher is better, -1 lower is better)
HEADLINE = {
    "innovation_per_member_year": ("innovation", "successful ideas per member-year", +1),
    "annual_turnover": ("voluntary turnover", "share per year", -1),
    "annual_turnover_top_quartile": ("turnover of top performers", "share per year", -1),
    "turnover_cost_per_member_year": ("turnover cost", "annual salaries per member-year", -1),
    "mean_lmx": ("mean LMX", "0-1", +1),
    "lmx_sd_within_team": ("LMX spread within teams", "sd", 0),
    "in_group_share": ("in-group share", "share", 0),
    "mean_trust": ("trust in leader", "0-1", +1),
    "mean_engagement": ("engagement", "0-1", +1),
    "mean_performance": ("performance", "output/week", +1),
    "mean_psych_safety": ("psychological safety", "0-1", +1),
}


# columns of the files `lmxsim compare` writes (docs/data_dictionary.md is generated from these)
SUMMARY_COLUMNS = (
    Column("policy", "leadership policy (the first is the reference)", "name", "string"),
    Column("outcome", "run-level outcome (see Run-level outcomes)", "name", "string"),
    Column("label", "readable name of the outcome", "text", "string"),
    Column("unit", "unit of mean, ci_low, ci_high and the differences", "text", "string"),
    Column("n_seeds", "replications (seeds) of this policy", "runs", "int64"),
    Column("mean", "mean of the outcome over seeds", "outcome's unit"),
    Column("ci_low", "lower bound of the 95% t-interval of the mean", "outcome's unit"),
    Column("ci_high", "upper bound of the 95% t-interval of the mean", "outcome's unit"),
    Column("diff_vs_first", "mean paired difference, this policy - the first policy, over common seeds "
                            "(0 for the first policy)", "outcome's unit"),
    Column("diff_ci_low", "lower bound of the 95% paired t-interval of the difference (unadjusted)", "outcome's unit"),
    Column("diff_ci_high", "upper bound of the 95% paired t-interval of the difference (unadjusted)",
           "outcome's unit"),
    Column("d_z", "paired effect size: mean paired difference / SD of the paired differences (not the pooled-SD "
                  "Cohen's d; NaN for the first policy or when the differences do not vary)", "SD units"),
    Column("p", "two-sided p-value of the paired t-test of the difference (unadjusted; NaN for the first policy)",
           "probability"),
    Column("p_holm", "p adjusted by Holm's step-down method over all comparisons of the table (every policy but "
                     "the first x every outcome); < 0.05 is the H mark of the printed table", "probability"),
)
RUN_ID_COLUMNS = (
    Column("policy", "leadership policy of every leader in the run", "name", "string"),
    Column("replicate", "replication number (0, 1, ...); the runs of one replicate share the seed, whatever their "
                        "policy", "index", "int64"),
    Column("seed", "the run's random seed, derived from --root-seed (numpy SeedSequence child of the replicate, "
                   "63 bits; an experiment with that root_seed gives the replicate the same seed); the same seed "
                   "gives every policy the same organisation and people", "seed", "int64"),
)
WEEKLY_ID_COLUMNS = RUN_ID_COLUMNS


@dataclass
class Comparison:
    policies: list[str]
    scenario: str
    seeds: list[int]
    runs: pd.DataFrame      # one row per (policy, seed): every run-level outcome
    weekly: pd.DataFrame    # one row per (policy, seed, week): weekly series
    summary: pd.DataFrame   # one row per (policy, outcome)


def validate_setup(scenario: str, overrides: dict) -> None:
    """Refuse a bad scenario or parameter before anything runs."""
    sc = get_scenario(scenario)
    unknown = sorted(set(overrides) - set(param_names()))
    if unknown:
        raise LMXInputError(unknown[0], overrides[unknown[0]], "a known parameter (see `lmxsim list`)")
    validate_events(sc, Params(**{**sc.overrides, **overrides}))


def check_policies(policies: list[str]) -> list[str]:
    known = policy_names()
    for p in policies:
        if p not in known:
            raise LMXInputError("--policies", p, "a comma-separated list of: " + ", ".join(known))
    if len(set(policies)) != len(policies):
        raise LMXInputError("--policies", ",".join(policies), "each policy at most once")
    return policies


def compare(policies: list[str] | None = None, scenario: str = "default", seeds: int = 20, root_seed: int = 0,
            overrides: dict | None = None, executor=None, progress: bool = False) -> Comparison:
    """Run every policy on the same ``seeds`` seeds and summarise (see :func:`summarise`).

    Replication r runs with ``replication_seeds(root_seed, seeds)[r]``; ``executor`` is any
    ``concurrent.futures.Executor`` (default: this process).

    ``progress`` shows a bar of runs done on stderr (only when stderr is a terminal).
    """
    from lmxsim.progress import track

    policies = check_policies(list(policies) if policies else policy_names())
    if seeds < 2:
        raise LMXInputError("--seeds", seeds, "an integer >= 2 (confidence intervals need replications)")
    overrides = overrides or {}
    validate_setup(scenario, overrides)
    seed_list = replication_seeds(root_seed, seeds)
    tasks = [RunTask(p, s, scenario, overrides, collect=("outcomes", "weekly")) for p in policies for s in seed_list]
    rows, frames = [], []
    for result in track(run_tasks(tasks, executor), len(tasks), "compare", progress):
        # tasks go policy by policy, replication by replication
        ids = {"policy": result.task.policy, "replicate": result.index % seeds, "seed": result.task.seed}
        rows.append({**result.outcomes, **ids})
        for position, (name, value) in enumerate(ids.items()):
            result.weekly.insert(position, name, value)
        frames.append(result.weekly)
    runs = pd.DataFrame(rows)
    weekly = pd.concat(frames, ignore_index=True)
    return Comparison(policies, scenario, seed_list, runs, weekly, summarise(runs, policies))


def summarise(runs: pd.DataFrame, policies: list[str]) -> pd.DataFrame:
    """Mean and CI per policy and outcome, and the paired difference from the first policy.

    The difference (policy - first, paired by seed) has a t-interval, an effect size ``d_z``
    (mean paired difference / SD of the paired differences), the paired t-test's two-sided
    ``p`` and ``p_holm``: p adjusted by Holm's method over all comparisons of the table
    (every policy but the first x every outcome). The first policy's rows have NaN there.
    """
    first = runs[runs.policy == policies[0]].set_index("seed")
    rows = []
    for pol in policies:
        r = runs[runs.policy == pol].set_index("seed")
        for key, (label, unit, _) in HEADLINE.items():
            mean, lo, hi = mean_ci(r[key])
            common = r.index.intersection(first.index)
            a, b = r.loc[common, key], first.loc[common, key]
            d, dlo, dhi = paired_difference(a, b)
            compared = pol != policies[0]
            rows.append({"policy": pol, "outcome": key, "label": label, "unit": unit, "n_seeds": len(r),
                         "mean": mean, "ci_low": lo, "ci_high": hi,
                         "diff_vs_first": d, "diff_ci_low": dlo, "diff_ci_high": dhi,
                         "d_z": d_z(a, b) if compared else np.nan, "p": paired_p(a, b) if compared else np.nan})
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table.p.to_numpy())
    return table


def format_table(c: Comparison) -> str:
    """The comparison as text: one block per outcome, one line per policy."""
    s = c.summary
    base = c.policies[0]
    n_tests = int(s.p_holm.notna().sum())
    lines = [f"lmxsim compare: scenario={c.scenario}, {len(c.seeds)} seeds per policy "
             f"(same seeds, paired differences vs {base}); mean [95% CI]"]
    width = max(len(p) for p in c.policies)
    for key, (label, unit, _) in HEADLINE.items():
        lines.append(f"\n{label} ({unit})")
        for pol in c.policies:
            row = s[(s.policy == pol) & (s.outcome == key)].iloc[0]
            scale = 100.0 if unit.startswith("share") else 1.0
            fmt = (lambda v: f"{scale * v:7.2f}") if scale == 100.0 else (lambda v: f"{v:7.3f}")
            text = f"  {pol:<{width}} {fmt(row['mean'])} [{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
            if pol != base:
                sig = "*" if (row.diff_ci_low > 0 or row.diff_ci_high < 0) else " "
                sig += "H" if row.p_holm < 0.05 else " "
                dz = f"{row.d_z:+6.2f}" if np.isfinite(row.d_z) else "   n/a"
                text += (f"   diff {fmt(row.diff_vs_first)} [{fmt(row.diff_ci_low)}, "
                         f"{fmt(row.diff_ci_high)}] d_z {dz} {sig}")
            lines.append(text)
    lines.append(f"\nshares in %; diff = policy - {base}, paired by seed, with its 95% CI (unadjusted);")
    lines.append("d_z = mean paired difference / SD of the paired differences (not the pooled-SD Cohen's d);")
    lines.append("*  the 95% CI of the difference excludes 0 (one comparison on its own);")
    lines.append(f"H  still significant (p < .05) after Holm's adjustment for all {n_tests} comparisons of this "
                 "table;")
    lines.append(f"   among {n_tests} comparisons a few * are expected by chance alone; H keeps the chance of any "
                 "false one at 5%.")
    lines.append("   p (unadjusted) and p_holm are in summary.csv.")
    return "\n".join(lines)
