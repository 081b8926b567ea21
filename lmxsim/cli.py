"""The ``lmxsim`` command line.

Bad input - an unknown policy or scenario, a parameter out of range, an unwritable
output directory - prints one line naming the field, the value and what is allowed, and
exits with code 2 without writing anything.
"""

from __future__ import annotations

import argparse
import signal
import sys
import textwrap

from lmxsim import params as params_mod
from lmxsim.errors import LMXInputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str):  # noqa: D401
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse_sets(items: list[str] | None) -> dict:
    """``["team_size=20", ...]`` -> ``{"team_size": 20}``, typed and range-checked per parameter."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise LMXInputError("--set", item, "PARAM=VALUE, e.g. team_size=20")
        name, _, text = item.partition("=")
        name = name.strip()
        out[name] = params_mod.coerce(name, text.strip())
    return out


def _add_model_options(p: argparse.ArgumentParser, weeks_default: int | None = None) -> None:
    p.add_argument("--scenario", default="default", help="scenario preset (see `lmxsim list`); default: default")
    p.add_argument("--weeks", type=int, default=weeks_default, metavar="N",
                   help="weeks to simulate (default: the scenario's horizon, 156)")
    p.add_argument("--set", action="append", metavar="PARAM=VALUE",
                   help="override a parameter, e.g. --set team_size=20 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lmxsim",
        description="Agent-based simulation of leader-member exchange: compare leadership policies "
                    "on innovation and turnover.",
        epilog="Start with `lmxsim list`, then `lmxsim run --out results/run1`.")
    parser.add_argument("--version", action="version", version=f"lmxsim {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run one simulation and write model.csv and panel.csv",
                         description="Run one simulation. Writes DIR/model.csv (one row per week) and "
                                     "DIR/panel.csv (one row per member per period) and prints a summary.")
    run.add_argument("--policy", default=None,
                     help="leadership policy for every leader (default: the scenario's policy)")
    _add_model_options(run)
    run.add_argument("--seed", default="0", metavar="S", help="random seed, a whole number (default: 0)")
    run.add_argument("--out", default="results/run", metavar="DIR", help="output directory (default: results/run)")
    run.add_argument("--panel-every", type=int, default=1, metavar="K",
                     help="member panel every K weeks (default 1; 0 = no panel)")

    cmp_ = sub.add_parser("compare", help="compare policies on the same organisations (the headline comparison)",
                          description="Run every policy (or --policies) on the same seeds of a scenario; print "
                                      "each outcome's mean with a 95%% CI and the paired difference from the first "
                                      "policy; write DIR/summary.csv, DIR/runs.csv, DIR/weekly.csv and DIR/compare.png.")
    cmp_.add_argument("--policies", default=None, metavar="A,B,...",
                      help="comma-separated policies, first is the reference (default: all registered)")
    _add_model_options(cmp_)
    cmp_.add_argument("--seeds", type=int, default=20, metavar="N", help="replications per policy (default 20)")
    cmp_.add_argument("--root-seed", type=int, default=0, metavar="S", help="first seed (default 0)")
    cmp_.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    cmp_.add_argument("--out", default="results/compare", metavar="DIR", help="output directory")

    val = sub.add_parser("validate", help="check the stylized facts of the LMX literature",
                         description="Simulate SEEDS organisations of about MEMBERS members with the default "
                                     "parameters and test the eight stylized facts of LITERATURE.md. Prints a "
                                     "table, writes DIR/validation.csv and figures. Exit code 0 only if every "
                                     "fact passes.")
    val.add_argument("--seeds", type=int, default=30, metavar="N", help="replications (default 30)")
    val.add_argument("--members", type=int, default=200, metavar="M", help="members per organisation (default 200)")
    val.add_argument("--reliability", type=float, default=None, metavar="R",
                     help="measure LMX with a simulated LMX-7 survey of this reliability (e.g. 0.88); "
                          "default: true scores")
    val.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override a parameter (repeatable)")
    val.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    val.add_argument("--out", default="results/validation", metavar="DIR", help="output directory")

    lst = sub.add_parser("list", help="list policies, scenarios and parameters",
                         description="List the registered policies, the scenarios and every parameter "
                                     "with its unit, default and allowed range.")
    lst.add_argument("what", nargs="?", choices=["all", "policies", "scenarios", "parameters"], default="all")
    lst.add_argument("--markdown", action="store_true", help="print the parameter table as Markdown")
    return parser


def _version() -> str:
    from lmxsim import __version__
    return __version__


def cmd_run(args) -> int:
    from lmxsim.model import LMXModel
    from lmxsim.output import check_writable, staged_output

    overrides = parse_sets(args.set)
    if args.weeks is not None:
        overrides["weeks"] = args.weeks
    if args.panel_every < 0:
        raise LMXInputError("--panel-every", args.panel_every, "an integer >= 0 (0 = no panel)")
    check_writable(args.out)
    model = LMXModel(policy=args.policy, scenario=args.scenario, seed=args.seed,
                     panel_every=args.panel_every, **overrides)
    model.run()
    frame = model.model_frame()
    with staged_output(args.out) as stage:
        frame.to_csv(stage / "model.csv", index=False)
        if model.panel.enabled:
            model.panel_frame().to_csv(stage / "panel.csv", index=False)
    print(summary_text(model, frame, args.out))
    return 0


def summary_text(model, frame, out) -> str:
    from lmxsim.outcomes import run_summary

    s = run_summary(frame)
    lines = [
        f"lmxsim run: policy={','.join(model.policies_in_use)} scenario={model.scenario.name} "
        f"seed={model.seed} weeks={model.week} members={int(frame.headcount.iloc[-1])} in {model.n_teams} teams",
        f"  innovation            {s['innovation_per_member_year']:.2f} successful ideas per member-year",
        f"  voluntary turnover    {100 * s['annual_turnover']:.1f}% per year",
        f"  turnover cost         {s['turnover_cost_per_member_year']:.3f} annual salaries per member-year",
        f"  mean LMX              {s['mean_lmx']:.3f}  (within-team sd {s['lmx_sd_within_team']:.3f})",
        f"  in-group share        {100 * s['in_group_share']:.0f}%",
        f"  trust / engagement    {s['mean_trust']:.3f} / {s['mean_engagement']:.3f}",
        f"  psychological safety  {s['mean_psych_safety']:.3f}",
        f"wrote {out}/model.csv" + (f" and {out}/panel.csv" if model.panel.enabled else ""),
    ]
    return "\n".join(lines)


def cmd_list(args) -> int:
    from lmxsim.policies import CLASSIFIER_KEYS, policy_class, policy_names
    from lmxsim.scenarios import SCENARIOS

    if args.markdown:
        print(parameters_markdown())
        return 0
    if args.what in ("all", "policies"):
        print("POLICIES")
        for name in policy_names():
            cls = policy_class(name)
            flags = ", ".join(k for k in CLASSIFIER_KEYS if cls.classifier.get(k))
            doc = (cls.__doc__ or "").strip().splitlines()[0]
            print(f"  {name:20s} {doc}")
            print(f"  {'':20s} [{flags or 'no flags'}] source: {cls.source}")
        print()
    if args.what in ("all", "scenarios"):
        print("SCENARIOS")
        for s in SCENARIOS.values():
            print(f"  {s.name:20s} {s.title} (policy: {s.policy})")
            for line in textwrap.wrap(s.description, 76):
                print(f"  {'':20s} {line}")
            for e in s.events:
                print(f"  {'':20s} - {e.describe()}")
        print()
    if args.what in ("all", "parameters"):
        print("PARAMETERS (set with --set NAME=VALUE)")
        for d in params_mod.describe():
            print(f"  {d['name']:26s} {d['default']!s:>8}  [{d['low']}, {d['high']}]  {d['unit']}")
    return 0


def parameters_markdown() -> str:
    rows = ["# Parameters", "",
            "Generated from `lmxsim/params.py` by `lmxsim list --markdown`; do not edit by hand.", "",
            "| group | name | default | unit | range | source / rationale |",
            "|---|---|---|---|---|---|"]
    for d in params_mod.describe():
        rows.append(f"| {d['group']} | `{d['name']}` | {d['default']} | {d['unit']} | "
                    f"[{d['low']}, {d['high']}] | {d['source']} |")
    return "\n".join(rows)


def _executor(workers: int):
    if workers < 1:
        raise LMXInputError("--workers", workers, "an integer >= 1")
    if workers == 1:
        return None
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers)


def cmd_compare(args) -> int:
    from lmxsim.compare import compare, format_table
    from lmxsim.output import check_writable, staged_output
    from lmxsim.plots import comparison_figure

    overrides = parse_sets(args.set)
    if args.weeks is not None:
        overrides["weeks"] = args.weeks
    policies = [p.strip() for p in args.policies.split(",") if p.strip()] if args.policies else None
    check_writable(args.out)
    executor = _executor(args.workers)
    try:
        c = compare(policies, scenario=args.scenario, seeds=args.seeds, root_seed=args.root_seed,
                    overrides=overrides, executor=executor)
    finally:
        if executor is not None:
            executor.shutdown()
    with staged_output(args.out) as stage:
        c.summary.to_csv(stage / "summary.csv", index=False)
        c.runs.to_csv(stage / "runs.csv", index=False)
        c.weekly.to_csv(stage / "weekly.csv", index=False)
        comparison_figure(c.weekly, c.policies, f"lmxsim compare - scenario {c.scenario}, {len(c.seeds)} seeds",
                          stage / "compare.png")
    print(format_table(c))
    print(f"wrote {args.out}/summary.csv, runs.csv, weekly.csv and compare.png")
    return 0


def cmd_validate(args) -> int:
    from lmxsim.output import check_writable, staged_output
    from lmxsim.validation import facts_table, format_facts, run_validation, validation_figures

    if args.seeds < 2:
        raise LMXInputError("--seeds", args.seeds, "an integer >= 2")
    if args.members < 10:
        raise LMXInputError("--members", args.members, "an integer >= 10")
    if args.reliability is not None and not 0.1 <= args.reliability <= 1.0:
        raise LMXInputError("--reliability", args.reliability, "a number in [0.1, 1.0]")
    overrides = parse_sets(args.set)
    check_writable(args.out)
    executor = _executor(args.workers)
    try:
        facts = run_validation(seeds=args.seeds, members=args.members, reliability=args.reliability,
                               overrides=overrides, executor=executor)
    finally:
        if executor is not None:
            executor.shutdown()
    table = facts_table(facts)
    with staged_output(args.out) as stage:
        table.to_csv(stage / "validation.csv", index=False)
        validation_figures(facts, stage)
    print(format_facts(facts, args.seeds, args.members, args.reliability))
    print(f"wrote {args.out}/validation.csv and figures")
    return 0 if all(f.passed for f in facts) else 1


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate, "list": cmd_list}


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `lmxsim list | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except LMXInputError as exc:
        print(f"lmxsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
