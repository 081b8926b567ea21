"""The ``lmxsim`` command line.

Bad input - an unknown policy or scenario, a parameter out of range, an unwritable
output directory - prints one line naming the field, the value and what is allowed, and
exits with code 2 without writing anything. Ctrl-C prints one line and exits with 130
(``experiment run`` first stores the runs already finished); an experiment whose result
directory cannot be written (a full disk) prints one line and exits with 1, resumable.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import socket
import sys
import textwrap

from lmxsim import params as params_mod
from lmxsim.errors import LMXInputError
from lmxsim.parallel import local_pool

EXIT_BAD_INPUT = 2
EXIT_WRITE_FAILED = 1   # the result directory could not be written (e.g. disk full); re-run to resume
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a process ended by SIGINT


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
    return params_mod.check_overrides(out)


# ---------------------------------------------------------------- option checks
# Every option is checked here, once, after parsing and before any command runs: a value
# argparse accepted (an int, a string) must also be in range and of the right form.
MAX_WORKERS = 1024


def _at_least(low: int, high: int | None = None):
    def check(option: str, value):
        if not (low <= value and (high is None or value <= high)):
            span = f">= {low}" if high is None else f"in [{low}, {high}]"
            raise LMXInputError(option, value, f"an integer {span}")
        return value
    return check


def _seed_option(option: str, value):
    from lmxsim.model_args import as_seed

    return as_seed(value, field=option)


def _path_option(option: str, value: str):
    from lmxsim.output import check_path_form

    return check_path_form(option, value)


def _reliability(option: str, value: float):
    if not 0.1 <= value <= 1.0:  # also refuses nan
        raise LMXInputError(option, value, "a number in [0.1, 1.0]")
    return value


def _policy_list(option: str, text: str):
    from lmxsim.compare import check_policies

    names = [p.strip() for p in text.split(",")]
    if not all(names):
        raise LMXInputError(option, text, "a comma-separated list of policy names without empty items, "
                                          "e.g. reactive_in_crowd,proactive_deal (see `lmxsim list policies`)")
    try:
        return check_policies(names)
    except LMXInputError as exc:   # named as the option the user typed
        raise LMXInputError(option, exc.value, exc.allowed) from None


_HOSTNAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")


def _is_host(host: str) -> bool:
    """An IP address, or a host name whose labels are not all digits (999.1.1.1 is no address)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    return bool(_HOSTNAME.fullmatch(host)) and not all(label.isdigit() for label in host.rstrip(".").split("."))


def _listen_host(option: str, host: str):
    """An address of this computer the dashboard can listen on."""
    allowed = "an IPv4 address or host name of this computer, e.g. 127.0.0.1 or 0.0.0.0"
    if not _is_host(host):
        raise LMXInputError(option, host, allowed)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, 0))
        except OSError as exc:
            raise LMXInputError(option, host, f"{allowed} ({exc.strerror or exc})") from None
    return host


_DASK_ADDRESS = re.compile(r"(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(?P<port>\d{1,5})")
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def _dask_address(option: str, text: str):
    """The form of a Dask scheduler address, checked before any connection is tried."""
    allowed = "a Dask scheduler address SCHEME://HOST:PORT or HOST:PORT, e.g. tcp://10.0.0.5:8786"
    match = _DASK_ADDRESS.fullmatch(text.strip())
    if (not match or (match["scheme"] or "tcp") not in DASK_SCHEMES or not _is_host(match["host"])
            or not 1 <= int(match["port"]) <= 65535):
        raise LMXInputError(option, text, allowed)
    return text.strip()


