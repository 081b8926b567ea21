"""Stylized facts from the LMX literature, checked against simulated data (``lmxsim validate``).

Each fact is estimated the way a field study would: from the member panel, after month 6
(week 26), pooling the seeds. Replication r runs with the r-th seed of the root seed
(:func:`lmxsim.runs.replication_seeds`), the seed ``lmxsim compare`` and ``lmxsim
experiment run`` give replication r of the same root seed. The 95% confidence interval is
a BCa bootstrap (``scipy.stats.bootstrap``, 9999 resamples, seeded: the same data give the
same table) over seeds (seeds are the independent units; members of one run are not). A
fact passes when its estimate lies in the literature's range and its side condition (e.g.
"higher in the first year") holds; the table reports the estimate either way. Optionally
LMX is "measured" through a simulated LMX-7 survey with a chosen reliability, so simulated
correlations can be set against observed r rather than corrected rho.

Facts 9 and 10 are policy comparisons rather than field-study correlations: an absent leader
against equal split on the same organisations in four regimes, and equal treatment at five
latitudes with performance by competence tercile; a fact that must hold *clearly* passes only
when its whole CI lies in the target range.

Targets are the stylized facts of the LMX literature (each fact names its sources); ``docs/calibration.md`` explains for each
fact which mechanism produces it and which parameters it is most sensitive to.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lmxsim.datadict import Column
from lmxsim.outcomes import MEASURE_FROM_WEEK
from lmxsim.policies.base import Decisions, Policy, PolicyView, registered
from lmxsim.runs import RunResult, RunTask, replication_seeds, run_tasks

SURVEY_EVERY = 13  # weeks between panel "waves", like a quarterly survey
TENURE_NEAR_ZERO = 0.15  # |r(trust, tenure with leader)| counted as "near zero" (Dirks & Ferrin: -.01)


@dataclass
class Fact:
    key: str
    claim: str
    target: str
    low: float
    high: float
    source: str
    estimate: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    detail: str = ""
    extra: dict = field(default_factory=dict)
    condition: bool = True   # the fact's side condition (e.g. "higher in the first year") holds
    whole_ci: bool = False   # "clearly": the whole 95% CI, not only the estimate, must lie in the range

    @property
    def passed(self) -> bool:
        in_range = self.low <= self.estimate <= self.high
        if self.whole_ci:
            in_range = in_range and self.low <= self.ci_low and self.ci_high <= self.high
        return bool(self.condition and in_range)


@dataclass
class SeedData:
    seed: int
    replicate: int               # r: ``seed`` is replication r's seed of the root seed
    panel: pd.DataFrame          # quarterly waves from week 26
    reactive: pd.DataFrame       # weekly frame, reactive policy
    proactive: pd.DataFrame      # weekly frame, proactive policy
    promise_effects: pd.DataFrame
    training: pd.DataFrame       # per-member performance, trained vs control
    quits_by_tenure: dict
    absent: pd.DataFrame | None = None    # fact 9: outcomes per regime and policy (absent leaders, equal split)
    latitude: pd.DataFrame | None = None  # fact 10: member-quarters under each latitude of the grid


def survey(lmx: np.ndarray, reliability: float | None, rng: np.random.Generator) -> np.ndarray:
    """LMX as a survey would measure it: true score plus error giving ``reliability``."""
    if reliability is None:
        return lmx
    true_var = np.var(lmx)
    error_sd = np.sqrt(true_var * (1.0 - reliability) / reliability)
    return lmx + error_sd * rng.standard_normal(len(lmx))


TRAINING_WEEK = 26
TRAINING_FOLLOW_UP = (12, 26)   # performance is measured in weeks TRAINING_WEEK + 12 < week <= TRAINING_WEEK + 26


# ---------------------------------------------------------------- the policies of facts 9 and 10
# Constant, equal-treatment policies that exist only for the validation: registered while
# ``simulate`` runs (and, in worker processes, around each batch: :class:`_WithFactPolicies`),
# so they never show up in ``lmxsim list``, ``compare`` or the dashboard.

ABSENT_TIME_USE = 0.05             # fact 9: the absent leader spends 5% of the exchange hours ...
ABSENT_LATITUDES = (0.2, 1.0)      # ... whatever latitude they hand out
LATITUDE_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)   # fact 10: equal treatment at each latitude

# fact 9's regimes: name -> (scenario preset, parameter overrides); n_teams follows --members
ABSENT_REGIMES = {
    "default": ("default", {}),
    "large_teams": ("default", {"team_size": 30}),
    "stretched_leader": ("default", {"leader_hours_per_week": 3.0}),
    "remote": ("remote_team", {}),
}
ABSENT_BASELINE = "equal_split"


def _equal_treatment(name: str, latitude: float, time_use: float, doc: str) -> type[Policy]:
    """An equal-treatment policy (:meth:`Decisions.uniform`) with constant ``latitude`` and ``time_use``."""

    class _Constant(Policy):
        label = f"Validation: latitude {latitude:g}, {100 * time_use:g}% of the hours"
        source = "lmxsim validate (docs/calibration.md)"
        classifier = {"proactive": False, "differentiates": False, "uses_merit": False, "uses_similarity": False,
                      "extrinsic_rewards": False, "peer_leadership": False}

        def decide(self, view: PolicyView) -> Decisions:
            return Decisions.uniform(view, latitude=latitude, time_use=time_use)

    _Constant.name = name
    _Constant.__name__ = _Constant.__qualname__ = "Validation_" + name
    _Constant.__doc__ = doc
    return _Constant


def absent_policy(latitude: float) -> str:
    return f"absent_leader_latitude_{round(100 * latitude):03d}"


def latitude_policy(latitude: float) -> str:
    return f"equal_latitude_{round(100 * latitude):03d}"


FACT_POLICIES = tuple(
    [_equal_treatment(absent_policy(lat), lat, ABSENT_TIME_USE,
                      f"Absent leader (fact 9): {100 * ABSENT_TIME_USE:g}% of the exchange hours, latitude {lat:g} "
                      "for everyone. Skogstad et al. 2007.") for lat in ABSENT_LATITUDES]
    + [_equal_treatment(latitude_policy(lat), lat, 1.0,
                        f"Equal treatment at latitude {lat:g} (fact 10): all the hours, shared evenly. "
                        "Pierce & Aguinis 2013.") for lat in LATITUDE_GRID])


def fact_policies():
    """Register :data:`FACT_POLICIES` inside the block (and unregister those it added)."""
    return registered(FACT_POLICIES)


def _call_with_fact_policies(fn, *args, **kwargs):
    """Run ``fn`` (a batch of :func:`lmxsim.runs.run_tasks`) with the validation policies registered:
    a worker process knows only the built-in policies, and unpickling this function imports this module."""
    with fact_policies():
        return fn(*args, **kwargs)


class _WithFactPolicies(Executor):
    """An executor that runs each submitted call through :func:`_call_with_fact_policies`."""

    def __init__(self, executor: Executor):
        self.executor = executor
        self.workers = getattr(executor, "workers", 0)   # how many processes the batches are cut for

    def submit(self, fn, /, *args, **kwargs):
        return self.executor.submit(_call_with_fact_policies, fn, *args, **kwargs)


def seed_tasks(seed: int, n_members: int, weeks: int, overrides: dict) -> list[RunTask]:
    """The runs behind one organisation (seed): the reactive status quo with its weekly member
    panel (the field-study data), the same organisation led proactively, the two arms of
    the leader-training experiment (reactive leaders trained at week 26, or not), fact 9's
    absent leaders and equal split in every regime of :data:`ABSENT_REGIMES`, and fact 10's
    equal treatment at every latitude of :data:`LATITUDE_GRID` (with its member panel)."""
    def sized(params: dict) -> dict:
        team_size = params.get("team_size", 10)
        return {**params, "n_teams": max(1, round(n_members / team_size)), "weeks": weeks}

    kw = sized(overrides)
    trial = {**kw, "weeks": TRAINING_WEEK + TRAINING_FOLLOW_UP[1]}
    tasks = [
        RunTask("reactive_in_crowd", seed, params=kw, collect=("weekly", "panel", "promise_effects")),
        RunTask("proactive_deal", seed, params=kw, collect=("weekly",)),
        RunTask("reactive_in_crowd", seed, params=trial, collect=("panel",)),                 # control arm
        RunTask("reactive_in_crowd", seed, params=trial, collect=("panel",),                  # trained arm
                switch=(TRAINING_WEEK, "proactive_deal")),
    ]
    for scenario, regime in ABSENT_REGIMES.values():
        tasks += [RunTask(policy, seed, scenario, params=sized({**overrides, **regime}))
                  for policy in (ABSENT_BASELINE, *map(absent_policy, ABSENT_LATITUDES))]
    tasks += [RunTask(latitude_policy(lat), seed, params=kw, collect=("panel",)) for lat in LATITUDE_GRID]
    return tasks


def seed_data(replicate: int, results: list[RunResult]) -> SeedData:
    """One organisation's data from the results of its :func:`seed_tasks`, in their order."""
    base, proactive, control, trained = results[:4]
    n_absent = len(ABSENT_REGIMES) * (1 + len(ABSENT_LATITUDES))
    absent, latitude = results[4:4 + n_absent], results[4 + n_absent:]
    return SeedData(seed=base.task.seed, replicate=replicate, panel=_waves(base.panel), reactive=base.weekly,
                    proactive=proactive.weekly, promise_effects=base.promise_effects,
                    training=_training(control.panel, trained.panel), quits_by_tenure=_quits_by_tenure(base.panel),
                    absent=_absent(absent), latitude=_latitude_quarters(latitude))


