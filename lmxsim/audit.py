"""The lever audit: trivial extreme policies against the named ones, in several regimes.

A model whose answer rests on a free lever is found out by the laziest policy that pulls it:
give everyone maximal latitude, stay away, promise everything every week. Each *extreme*
policy here sets every decision lever to a constant - one lever at an extreme, the others
at a neutral middle (the :class:`~lmxsim.policies.equal_split.EqualSplit` treatment), or
several extremes at once - and never looks at the members. :func:`run_audit` runs them and
the named policies on the same seeds in each of :data:`REGIMES`; :func:`winners` names any
extreme policy that beats every named policy on every headline outcome in every regime
(there must be none: ``tests/test_lever_audit.py``), and :func:`lever_table` shows, for each
lever, the regimes where more of it hurts a headline outcome.

``python -m lmxsim.audit --seeds 10`` prints the tables (``docs/findings.md`` section 7).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lmxsim.policies.base import Decisions, Policy, PolicyView, policy_class, registered
from lmxsim.runs import RunTask, replication_seeds, run_tasks

NAMED = ("reactive_in_crowd", "proactive_deal", "equal_split", "laissez_faire", "similarity_bias",
         "transactional", "distributed")

# outcome -> direction (+1 higher is better)
HEADLINE = {"innovation_per_member_year": +1, "annual_turnover": -1, "mean_trust": +1,
            "mean_performance": +1, "mean_engagement": +1}

# regime -> (scenario preset, parameter overrides); about 200 members each
REGIMES = {
    "default": ("default", {}),
    "large_teams": ("default", {"team_size": 30, "n_teams": 7}),
    "stretched_leader": ("default", {"leader_hours_per_week": 3.0}),
    "low_competence": ("default", {"competence_mean": 0.3}),
    "remote": ("remote_team", {}),
    "high_turnover": ("default", {"annual_base_turnover": 0.25}),
}

NEUTRAL = {"time_use": 1.0, "latitude": 0.5, "offer": 0.0, "promise": 0.45, "bonus": 0.0,
           "reward_contingency": 1.0, "reward_basis": 0.0, "peer_leadership": 0.0, "focus": 0.0}


@dataclass(frozen=True)
class Extreme:
    """A constant policy: ``levers`` override :data:`NEUTRAL`. ``focus`` 1 gives all the
    leader's hours to one member per team (the first position), 0 spreads them evenly."""

    name: str
    levers: dict

    def values(self) -> dict:
        return {**NEUTRAL, **self.levers}


EXTREMES = (
    Extreme("latitude_0", {"latitude": 0.0}),
    Extreme("latitude_1", {"latitude": 1.0}),
    Extreme("time_0", {"time_use": 0.0}),
    Extreme("focus_1", {"focus": 1.0}),
    Extreme("offer_weekly", {"offer": 1.0}),
    Extreme("overpromise", {"offer": 1.0, "promise": 1.0}),
    Extreme("bonus_individual", {"bonus": 1.0, "reward_contingency": 1.0}),
    Extreme("bonus_team", {"bonus": 1.0, "reward_contingency": 0.0}),
    Extreme("bonus_ideas", {"bonus": 1.0, "reward_basis": 1.0}),
    Extreme("peer_1", {"peer_leadership": 1.0}),
    Extreme("free_latitude", {"latitude": 1.0, "time_use": 1.0}),
    Extreme("absent_latitude", {"latitude": 1.0, "time_use": 0.0}),
    Extreme("everything", {"latitude": 1.0, "offer": 1.0, "promise": 1.0, "bonus": 1.0, "peer_leadership": 1.0}),
    Extreme("nothing", {"latitude": 0.0, "time_use": 0.0}),
)


def _policy_class(extreme: Extreme) -> type[Policy]:
    v = extreme.values()

    class _Extreme(Policy):
        name = "extreme_" + extreme.name
        label = "Extreme: " + extreme.name
        source = "lever audit (lmxsim.audit)"
        classifier = {"proactive": v["offer"] > 0, "differentiates": v["focus"] > 0, "uses_merit": False,
                      "uses_similarity": False, "extrinsic_rewards": v["bonus"] > 0,
                      "peer_leadership": v["peer_leadership"] > 0}

        def decide(self, view: PolicyView) -> Decisions:
            n = len(view.team)
            weight = np.ones(n)
            if v["focus"] > 0:   # the first position of each team gets every hour
                first = np.r_[True, view.team[1:] != view.team[:-1]]
                weight = np.where(first, 1.0, 1.0 - v["focus"])
            kw = {k: v[k] for k in ("bonus", "reward_contingency", "reward_basis", "peer_leadership", "time_use")}
            return Decisions(time_weight=weight, offer=np.full(n, v["offer"]), promise=np.full(n, v["promise"]),
                             latitude=np.full(n, v["latitude"]),
                             assignment_priority=view.rng.random(n), **kw)

        def in_group(self, view: PolicyView) -> np.ndarray:
            return np.zeros(len(view.team), dtype=bool)

    _Extreme.__name__ = _Extreme.__qualname__ = "Extreme_" + extreme.name
    _Extreme.__doc__ = f"Lever audit: a constant policy, {extreme.levers} (other levers neutral)."
    return _Extreme


