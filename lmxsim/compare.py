"""``lmxsim compare``: policies side by side on the same organisations.

Each policy is run on the same seeds, so policy A and policy B face the same
organisation and the same people at the start ("same team, different leader"); outcome
differences are paired by seed. Replication r runs with the r-th seed of the root seed
(:func:`lmxsim.runs.replication_seeds`), as in ``lmxsim validate`` and ``lmxsim experiment
run``, so the same root seed gives the same runs in every command. The result is a tidy
table (one row per policy, outcome and measurement window - weeks 26-end and the last year,
:data:`lmxsim.outcomes.WINDOWS` - with mean, 95% CI, difference from the first policy with
its CI) and the weekly series behind the figure.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lmxsim.datadict import Column
from lmxsim.errors import LMXInputError
from lmxsim.model_args import check_memory
from lmxsim.outcomes import WINDOW_LABELS, WINDOWS, first_measured_week, windowed
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
    "bonus_cost_per_member_year": ("bonus cost", "annual salaries per member-year", -1),
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
    Column("outcome", "headline run-level outcome (see Run-level outcomes), by its plain name whatever the window",
           "name", "string"),
    Column("window", "measurement window: from_week_26 (weeks 26-end; runs.csv column `outcome`) or last_year "
                     "(the last 52 weeks, steady state; runs.csv column `outcome`_last_year); both are the second "
                     "half of a run shorter than a year, and last_year is the second half of a run shorter than "
                     "2 years", "name", "string"),
    Column("first_week", "first week of the window (it ends at the run's last week)", "week", "int64"),
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
    Column("p", "two-sided p-value of the paired t-test of the difference (unadjusted; NaN for the first policy "
                "and where the paired differences do not vary, e.g. a cost no policy incurs)", "probability"),
    Column("p_holm", "p adjusted by Holm's step-down method over all comparisons of the table that have a p "
                     "(every policy but the first x every headline outcome x both windows, one family); < 0.05 is "
                     "the H mark of the printed table; NaN where p is", "probability"),
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
    params = Params(**{**sc.overrides, **overrides})
    validate_events(sc, params)
    check_memory(params, sc, panel_every=0, member_agents=False)   # an organisation too big was killed by the OS


def check_policies(policies: list[str]) -> list[str]:
    known = policy_names()
    for p in policies:
        if p not in known:
            raise LMXInputError("policies", p, "policy names among: " + ", ".join(known))
    if len(set(policies)) != len(policies):
        raise LMXInputError("policies", ",".join(policies), "each policy at most once")
    return policies


def compare(policies: list[str] | None = None, scenario: str = "default", seeds: int = 20, root_seed: int = 0,
            overrides: dict | None = None, executor=None, progress: bool = False) -> Comparison:
    """Run every policy on the same ``seeds`` seeds and summarise (see :func:`summarise`).

    Replication r runs with ``replication_seeds(root_seed, seeds)[r]``; ``executor`` is any
    ``concurrent.futures.Executor`` (default: this process).

    ``progress`` shows a bar of runs done on stderr (only when stderr is a terminal).
    """
    from lmxsim.progress import track

    if isinstance(policies, str):   # list("proactive_deal") would be its letters
        raise LMXInputError("policies", policies, "a list of policy names, e.g. ['proactive_deal'], or None for all")
    policies = check_policies(list(policies) if policies else policy_names())
    if isinstance(seeds, (bool, np.bool_)) or not isinstance(seeds, numbers.Integral) or seeds < 2:
        raise LMXInputError("seeds", seeds, "an integer >= 2 (confidence intervals need replications)")
    if overrides is not None and not isinstance(overrides, dict):
        raise LMXInputError("overrides", overrides, "a dict {parameter: value}, e.g. {'team_size': 12}")
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
    horizon = int(weekly.week.max())
    return Comparison(policies, scenario, seed_list, runs, weekly, summarise(runs, policies, horizon))


def summarise(runs: pd.DataFrame, policies: list[str], horizon: int) -> pd.DataFrame:
    """Mean and CI per policy, headline outcome and window, and the paired difference from the
    first policy; ``horizon`` is the runs' length in weeks (it fixes each window's first week).

    The difference (policy - first, paired by seed) has a t-interval, an effect size ``d_z``
    (mean paired difference / SD of the paired differences), the paired t-test's two-sided
    ``p`` and ``p_holm``: p adjusted by Holm's method over all comparisons of the table
    (every policy but the first x every headline outcome x both windows: one family, so an H
    mark anywhere in the table keeps its 5% family-wise error rate). The first policy's rows
    have NaN there.
    """
    first = runs[runs.policy == policies[0]].set_index("seed")
    rows = []
    for pol in policies:
        r = runs[runs.policy == pol].set_index("seed")
        common = r.index.intersection(first.index)
        for key, (label, unit, _) in HEADLINE.items():
            for window in WINDOWS:
                column = windowed(key, window)
                mean, lo, hi = mean_ci(r[column])
                a, b = r.loc[common, column], first.loc[common, column]
                d, dlo, dhi = paired_difference(a, b)
                compared = pol != policies[0]
                rows.append({"policy": pol, "outcome": key, "window": window,
                             "first_week": first_measured_week(horizon, window), "label": label, "unit": unit,
                             "n_seeds": len(r), "mean": mean, "ci_low": lo, "ci_high": hi,
                             "diff_vs_first": d, "diff_ci_low": dlo, "diff_ci_high": dhi,
                             "d_z": d_z(a, b) if compared else np.nan,
                             "p": paired_p(a, b) if compared else np.nan})
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table.p.to_numpy())
    return table


def _verdict(row) -> int:
    """+1 / -1 where the 95% CI of the difference lies above / below 0, else 0."""
    return int(row.diff_ci_low > 0) - int(row.diff_ci_high < 0)


def window_disagreements(summary: pd.DataFrame) -> pd.DataFrame:
    """The (policy, outcome) pairs of :func:`summarise`'s table whose difference from the first
    policy reads differently in the two windows: its 95% CI excludes 0 in one window only
    (``opposite`` False), or in both with opposite signs (``opposite`` True). One row per pair,
    in the table's order, with the difference and its CI in each window
    (``diff_vs_first_from_week_26``, ..., ``diff_ci_high_last_year``)."""
    values = ("diff_vs_first", "diff_ci_low", "diff_ci_high")
    rows = []
    for (pol, key), g in summary[summary.p.notna()].groupby(["policy", "outcome"], sort=False):
        by_window = g.set_index("window")
        verdicts = [_verdict(by_window.loc[w]) for w in WINDOWS]
        if len(set(verdicts)) > 1:
            rows.append({"policy": pol, "outcome": key, "opposite": 0 not in verdicts,
                         **{f"{v}_{w}": by_window.loc[w, v] for w in WINDOWS for v in values}})
    return pd.DataFrame(rows, columns=["policy", "outcome", "opposite",
                                       *(f"{v}_{w}" for w in WINDOWS for v in values)])


def _number_format(unit: str):
    """Shares in %, with 2 decimals; everything else with 3."""
    if unit.startswith("share"):
        return lambda v: f"{100.0 * v:7.2f}"
    return lambda v: f"{v:7.3f}"


def format_table(c: Comparison) -> str:
    """The comparison as text: one block per outcome, two lines per policy (one per window)."""
    s = c.summary
    base = c.policies[0]
    horizon = int(c.weekly.week.max())
    n_tests = int(s.p_holm.notna().sum())
    lines = [f"lmxsim compare: scenario={c.scenario}, {len(c.seeds)} seeds per policy "
             f"(same seeds, paired differences vs {base}); mean [95% CI]",
             "measured over two windows: " + "; ".join(f"{WINDOW_LABELS[w]} = weeks "
                                                       f"{first_measured_week(horizon, w)}-{horizon}" for w in WINDOWS)]
    width = max(len(p) for p in c.policies)
    wwidth = max(len(label) for label in WINDOW_LABELS.values())
    for key, (label, unit, _) in HEADLINE.items():
        lines.append(f"\n{label} ({unit})")
        fmt = _number_format(unit)
        for pol in c.policies:
            for window in WINDOWS:
                row = s[(s.policy == pol) & (s.outcome == key) & (s.window == window)].iloc[0]
                name = pol if window == WINDOWS[0] else ""
                text = (f"  {name:<{width}}  {WINDOW_LABELS[window]:<{wwidth}} {fmt(row['mean'])} "
                        f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]")
                if pol != base:
                    sig = "*" if _verdict(row) else " "
                    sig += "H" if row.p_holm < 0.05 else " "
                    dz = f"{row.d_z:+6.2f}" if np.isfinite(row.d_z) else "   n/a"
                    text += (f"   diff {fmt(row.diff_vs_first)} [{fmt(row.diff_ci_low)}, "
                             f"{fmt(row.diff_ci_high)}] d_z {dz} {sig}")
                lines.append(text.rstrip())
    lines.append(f"\nshares in %; diff = policy - {base}, paired by seed, with its 95% CI (unadjusted);")
    lines.append("d_z = mean paired difference / SD of the paired differences (not the pooled-SD Cohen's d);")
    lines.append("*  the 95% CI of the difference excludes 0 (one comparison on its own);")
    untested = int((s.policy != base).sum()) - n_tests
    lines.append(f"H  still significant (p < .05) after Holm's adjustment for all {n_tests} comparisons of this "
                 "table")
    if untested:
        lines.append("   (every policy but the first x every outcome x both windows, one family;")
        lines.append(f"   {untested} whose differences do not vary have no p and are left out);")
    else:
        lines.append("   (every policy but the first x every outcome x both windows, one family);")
    lines.append(f"   among {n_tests} comparisons a few * are expected by chance alone; H keeps the chance of any "
                 "false one at 5%.")
    lines.append("   p (unadjusted) and p_holm are in summary.csv.")
    disagree = window_disagreements(s)
    if len(disagree):
        lines.append(f"\nThe windows disagree on {len(disagree)} of {n_tests // len(WINDOWS)} differences: the CI "
                     "excludes 0 (*) in one window only - often the")
        lines.append("shorter last year is just less precise: compare the intervals - or in both with opposite "
                     "signs (<>):")
        lwidth = max(len(HEADLINE[o][0]) for o in disagree.outcome)
        cell = 7 + 2 + 7 + 2 + 7 + 3   # "d [lo, hi] *"
        lines.append((f"  {'':<{width}}  {'':<{lwidth}}  "
                      + "".join(f"{WINDOW_LABELS[w]:<{cell + 3}}" for w in WINDOWS)).rstrip())
        for row in disagree.itertuples():
            label, unit, _ = HEADLINE[row.outcome]
            fmt = _number_format(unit)
            cells = []
            for w in WINDOWS:
                d, lo, hi = (getattr(row, f"{v}_{w}") for v in ("diff_vs_first", "diff_ci_low", "diff_ci_high"))
                cells.append(f"{fmt(d)} [{fmt(lo)}, {fmt(hi)}] {'*' if (lo > 0 or hi < 0) else ' '}")
            lines.append((f"  {row.policy:<{width}}  {label:<{lwidth}}  " + "   ".join(cells)
                          + (" <>" if row.opposite else "")).rstrip())
    else:
        lines.append("\nThe windows agree: every difference whose CI excludes 0 in one window does so in the other, "
                     "with the same sign.")
    return "\n".join(lines)