def _absent(results: list[RunResult]) -> pd.DataFrame:
    """Fact 9: annual turnover and mean trust (weeks 26-end) of each regime's runs, in
    :func:`seed_tasks` order (regime by regime: the baseline, then each absent leader)."""
    regimes = [r for r in ABSENT_REGIMES for _ in range(1 + len(ABSENT_LATITUDES))]
    return pd.DataFrame([{"regime": regime, "policy": res.task.policy,
                          "annual_turnover": res.outcomes["annual_turnover"], "mean_trust": res.outcomes["mean_trust"]}
                         for regime, res in zip(regimes, results)])


LATITUDE_GROUPS = ("low", "ready")   # competence terciles compared in fact 10: bottom and top


def _latitude_quarters(results: list[RunResult]) -> pd.DataFrame:
    """Fact 10: one row per member and quarterly wave (from week 26) of each latitude run:
    the latitude, the member's competence tercile at the wave (within the organisation and
    wave: ``low`` bottom, ``middle``, ``ready`` top), and mean performance (and strain, where
    the panel has it) over the quarter's weeks the member was present."""
    frames = []
    for lat, res in zip(LATITUDE_GRID, results):
        p = res.panel
        w = p[(p.quit == 0) & (p.week > MEASURE_FROM_WEEK - SURVEY_EVERY)].copy()
        w["wave"] = (w.week - 1) // SURVEY_EVERY
        outcomes = ["performance"] + (["strain"] if "strain" in w.columns else [])
        quarter = w.groupby(["member_id", "wave"])[outcomes].mean()
        at_wave = w[w.week % SURVEY_EVERY == 0][["member_id", "wave", "competence"]]
        df = at_wave.join(quarter, on=["member_id", "wave"]).reset_index(drop=True)
        rank = df.groupby("wave").competence.rank(method="first", pct=True)
        df["group"] = np.where(rank <= 1 / 3, "low", np.where(rank > 2 / 3, "ready", "middle"))
        df["latitude"] = lat
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _waves(weekly: pd.DataFrame) -> pd.DataFrame:
    """Quarterly survey waves from week 26, with each member's ideas summed over the quarter."""
    w = weekly[weekly.week >= MEASURE_FROM_WEEK - SURVEY_EVERY].copy()
    w["wave"] = (w.week - 1) // SURVEY_EVERY
    sums = w.groupby(["member_id", "wave"])[["ideas", "successful_ideas"]].transform("sum")
    w["ideas_quarter"], w["successes_quarter"] = sums.ideas, sums.successful_ideas
    at_wave = w[(w.week % SURVEY_EVERY == 0) & (w.week >= MEASURE_FROM_WEEK) & (w.quit == 0)]
    return at_wave.reset_index(drop=True)