# registered only while the audit runs (in this process), never in the public list of policies
EXTREME_CLASSES = tuple(_policy_class(e) for e in EXTREMES)
EXTREME_NAMES = tuple(cls.name for cls in EXTREME_CLASSES)


# Decisions field -> (policy with more of it, policy with less of it): the pairs lever_effects compares
LEVERS = {
    "latitude": ("extreme_latitude_1", "equal_split"),
    "time_weight (focus)": ("extreme_focus_1", "equal_split"),
    "offer": ("extreme_offer_weekly", "equal_split"),
    "promise": ("extreme_overpromise", "extreme_offer_weekly"),
    "bonus": ("extreme_bonus_individual", "equal_split"),
    "reward_contingency": ("extreme_bonus_individual", "extreme_bonus_team"),
    "reward_basis": ("extreme_bonus_ideas", "extreme_bonus_individual"),
    "peer_leadership": ("extreme_peer_1", "equal_split"),
    "time_use": ("equal_split", "extreme_time_0"),
}


def _outcomes(regimes: dict, policies, seeds: int, weeks: int, root_seed: int, extra=()) -> dict:
    """Run every policy in every regime on the same seeds (in this process, with the audit's own
    policies and ``extra`` policy classes registered meanwhile); ``{(regime, policy, replicate):
    run-level outcomes}``."""
    tasks, keys = [], []
    for regime, (scenario, overrides) in regimes.items():
        for policy in policies:
            for r, seed in enumerate(replication_seeds(root_seed, seeds)):
                tasks.append(RunTask(policy, seed, scenario, {**overrides, "weeks": weeks}))
                keys.append((regime, policy, r))
    with registered(EXTREME_CLASSES + tuple(extra)):
        return {key: result.outcomes for key, result in zip(keys, run_tasks(tasks))}


def run_audit(seeds: int = 10, weeks: int = 156, regimes: dict | None = None, policies=None,
              root_seed: int = 0) -> pd.DataFrame:
    """Every policy (named and extreme) in every regime on the same ``seeds`` seeds: a tidy
    frame with one row per regime, policy and replicate and one column per headline outcome.
    Runs in this process (the extreme policies are registered here, not in workers)."""
    regimes = REGIMES if regimes is None else regimes
    policies = list(NAMED + EXTREME_NAMES) if policies is None else list(policies)
    outcomes = _outcomes(regimes, policies, seeds, weeks, root_seed)
    return pd.DataFrame([{"regime": regime, "policy": policy, "replicate": r, **{k: out[k] for k in HEADLINE}}
                         for (regime, policy, r), out in outcomes.items()])


# the constants written in the two policies' files (class attributes), swept by constants_band
CONSTANTS = {
    "reactive_in_crowd": ("out_group_time_weight", "in_group_latitude", "out_group_latitude", "promise"),
    "proactive_deal": ("promise", "base_latitude", "latitude_per_view", "chance"),
}


def _variant(base: str, constant: str, value: float) -> type[Policy]:
    """The policy ``base`` with one constant changed (registered by :func:`_outcomes` while it runs)."""
    name = f"{base}__{constant}_{value:.2f}".replace(".", "p").replace("-", "m")
    return type("Variant_" + name, (policy_class(base),),
                {"name": name, constant: value, "__doc__": f"{base} with {constant} = {value}"})


