"""Analysing stored experiments: summaries with CIs, policy differences, sensitivity indices.

``summarize`` gives, per design point and policy, the mean and 95% CI of each outcome over
replications, and for each pair of policies the paired difference (same seeds) with its
CI and two standardised effect sizes: ``d_z`` (mean paired difference / SD of the paired
differences, the effect size of the paired design) and ``d_pooled`` (mean difference / pooled SD
of the two policies, Cohen's d as for independent groups, comparable with between-subject
studies). Column meanings and units: ``docs/data_dictionary.md``. ``sensitivity`` computes Sobol first-order
and total indices (Saltelli design) or Morris elementary effects via SALib, per policy and
outcome, from the replication means at each design point.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from lmxsim.datadict import FACTOR, OTHER_FACTOR, Column
from lmxsim.errors import LMXInputError
from lmxsim.experiments.design import salib_problem, sample_matrix
from lmxsim.experiments.spec import parse_spec
from lmxsim.experiments.store import load_parts, read_manifest
from lmxsim.stats import d_pooled, d_z, mean_ci, paired_difference

ID_COLUMNS = ("run_id", "point_id", "replicate", "policy", "seed")

# columns of the files `experiment summarize` and `experiment sensitivity` write
# (docs/data_dictionary.md is generated from these)
_POINT = Column("point_id", "number of the design point (0, 1, ...)", "id", "int64")
_FACTOR = Column(FACTOR, "one column per design factor: its value at the design point", "as declared", "factor")
_OUTCOME = Column("outcome", "run-level outcome (see Run-level outcomes)", "name", "string")
_PAIRED = (
    Column("n_pairs", "replicates present in both arms (the pairs)", "pairs", "int64"),
    Column("difference", "mean paired difference over replicates", "outcome's unit"),
    Column("ci_low", "lower bound of the 95% paired t-interval of the difference (unadjusted)", "outcome's unit"),
    Column("ci_high", "upper bound of the 95% paired t-interval of the difference (unadjusted)", "outcome's unit"),
    Column("d_z", "paired effect size: mean paired difference / SD of the paired differences", "SD units"),
    Column("d_pooled", "Cohen's d with the pooled SD of the two arms (ignores the pairing; comparable with "
                       "between-group studies)", "SD units"),
)
SUMMARY_COLUMNS = (
    _POINT, _FACTOR,
    Column("policy", "leadership policy", "name", "string"),
    _OUTCOME,
    Column("n", "replicates with a value", "runs", "int64"),
    Column("mean", "mean of the outcome over replicates", "outcome's unit"),
    Column("ci_low", "lower bound of the 95% t-interval of the mean", "outcome's unit"),
    Column("ci_high", "upper bound of the 95% t-interval of the mean", "outcome's unit"),
)
DIFFERENCES_COLUMNS = (
    _POINT, _FACTOR,
    Column("policy_a", "first policy of the pair (order of the specification)", "name", "string"),
    Column("policy_b", "second policy of the pair; differences are policy_a - policy_b", "name", "string"),
    _OUTCOME, *_PAIRED,
)
FACTOR_DIFFERENCES_COLUMNS = (
    Column("factor", "the design factor compared across its levels", "name", "string"),
    Column("level", "a level of the factor (each but the first)", "factor's unit", "factor"),
    Column("baseline", "the factor's first level; differences are level - baseline", "factor's unit", "factor"),
    Column("policy", "leadership policy", "name", "string"),
    Column(OTHER_FACTOR, "one column per other design factor: its value in this comparison (a factor's own "
                         "column is empty in the rows comparing its levels, so integer factors read back as float)",
           "as declared", "factor"),
    _OUTCOME, *_PAIRED,
)
SENSITIVITY_COLUMNS = (
    Column("policy", "leadership policy", "name", "string"),
    _OUTCOME,
    Column("parameter", "the varied parameter", "name", "string"),
    Column("S1", "first-order Sobol index: share of the outcome's variance due to this parameter alone",
           "share of variance", when="sobol designs"),
    Column("S1_conf", "half-width of S1's 95% bootstrap interval (SALib)", "share of variance", when="sobol designs"),
    Column("ST", "total Sobol index: share of variance involving this parameter, interactions included",
           "share of variance", when="sobol designs"),
    Column("ST_conf", "half-width of ST's 95% bootstrap interval (SALib)", "share of variance", when="sobol designs"),
    Column("mu_star", "Morris mu*: mean absolute elementary effect of the parameter over its range",
           "outcome's unit", when="morris designs"),
    Column("mu_star_conf", "half-width of mu*'s 95% bootstrap interval (SALib)", "outcome's unit",
           when="morris designs"),
    Column("sigma", "SD of the elementary effects (non-linearity or interactions)", "outcome's unit",
           when="morris designs"),
)


def load_experiment(directory) -> tuple[dict, "object", pd.DataFrame]:
    """(manifest, specification, runs) of a stored experiment."""
    manifest = read_manifest(directory)
    spec = _spec_from_manifest(manifest)
    runs = load_parts(directory, "runs")
    if runs.empty:
        raise LMXInputError("DIR", str(directory), "a directory holding at least one finished run")
    return manifest, spec, runs


def _spec_from_manifest(manifest: dict):
    s = manifest["spec"]
    data = {"experiment": {k: s[k] for k in ("name", "purpose", "scenario", "policies", "replications", "weeks",
                                              "root_seed", "outcomes", "weekly")},
            "fixed": s["fixed"]}
    if s["method"] == "factorial":
        if s["factors"]:
            data["factors"] = s["factors"]
    else:
        data["design"] = {"method": s["method"], "samples": s["samples"], "levels": s["levels"],
                          "ranges": {k: list(v) for k, v in s["ranges"].items()}}
    return parse_spec(data, where=manifest.get("spec_file", "manifest"))


def summary_table(runs: pd.DataFrame, spec) -> pd.DataFrame:
    """Mean and CI per design point, policy and outcome (tidy)."""
    factors = spec.factor_names
    rows = []
    for (point, policy), g in runs.groupby(["point_id", "policy"], sort=True):
        base = {"point_id": point, **{f: g[f].iloc[0] for f in factors}, "policy": policy}
        for outcome in spec.outcomes:
            mean, lo, hi = mean_ci(g[outcome])
            rows.append({**base, "outcome": outcome, "n": int(g[outcome].notna().sum()), "mean": mean,
                         "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def differences_table(runs: pd.DataFrame, spec) -> pd.DataFrame:
    """For each design point and pair of policies: paired difference (a - b), its CI, ``d_z`` and
    ``d_pooled`` (see the module docstring)."""
    factors = spec.factor_names
    rows = []
    for point, g in runs.groupby("point_id", sort=True):
        by_policy = {p: x.set_index("replicate") for p, x in g.groupby("policy")}
        for a, b in itertools.combinations([p for p in spec.policies if p in by_policy], 2):
            common = by_policy[a].index.intersection(by_policy[b].index)
            base = {"point_id": point, **{f: g[f].iloc[0] for f in factors}, "policy_a": a, "policy_b": b}
            for outcome in spec.outcomes:
                xa, xb = by_policy[a].loc[common, outcome], by_policy[b].loc[common, outcome]
                d, lo, hi = paired_difference(xa, xb)
                rows.append({**base, "outcome": outcome, "n_pairs": len(common), "difference": d,
                             "ci_low": lo, "ci_high": hi, "d_z": d_z(xa, xb), "d_pooled": d_pooled(xa, xb)})
    # one policy: no pairs, but the file keeps its header (an empty CSV is not readable by pandas)
    columns = ["point_id", *factors, "policy_a", "policy_b", "outcome", "n_pairs", "difference", "ci_low",
               "ci_high", "d_z", "d_pooled"]
    return pd.DataFrame(rows, columns=columns)


def factor_differences_table(runs: pd.DataFrame, spec) -> pd.DataFrame:
    """Factorial designs: each level of each factor against the factor's first level, per
    policy and combination of the other factors, paired by replication (common seeds)."""
    if spec.method != "factorial":
        return pd.DataFrame()
    rows = []
    for factor, levels in spec.factors.items():
        others = [f for f in spec.factors if f != factor]
        for keys, g in runs.groupby(["policy", *others], sort=False):
            keys = keys if isinstance(keys, tuple) else (keys,)
            base_runs = g[g[factor] == levels[0]].set_index("replicate")
            for level in levels[1:]:
                lv = g[g[factor] == level].set_index("replicate")
                common = lv.index.intersection(base_runs.index)
                for outcome in spec.outcomes:
                    xl, xb = lv.loc[common, outcome], base_runs.loc[common, outcome]
                    d, lo, hi = paired_difference(xl, xb)
                    rows.append({"factor": factor, "level": level, "baseline": levels[0], "policy": keys[0],
                                 **dict(zip(others, keys[1:])), "outcome": outcome, "n_pairs": len(common),
                                 "difference": d, "ci_low": lo, "ci_high": hi,
                                 "d_z": d_z(xl, xb), "d_pooled": d_pooled(xl, xb)})
    return pd.DataFrame(rows)


def summarize(directory, out=None) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """Write ``summary.csv``, ``differences.csv`` (between policies), ``factor_differences.csv``
    (between levels of each factor, factorial designs) and one figure per factor to ``out`` - or,
    for an experiment of one design point (no factors, e.g. ``policy_comparison``), one figure of
    the policies: ``policies.png``."""
    from lmxsim.output import staged_output

    _, spec, runs = load_experiment(directory)
    summary = summary_table(runs, spec)
    diffs = differences_table(runs, spec)
    out = Path(out) if out is not None else Path(directory) / "summary"
    written = []
    by_level = factor_differences_table(runs, spec)
    with staged_output(out) as stage:
        summary.to_csv(stage / "summary.csv", index=False)
        diffs.to_csv(stage / "differences.csv", index=False)
        if not by_level.empty:
            by_level.to_csv(stage / "factor_differences.csv", index=False)
        for factor in spec.factor_names:
            name = f"outcomes_vs_{factor}.png"
            factor_figure(runs, spec, factor, stage / name)
            written.append(out / name)
        if not spec.factor_names:
            policies_figure(summary, spec, stage / "policies.png")
            written.append(out / "policies.png")
    return summary, diffs, written


def policies_figure(summary: pd.DataFrame, spec, path) -> None:
    """Each outcome per policy of a one-point experiment: mean and 95% CI over replications."""
    from lmxsim.plots import COLOURS, new_figure

    outcomes = list(spec.outcomes)[:6]
    policies = list(spec.policies)
    cols = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = new_figure(rows, cols, figsize=(4.6 * cols, 0.5 + 0.32 * len(policies) * rows + 0.9 * rows),
                           squeeze=False)
    y = np.arange(len(policies))[::-1]
    for ax, outcome in zip(axes.flat, outcomes):
        s = summary[summary.outcome == outcome].set_index("policy").reindex(policies)
        for k, (policy, yk) in enumerate(zip(policies, y)):
            ax.errorbar(s.loc[policy, "mean"], yk, xerr=[[s.loc[policy, "mean"] - s.loc[policy, "ci_low"]],
                                                        [s.loc[policy, "ci_high"] - s.loc[policy, "mean"]]],
                        fmt="o", ms=4, capsize=3, color=COLOURS[k % 10])
        ax.set_yticks(y, policies if ax in axes[:, 0] else [""] * len(policies), fontsize=8)
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    n = int(summary.n.max()) if len(summary) else 0
    fig.suptitle(f"{spec.name}: mean and 95% CI over {n} replications", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def factor_figure(runs: pd.DataFrame, spec, factor: str, path) -> None:
    """Each outcome against one factor (averaged over the others), one line per policy, CI band."""
    from lmxsim.plots import COLOURS, new_figure

    outcomes = list(spec.outcomes)[:6]
    data = runs.copy()
    categorical = not pd.api.types.is_numeric_dtype(data[factor])
    if categorical:  # e.g. scenario: plot the levels in the specification's order
        order = list(spec.factors[factor])
        data[factor] = data[factor].map({v: i for i, v in enumerate(order)})
    values = np.sort(data[factor].unique())
    if spec.method != "factorial" and len(values) > 8:  # sampled designs: quantile bins
        data[factor] = pd.qcut(data[factor], 6, duplicates="drop").apply(lambda iv: iv.mid).astype(float)
    cols = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = new_figure(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    colours = COLOURS
    for ax, outcome in zip(axes.flat, outcomes):
        for k, policy in enumerate(spec.policies):
            g = data[data.policy == policy]
            if g.empty:
                continue
            # average over replications and other factors per seed-free cell, CI over replications
            per = g.groupby([factor, "replicate"])[outcome].mean().reset_index()
            stats = per.groupby(factor)[outcome].apply(lambda s: pd.Series(mean_ci(s), index=["m", "lo", "hi"]))
            stats = stats.unstack()
            x = stats.index.to_numpy(dtype=float)
            ax.plot(x, stats.m, "-o", ms=3, color=colours[k % 10], label=policy)
            ax.fill_between(x, stats.lo, stats.hi, color=colours[k % 10], alpha=0.18, lw=0)
        ax.set_xlabel(factor)
        if categorical:
            ax.set_xticks(range(len(order)), order, fontsize=8)
        ax.set_ylabel(outcome.replace("_", " "), fontsize=9)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(f"{spec.name}: outcomes against {factor} (mean, 95% CI over replications)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.9), ncol=min(4, len(labels)),
               frameon=False, fontsize=9)
    fig.savefig(path, dpi=100)


def sensitivity(directory, out=None) -> pd.DataFrame:
    """Sobol (first-order, total) or Morris indices per policy and outcome; table and bar chart."""
    from lmxsim.output import staged_output

    _, spec, runs = load_experiment(directory)
    if spec.method not in ("sobol", "morris"):
        raise LMXInputError("DIR", str(directory), "an experiment with a sobol or morris design "
                                                   f"(this one is {spec.method})")
    problem = salib_problem(spec)
    X = sample_matrix(spec)
    n_points = len(X)
    rows = []
    for policy in spec.policies:
        g = runs[runs.policy == policy]
        means = g.groupby("point_id")[list(spec.outcomes)].mean()
        if len(means) != n_points:
            raise LMXInputError("DIR", str(directory), f"a finished experiment ({len(means)} of {n_points} design "
                                                       f"points stored for {policy}; re-run to finish it)")
        for outcome in spec.outcomes:
            Y = means[outcome].to_numpy(dtype=float)
            if not np.isfinite(Y).all() or np.ptp(Y) == 0:
                # undefined at some design point (the 52-week cohort outcomes of shorter runs), or the
                # same at every point: no index is defined - NaN rows, not SALib's 0 or its masked '--'
                names = ("S1", "S1_conf", "ST", "ST_conf") if spec.method == "sobol" else \
                    ("mu_star", "mu_star_conf", "sigma")
                rows += [{"policy": policy, "outcome": outcome, "parameter": name, **dict.fromkeys(names, np.nan)}
                         for name in problem["names"]]
                continue
            if spec.method == "sobol":
                from SALib.analyze import sobol
                res = sobol.analyze(problem, Y, calc_second_order=False, seed=spec.root_seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"policy": policy, "outcome": outcome, "parameter": name,
                                 "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                                 "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
            else:
                from SALib.analyze import morris
                res = morris.analyze(problem, X, Y, num_levels=spec.levels, seed=spec.root_seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"policy": policy, "outcome": outcome, "parameter": name,
                                 "mu_star": res["mu_star"][i], "mu_star_conf": res["mu_star_conf"][i],
                                 "sigma": res["sigma"][i]})
    table = pd.DataFrame(rows)
    out = Path(out) if out is not None else Path(directory) / "sensitivity"
    with staged_output(out) as stage:
        table.to_csv(stage / "sensitivity.csv", index=False)
        sensitivity_figure(table, spec, stage / "sensitivity.png")
    return table


def sensitivity_figure(table: pd.DataFrame, spec, path) -> None:
    from lmxsim.plots import COLOURS, new_figure

    index, conf, label = ("ST", "ST_conf", "total Sobol index") if spec.method == "sobol" else \
        ("mu_star", "mu_star_conf", "Morris mu*")
    outcomes = list(spec.outcomes)[:4]
    policies = list(spec.policies)
    fig, axes = new_figure(len(outcomes), 1, figsize=(8, 2.6 * len(outcomes)), squeeze=False)
    params = list(spec.ranges)
    width = 0.8 / len(policies)
    colours = COLOURS
    for ax, outcome in zip(axes[:, 0], outcomes):
        for k, policy in enumerate(policies):
            t = table[(table.outcome == outcome) & (table.policy == policy)].set_index("parameter").loc[params]
            x = np.arange(len(params)) + k * width
            ax.bar(x, t[index], width, yerr=t[conf], color=colours[k % 10], label=policy, capsize=2)
            if spec.method == "sobol":
                ax.scatter(x, t["S1"], color="black", s=10, zorder=3, label="first-order" if k == 0 else None)
        ax.set_xticks(np.arange(len(params)) + 0.4 - width / 2, params, fontsize=8, rotation=15)
        ax.set_ylabel(label, fontsize=8)
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0, 0].legend(fontsize=7, frameon=False, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