def _quits_by_tenure(weekly: pd.DataFrame) -> dict:
    w = weekly[weekly.week >= MEASURE_FROM_WEEK]
    first = w.tenure_weeks < 52
    return {"q_first": int(w.quit[first].sum()), "hw_first": int(first.sum()),
            "q_later": int(w.quit[~first].sum()), "hw_later": int((~first).sum())}


def _training(control: pd.DataFrame, trained: pd.DataFrame) -> pd.DataFrame:
    """Per member present at the training week, in each arm (from the arm's weekly panel): LMX
    then (``lmx0``) and mean performance 3-6 months later (``perf``). Both arms are the same
    organisation up to the training, so a member has the same id in both."""
    out = []
    for arm, panel in (("control", control), ("trained", trained)):
        present = panel[panel.quit == 0]
        before = present[present.week == TRAINING_WEEK][["member_id", "lmx"]].rename(columns={"lmx": "lmx0"})
        later = present[(present.week > TRAINING_WEEK + TRAINING_FOLLOW_UP[0])
                        & (present.week <= TRAINING_WEEK + TRAINING_FOLLOW_UP[1])]
        after = later.groupby("member_id").performance.mean().rename("perf").reset_index()
        df = before.merge(after, on="member_id")
        df["arm"] = arm
        out.append(df)
    return pd.concat(out, ignore_index=True)


# ---------------------------------------------------------------- fact estimators
# Every fact is a function of per-seed sums: ``stats(data, rng, reliability)`` gives one row of
# sums per seed, ``value(S)`` turns summed rows (any leading shape) into the estimate, and
# ``describe(data, S)`` gives the detail text, whether the fact's side condition holds, and extras.
# A bootstrap resample of seeds is then a vector of seed counts w, its sums are w @ per-seed
# rows, and 9999 BCa resamples cost one matrix product instead of 9999 re-estimations.