def constants_band(seeds: int = 10, weeks: int = 156, regimes: dict | None = None, step: float = 0.2,
                   root_seed: int = 0) -> pd.DataFrame:
    """Does the in-crowd vs deal answer hold across the constants written in the two policies?

    Each constant of :data:`CONSTANTS` is moved by ``-step`` and ``+step`` (bounded to [0, 1]) in its
    policy, which then meets the other policy at its defaults on the same seeds in every regime.
    Returns one row per regime, constant, value and outcome (innovation, turnover) with the mean paired
    difference ``proactive_deal - reactive_in_crowd`` and ``holds``: it has the sign it has at the
    defaults."""
    regimes = REGIMES if regimes is None else regimes
    cases = [("default", "-", float("nan"), "reactive_in_crowd", "proactive_deal")]
    variants = []
    for base, names in CONSTANTS.items():
        for constant in names:
            default = getattr(policy_class(base), constant)
            for value in sorted({min(1.0, max(0.0, default - step)), min(1.0, max(0.0, default + step))}):
                variants.append(_variant(base, constant, value))
                variant = variants[-1].name
                pair = (variant, "proactive_deal") if base == "reactive_in_crowd" else ("reactive_in_crowd", variant)
                cases.append((base, constant, value, *pair))
    policies = sorted({p for case in cases for p in case[3:]})
    outcome = _outcomes(regimes, policies, seeds, weeks, root_seed, extra=variants)
    rows = []
    for regime in regimes:
        for outcome_name in ("innovation_per_member_year", "annual_turnover"):
            def diff(crowd, deal):
                return float(np.mean([outcome[(regime, deal, r)][outcome_name] - outcome[(regime, crowd, r)][outcome_name]
                                      for r in range(seeds)]))
            at_default = diff("reactive_in_crowd", "proactive_deal")
            for base, constant, value, crowd, deal in cases:
                d = diff(crowd, deal)
                rows.append({"regime": regime, "outcome": outcome_name, "policy": base, "constant": constant,
                             "value": value, "deal_minus_in_crowd": d, "holds": bool(np.sign(d) == np.sign(at_default))})
    return pd.DataFrame(rows)


def means(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean of each headline outcome per regime and policy."""
    return frame.groupby(["regime", "policy"], sort=False)[list(HEADLINE)].mean()


def winners(frame: pd.DataFrame) -> list[str]:
    """Extreme policies that beat every named policy on every headline outcome in every regime."""
    m = means(frame)
    out = []
    for policy in m.index.get_level_values("policy").unique():
        if policy in NAMED:
            continue
        beats = True
        for regime in m.index.get_level_values("regime").unique():
            named = m.loc[regime].loc[[p for p in NAMED if p in m.loc[regime].index]]
            mine = m.loc[(regime, policy)]
            for outcome, sign in HEADLINE.items():
                if not (sign * mine[outcome] > (sign * named[outcome]).max()):
                    beats = False
        if beats:
            out.append(policy)
    return out


def lever_effects(frame: pd.DataFrame) -> pd.DataFrame:
    """For each lever of :data:`LEVERS`, regime and headline outcome: the change in the outcome
    from less of the lever to more (``more - less``, in the outcome's unit) and whether it hurts
    (moves the outcome the wrong way). Bonuses also cost money (``bonus_cost``), not shown here."""
    m = means(frame)
    rows = []
    for lever, (more, less) in LEVERS.items():
        for regime in m.index.get_level_values("regime").unique():
            for outcome, sign in HEADLINE.items():
                change = m.loc[(regime, more), outcome] - m.loc[(regime, less), outcome]
                rows.append({"lever": lever, "regime": regime, "outcome": outcome, "change": change,
                             "hurts": bool(sign * change < 0)})
    return pd.DataFrame(rows)


def ranks(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Rank of each policy (1 = best) on ``outcome`` per regime (columns)."""
    m = means(frame)[outcome].unstack("regime")
    return (m * -HEADLINE[outcome]).rank(method="min").astype(int)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--out", default=None, help="write the per-run table to this CSV file")
    parser.add_argument("--band", action="store_true", help="also sweep the two policies' constants by +/- 0.2")
    args = parser.parse_args(argv)
    frame = run_audit(args.seeds, args.weeks)
    if args.out:
        frame.to_csv(args.out, index=False)
    pd.set_option("display.width", 200)
    for outcome in HEADLINE:
        print(f"\n{outcome} (mean over {args.seeds} seeds)")
        print(means(frame)[outcome].unstack("regime").round(3).to_string())
    effects = lever_effects(frame)
    hurt = effects[effects.hurts].groupby("lever").apply(
        lambda g: ", ".join(f"{r.outcome} in {r.regime}" for r in g.itertuples())[:160], include_groups=False)
    print("\nwhere more of each lever hurts a headline outcome:")
    for lever in LEVERS:
        print(f"  {lever:22s} {hurt.get(lever, 'nowhere')}")
    print("\nextreme policies that beat every named policy on every outcome in every regime:", winners(frame) or "none")
    if args.band:
        band = constants_band(args.seeds, args.weeks)
        print("\nproactive_deal - reactive_in_crowd across the policies' constants (+/- 0.2):")
        table = band.pivot_table(index=["policy", "constant", "value"], columns=["outcome", "regime"],
                                 values="deal_minus_in_crowd", sort=False)
        print(table.round(3).to_string())
        held = band.groupby(["outcome", "regime"]).holds.mean()
        print("\nshare of constant settings where the default's answer holds:")
        print(held.unstack("regime").round(2).to_string())


if __name__ == "__main__":
    main()
