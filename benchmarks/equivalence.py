"""Same model, new numbers: do two lmxsim checkouts give the same run-level outcome distributions?

An engine change (keyed random numbers, a batch engine; issue 11) changes every seeded number
but must not change the model. This harness runs every registered policy in three cells -
the ``default`` preset, ``default`` with ``team_size=30`` and the ``remote_team`` preset - for
N seeds with the lmxsim of this checkout ("current") and with the lmxsim of an older checkout
("baseline"), and compares, per cell, policy and run-level outcome, the two samples of runs.
What it tests and how to read its table: docs/engine.md.

Usage (from the repository root; 7 policies x 3 cells x 50 seeds x 2 engines = 2100 runs,
10-18 minutes on a shared 2-core machine with today's engine; docs/engine.md)::

    git worktree add /tmp/equiv-base <old-commit>
    python benchmarks/equivalence.py --baseline /tmp/equiv-base                 # 50 seeds, results/equivalence
    python benchmarks/equivalence.py --baseline /tmp/equiv-base --seeds 8 --policies reactive_in_crowd \\
        --set n_teams=3 --set weeks=52 --out /tmp/eq                              # a quick look
    python benchmarks/equivalence.py --baseline . --perturb idea_rate=1.2     # power check: must fail
    python benchmarks/equivalence.py --baseline /tmp/equiv-base --confirm     # flags re-tested on fresh seeds

Each engine runs in its own child process with ``PYTHONPATH=CHECKOUT`` (the approach of
``run_all.py --baseline``), through the experiment pipeline (``lmxsim.experiments.parse_spec``
and ``run``, one worker), so the current side runs the way research runs are made. The two
engines use different root seeds (``--baseline-seed``, ``--current-seed``): the samples are
independent, as the two-sample tests assume, and distributions are compared, not runs.

Per (cell, policy, outcome): the two-sample Kolmogorov-Smirnov test and Welch's t-test
(``scipy.stats``), and the standardized mean difference (current - baseline over the root mean
of the two variances). Holm's step-down correction runs over every test of the table (both
tests of every outcome, policy and cell); a hypothesis is rejected where its adjusted p < 0.05,
which keeps the family-wise error rate at 5%. With ``--confirm``, the cells and policies with
a rejected hypothesis run again on fresh seeds and only a flagged outcome that differs again
fails (equal engines fail the screen alone up to 5% of the time; they did on this harness's
first full run).

Writes to ``OUT`` (default ``results/equivalence``): ``results.csv`` (one row per cell,
policy and outcome), ``results.md`` (summary paragraph and tables, also printed),
``runs_baseline.csv`` and ``runs_current.csv`` (every run's outcomes) and ``meta.json`` (the
command, both checkouts' commits and versions, seeds, timings). Exit code 0 when no hypothesis
is rejected (with ``--confirm``: none rejected again), 1 when one is, 2 for bad input (one line
naming the option).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ALPHA = 0.05          # family-wise error rate of the whole table
POWER = 0.8           # for the smallest detectable effect quoted in the summary

# cell name -> (scenario preset, parameter overrides of the cell)
CELLS = {
    "default": ("default", {}),
    "team_size_30": ("default", {"team_size": 30}),
    "remote_team": ("remote_team", {}),
}
TESTS = ("ks", "welch")
CONFIRM_SEED_OFFSET = 1_000_000  # --confirm's root seeds: each engine's root seed + this (fresh, independent runs)
EXIT_PASS, EXIT_REJECTED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Bad command-line input: printed as one line, exit code 2."""

    def __init__(self, option: str, value: object, allowed: str):
        super().__init__(f"{option}={value!r} is not allowed: {allowed}")