def _moments(x, y) -> list[float]:
    """[n, sum x, sum y, sum x^2, sum y^2, sum xy]: pooled correlations are functions of these sums."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return [len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()]


def _r(S) -> np.ndarray:
    """Pearson r from summed :func:`_moments` (last axis); NaN without spread."""
    S = np.asarray(S, float)
    n, sx, sy, sxx, syy, sxy = (S[..., i] for i in range(6))
    var = (n * sxx - sx * sx) * (n * syy - sy * sy)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, (n * sxy - sx * sy) / np.sqrt(np.where(var > 0, var, 1.0)), np.nan)


def _measured_lmx(panel: pd.DataFrame, reliability, rng) -> np.ndarray:
    return survey(panel.lmx.to_numpy(float), reliability, rng)


def _panel_corr(column):
    def stats(data, rng, reliability):
        return np.array([_moments(_measured_lmx(d.panel, reliability, rng), d.panel[column]) for d in data])
    return stats


def _no_detail(data, S):
    return "", True, {}


def turnover_stats(data, rng, reliability):
    rows = []
    for d in data:
        w = d.reactive[d.reactive.week >= MEASURE_FROM_WEEK]
        t = d.quits_by_tenure
        rows.append([float(w.quits.sum()), float(w.headcount.sum()) / 52, t["q_first"], t["hw_first"],
                     t["q_later"], t["hw_later"]])
    return np.array(rows, float)


def _first_later(S):
    first = S[..., 2] / np.maximum(S[..., 3], 1) * 52
    later = S[..., 4] / np.maximum(S[..., 5], 1) * 52
    return first, later


def turnover_value(S):
    with np.errstate(invalid="ignore", divide="ignore"):
        return S[..., 0] / S[..., 1]


def turnover_describe(data, S):
    first, later = _first_later(S)
    return (f"first-year {100 * first:.1f}%/yr vs later {100 * later:.1f}%/yr", bool(first > later),
            {"first": float(first), "later": float(later)})


def lmx_trust_stats(data, rng, reliability):
    rows = []
    for d in data:
        p = d.panel
        rows.append(_moments(_measured_lmx(p, reliability, rng), p.trust_in_leader)
                    + _moments(p.trust_in_leader, p.dyad_weeks))
    return np.array(rows, float)


def lmx_trust_value(S):
    return _r(S[..., :6])


def lmx_trust_describe(data, S):
    r_tenure = float(_r(S[6:]))
    return (f"r(trust, tenure with leader) = {r_tenure:+.2f}", abs(r_tenure) <= TENURE_NEAR_ZERO,
            {"r_trust_tenure": r_tenure})


DIFF_COLUMNS = ("sd_reactive", "sd_proactive", "lmx_reactive", "lmx_proactive", "in_group_share")


def differentiation_stats(data, rng, reliability):
    rows = []
    for d in data:
        r = d.reactive[d.reactive.week >= MEASURE_FROM_WEEK]
        p = d.proactive[d.proactive.week >= MEASURE_FROM_WEEK]
        rows.append([1.0, r.lmx_sd_within_team.mean(), p.lmx_sd_within_team.mean(), r.mean_lmx.mean(),
                     p.mean_lmx.mean(), r.in_group_share.mean()])
    return np.array(rows, float)


def differentiation_value(S):
    with np.errstate(invalid="ignore", divide="ignore"):
        return S[..., 1] / S[..., 2]


def differentiation_describe(data, S):
    m = dict(zip(DIFF_COLUMNS, (S[1:] / S[0]).tolist()))
    ig, lmx_p, lmx_r = m["in_group_share"], m["lmx_proactive"], m["lmx_reactive"]
    detail = f"in-group share (reactive) {100 * ig:.0f}%; mean LMX proactive {lmx_p:.3f} vs reactive {lmx_r:.3f}"
    return detail, bool(ig < 0.5 and lmx_p > lmx_r), {"in_group_share": ig, "lmx_proactive": lmx_p,
                                                       "lmx_reactive": lmx_r}


TERCILES = ("low", "middle", "high")


def _training_gains(d: SeedData) -> pd.DataFrame:
    """Per member of one organisation: performance in both arms, the gain and the LMX tercile
    before training (terciles within the organisation, as a field study splits its sample)."""
    wide = d.training.pivot_table(index="member_id", columns="arm", values="perf").dropna()
    wide = wide.join(d.training[d.training.arm == "control"].set_index("member_id").lmx0)
    wide["gain"] = wide.trained - wide.control
    wide["tercile"] = pd.qcut(wide.lmx0.rank(method="first"), 3, labels=list(TERCILES))
    return wide


def training_stats(data, rng, reliability):
    rows = []
    for d in data:
        w = _training_gains(d)
        row = [len(w), w.control.sum(), w.gain.sum()]
        for t in TERCILES:
            g = w.gain[w.tercile == t]
            row += [len(g), g.sum()]
        rows.append(row)
    return np.array(rows, float)


def _training_by_tercile(S):
    control_mean = S[..., 1] / S[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return {t: S[..., 4 + 2 * k] / S[..., 3 + 2 * k] / control_mean for k, t in enumerate(TERCILES)}


def training_value(S):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (S[..., 2] / S[..., 0]) / (S[..., 1] / S[..., 0])


def training_describe(data, S):
    by = {t: float(v) for t, v in _training_by_tercile(S).items()}
    per_seed = pd.DataFrame([{t: float(v) for t, v in _training_by_tercile(row).items()}
                             for row in training_stats(data, None, None)], index=[d.seed for d in data])
    per_seed.index.name = "seed"
    detail = (f"gain by initial-LMX tercile: low {100 * by['low']:+.1f}%, middle {100 * by['middle']:+.1f}%, "
              f"high {100 * by['high']:+.1f}%")
    return detail, by["low"] > by["high"], {"by_tercile": by, "by_tercile_per_seed": per_seed}


def creativity_stats(data, rng, reliability):
    """Per seed: X'X (16) and X'y (4) of successes ~ 1 + LMX + autonomy + LMX x autonomy, and sum y^2."""
    rows = []
    for d in data:
        p = d.panel
        lmx = _measured_lmx(p, reliability, rng)
        aut = p.autonomy.to_numpy(float)
        y = p.successes_quarter.to_numpy(float)
        X = np.column_stack([np.ones(len(lmx)), lmx, aut, lmx * aut])
        rows.append(np.concatenate([(X.T @ X).ravel(), X.T @ y, [(y * y).sum()]]))
    return np.array(rows, float)


def _creativity_r_moments(S):
    xtx = S[..., :16]
    xty = S[..., 16:20]
    # n, sum lmx, sum y, sum lmx^2, sum y^2, sum lmx*y
    return np.stack([xtx[..., 0], xtx[..., 1], xty[..., 0], xtx[..., 5], S[..., 20], xty[..., 1]], axis=-1)


def creativity_value(S):
    return _r(_creativity_r_moments(S))


def creativity_describe(data, S):
    xtx, xty = S[:16].reshape(4, 4), S[16:20]
    b = np.linalg.lstsq(xtx, xty, rcond=None)[0]
    n = xtx[0, 0]
    sd_l = np.sqrt(xtx[1, 1] / n - (xtx[0, 1] / n) ** 2)
    sd_a = np.sqrt(xtx[2, 2] / n - (xtx[0, 2] / n) ** 2)
    # the product term's coefficient does not depend on centring; scaling both to z-scores multiplies it
    # by sd(LMX) * sd(autonomy)
    interaction = float(b[3] * sd_l * sd_a)
    return f"LMX x autonomy interaction b = {interaction:+.3f}", interaction > 0, {"interaction": interaction}


def trust_asymmetry_stats(data, rng, reliability):
    rows = []
    for d in data:
        e = d.promise_effects[d.promise_effects.week >= MEASURE_FROM_WEEK]
        rows.append([e.trust_gained.sum(), e.kept.sum(), e.trust_lost.sum(), e.broken.sum()])
    return np.array(rows, float)


def _gain_loss(S):
    return S[..., 0] / np.maximum(S[..., 1], 1), S[..., 2] / np.maximum(S[..., 3], 1)


def trust_asymmetry_value(S):
    gain, loss = _gain_loss(S)
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss / gain


def trust_asymmetry_describe(data, S):
    gain, loss = _gain_loss(S)
    return f"mean trust change: kept +{gain:.4f}, broken -{loss:.4f}", True, {}


ABSENT_CELLS = tuple((regime, absent_policy(lat)) for regime in ABSENT_REGIMES for lat in ABSENT_LATITUDES)


def absent_stats(data, rng, reliability):
    """Per seed: [1, turnover difference per cell, trust difference per cell], a cell being a
    regime and an absent leader (:data:`ABSENT_CELLS`), a difference absent leader minus
    equal split on the same organisation (common random numbers: a paired difference)."""
    rows = []
    for d in data:
        a = d.absent.set_index(["regime", "policy"])
        turnover, trust = [], []
        for regime, policy in ABSENT_CELLS:
            turnover.append(a.annual_turnover[(regime, policy)] - a.annual_turnover[(regime, ABSENT_BASELINE)])
            trust.append(a.mean_trust[(regime, policy)] - a.mean_trust[(regime, ABSENT_BASELINE)])
        rows.append([1.0, *turnover, *trust])
    return np.array(rows, float)


def _absent_differences(S):
    """Mean paired differences (turnover, trust), each ``(..., cells)``, from summed rows."""
    n = len(ABSENT_CELLS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return S[..., 1:1 + n] / S[..., :1], S[..., 1 + n:1 + 2 * n] / S[..., :1]


def absent_value(S):
    """The smallest turnover rise over every regime and absent leader (share of members per year)."""
    return _absent_differences(S)[0].min(axis=-1)


def absent_trust_value(S):
    """The smallest trust fall over every regime and absent leader (the largest trust difference)."""
    return _absent_differences(S)[1].max(axis=-1)


def absent_describe(data, S):
    turnover, trust = _absent_differences(S)
    per_seed = absent_stats(data, None, None)
    trust_lo, trust_hi = bootstrap_ci(per_seed, absent_trust_value)
    table = pd.DataFrame({"regime": [c[0] for c in ABSENT_CELLS], "policy": [c[1] for c in ABSENT_CELLS],
                          "turnover_difference": turnover, "trust_difference": trust})
    low_t, high_t = int(np.argmin(turnover)), int(np.argmax(trust))
    detail = (f"smallest turnover rise {100 * turnover[low_t]:+.1f} points/yr ({ABSENT_CELLS[low_t][0]}, "
              f"{ABSENT_CELLS[low_t][1]}); smallest trust fall {trust[high_t]:+.3f} [{trust_lo:+.3f}, {trust_hi:+.3f}] "
              f"({ABSENT_CELLS[high_t][0]}, {ABSENT_CELLS[high_t][1]})")
    n = len(ABSENT_CELLS)
    frame = {name: pd.DataFrame(per_seed[:, cols], index=[d.seed for d in data],
                                columns=pd.MultiIndex.from_tuples(ABSENT_CELLS))
             for name, cols in (("turnover_per_seed", slice(1, 1 + n)), ("trust_per_seed", slice(1 + n, 1 + 2 * n)))}
    return detail, bool(trust_hi < 0), {"cells": table, "trust_ci": (trust_lo, trust_hi), **frame}


def _grid_sums(df: pd.DataFrame, column: str) -> list[float]:
    """[count per latitude of the grid, sum of ``column`` per latitude]."""
    g = df.groupby("latitude")[column].agg(["size", "sum"]).reindex(LATITUDE_GRID, fill_value=0)
    return [*g["size"].astype(float), *g["sum"].astype(float)]


def latitude_stats(data, rng, reliability):
    """Per seed, for each of :data:`LATITUDE_GROUPS`: member-quarters per latitude of the grid,
    their summed performance and summed strain (0 where the panel has no strain)."""
    rows = []
    for d in data:
        row = []
        for group in LATITUDE_GROUPS:
            g = d.latitude[d.latitude.group == group]
            strain = _grid_sums(g, "strain")[len(LATITUDE_GRID):] if "strain" in g else [0.0] * len(LATITUDE_GRID)
            row += _grid_sums(g, "performance") + strain
        rows.append(row)
    return np.array(rows, float)


_K = len(LATITUDE_GRID)
# the regression's design on the grid: 1, latitude - 0.5, (latitude - 0.5)^2
_GRID_X = np.column_stack([np.ones(_K), np.asarray(LATITUDE_GRID) - 0.5, (np.asarray(LATITUDE_GRID) - 0.5) ** 2])


def _group_sums(S, group: str, outcome: str):
    """(count, sum) per latitude, each ``(..., K)``, of ``group`` and ``outcome`` from summed rows."""
    base = LATITUDE_GROUPS.index(group) * 3 * _K
    offset = {"performance": _K, "strain": 2 * _K}[outcome]
    return S[..., base:base + _K], S[..., base + offset:base + offset + _K]


def latitude_fit(S, group: str, outcome: str = "performance"):
    """Least squares of ``outcome`` on 1, (latitude - 0.5) and (latitude - 0.5)^2 over the member-quarters
    of ``group``, divided by the group's mean ``outcome``: ``(..., 3)`` coefficients (level, slope at
    latitude 0.5, curvature). Latitude takes only the grid's values, so the fit on member-quarters is
    the fit on the grid means weighted by their counts."""
    n, total = _group_sums(S, group, outcome)
    xtx = np.einsum("ki,...k,kj->...ij", _GRID_X, n, _GRID_X)
    xty = np.einsum("ki,...k->...i", _GRID_X, total)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.linalg.solve(xtx, xty[..., None])[..., 0]
        return b / (total.sum(axis=-1) / n.sum(axis=-1))[..., None]


def latitude_means(S, group: str, outcome: str = "performance") -> np.ndarray:
    """Mean ``outcome`` of ``group`` at each latitude of the grid, ``(..., K)``."""
    n, total = _group_sums(S, group, outcome)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / n


def latitude_value(S):
    """Curvature of low-competence members' performance in latitude, relative to their mean."""
    return latitude_fit(S, "low")[..., 2]