# destination -> (option as typed, check); a check returns the (normalised) value or raises
OPTION_CHECKS = {
    "seed": ("--seed", _seed_option),
    "root_seed": ("--root-seed", _seed_option),
    "seeds": ("--seeds", _at_least(2)),
    "members": ("--members", _at_least(10)),
    "workers": ("--workers", _at_least(1, MAX_WORKERS)),
    "panel_every": ("--panel-every", _at_least(0)),
    "flush_every": ("--flush-every", _at_least(1)),
    "dask_local": ("--dask-local", _at_least(1, MAX_WORKERS)),
    "reliability": ("--reliability", _reliability),
    "policies": ("--policies", _policy_list),
    "out": ("--out", _path_option),
    "spec": ("SPEC", _path_option),
    "dir": ("DIR", _path_option),
    "dask": ("--dask", _dask_address),
    "host": ("--host", _listen_host),
    "port": ("--port", _at_least(0, 65535)),
}


def check_options(args: argparse.Namespace) -> None:
    """Check every option given (or defaulted) against :data:`OPTION_CHECKS`, in place."""
    for dest, (option, check) in OPTION_CHECKS.items():
        value = getattr(args, dest, None)
        if value is not None:
            setattr(args, dest, check(option, value))


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
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    cmp_ = sub.add_parser("compare", help="compare policies on the same organisations (the headline comparison)",
                          description="Run every policy (or --policies) on the same seeds of a scenario; print "
                                      "each outcome's mean with a 95% CI and the paired difference from the first "
                                      "policy (95% CI; effect size d_z = mean paired difference / SD of the paired "
                                      "differences; * = CI excludes 0, H = significant after Holm's adjustment over "
                                      "all comparisons), each over weeks 26-end and over the last year, and where "
                                      "the two windows disagree; write DIR/summary.csv (with p and p_holm), DIR/runs.csv, "
                                      "DIR/weekly.csv and DIR/compare.png. Columns: docs/data_dictionary.md.")
    cmp_.add_argument("--policies", default=None, metavar="A,B,...",
                      help="comma-separated policies, first is the reference (default: all registered)")
    _add_model_options(cmp_)
    cmp_.add_argument("--seeds", type=int, default=20, metavar="N", help="replications per policy (default 20)")
    cmp_.add_argument("--root-seed", type=int, default=0, metavar="S",
                      help="root seed: replication r runs with the r-th seed derived from it, the same seed an "
                           "experiment with this root_seed gives replication r (default 0)")
    cmp_.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    cmp_.add_argument("--out", default="results/compare", metavar="DIR", help="output directory")
    cmp_.add_argument("--quiet", action="store_true", help="no progress bar")

    val = sub.add_parser("validate", help="check the stylized facts of the LMX literature",
                         description="Simulate SEEDS organisations of about MEMBERS members with the default "
                                     "parameters and test eleven stylized facts of the LMX literature (each "
                                     "row names its source, e.g. Gerstner & Day 1997, Dirks & Ferrin 2002; "
                                     "`lmxsim docs calibration` explains every target). Prints a table, writes "
                                     "DIR/validation.csv and figures. Exit code 0 only if every fact passes.")
    val.add_argument("--seeds", type=int, default=30, metavar="N", help="replications (default 30)")
    val.add_argument("--members", type=int, default=200, metavar="M", help="members per organisation (default 200)")
    val.add_argument("--reliability", type=float, default=None, metavar="R",
                     help="measure LMX with a simulated LMX-7 survey of this reliability (e.g. 0.88); "
                          "default: true scores")
    val.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override a parameter (repeatable)")
    val.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    val.add_argument("--out", default="results/validation", metavar="DIR", help="output directory")
    val.add_argument("--quiet", action="store_true", help="no progress bar")

    exp = sub.add_parser("experiment", help="batch experiments from a TOML specification (list, run, summarize, "
                                            "sensitivity)",
                         description="Batch experiments: sweeps, replications and sensitivity designs described in "
                                     "a TOML specification - one of the shipped ones by name (`lmxsim experiment "
                                     "list`) or your own file (start from `lmxsim experiment show NAME`).")
    exp_sub = exp.add_subparsers(dest="experiment_command", metavar="ACTION", parser_class=_Parser)
    exp_sub.add_parser("list", help="the shipped experiments: name, purpose and number of runs",
                       description="List the experiment specifications shipped with lmxsim; run one with "
                                   "`lmxsim experiment run NAME --out DIR`.")
    eshow = exp_sub.add_parser("show", help="print a specification (copy a shipped one to start your own)",
                               description="Print the TOML text of a specification, e.g. "
                                           "`lmxsim experiment show span_of_control > my_sweep.toml`.")
    eshow.add_argument("spec", metavar="SPEC", help="a shipped experiment's name or a .toml file")
    erun = exp_sub.add_parser("run", help="run every (design point, policy, replication) of SPEC",
                              description="Run an experiment. Results stream to DIR/runs/*.parquet with "
                                          "DIR/manifest.json; re-running on the same DIR resumes.")
    erun.add_argument("spec", metavar="SPEC",
                      help="a shipped experiment's name (see `lmxsim experiment list`) or a .toml specification")
    erun.add_argument("--out", required=True, metavar="DIR", help="result directory (new, or this experiment's)")
    engine = erun.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local worker processes (default: number of cores)")
    engine.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    engine.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    erun.add_argument("--flush-every", type=int, default=None, metavar="K",
                      help="write results to disk after every K finished runs (default: as each batch of runs "
                           "finishes)")
    erun.add_argument("--quiet", action="store_true", help="no progress bar")
    esum = exp_sub.add_parser("summarize", help="means, CIs, policy differences and figures of a finished run",
                              description="Per design point and policy: mean and 95% CI of each outcome; pairwise "
                                          "policy differences with CI and the effect sizes d_z (paired: mean "
                                          "difference / SD of the differences) and d_pooled (Cohen's d with the pooled "
                                          "SD); one figure per factor.")
    esum.add_argument("dir", metavar="DIR", help="directory written by `lmxsim experiment run`")
    esum.add_argument("--out", default=None, metavar="DIR2", help="where to write (default: DIR/summary)")
    esens = exp_sub.add_parser("sensitivity", help="Sobol or Morris sensitivity indices (SALib)",
                               description="First-order and total Sobol indices (sobol designs) or Morris mu* "
                                           "(morris designs) per policy and outcome; a table and a bar chart.")
    esens.add_argument("dir", metavar="DIR", help="directory written by `lmxsim experiment run`")
    esens.add_argument("--out", default=None, metavar="DIR2", help="where to write (default: DIR/sensitivity)")

    lst = sub.add_parser("list", help="list policies, scenarios, parameters and the data dictionary",
                         description="List the registered policies, the scenarios and every parameter "
                                     "with its unit, default and allowed range; `lmxsim list data` lists every "
                                     "column of every output file with its type, unit and meaning.")
    lst.add_argument("what", nargs="?", choices=["all", "policies", "scenarios", "parameters", "data"],
                     default="all", help="what to list (default: all but data)")
    lst.add_argument("--markdown", action="store_true",
                     help="print the parameter table (docs/parameters.md) as Markdown; with `policies` or "
                          "`scenarios`, their table; with `data`, the data dictionary (docs/data_dictionary.md)")

    docs = sub.add_parser("docs", help="the model's documents: ODD description, parameters, calibration, findings",
                          description="Without NAME: list the documents installed with lmxsim. With NAME: print "
                                      "that document (Markdown), e.g. `lmxsim docs ODD | less`.")
    docs.add_argument("name", nargs="?", metavar="NAME", help="document name, e.g. ODD (case does not matter)")
    docs.add_argument("--path", action="store_true", help="print the file's path instead of its text")

    dash = sub.add_parser("dashboard", help="start the browser dashboard (Solara; works offline)",
                          description="Start the interactive dashboard and print its URL: the organisation as "
                                      "a network, live charts, scenario presets, compare mode and the story of "
                                      "any member. Listens on 127.0.0.1 only unless --host says otherwise.")
    dash.add_argument("--port", type=int, default=8765, metavar="P", help="port (default 8765; 0 = any free port)")
    dash.add_argument("--host", default="127.0.0.1", metavar="H",
                      help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 = every network: "
                           "prints this computer's LAN address for the room to join)")
    dash.add_argument("--open", action="store_true", help="also open the dashboard in the default web browser")
    dash.add_argument("--idle-timeout", type=float, default=60.0, metavar="S",
                      help="seconds a session is kept after its page is gone (tab closed without a word, "
                           "laptop lid shut) before it is freed; it pauses at once (default 60)")
    shop = sub.add_parser("workshop", help="run a workshop: every participant leads a team (Solara; works offline)",
                          description="Start a workshop: print the join address and code for participants and the "
                                      "facilitator's console address. Each participant leads a team round by round; "
                                      "bots fill empty seats and run every built-in policy for the debrief. Listens "
                                      "on 127.0.0.1 only unless --host says otherwise.")
    shop.add_argument("--port", type=int, default=8766, metavar="P", help="port (default 8766; 0 = any free port)")
    shop.add_argument("--host", default="127.0.0.1", metavar="H",
                      help="address to listen on (default 127.0.0.1; 0.0.0.0 = every network, for a room)")
    shop.add_argument("--open", action="store_true", help="also open the facilitator's console in the web browser")
    shop.add_argument("--scenario", default="default", help="scenario preset whose parameters the teams have")
    shop.add_argument("--seats", type=int, default=12, metavar="N", help="teams (participants + bots), default 12")
    shop.add_argument("--rounds", type=int, default=4, metavar="N", help="rounds, default 4")
    shop.add_argument("--round-weeks", type=int, default=13, metavar="N", help="weeks per round, default 13")
    shop.add_argument("--round-seconds", type=int, default=300, metavar="S", help="round timer, default 300")
    shop.add_argument("--team-size", type=int, default=8, metavar="N", help="people per team, default 8")
    shop.add_argument("--seed", type=int, default=1, metavar="N", help="seed: the same people and luck for everyone")
    shop.add_argument("--mode", default="same_team", metavar="MODE",
                      help="same_team (everyone leads a copy of the same team; default) or shared_org (teams of "
                           "one organisation)")
    shop.add_argument("--absent", default="keep", metavar="WHAT",
                      help="who plays a participant who does not submit: keep (last round's choices; default) or "
                           "a policy name (a bot)")
    shop.add_argument("--seat-bot", default="reactive_in_crowd", metavar="POLICY", help="policy of empty seats")
    shop.add_argument("--set", action="append", metavar="PARAM=VALUE", help="override a parameter (repeatable)")

    study = sub.add_parser("study", help="plan a field study: power of leader training from simulated surveys",
                           description="Simulate many field studies of leader training per sample size (leaders x "
                                       "members per leader), survey them with noisy instruments, analyse each with a "
                                       "mixed model or difference-in-differences; write power.csv and "
                                       "power_curve.png (docs/study.md). Re-running on the same DIR resumes.")
    study.add_argument("study_command", choices=["list", "show", "run"], metavar="ACTION",
                       help="list (the shipped studies), show SPEC (print it), run SPEC --out DIR")
    study.add_argument("spec", nargs="?", metavar="SPEC", help="a shipped study's name or a .toml study specification")
    study.add_argument("--out", metavar="DIR", help="result directory (run; new, or this study's)")
    study.add_argument("--workers", type=int, default=None, metavar="N",
                       help="local worker processes (default: number of cores)")
    study.add_argument("--quiet", action="store_true", help="no progress bar")
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
    check_writable(args.out)
    model = LMXModel(policy=args.policy, scenario=args.scenario, seed=args.seed,
                     panel_every=args.panel_every, **overrides)
    _run_weeks(model, progress=not args.quiet)
    frame = model.model_frame()
    with staged_output(args.out) as stage:
        frame.to_csv(stage / "model.csv", index=False)
        if model.panel.enabled:
            model.panel_frame().to_csv(stage / "panel.csv", index=False)
    print(summary_text(model, frame, args.out))
    return 0