class EngineRefused(Exception):
    """An engine refused an option (it printed the one-line error itself): exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (as lmxsim's command line)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"equivalence: error: {message} (see --help)\n")


# ============================================================================ children
# These run inside a child process whose lmxsim is the checkout under test: they use only
# lmxsim's public experiment pipeline (parse_spec, run), its outcome list, its policy
# registry, its scenarios, Params and the command line's --set parser.

def _child_specs(cfg: dict):
    """The checkout's lmxsim, its outcome names, policy names and one experiment spec per cell."""
    import lmxsim
    from lmxsim.cli import parse_sets
    from lmxsim.errors import LMXInputError
    from lmxsim.experiments import parse_spec
    from lmxsim.outcomes import OUTCOMES
    from lmxsim.params import Params
    from lmxsim.policies import policy_names
    from lmxsim.scenarios import get_scenario

    checkout = Path(cfg["checkout"]).resolve()
    if not Path(lmxsim.__file__).resolve().is_relative_to(checkout):
        raise LMXInputError(cfg["option"], cfg["checkout"], f"a checkout whose lmxsim/ is imported (this child "
                                                            f"imported {Path(lmxsim.__file__).parent})")
    known = policy_names()
    policies = cfg["policies"] or known
    for name in policies:
        if name not in known:
            raise LMXInputError("--policies", name, f"a policy registered in {cfg['side']} ({', '.join(known)})")
    sets = parse_sets(cfg["sets"])
    weeks = sets.pop("weeks", None)
    specs = {}
    for cell in cfg["cells"]:
        scenario, cell_overrides = CELLS[cell]
        fixed = {**sets, **cell_overrides}
        if cfg["perturb"]:
            name, factor = cfg["perturb"]
            preset = get_scenario(scenario).overrides
            value = getattr(Params(**{**preset, **fixed}), name, None)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise LMXInputError("--perturb", name, "a numeric parameter (see `lmxsim list parameters`)")
            fixed[name] = round(value * factor) if isinstance(value, int) else value * factor
        experiment = {"name": f"equivalence_{cell}", "purpose": "Same model, new numbers (benchmarks/equivalence.py).",
                      "scenario": scenario, "policies": list(policies), "replications": cfg["seeds"],
                      "root_seed": cfg["root_seed"], "outcomes": list(OUTCOMES)}
        if weeks is not None:
            experiment["weeks"] = weeks
        try:
            specs[cell] = parse_spec({"experiment": experiment, "fixed": fixed}, where=cfg["side"])
        except LMXInputError as exc:
            if cfg["perturb"] and exc.field.endswith(cfg["perturb"][0]):
                raise LMXInputError("--perturb", f"{cfg['perturb'][0]}={cfg['perturb'][1]}",
                                    f"a factor keeping {cfg['perturb'][0]} in range in cell {cell} ({exc})") from None
            raise
    return lmxsim, list(OUTCOMES), list(policies), specs


def child_main(cfg: dict) -> int:
    """Check every option with this checkout's lmxsim and say so (a ``PROTOCOL`` line with the
    checkout's policies and outcomes); then, told ``run`` on stdin, run every cell, write the
    runs' CSV and say how long each cell took. Bad input: one line on stderr, exit code 2."""
    from lmxsim.errors import LMXInputError
    try:
        lmxsim, outcomes, policies, specs = _child_specs(cfg)
    except LMXInputError as exc:
        print(f"equivalence: error: {cfg['side']} ({cfg['checkout']}): {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _say({"lmxsim_file": str(Path(lmxsim.__file__).resolve()), "outcomes": outcomes, "policies": policies,
          "versions": _versions()})
    if sys.stdin.readline().strip() != "run":
        return 0
    import pandas as pd
    from lmxsim.experiments import run

    frames, seconds = [], {}
    for cell, spec in specs.items():
        start = time.perf_counter()
        runs = run(spec, workers=1, progress=False)
        seconds[cell] = time.perf_counter() - start
        runs.insert(0, "cell", cell)
        frames.append(runs)
        print(f"[{cfg['side']}] {cell}: {len(runs)} runs in {seconds[cell]:.0f} s", file=sys.stderr, flush=True)
    pd.concat(frames, ignore_index=True).to_csv(cfg["runs_csv"], index=False)
    _say({"cell_seconds": seconds})
    return 0


PROTOCOL = "equivalence-child: "   # marks the child's answers on its stdout (anything else there is ignored)


def _say(answer: dict) -> None:
    print(PROTOCOL + json.dumps(answer), flush=True)