def latitude_describe(data, S):
    low, ready = latitude_means(S, "low"), latitude_means(S, "ready")
    slope_ready = float(latitude_fit(S, "ready")[1])
    falls_at_full = bool(low[-1] < low.max())
    has_strain = all("strain" in d.latitude for d in data)
    condition = falls_at_full and slope_ready > 0
    extra = {"low_means": low, "ready_means": ready, "slope_ready": slope_ready, "low_fit": latitude_fit(S, "low"),
             "strain": has_strain}
    detail = (f"low competence: performance at latitude 1 {low[-1] / low.max() - 1:+.1%} vs its best "
              f"(latitude {LATITUDE_GRID[int(np.argmax(low))]:g}); ready: slope {slope_ready:+.2f} per unit latitude; ")
    if has_strain:
        strain = latitude_means(S, "low", "strain")
        rises = bool(strain[-1] > strain.min())
        condition = condition and rises
        extra["low_strain_means"] = strain
        detail += f"low-competence strain at latitude 1 {strain[-1]:.3f} vs its least {strain.min():.3f}"
    else:
        detail += "strain: not available (the panel has no strain column)"
    return detail, condition, extra


@dataclass(frozen=True)
class Estimator:
    """How one fact is estimated: per-seed sums, the estimate from summed rows, the detail."""
    stats: object
    value: object
    describe: object = _no_detail
    whole_ci: bool = False   # "clearly": the whole 95% CI must lie in the target range