def _run_weeks(model, progress: bool) -> None:
    """``model.run()``, one week at a time under a progress bar (stderr, terminals only)."""
    from lmxsim.progress import progress_bar

    todo = max(0, model.params.weeks - model.week)
    with progress_bar(todo, "run", progress, unit="week") as bar:
        for _ in range(todo):
            model.step()
            bar.update(1)


def summary_text(model, frame, out) -> str:
    from lmxsim.outcomes import run_summary

    s = run_summary(frame)
    lines = [
        f"lmxsim run: policy={','.join(model.policies_in_use)} scenario={model.preset.name} "
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

    if args.what == "data":
        from lmxsim import datadict
        print(datadict.markdown() if args.markdown else datadict.text())
        return 0
    if args.markdown:   # `list --markdown` is docs/parameters.md; policies and scenarios get their own tables
        print({"policies": policies_markdown, "scenarios": scenarios_markdown}.get(args.what, parameters_markdown)())
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
    if args.what == "all":
        print("\nOUTPUT FILES: `lmxsim list data` explains every column of every file lmxsim writes")
    return 0


def policies_markdown() -> str:
    from lmxsim.policies import CLASSIFIER_KEYS, policy_class, policy_names

    rows = ["| policy | what the leader does | flags | source |", "|---|---|---|---|"]
    for name in policy_names():
        cls = policy_class(name)
        flags = ", ".join(k for k in CLASSIFIER_KEYS if cls.classifier.get(k)) or "-"
        rows.append(f"| `{name}` | {(cls.__doc__ or '').strip().splitlines()[0]} | {flags} | {cls.source} |")
    return "\n".join(rows)


def scenarios_markdown() -> str:
    from lmxsim.scenarios import SCENARIOS

    rows = ["| scenario | title | leaders' policy | description | events |", "|---|---|---|---|---|"]
    for sc in SCENARIOS.values():
        events = "; ".join(e.describe() for e in sc.events) or "-"
        rows.append(f"| `{sc.name}` | {sc.title} | `{sc.policy}` | {sc.description} | {events} |")
    return "\n".join(rows)


def parameters_markdown() -> str:
    rows = ["# Parameters", "",
            "Generated from `lmxsim/params.py` by `lmxsim list --markdown`; do not edit by hand.", "",
            "| group | name | default | unit | range | source / rationale |",
            "|---|---|---|---|---|---|"]
    for d in params_mod.describe():
        rows.append(f"| {d['group']} | `{d['name']}` | {d['default']} | {d['unit']} | "
                    f"[{d['low']}, {d['high']}] | {d['source']} |")
    return "\n".join(rows)


def cmd_compare(args) -> int:
    from lmxsim.compare import compare, format_table
    from lmxsim.output import check_writable, staged_output

    overrides = parse_sets(args.set)
    if args.weeks is not None:
        overrides["weeks"] = args.weeks
    policies = args.policies  # a list, checked by check_options
    _check_compare_size(args, policies, overrides)
    check_writable(args.out)
    with local_pool(args.workers) as executor:
        c = compare(policies, scenario=args.scenario, seeds=args.seeds, root_seed=args.root_seed,
                    overrides=overrides, executor=executor, progress=not args.quiet)
    from lmxsim.plots import comparison_figure   # matplotlib: after the input is checked and the runs done

    with staged_output(args.out) as stage:
        c.summary.to_csv(stage / "summary.csv", index=False)
        c.runs.to_csv(stage / "runs.csv", index=False)
        c.weekly.to_csv(stage / "weekly.csv", index=False)
        comparison_figure(c.weekly, c.summary, c.policies,
                          f"lmxsim compare - scenario {c.scenario}, {len(c.seeds)} seeds", stage / "compare.png")
    print(format_table(c))
    print(f"wrote {args.out}/summary.csv, runs.csv, weekly.csv and compare.png")
    return 0


def cmd_validate(args) -> int:
    from lmxsim.output import check_writable, staged_output
    from lmxsim.validation import facts_table, format_facts, run_validation, validation_figures

    overrides = parse_sets(args.set)
    _check_validation_size(args, overrides)
    check_writable(args.out)
    with local_pool(args.workers) as executor:
        facts = run_validation(seeds=args.seeds, members=args.members, reliability=args.reliability,
                               overrides=overrides, executor=executor, progress=not args.quiet)
    table = facts_table(facts)
    with staged_output(args.out) as stage:
        table.to_csv(stage / "validation.csv", index=False)
        validation_figures(facts, stage)
    print(format_facts(facts, args.seeds, args.members, args.reliability))
    print(f"wrote {args.out}/validation.csv and figures")
    return 0 if all(f.passed for f in facts) else 1


def _check_compare_size(args, policies: list[str] | None, overrides: dict) -> None:
    """``compare`` keeps every run's weekly rows in memory: refuse more seeds than fit."""
    from lmxsim.policies import policy_names
    from lmxsim.resources import BYTES_PER_RUN_RESULT, BYTES_PER_WEEKLY_ROW, check_fits
    from lmxsim.scenarios import get_scenario

    weeks = params_mod.Params(**{**get_scenario(args.scenario).overrides, **overrides}).weeks
    runs = len(policies or policy_names()) * args.seeds
    # the rows as the DataCollector keeps them, then once more as one concatenated frame
    check_fits("--seeds", args.seeds, runs * (BYTES_PER_RUN_RESULT + 2 * (weeks + 1) * BYTES_PER_WEEKLY_ROW),
               f"as many seeds as fit in memory ({runs:,} runs of {weeks} weeks)")


def _check_validation_size(args, overrides: dict) -> None:
    """``validate`` sizes the organisation from --members over the default horizon; refuse what
    would be ignored (``--set n_teams/weeks``) and what does not fit in memory."""
    from lmxsim.resources import BYTES_PER_PANEL_ROW, BYTES_PER_WEEKLY_ROW, check_fits, model_bytes
    from lmxsim.scenarios import get_scenario
    from lmxsim.validation import SURVEY_EVERY

    for fixed in ("n_teams", "weeks"):
        if fixed in overrides:
            raise LMXInputError(f"--set {fixed}", overrides[fixed],
                                "a parameter validate does not fix itself (it sets n_teams from --members "
                                "and runs the default horizon)")
    team_size = overrides.get("team_size", params_mod.Params().team_size)
    n_teams = max(1, round(args.members / team_size))
    limit = params_mod.Params.__dataclass_fields__["n_teams"].metadata["high"]
    if n_teams > limit:
        raise LMXInputError("--members", args.members, f"at most {limit * team_size} members "
                                                       f"({limit} teams of team_size={team_size})")
    p = params_mod.Params(**{**overrides, "n_teams": n_teams})
    one = model_bytes(p, get_scenario("default"), panel_every=1)          # the panel run of one seed
    kept = n_teams * team_size * (p.weeks // SURVEY_EVERY) * BYTES_PER_PANEL_ROW + 3 * (p.weeks + 1) * BYTES_PER_WEEKLY_ROW
    check_fits("--members", args.members, one, "an organisation (and its weekly panel) that fits in memory")
    check_fits("--seeds", args.seeds, one + args.seeds * kept,
               f"a validation that fits in memory ({args.seeds} seeds x {args.members} members)")


def cmd_experiment(args) -> int:
    import os

    from lmxsim import experiments
    from lmxsim.experiments.store import StoreWriteError

    action = args.experiment_command
    if action is None:
        raise LMXInputError("experiment", None, "an action: list, show, run, summarize or sensitivity")
    if action == "list":
        print("SHIPPED EXPERIMENTS (run one with: lmxsim experiment run NAME --out DIR)")
        for row in experiments.catalogue():
            print(f"  {row['name']:20s} {row['runs']:>6} runs  {row['weeks']} weeks  {row['method']} design")
            for line in textwrap.wrap(row["purpose"], 76):
                print(f"  {'':20s} {line}")
        return 0
    if action == "show":
        from lmxsim.experiments.shipped import resolve

        experiments.load_spec(args.spec)  # a bad name or file: one line, exit code 2
        print(resolve(args.spec).read_text(encoding="utf-8"), end="")
        return 0
    if action == "summarize":
        summary, diffs, figures = experiments.summarize(args.dir, args.out)
        out = args.out or os.path.join(args.dir, "summary")
        tables = ", ".join(["summary.csv", "differences.csv",
                            *(["factor_differences.csv"] if os.path.exists(os.path.join(out, "factor_differences.csv"))
                              else [])])
        print(f"{summary.point_id.nunique()} design points x {summary.policy.nunique()} policies; "
              f"wrote {out}/: {tables} and {len(figures)} figure(s)")
        return 0
    if action == "sensitivity":
        table = experiments.sensitivity(args.dir, args.out)
        out = args.out or os.path.join(args.dir, "sensitivity")
        key = "ST" if "ST" in table else "mu_star"
        top = table.dropna(subset=[key]).sort_values(key, ascending=False).groupby(["policy", "outcome"]).head(1)
        for row in top.itertuples():   # with its bootstrap half-width: small designs rank noisily
            print(f"  {row.policy:<20} {row.outcome:<32} most influential: {row.parameter} ({key} "
                  f"{getattr(row, key):.2f} +- {getattr(row, key + '_conf'):.2f})")
        undefined = sorted(set(table.outcome) - set(top.outcome))
        if undefined:
            text = (f"no index (NaN) for {len(undefined)} outcome(s) undefined at some design point (the 52-week "
                    "cohort outcomes need runs of 52 weeks or more) or the same at every point: " + ", ".join(undefined))
            print(textwrap.indent(textwrap.fill(text, 96), "  "))
        print(f"wrote {out}/sensitivity.csv and sensitivity.png")
        return 0
    spec = experiments.load_spec(args.spec)   # the options themselves were checked by check_options
    client = None
    executor = None
    engine = None
    if args.dask or args.dask_local is not None:
        client, executor = experiments.dask_executor(args.dask, args.dask_local)
        engine = f"dask {args.dask or f'LocalCluster({args.dask_local})'}"
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)

    def started(n: int, stored: int) -> None:  # once --out is checked and locked
        print(f"experiment {spec.name}: {n} runs ({spec.replications} replications x {len(spec.policies)} policies "
              f"x {n // (spec.replications * len(spec.policies))} design points), {spec.weeks} weeks -> {args.out}"
              + (f" (resuming: {stored} stored)" if stored else ""), flush=True)

    try:
        runs = experiments.run(spec, out=args.out, executor=executor, workers=workers, progress=not args.quiet,
                               flush_every=args.flush_every, engine=engine, on_start=started)
    except StoreWriteError as exc:
        print(f"lmxsim: error: {exc}", file=sys.stderr)
        return EXIT_WRITE_FAILED
    finally:
        if client is not None:
            client.close()
    also = f" (and: lmxsim experiment sensitivity {args.out})" if spec.method in ("sobol", "morris") else ""
    print(f"{len(runs)} runs stored in {args.out}; next: lmxsim experiment summarize {args.out}{also}")
    return 0


def cmd_docs(args) -> int:
    """``lmxsim docs [NAME] [--path]``: list, print or locate a packaged document."""
    from lmxsim import documents

    if args.name is None:
        print(f"DOCUMENTS (print one with: lmxsim docs NAME; files in {documents.docs_dir()})")
        for name in documents.doc_names():
            print(f"  {name:14s} {documents.doc_title(name)}")
        return 0
    path = documents.doc_path(args.name)
    print(path if args.path else path.read_text(encoding="utf-8"), end="\n" if args.path else "")
    return 0


def cmd_dashboard(args) -> int:
    from lmxsim.dashboard.server import exit_quietly_on_stop_signals, serve

    code = serve(host=args.host, port=args.port, open_browser=args.open, idle_timeout=args.idle_timeout)
    exit_quietly_on_stop_signals()   # the process ends now: a second Ctrl+C must not print a traceback
    return code


def cmd_workshop(args) -> int:
    from lmxsim.dashboard.server import exit_quietly_on_stop_signals
    from lmxsim.workshop.server import serve
    from lmxsim.workshop.session import WorkshopConfig

    config = WorkshopConfig(scenario=args.scenario, team_size=args.team_size, seats=args.seats, rounds=args.rounds,
                            round_weeks=args.round_weeks, seed=args.seed, mode=args.mode, absent=args.absent,
                            seat_bot=args.seat_bot, round_seconds=args.round_seconds, params=parse_sets(args.set))
    code = serve(config, host=args.host, port=args.port, open_browser=args.open)
    exit_quietly_on_stop_signals()
    return code


def cmd_study(args) -> int:
    """``lmxsim study list | show SPEC | run SPEC --out DIR``."""
    from lmxsim import study

    if args.study_command == "list" and args.spec is not None:
        raise LMXInputError("SPEC", args.spec, "nothing after `lmxsim study list` (to see one: lmxsim study show NAME)")
    if args.study_command == "list":
        print("SHIPPED STUDIES (run one with: lmxsim study run NAME --out DIR)")
        for name in study.shipped_names():
            spec = study.load_study(name)
            print(f"  {name:24s} {spec.design} design, {len(spec.cells)} sample sizes x "
                  f"{spec.replications}+{spec.null_replications} studies")
            for line in textwrap.wrap(spec.purpose, 76):
                print(f"  {'':24s} {line}")
        return 0
    if args.spec is None:
        raise LMXInputError("SPEC", None, f"a study to {args.study_command}: a shipped name or a .toml file")
    if args.study_command == "show":
        from lmxsim.study.spec import study_text

        print(study_text(args.spec), end="")
        return 0
    if args.out is None:
        raise LMXInputError("--out", None, "a result directory for `lmxsim study run SPEC --out DIR`")
    spec = study.load_study(args.spec)
    from lmxsim.study.runner import open_output

    open_output(args.out, spec)   # a bad --out is the only line printed
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    print(f"study {spec.name}: {len(spec.cells)} sample sizes x {spec.replications} studies "
          f"(+ {spec.null_replications} null) -> {args.out}", flush=True)
    table = study.run_study(spec, args.out, workers=workers, progress=not args.quiet)
    last = table[(table.wave == table.wave.max())]
    for row in last.itertuples():
        print(f"  {row.leaders:>5} x {row.members_per_leader:<4} {row.outcome:<20} power {row.power:.2f} "
              f"[{row.power_low:.2f}, {row.power_high:.2f}]  false positives {row.false_positive_rate:.3f}")
    print(f"wrote {args.out}/power.csv and power_curve.png")
    return 0


COMMANDS = {"workshop": cmd_workshop, "dashboard": cmd_dashboard, "run": cmd_run, "experiment": cmd_experiment, "compare": cmd_compare, "validate": cmd_validate, "list": cmd_list,
            "docs": cmd_docs, "study": cmd_study}


def main(argv: list[str] | None = None) -> int:
    # SIGPIPE keeps Python's own disposition (ignored): a closed pipe is a BrokenPipeError, handled
    # below for the printing commands, and a browser tab closed mid-response is the web server's
    # business. The default action (kill the process) would take the dashboard down for every
    # visitor whenever one of them closed a tab while a page was loading.
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        check_options(args)
        if argv is None and args.command in ("dashboard", "workshop"):   # a server started from a shell
            from lmxsim.dashboard.lifecycle import use_system_malloc

            use_system_malloc(sys.argv[1:])
        return COMMANDS[args.command](args)
    except LMXInputError as exc:
        print(f"lmxsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt as exc:  # Ctrl-C: one line (an experiment run says what is stored)
        print(f"lmxsim: {str(exc) or 'interrupted'}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _quiet_broken_pipe() -> int:
    """`lmxsim list | head`: the reader left; end quietly with the shell's code for SIGPIPE."""
    try:  # Python flushes stdout at exit and would complain about the closed pipe again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass
    return 128 + 13


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