def _versions() -> dict:
    from importlib import metadata
    out = {"python": sys.version.split()[0]}
    for pkg in ("lmxsim", "mesa", "numpy", "scipy", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


class Engine:
    """One checkout's lmxsim in a child process with ``PYTHONPATH=CHECKOUT`` (the approach of
    ``run_all.py --baseline``): it checks the options as it starts and runs only when told to,
    so a bad option in either engine stops both before a model runs."""

    def __init__(self, cfg: dict):
        self.side = cfg["side"]
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join([cfg["checkout"]] + [x for x in [os.environ.get("PYTHONPATH")] if x])}
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(cfg)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                     cwd=cfg["checkout"])

    def answer(self) -> dict | None:
        """The child's next answer; ``None`` when it refused bad input (its one-line error is on stderr)."""
        for line in self.proc.stdout:
            if line.startswith(PROTOCOL):
                return json.loads(line[len(PROTOCOL):])
        if self.proc.wait() == EXIT_BAD_INPUT:
            return None
        raise RuntimeError(f"the {self.side} engine's process failed with exit code {self.proc.returncode} "
                           f"(its error is above)")

    def run(self) -> None:
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # an idle child reads end-of-file and exits
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# ============================================================================ statistics
def compare_samples(baseline, current) -> dict:
    """Two-sample KS and Welch t tests of ``current`` against ``baseline`` (NaNs dropped), and the
    standardized mean difference (current - baseline) / sqrt((var_baseline + var_current) / 2).

    Two constant samples cannot be t-tested: their tests' p is 1 when the constants are equal
    and 0 when they differ (a certain difference). Fewer than 2 finite values on a side: no
    test (p NaN)."""
    import numpy as np
    from scipy import stats

    a = np.asarray(baseline, dtype=float)
    b = np.asarray(current, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    row = {"n_baseline": len(a), "n_current": len(b),
           "mean_baseline": a.mean() if len(a) else math.nan, "mean_current": b.mean() if len(b) else math.nan,
           "sd_baseline": a.std(ddof=1) if len(a) > 1 else math.nan,
           "sd_current": b.std(ddof=1) if len(b) > 1 else math.nan}
    if len(a) < 2 or len(b) < 2:
        return {**row, "smd": math.nan, "ks_stat": math.nan, "ks_p": math.nan, "welch_t": math.nan,
                "welch_p": math.nan}
    diff = row["mean_current"] - row["mean_baseline"]
    spread = math.sqrt((row["sd_baseline"] ** 2 + row["sd_current"] ** 2) / 2)
    ks = stats.ks_2samp(b, a)
    if spread == 0:  # both samples constant
        same = bool(a[0] == b[0])
        return {**row, "smd": 0.0 if same else math.copysign(math.inf, diff), "ks_stat": float(ks.statistic),
                "ks_p": float(ks.pvalue), "welch_t": 0.0 if same else math.copysign(math.inf, diff),
                "welch_p": 1.0 if same else 0.0}
    welch = stats.ttest_ind(b, a, equal_var=False)
    return {**row, "smd": diff / spread, "ks_stat": float(ks.statistic), "ks_p": float(ks.pvalue),
            "welch_t": float(welch.statistic), "welch_p": float(welch.pvalue)}


def holm(pvalues):
    """Holm-adjusted p-values in the given order (NaN = no test, left out of the family):
    statsmodels' ``multipletests(method="holm")`` where installed, else lmxsim's own
    :func:`lmxsim.stats.holm` (the one ``lmxsim compare`` uses)."""
    import numpy as np
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        adjust, _ = holm_method()
        out[ok] = adjust(p[ok])
    return out


def holm_method():
    """(function of finite p-values -> Holm-adjusted p-values, its name)."""
    try:
        from statsmodels.stats.multitest import multipletests
    except ImportError:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from lmxsim.stats import holm as lmxsim_holm
        return lmxsim_holm, "lmxsim.stats.holm (statsmodels is not installed)"
    return (lambda p: multipletests(p, alpha=ALPHA, method="holm")[1]), "statsmodels multipletests(method='holm')"


def analyse(baseline, current, cells: list[str], policies: list[str], outcomes: list[str]):
    """One row per (cell, policy, outcome): both samples' sizes, means and SDs, the SMD, both
    tests with raw and Holm-adjusted p (Holm over every test of the table) and ``rejected``."""
    import pandas as pd

    rows = []
    for cell in cells:
        for policy in policies:
            a = baseline[(baseline.cell == cell) & (baseline.policy == policy)]
            b = current[(current.cell == cell) & (current.policy == policy)]
            for outcome in outcomes:
                rows.append({"cell": cell, "policy": policy, "outcome": outcome,
                             **compare_samples(a[outcome], b[outcome])})
    res = pd.DataFrame(rows)
    stacked = holm(pd.concat([res[f"{t}_p"] for t in TESTS], ignore_index=True))
    for i, t in enumerate(TESTS):
        res[f"{t}_p_holm"] = stacked[i * len(res):(i + 1) * len(res)]
    res["rejected"] = (res[[f"{t}_p_holm" for t in TESTS]] < ALPHA).any(axis=1)
    res["min_p"] = res[[f"{t}_p" for t in TESTS]].min(axis=1)
    res["min_p_holm"] = res[[f"{t}_p_holm" for t in TESTS]].min(axis=1)
    return res


def confirm_flagged(res, baseline, current):
    """The screen's rejected hypotheses tested again on fresh runs of both engines (``--confirm``):
    ``confirm_*`` columns for the flagged rows, Holm over the flagged rows' tests only, and
    ``confirmed`` where a flagged outcome differs again. A hypothesis that is true (equal
    engines) is then reported as different only if both independent stages reject it, so the
    family-wise error stays below 5%; a real difference is found twice."""
    import numpy as np
    import pandas as pd

    res = res.copy()
    flagged = res.index[res.rejected]
    rows = []
    for i in flagged:
        cell, policy, outcome = res.loc[i, ["cell", "policy", "outcome"]]
        a = baseline[(baseline.cell == cell) & (baseline.policy == policy)][outcome]
        b = current[(current.cell == cell) & (current.policy == policy)][outcome]
        rows.append(compare_samples(a, b))
    again = pd.DataFrame(rows, index=flagged)
    for col in ("mean_baseline", "mean_current", "smd", "ks_p", "welch_p"):
        res[f"confirm_{col}"] = again[col] if len(again) else np.nan
    stacked = holm(pd.concat([res.loc[flagged, f"confirm_{t}_p"] for t in TESTS], ignore_index=True))
    res["confirm_min_p_holm"] = np.nan
    if len(flagged):
        res.loc[flagged, "confirm_min_p_holm"] = np.fmin(stacked[:len(flagged)], stacked[len(flagged):])
    res["confirmed"] = res.confirm_min_p_holm < ALPHA
    return res


def failed(res) -> bool:
    """The verdict: a hypothesis rejected (and, with ``--confirm``, rejected again on fresh seeds)."""
    return bool(res.confirmed.any() if "confirmed" in res else res.rejected.any())


def cell_table(res):
    """One row per (cell, policy): the smallest Holm-adjusted p of its outcomes and tests, the
    largest |SMD| (and its outcome), the number of rejected outcomes and pass/fail."""
    import pandas as pd

    rows = []
    for (cell, policy), g in res.groupby(["cell", "policy"], sort=False):
        worst = g.loc[g.min_p_holm.idxmin()] if g.min_p_holm.notna().any() else None
        abs_smd = g.smd.abs()
        big = g.loc[abs_smd.idxmax()] if abs_smd.notna().any() else None
        rows.append({"cell": cell, "policy": policy, "tests": int(g[[f"{t}_p" for t in TESTS]].notna().sum().sum()),
                     "min_p_holm": worst.min_p_holm if worst is not None else math.nan,
                     "min_p_holm_outcome": worst.outcome if worst is not None else "",
                     "max_abs_smd": abs(big.smd) if big is not None else math.nan,
                     "max_abs_smd_outcome": big.outcome if big is not None else "",
                     "rejected": int(g.rejected.sum()), "result": _result(g)})
    return pd.DataFrame(rows)


def _result(rows) -> str:
    """pass; FAIL (a difference, confirmed on fresh seeds where --confirm ran); cleared (flagged by
    the screen, not confirmed on fresh seeds)."""
    if failed(rows):
        return "FAIL"
    return "cleared" if rows.rejected.any() else "pass"


def detectable_smd(n_baseline: int, n_current: int, alpha: float, power: float = POWER) -> float:
    """Smallest |SMD| a two-sided test at level ``alpha`` detects with ``power`` (normal approximation)."""
    from scipy.stats import norm
    return (norm.ppf(1 - alpha / 2) + norm.ppf(power)) * math.sqrt(1 / n_baseline + 1 / n_current)


def chance_max_smd(n_baseline: int, n_current: int, comparisons: int) -> float:
    """Median of the largest |SMD| of ``comparisons`` independent comparisons of equal distributions."""
    from scipy.stats import norm
    return norm.ppf((1 + 0.5 ** (1 / comparisons)) / 2) * math.sqrt(1 / n_baseline + 1 / n_current)


# ============================================================================ report
def _p(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.2g}" if x < 0.01 else f"{x:.2f}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def _side(meta: dict, side: str) -> str:
    s = meta[side]
    dirty = " with uncommitted changes" if s.get("dirty") else ""
    perturb = (f", {meta['perturb'][0]} x {meta['perturb'][1]:g} (--perturb)"
               if side == "current" and meta.get("perturb") else "")
    return f"`{s['commit'] or '?'}`{dirty} ({s['checkout']}{perturb})"


def summary_paragraph(res, table, meta: dict) -> str:
    n_tests = int(res[[f"{t}_p" for t in TESTS]].notna().sum().sum())
    n_b, n_c = meta["seeds"], meta["seeds"]
    cells, policies, outcomes = meta["cells"], meta["policies"], meta["outcomes"]
    rejected = res[res.rejected]
    text = (f"Baseline {_side(meta, 'baseline')} against current {_side(meta, 'current')}: "
            f"{_count(len(policies), 'policy')} x {_count(len(cells), 'cell')} x {_count(meta['seeds'], 'seed')} per "
            f"engine (independent runs, "
            f"root seeds {meta['baseline']['root_seed']} and {meta['current']['root_seed']}), "
            f"{len(outcomes)} run-level outcomes, {n_tests} tests (Kolmogorov-Smirnov and Welch per outcome), Holm-adjusted over the whole "
            f"table at family-wise {ALPHA:.0%}. ")
    if rejected.empty:
        text += "**No hypothesis is rejected: the outcome distributions match.** "
    else:
        where = table[table.rejected > 0]
        named = [f"{r.policy} in {r.cell}" for r in where.itertuples()]
        if len(named) > 6:
            named = named[:5] + [f"and {len(named) - 5} more"]
        text += (f"**{len(rejected)} of {len(res)} outcome comparisons differ, in {len(where)} of {len(table)} "
                 f"cells x policies** ({'; '.join(named)}). ")
        confirm = meta.get("confirm")
        if confirm:
            roots = confirm["root_seeds"]
            text += (f"Run again on fresh seeds (`--confirm`, root seeds {roots['baseline']} and {roots['current']}), "
                     f"{confirm['confirmed']} of the {confirm['flagged']} differ again (Holm over their tests): ")
            text += ("**the difference is confirmed.** " if confirm["confirmed"] else
                     "**none does: the screen's flags were chance, the outcome distributions match.** ")
    if res.min_p.notna().any():
        w = res.loc[res.min_p.idxmin()]
        text += (f"Smallest p: {_p(w.min_p)}, Holm-adjusted {_p(w.min_p_holm)} ({w.outcome}, {w.policy}, "
                 f"{w.cell}). ")
    if res.smd.notna().any():
        finite = res[res.smd.notna()]
        b = finite.loc[finite.smd.abs().idxmax()]
        chance = chance_max_smd(n_b, n_c, len(finite))
        text += (f"Largest |SMD|: {abs(b.smd):.2f} ({b.outcome}, {b.policy}, {b.cell}); chance alone typically "
                 f"gives a largest |SMD| of about {chance:.2f} among {len(finite)} comparisons at {meta['seeds']} "
                 f"seeds per engine. ")
    if n_tests:
        strict = detectable_smd(n_b, n_c, ALPHA / n_tests)
        loose = detectable_smd(n_b, n_c, ALPHA)
        text += (f"Power: a single shifted outcome is flagged with {POWER:.0%} probability from about "
                 f"|SMD| = {strict:.2f} (Welch, at the strictest Holm step; {loose:.2f} once it is the last "
                 f"hypothesis standing).")
    missing = {k: v for k, v in meta["not_compared"].items() if v}
    if missing:
        text += " Not compared (present in one engine only): " + "; ".join(
            f"{k}: {', '.join(v)}" for k, v in missing.items()) + "."
    return text


def markdown(res, table, meta: dict) -> str:
    cells, policies = meta["cells"], meta["policies"]
    head = {"default": "default", "team_size_30": "default, team_size=30", "remote_team": "remote_team"}
    lines = ["## Same model, new numbers: outcome distributions, baseline vs current", "",
             summary_paragraph(res, table, meta), "",
             "Each cell: pass or FAIL (FAIL = a hypothesis rejected at family-wise 5%; with `--confirm`, "
             "rejected again on fresh seeds, and *cleared* = rejected, but not again on fresh seeds), the smallest "
             "Holm-adjusted p over the policy's outcomes and both tests, and the largest \\|SMD\\| "
             "(standardized mean difference, current - baseline).", "",
             "| policy | " + " | ".join(head.get(c, c) for c in cells) + " |",
             "|---|" + "---|" * len(cells)]
    by = {(r.cell, r.policy): r for r in table.itertuples()}
    for policy in policies:
        entries = []
        for cell in cells:
            r = by[(cell, policy)]
            entries.append(f"{r.result} · p_H {_p(r.min_p_holm)} · \\|SMD\\| {r.max_abs_smd:.2f}")
        lines.append(f"| `{policy}` | " + " | ".join(entries) + " |")
    flagged = res[res.rejected].sort_values("min_p")
    closest = res[~res.rejected & res.min_p.notna()].nsmallest(5, "min_p")
    for title, rows in (("Rejected hypotheses", flagged), ("Closest calls (smallest p, not rejected)",
                                                              closest)):
        if rows.empty:
            continue
        lines += ["", f"### {title}", "",
                  "| cell | policy | outcome | mean baseline | mean current | SMD | KS p (Holm) | Welch p (Holm) |",
                  "|---|---|---|---:|---:|---:|---:|---:|"]
        for r in rows.itertuples():
            lines.append(f"| {r.cell} | `{r.policy}` | {r.outcome} | {r.mean_baseline:.4g} | {r.mean_current:.4g} | "
                         f"{r.smd:+.2f} | {_p(r.ks_p)} ({_p(r.ks_p_holm)}) | {_p(r.welch_p)} ({_p(r.welch_p_holm)}) |")
    if "confirmed" in res:
        again = res[res.rejected].sort_values("min_p")
        lines += ["", "### Flagged hypotheses on fresh seeds (`--confirm`)", "",
                  "| cell | policy | outcome | mean baseline | mean current | SMD | KS p | Welch p | "
                  "min p (Holm) | differs again |", "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
        for r in again.itertuples():
            lines.append(f"| {r.cell} | `{r.policy}` | {r.outcome} | {r.confirm_mean_baseline:.4g} | "
                         f"{r.confirm_mean_current:.4g} | {r.confirm_smd:+.2f} | {_p(r.confirm_ks_p)} | "
                         f"{_p(r.confirm_welch_p)} | {_p(r.confirm_min_p_holm)} | "
                         f"{'**yes**' if r.confirmed else 'no'} |")
    lines += ["", f"Command: `{meta['command']}`; {meta['seconds']:.0f} s; multiple comparisons: {meta['holm']}."]
    return "\n".join(lines) + "\n"


# ============================================================================ main
def _commit(checkout: Path) -> tuple[str, bool]:
    def git(*args):
        return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "--short", "HEAD"), bool(git("status", "--porcelain", "--untracked-files=no"))


def _checkout(option: str, value: str) -> Path:
    path = Path(value).resolve()
    if not (path / "lmxsim" / "__init__.py").is_file():
        raise BadInput(option, value, "a checkout of lmxsim (a directory holding lmxsim/__init__.py), e.g. a "
                                      "`git worktree add /tmp/equiv-base <commit>`")
    return path


def _names(option: str, value: str | None, known: list[str] | None = None) -> list[str] | None:
    if value is None:
        return None
    names = [x.strip() for x in value.split(",") if x.strip()]
    if not names or len(set(names)) != len(names):
        raise BadInput(option, value, "a comma-separated list of distinct names")
    for name in names:
        if known is not None and name not in known:
            raise BadInput(option, name, "one of " + ", ".join(known))
    return names


def _perturb(value: str | None):
    if value is None:
        return None
    name, sep, text = value.partition("=")
    try:
        factor = float(text)
    except ValueError:
        factor = math.nan
    if not sep or not name.strip() or not (math.isfinite(factor) and factor > 0):
        raise BadInput("--perturb", value, "NAME=FACTOR with a factor > 0, e.g. idea_rate=1.2")
    return [name.strip(), factor]


def main(argv: list[str] | None = None) -> int:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="CHECKOUT",
                    help="checkout whose lmxsim is the previous engine (e.g. a `git worktree` of an older commit)")
    ap.add_argument("--current", metavar="CHECKOUT", default=str(ROOT),
                    help="checkout whose lmxsim is the new engine (default: the one holding this script)")
    ap.add_argument("--seeds", type=int, default=50, help="runs per engine, cell and policy (default 50)")
    ap.add_argument("--out", default="results/equivalence", help="directory for the results (default %(default)s)")
    ap.add_argument("--policies", help="comma-separated policies (default: every policy registered in both)")
    ap.add_argument("--cells", help="comma-separated cells among " + ", ".join(CELLS) + " (default: all)")
    ap.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                    help="override a parameter in every cell of both engines (repeatable; a cell's own setting, "
                         "team_size=30, wins), e.g. --set n_teams=3 --set weeks=52 for a quick look")
    ap.add_argument("--perturb", metavar="NAME=FACTOR",
                    help="power check: multiply parameter NAME by FACTOR in the current engine's runs only "
                         "(the harness must then fail)")
    ap.add_argument("--baseline-seed", type=int, default=1, help="root seed of the baseline's runs (default 1)")
    ap.add_argument("--current-seed", type=int, default=2, help="root seed of the current engine's runs (default 2)")
    ap.add_argument("--confirm", action="store_true",
                    help="when hypotheses are rejected, run the flagged cells and policies again on fresh seeds "
                         "and fail only if a flagged outcome differs again (Holm over the flagged tests)")
    ap.add_argument("--jobs", type=int, default=2, choices=[1, 2],
                    help="engines run at once, one process each (default 2; 1 runs them one after the other)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(json.loads(args.child))
    try:
        return run_harness(args, argv)
    except BadInput as exc:
        print(f"equivalence: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run_harness(args, argv) -> int:
    start = time.time()
    if args.baseline is None:
        raise BadInput("--baseline", None, "a checkout of the previous engine (required)")
    checkouts = {"baseline": _checkout("--baseline", args.baseline), "current": _checkout("--current", args.current)}
    if args.seeds < 2:
        raise BadInput("--seeds", args.seeds, "an integer >= 2 (the tests need replications; 50 for the record)")
    for option, seed in (("--baseline-seed", args.baseline_seed), ("--current-seed", args.current_seed)):
        if seed < 0:
            raise BadInput(option, seed, "an integer >= 0")
    cells = _names("--cells", args.cells, list(CELLS)) or list(CELLS)
    policies = _names("--policies", args.policies)
    perturb = _perturb(args.perturb)
    for item in args.set:
        if "=" not in item:
            raise BadInput("--set", item, "PARAM=VALUE, e.g. n_teams=3")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", args.out, "a directory (this is a file)")

    roots = {"baseline": args.baseline_seed, "current": args.current_seed}
    confirm_roots = {side: seed + CONFIRM_SEED_OFFSET for side, seed in roots.items()}
    if len({*roots.values(), *(confirm_roots.values() if args.confirm else ())}) < (4 if args.confirm else 2):
        raise BadInput("--current-seed", args.current_seed, "a root seed other than --baseline-seed's (with "
                                                            f"--confirm, also not {CONFIRM_SEED_OFFSET} apart)")
    import pandas as pd

    def run_engines(cells, policies, roots, suffix):
        """Both engines' runs of ``cells`` x ``policies`` (one frame per side) and what each engine said."""
        engines = {}
        try:
            for side in ("baseline", "current"):
                engines[side] = Engine({
                    "side": side, "option": f"--{side}", "checkout": str(checkouts[side]), "cells": cells,
                    "policies": policies, "sets": args.set, "perturb": perturb if side == "current" else None,
                    "seeds": args.seeds, "root_seed": roots[side],
                    "runs_csv": str((out / f"runs_{side}{suffix}.csv").resolve())})
            infos = {side: engine.answer() for side, engine in engines.items()}
            if None in infos.values():
                raise EngineRefused
            out.mkdir(parents=True, exist_ok=True)
            print(f"equivalence{suffix.replace('_', ' ')}: {_count(len(cells), 'cell')} x "
                  f"{_count(args.seeds, 'seed')} x {_count(len(policies), 'policy') if policies else 'every policy'}, "
                  f"two engines ({args.jobs} at a time)", file=sys.stderr, flush=True)
            order = list(engines.values())
            for i in range(0, len(order), args.jobs):
                batch = order[i:i + args.jobs]
                for engine in batch:
                    engine.run()
                for engine in batch:
                    infos[engine.side].update(engine.answer() or {})
        finally:
            for engine in engines.values():
                engine.stop()
        runs = {side: pd.read_csv(out / f"runs_{side}{suffix}.csv") for side in engines}
        for side, frame in runs.items():
            counts = frame.groupby(["cell", "policy"]).size()
            if (counts != args.seeds).any() or len(counts) != len(cells) * len(infos[side]["policies"]):
                raise RuntimeError(f"{side}: expected {args.seeds} runs per cell and policy, got\n{counts}")
        return infos, runs

    try:
        infos, runs = run_engines(cells, policies, roots, "")
    except EngineRefused:
        return EXIT_BAD_INPUT

    def both(key):
        return [x for x in infos["current"][key] if x in infos["baseline"][key]]

    def one_side(key):
        return sorted(set(infos["current"][key]) ^ set(infos["baseline"][key]))
    compared_policies, outcomes = both("policies"), both("outcomes")
    outcomes = [o for o in outcomes if all(pd.api.types.is_numeric_dtype(runs[s][o]) for s in runs)]
    res = analyse(runs["baseline"], runs["current"], cells, compared_policies, outcomes)
    confirm = None
    if args.confirm and res.rejected.any():
        flagged = res[res.rejected]
        again_cells = [c for c in cells if c in set(flagged.cell)]
        again_policies = [p for p in compared_policies if p in set(flagged.policy)]
        t = time.time()
        _, again = run_engines(again_cells, again_policies, confirm_roots, "_confirm")
        res = confirm_flagged(res, again["baseline"], again["current"])
        confirm = {"root_seeds": confirm_roots, "cells": again_cells, "policies": again_policies,
                   "flagged": int(res.rejected.sum()), "confirmed": int(res.confirmed.sum()),
                   "seconds": time.time() - t}
    table = cell_table(res)
    given = argv if argv is not None else sys.argv[1:]
    meta = {"command": "python benchmarks/equivalence.py " + " ".join(given),
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(start)),
            "seconds": time.time() - start, "seeds": args.seeds, "cells": cells,
            "cell_definitions": {c: {"scenario": CELLS[c][0], "overrides": CELLS[c][1]} for c in cells},
            "sets": args.set, "perturb": perturb, "policies": compared_policies, "outcomes": outcomes,
            "not_compared": {"policies": one_side("policies"), "outcomes": one_side("outcomes")},
            "alpha": ALPHA, "holm": holm_method()[1], "rejected": int(res.rejected.sum()), "confirm": confirm,
            "verdict": "FAIL" if failed(res) else "pass", "load_after": [round(x, 2) for x in os.getloadavg()]}
    for side in ("baseline", "current"):
        commit, dirty = _commit(checkouts[side])
        meta[side] = {"checkout": str(checkouts[side]), "commit": commit, "dirty": dirty,
                      "root_seed": getattr(args, f"{side}_seed"), **infos[side]}
    res.to_csv(out / "results.csv", index=False)
    text = markdown(res, table, meta)
    (out / "results.md").write_text(text)
    (out / "meta.json").write_text(json.dumps(meta, indent=1, default=str))
    print(text, end="")
    return EXIT_REJECTED if failed(res) else EXIT_PASS


if __name__ == "__main__":
    sys.exit(main())