FACTS = (
    ("lmx_turnover_intention", "r(LMX, turnover intention)", "-.45 to -.25", -0.45, -0.25,
     "Gerstner & Day 1997; Dulebohn et al. 2012", Estimator(_panel_corr("turnover_intention"), _r)),
    ("annual_turnover", "annual voluntary turnover, higher in the first year", "8% to 20%", 0.08, 0.20,
     "knowledge-work base rates; Griffeth, Hom & Gaertner 2000", Estimator(turnover_stats, turnover_value, turnover_describe)),
    ("lmx_trust", "r(LMX, trust in leader); r(trust, tenure with leader) near 0", ".60 to .80", 0.60, 0.80,
     "Dirks & Ferrin 2002", Estimator(lmx_trust_stats, lmx_trust_value, lmx_trust_describe)),
    ("lmx_performance", "r(LMX, performance)", ".20 to .40", 0.20, 0.40,
     "Martin et al. 2016", Estimator(_panel_corr("performance"), _r)),
    ("differentiation", "LMX spread within teams, reactive / proactive (in-group a minority; "
     "proactive higher mean LMX)", "ratio > 1.25", 1.25, np.inf, "Dansereau, Graen & Haga 1975",
     Estimator(differentiation_stats, differentiation_value, differentiation_describe)),
    ("leader_training", "productivity gain 3-6 months after reactive->proactive training, "
     "largest for low initial LMX", "> 0", 0.0, np.inf,
     "Graen, Novak & Sommerkamp 1982; Scandura & Graen 1984",
     Estimator(training_stats, training_value, training_describe)),
    ("lmx_creativity", "r(LMX, creative output), with positive LMX x autonomy interaction", ".25 to .40",
     0.25, 0.40, "Huang et al.; Tierney, Farmer & Graen 1999; Volmer et al. 2012",
     Estimator(creativity_stats, creativity_value, creativity_describe)),
    ("trust_asymmetry", "trust lost per broken promise / gained per kept promise", "2 to 4", 2.0, 4.0,
     "Slovic 1993", Estimator(trust_asymmetry_stats, trust_asymmetry_value, trust_asymmetry_describe)),
    ("absent_leader", "an absent leader (5% of the hours, latitude .2 or 1) has higher turnover and lower trust "
     "than equal split in every regime: smallest turnover rise", "CI > 0", 0.0, np.inf,
     "Skogstad et al. 2007; Hinkin & Schriesheim 2008",
     Estimator(absent_stats, absent_value, absent_describe, whole_ci=True)),
    ("latitude_readiness", "low-competence members: curvature of performance in latitude (share of their mean); "
     "ready members gain from latitude", "< 0", -np.inf, 0.0,
     "Pierce & Aguinis 2013; Cheong et al. 2016; Kim, Beehr & Prewett 2018",
     Estimator(latitude_stats, latitude_value, latitude_describe)),
    ("training_gain_size", "relative productivity gain 3-6 months after reactive->proactive training, "
     "largest for low initial LMX (leader_training's estimate, against the field's size)", "+10% to +30%", 0.10, 0.30,
     "Graen, Novak & Sommerkamp 1982; Scandura & Graen 1984",
     Estimator(training_stats, training_value, training_describe)),
)

BOOTSTRAP_RESAMPLES = 9999


def bootstrap_ci(per_seed: np.ndarray, value, resamples: int = BOOTSTRAP_RESAMPLES,
                 rng: np.random.Generator | int | None = 0, level: float = 0.95) -> tuple[float, float]:
    """BCa interval (``scipy.stats.bootstrap``) of ``value(sum of per-seed rows)`` over seeds.

    Seeds are the resampled units; a resample is a vector of seed counts, so its sums are a
    matrix product. NaN when the resamples do not vary (e.g. two identical seeds) or
    the statistic is undefined.
    """
    import warnings

    from scipy import stats as sps

    per_seed = np.asarray(per_seed, float)
    n = len(per_seed)
    if n < 2:
        return np.nan, np.nan

    def statistic(idx, axis=-1):
        idx = np.asarray(idx)
        flat = idx.reshape(-1, idx.shape[-1])
        counts = np.zeros((len(flat), n))
        np.add.at(counts, (np.repeat(np.arange(len(flat)), flat.shape[1]), flat.ravel()), 1.0)
        return np.asarray(value(counts @ per_seed), float).reshape(idx.shape[:-1])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate or NaN resamples: reported as a NaN interval
        with np.errstate(all="ignore"):
            res = sps.bootstrap((np.arange(n),), statistic, n_resamples=resamples, vectorized=True,
                                method="BCa", confidence_level=level, rng=rng)
    lo, hi = res.confidence_interval
    return float(lo), float(hi)


def simulate(seeds: int = 30, members: int = 200, weeks: int = 156, overrides: dict | None = None,
             root_seed: int = 0, executor=None, progress: bool = False) -> list[SeedData]:
    """Simulate ``seeds`` organisations of about ``members`` members (see :func:`seed_tasks`);
    replication r runs with ``replication_seeds(root_seed, seeds)[r]``."""
    from lmxsim.progress import track

    overrides = overrides or {}
    per_seed = [seed_tasks(seed, members, weeks, overrides) for seed in replication_seeds(root_seed, seeds)]
    with fact_policies():
        results = run_tasks([task for tasks in per_seed for task in tasks],
                            None if executor is None else _WithFactPolicies(executor))
        organisations = (seed_data(r, [next(results) for _ in tasks]) for r, tasks in enumerate(per_seed))
        return list(track(organisations, seeds, "validate", progress, unit="seed"))


def estimate_facts(data: list[SeedData], reliability: float | None = None, bootstrap: int = BOOTSTRAP_RESAMPLES,
                   seed: int = 0) -> list[Fact]:
    """Estimate every fact on simulated organisations, with a BCa bootstrap interval over seeds.

    ``seed`` fixes the survey's measurement error and the bootstrap resamples, so the same
    data give the same table; ``bootstrap`` is the number of resamples.
    """
    rng = np.random.default_rng(seed)
    facts = []
    for key, claim, target, low, high, source, est in FACTS:
        fact = Fact(key, claim, target, low, high, source, whole_ci=est.whole_ci)
        per_seed = est.stats(data, np.random.default_rng(rng.integers(2**32)), reliability)
        total = per_seed.sum(axis=0)
        fact.estimate = float(est.value(total))
        fact.detail, fact.condition, fact.extra = est.describe(data, total)
        fact.condition = bool(fact.condition)
        fact.ci_low, fact.ci_high = bootstrap_ci(per_seed, est.value, bootstrap, int(rng.integers(2**32)))
        facts.append(fact)
    return facts


def run_validation(seeds: int = 30, members: int = 200, weeks: int = 156, reliability: float | None = None,
                   overrides: dict | None = None, bootstrap: int = BOOTSTRAP_RESAMPLES, root_seed: int = 0,
                   executor=None, progress: bool = False) -> list[Fact]:
    """Simulate ``seeds`` organisations of about ``members`` members and estimate every fact."""
    data = simulate(seeds, members, weeks, overrides, root_seed, executor, progress)
    return estimate_facts(data, reliability, bootstrap, seed=root_seed)


# columns of validation.csv (docs/data_dictionary.md is generated from these)
VALIDATION_COLUMNS = (
    Column("fact", "key of the stylized fact", "name", "string"),
    Column("claim", "what the literature reports", "text", "string"),
    Column("target", "the literature's range the estimate must fall in", "text", "string"),
    Column("estimate", "the simulated estimate, pooling seeds, from week 26", "the fact's unit (r, share per year, "
                                                                            "ratio or share)"),
    Column("ci_low", "lower bound of the 95% BCa bootstrap interval over seeds (9999 resamples, seeded)",
           "as estimate"),
    Column("ci_high", "upper bound of the 95% BCa bootstrap interval over seeds", "as estimate"),
    Column("condition_met", "the fact's side condition holds (e.g. turnover higher in the first year; see detail)",
           "True/False", "bool"),
    Column("passed", "condition_met and the estimate lies in the target range", "True/False", "bool"),
    Column("detail", "secondary numbers behind the side condition (empty if none)", "text", "string"),
    Column("source", "literature source of the target", "text", "string"),
)


def facts_table(facts: list[Fact]) -> pd.DataFrame:
    return pd.DataFrame([{
        "fact": f.key, "claim": f.claim, "target": f.target, "estimate": f.estimate,
        "ci_low": f.ci_low, "ci_high": f.ci_high, "condition_met": f.condition, "passed": f.passed,
        "detail": f.detail, "source": f.source,
    } for f in facts])


def format_facts(facts: list[Fact], seeds: int, members: int, reliability: float | None) -> str:
    measured = "true scores" if reliability is None else f"LMX-7 survey, reliability {reliability:.2f}"
    lines = [f"lmxsim validate: {seeds} seeds x ~{members} members, default parameters, from week "
             f"{MEASURE_FROM_WEEK}; {measured}",
             f"{'fact':<24} {'target':<14} {'estimate':>9}  {'95% CI':<19} result"]
    for f in facts:
        ci = f"[{f.ci_low:+.3f}, {f.ci_high:+.3f}]"
        result = "PASS" if f.passed else ("FAIL" if f.condition else "FAIL (side condition)")
        lines.append(f"{f.key:<24} {f.target:<14} {f.estimate:>+9.3f}  {ci:<19} {result}")
        if f.detail:
            lines.append(f"{'':<24} {f.detail}")
    n_pass = sum(f.passed for f in facts)
    lines.append(f"{n_pass} of {len(facts)} facts pass (95% CI: BCa bootstrap over seeds, "
                 f"{BOOTSTRAP_RESAMPLES} resamples)")
    return "\n".join(lines)


def _target_span(f: Fact) -> tuple[float, float]:
    """The target range to shade, with an open end closed just beyond the estimate and its CI."""
    seen = [abs(v) for v in (f.estimate, f.ci_low, f.ci_high, f.low, f.high) if np.isfinite(v)]
    reach = 1.2 * max(seen, default=1.0) + 0.1
    low = f.low if np.isfinite(f.low) else min(f.high, 0.0) - reach
    high = f.high if np.isfinite(f.high) else max(f.low * 2 + 0.5, (f.ci_high if np.isfinite(f.ci_high) else 0) * 1.2)
    return low, high


def validation_figures(facts: list[Fact], out) -> None:
    """``facts.png``: every estimate with its CI against the target range; ``leader_training.png``:
    the training gain by initial-LMX tercile; ``absent_leader.png``: fact 9's turnover rise per
    regime and absent leader; ``latitude_readiness.png``: fact 10's performance by latitude."""
    from lmxsim.plots import bar_with_ci, new_figure
    from lmxsim.stats import mean_ci

    cols = 4
    rows = -(-len(facts) // cols)
    fig, axes = new_figure(rows, cols, figsize=(14, 2.75 * rows))
    for ax in axes.flat[len(facts):]:
        ax.set_visible(False)
    for ax, f in zip(axes.flat, facts):
        ax.axhspan(*_target_span(f), color="#55a868", alpha=0.2, label="target")
        if np.isfinite(f.estimate):
            # a BCa interval may (rarely) sit beside the estimate: draw no negative bar
            ax.errorbar([0], [f.estimate], yerr=[[max(f.estimate - f.ci_low, 0)], [max(f.ci_high - f.estimate, 0)]],
                        fmt="o", color="black", capsize=5)
        ax.set_xticks([])
        ax.set_title(("PASS  " if f.passed else "FAIL  ") + f.key.replace("_", " "), fontsize=9,
                     color="#2d6a3e" if f.passed else "#b22222")
        ax.set_ylabel(f.target, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("Stylized facts: simulated estimate (95% CI over seeds) against the literature's range (green)")
    fig.tight_layout()
    fig.savefig(out / "facts.png", dpi=110)

    by_key = {f.key: f for f in facts}
    training = by_key.get("leader_training")
    if training is not None and "by_tercile_per_seed" in training.extra:
        per_seed = training.extra["by_tercile_per_seed"]
        stats = [mean_ci(100 * per_seed[t]) for t in ("low", "middle", "high")]
        bar_with_ci(["low", "middle", "high"], [s[0] for s in stats], [s[1] for s in stats], [s[2] for s in stats],
                    "productivity gain vs untrained control (%)",
                    "Leader training at week 26: gain 3-6 months later\nby the member's LMX tercile before training "
                    "(Scandura & Graen 1984)", out / "leader_training.png", reference=0.0)

    absent = by_key.get("absent_leader")
    if absent is not None and "turnover_per_seed" in absent.extra:
        fig, axes = new_figure(1, 2, figsize=(11, 4))
        x = np.arange(len(ABSENT_REGIMES))
        width = 0.8 / len(ABSENT_LATITUDES)
        panels = (("turnover_per_seed", 100, "turnover: absent - equal split (points/yr)"),
                  ("trust_per_seed", 1, "mean trust: absent - equal split"))
        for ax, (column, scale, ylabel) in zip(axes, panels):
            per_seed = absent.extra[column]
            for k, (lat, colour) in enumerate(zip(ABSENT_LATITUDES, ("#4c72b0", "#dd8452"))):
                stats = [mean_ci(scale * per_seed[(regime, absent_policy(lat))]) for regime in ABSENT_REGIMES]
                means = np.array([m for m, _, _ in stats])
                err = np.array([[m - lo, hi - m] for m, lo, hi in stats]).T
                ax.bar(x + (k - (len(ABSENT_LATITUDES) - 1) / 2) * width, means, width, yerr=err, capsize=3,
                       color=colour, label=f"latitude {lat:g}")
            ax.axhline(0, color="grey", lw=1)
            ax.set_xticks(x, [r.replace("_", " ") for r in ABSENT_REGIMES])
            ax.set_ylabel(ylabel)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].legend(frameon=False, fontsize=8)
        fig.suptitle(f"Absent leader ({100 * ABSENT_TIME_USE:g}% of the hours) vs equal split on the same "
                     "organisations (95% CI over seeds)\n"
                     "Skogstad et al. 2007: turnover above 0 and trust below 0 in every regime",
                     fontsize=10)
        fig.tight_layout()
        fig.savefig(out / "absent_leader.png", dpi=110)

    readiness = by_key.get("latitude_readiness")
    if readiness is not None and "low_means" in readiness.extra:
        fig, ax = new_figure(figsize=(6, 4))
        for group, colour in (("low", "#c44e52"), ("ready", "#4c72b0")):
            means = readiness.extra[f"{group}_means"]
            ax.plot(LATITUDE_GRID, 100 * (means / means[0] - 1), "o-", color=colour,
                    label=f"{'bottom' if group == 'low' else 'top'} competence tercile")
        ax.axhline(0, color="grey", lw=1)
        ax.set_xlabel("latitude granted to everyone (equal treatment)")
        ax.set_ylabel("performance vs latitude 0 (%)")
        ax.set_title("Latitude beyond readiness (Pierce & Aguinis 2013):\nperformance by competence tercile",
                     fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        fig.savefig(out / "latitude_readiness.png", dpi=110)
