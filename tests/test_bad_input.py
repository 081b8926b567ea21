"""Every bad input gets one line: field, value, what is allowed; exit code 2; nothing on disk.

Table-driven: each row is one malformed input to the command line, an experiment
specification or the Python API. A CLI row must exit with code 2, print exactly one line
on stderr that names the field and no traceback, and leave the temporary folder exactly
as it was (the --out path does not exist). An API row must raise ``LMXInputError`` whose
field names the culprit. Further tests pin down what the table cannot: a failed week
leaves the model as it was, policy registration, and input errors crossing process
boundaries.
"""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from helpers import run_cli, tree
from lmxsim import policies
from lmxsim.errors import LMXInputError
from lmxsim.model import LMXModel
from lmxsim.params import Params
from lmxsim.policies import CLASSIFIER_KEYS, Decisions, Policy, get_policy
from lmxsim.state import MEMBER_FIELDS

TINY = ["--set", "n_teams=1", "--set", "team_size=3", "--weeks", "2"]
OUT = "{tmp}/out"

# ---------------------------------------------------------------------------- command line
# (case id, argv with {tmp} for the temporary folder, text the one line must contain)
CLI_CASES = [
    # run
    ("run unknown policy", ["run", "--out", OUT, "--policy", "nope", *TINY], "policy"),
    ("run policy empty", ["run", "--out", OUT, "--policy", "", *TINY], "policy"),
    ("run unknown scenario", ["run", "--out", OUT, "--scenario", "mars", *TINY], "scenario"),
    ("run seed inf", ["run", "--out", OUT, "--seed", "inf", *TINY], "--seed"),
    ("run seed nan", ["run", "--out", OUT, "--seed", "nan", *TINY], "--seed"),
    ("run seed fraction", ["run", "--out", OUT, "--seed", "1.5", *TINY], "--seed"),
    ("run seed negative", ["run", "--out", OUT, "--seed", "-1", *TINY], "--seed"),
    ("run seed 2**64", ["run", "--out", OUT, "--seed", str(2**64), *TINY], "--seed"),
    ("run seed text", ["run", "--out", OUT, "--seed", "abc", *TINY], "--seed"),
    ("run out empty", ["run", "--out", "", *TINY], "--out"),
    ("run out blank", ["run", "--out", "  ", *TINY], "--out"),
    ("run out NUL", ["run", "--out", "{tmp}/a\x00b", *TINY], "--out"),
    ("run team_size 0", ["run", "--out", OUT, *TINY, "--set", "team_size=0"], "team_size"),
    ("run n_teams 0", ["run", "--out", OUT, *TINY, "--set", "n_teams=0"], "n_teams"),
    ("run set inf", ["run", "--out", OUT, *TINY, "--set", "trust_gain=inf"], "trust_gain"),
    ("run set empty value", ["run", "--out", OUT, *TINY, "--set", "trust_gain="], "trust_gain"),
    ("run set no name", ["run", "--out", OUT, *TINY, "--set", "=3"], "="),
    ("run weeks 0", ["run", "--out", OUT, "--set", "n_teams=1", "--weeks", "0"], "weeks"),
    ("run weeks too many", ["run", "--out", OUT, "--set", "n_teams=1", "--weeks", "99999"], "weeks"),
    ("run panel negative", ["run", "--out", OUT, *TINY, "--panel-every", "-2"], "--panel-every"),
    ("run organisation too large", ["run", "--out", OUT, "--set", "n_teams=200000", "--set", "team_size=500",
                                    "--weeks", "1"], "n_teams x team_size"),
    ("run panel too large", ["run", "--out", OUT, "--set", "n_teams=20000", "--set", "team_size=500",
                             "--panel-every", "1"], "panel_every"),
    ("run growing team too big", ["run", "--out", OUT, "--scenario", "growing_team", "--set", "team_size=25",
                                  "--set", "n_teams=1", "--weeks", "2"], "team_size"),
    # compare
    # refused from its size before anything runs (it was built, and killed by the OS for want of memory)
    ("compare organisation too big", ["compare", "--out", OUT, "--set", "n_teams=200000", "--set", "team_size=500",
                                      "--seeds", "2", "--weeks", "2"], "n_teams x team_size"),
    ("compare policies comma", ["compare", "--out", OUT, "--policies", ",", *TINY], "--policies"),
    ("compare policies empty", ["compare", "--out", OUT, "--policies", "", *TINY], "--policies"),
    ("compare policies double comma", ["compare", "--out", OUT, "--policies", "equal_split,,transactional",
                                       *TINY], "--policies"),
    ("compare policies trailing comma", ["compare", "--out", OUT, "--policies", "equal_split,", *TINY],
     "--policies"),
    ("compare policies unknown", ["compare", "--out", OUT, "--policies", "equal_split,nope", *TINY], "--policies"),
    ("compare policies twice", ["compare", "--out", OUT, "--policies", "equal_split,equal_split", *TINY],
     "--policies"),
    ("compare seeds 1", ["compare", "--out", OUT, "--seeds", "1", *TINY], "--seeds"),
    ("compare seeds huge", ["compare", "--out", OUT, "--seeds", "1000000000", *TINY], "--seeds"),
    ("compare root seed negative", ["compare", "--out", OUT, "--root-seed", "-1", *TINY], "--root-seed"),
    ("compare root seed overflow", ["compare", "--out", OUT, "--root-seed", str(2**64), *TINY], "--root-seed"),
    ("compare workers 0", ["compare", "--out", OUT, "--workers", "0", *TINY], "--workers"),
    ("compare workers huge", ["compare", "--out", OUT, "--workers", "100000", *TINY], "--workers"),
    ("compare out empty", ["compare", "--out", "", *TINY], "--out"),
    ("compare bad set", ["compare", "--out", OUT, *TINY, "--set", "promise_reliability=2"], "promise_reliability"),
    # validate
    ("validate team_size 0", ["validate", "--out", OUT, "--set", "team_size=0"], "team_size"),
    ("validate set n_teams", ["validate", "--out", OUT, "--set", "n_teams=3"], "n_teams"),
    ("validate set weeks", ["validate", "--out", OUT, "--set", "weeks=30"], "weeks"),
    ("validate members 0", ["validate", "--out", OUT, "--members", "0"], "--members"),
    ("validate members huge", ["validate", "--out", OUT, "--members", "100000000000"], "--members"),
    ("validate seeds 1", ["validate", "--out", OUT, "--seeds", "1"], "--seeds"),
    ("validate seeds huge", ["validate", "--out", OUT, "--seeds", "100000000"], "--seeds"),
    ("validate reliability nan", ["validate", "--out", OUT, "--reliability", "nan"], "--reliability"),
    ("validate reliability 0", ["validate", "--out", OUT, "--reliability", "0"], "--reliability"),
    ("validate workers 0", ["validate", "--out", OUT, "--workers", "0"], "--workers"),
    ("validate out empty", ["validate", "--out", ""], "--out"),
    # list
    ("list unknown", ["list", "everything"], "what"),
    # experiment run / summarize / sensitivity
    ("experiment no action", ["experiment"], "experiment"),
    ("experiment run missing spec", ["experiment", "run", "{tmp}/none.toml", "--out", OUT], "SPEC"),
    ("experiment run empty spec path", ["experiment", "run", "", "--out", OUT], "SPEC"),
    ("experiment run out empty", ["experiment", "run", "{spec}", "--out", ""], "--out"),
    ("experiment run dask not an address", ["experiment", "run", "{spec}", "--out", OUT, "--dask", "not an address"],
     "--dask"),
    ("experiment run dask no port", ["experiment", "run", "{spec}", "--out", OUT, "--dask", "tcp://scheduler"],
     "--dask"),
    ("experiment run dask port range", ["experiment", "run", "{spec}", "--out", OUT, "--dask", "10.0.0.1:70000"],
     "--dask"),
    ("experiment run dask scheme", ["experiment", "run", "{spec}", "--out", OUT, "--dask", "http://x:8786"],
     "--dask"),
    ("experiment run dask bad ip", ["experiment", "run", "{spec}", "--out", OUT, "--dask", "999.1.1.1:8786"],
     "--dask"),
    ("experiment run dask-local 0", ["experiment", "run", "{spec}", "--out", OUT, "--dask-local", "0"],
     "--dask-local"),
    ("experiment run workers 0", ["experiment", "run", "{spec}", "--out", OUT, "--workers", "0"], "--workers"),
    ("experiment run flush 0", ["experiment", "run", "{spec}", "--out", OUT, "--flush-every", "0"],
     "--flush-every"),
    ("experiment summarize no manifest", ["experiment", "summarize", "{tmp}/nothing"], "DIR"),
    ("experiment summarize empty dir", ["experiment", "summarize", ""], "DIR"),
    ("experiment summarize out empty", ["experiment", "summarize", "{tmp}/nothing", "--out", ""], "--out"),
    ("experiment sensitivity no manifest", ["experiment", "sensitivity", "{tmp}/nothing"], "DIR"),
    ("experiment sensitivity out NUL", ["experiment", "sensitivity", "{tmp}/nothing", "--out", "x\x00"], "--out"),
    # dashboard: argument checks only (each fails before a server could start)
    ("dashboard port too high", ["dashboard", "--port", "70000"], "--port"),
    ("dashboard port negative", ["dashboard", "--port", "-1"], "--port"),
    ("dashboard host 999", ["dashboard", "--host", "999.1.1.1"], "--host"),
    ("dashboard host 999 any port", ["dashboard", "--host", "999.1.1.1", "--port", "0"], "--host"),
    ("dashboard host empty", ["dashboard", "--host", ""], "--host"),
    ("dashboard host with spaces", ["dashboard", "--host", "my computer"], "--host"),
    ("dashboard host not this computer", ["dashboard", "--host", "192.0.2.1"], "--host"),
]

GOOD_SPEC = """
[experiment]
name = "tiny"
purpose = "a tiny valid experiment for option checks"
policies = ["equal_split"]
replications = 1
weeks = 2
[fixed]
n_teams = 1
team_size = 3
"""


def _assert_one_line_error(code, stderr, field):
    assert code == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert "error" in lines[0]
    assert field in lines[0], lines[0]


@pytest.mark.parametrize("case,argv,field", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_bad_command_line_exits_2_with_one_line_and_writes_nothing(case, argv, field, tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(GOOD_SPEC)
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{spec}", str(spec)) for a in argv]
    before = tree(tmp_path)
    code, _, stderr = run_cli(argv, capsys)
    _assert_one_line_error(code, stderr, field)
    assert not (tmp_path / "out").exists()
    assert tree(tmp_path) == before


def test_a_pasted_huge_value_is_named_by_its_start_and_length_not_echoed(capsys):
    # a 100,000-character seed ran off the dashboard's alert and filled a terminal
    code, _, stderr = run_cli(["run", "--seed", "9" * 100_000, "--weeks", "2"], capsys)
    _assert_one_line_error(code, stderr, "--seed")
    assert len(stderr) < 450 and "(100,002 characters)" in stderr
    exc = LMXInputError("name", "x" * 5000, "text of 1-30 characters")
    assert exc.value == "x" * 5000 and len(exc.sentence()) < 320 and exc.sentence().endswith("1-30 characters.")


def _api_cases():
    from lmxsim import experiments
    from lmxsim.compare import compare
    from lmxsim.study import parse_study, run_study
    small = {"overrides": {"n_teams": 2, "team_size": 4, "weeks": 30}}
    return [   # (what, call, field): each was a bare TypeError or AttributeError from deep inside
        ("compare seeds text", lambda: compare(["proactive_deal"], seeds="3", **small), "seeds"),
        ("compare seeds None", lambda: compare(["proactive_deal"], seeds=None, **small), "seeds"),
        ("compare overrides list", lambda: compare(["proactive_deal"], seeds=2, overrides=[("n_teams", 2)]), "overrides"),
        ("compare overrides text", lambda: compare(["proactive_deal"], seeds=2, overrides="n_teams=2"), "overrides"),
        ("compare executor", lambda: compare(["proactive_deal"], seeds=2, executor="x", **small), "executor"),
        ("compare one policy as text", lambda: compare("proactive_deal", seeds=2, **small), "policies"),
        ("load_spec number", lambda: experiments.load_spec(5), "SPEC"),
        ("parse_spec None", lambda: experiments.parse_spec(None), "<spec>: (specification)"),
        ("parse_spec list", lambda: experiments.parse_spec([]), "<spec>: (specification)"),
        ("run a dict", lambda: experiments.run({"experiment": {}}), "spec"),
        ("run executor", lambda: experiments.run(experiments.load_spec("policy_comparison"), executor="x"),
         "executor"),
        ("parse_study None", lambda: parse_study(None), "<spec>: (specification)"),
        ("run_study out None", lambda: run_study("leader_training_power", None), "out"),
    ]


@pytest.mark.parametrize("index", range(13))
def test_the_python_api_refuses_bad_arguments_by_name(index):
    what, call, field = _api_cases()[index]
    with pytest.raises(LMXInputError) as info:
        call()
    assert info.value.field == field, what


@pytest.mark.parametrize("call, field", [
    (lambda m: m.member_at(999), "position"), (lambda m: m.member_at("a"), "position"),
    (lambda m: m.member_at(-1), "position"),        # it was the last position, silently
    (lambda m: m.policy_of_team(9), "team"), (lambda m: m.policy_of_team(-1), "team"),
])
def test_indexing_a_model_outside_it_is_refused_by_name(call, field):
    model = LMXModel(n_teams=2, team_size=3, seed=1)
    with pytest.raises(LMXInputError) as info:   # IndexError / ValueError before
        call(model)
    assert info.value.field == field
    model.set_policy("proactive_deal", [])   # no team: nothing to switch (it was refused as bad indices)
    assert model.policies_in_use == [model.policy_of_team(0)] and model.member_at(np.int64(0)).position == 0


def test_dashboard_port_in_use_is_one_line(tmp_path, capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, stderr = run_cli(["dashboard", "--port", str(port)], capsys)
    _assert_one_line_error(code, stderr, "--port")
    assert "free port" in stderr


def test_the_good_spec_of_the_table_runs(tmp_path, capsys):
    """The table's refusals come from the option at fault, not from the specification."""
    spec = tmp_path / "spec.toml"
    spec.write_text(GOOD_SPEC)
    code, _, stderr = run_cli(["experiment", "run", str(spec), "--out", str(tmp_path / "out"), "--workers", "1",
                               "--quiet"], capsys)
    assert code == 0, stderr
    assert (tmp_path / "out" / "manifest.json").is_file()


# ---------------------------------------------------------------------------- spec files
EXPERIMENT = '[experiment]\nname = "x"\npurpose = "y"\npolicies = ["equal_split"]\nreplications = 1\nweeks = 2\n'
SMALL_ORG = "[fixed]\nn_teams = 1\nteam_size = 3\n"

# (case id, file content (str or bytes), text the one line must contain)
SPEC_CASES = [
    ("binary file", b"\x7fELF\x02\x01\x01\x00\x00\x00\xd0\xff\xfe", "SPEC"),
    ("latin-1 text", EXPERIMENT.replace('"y"', '"caf\xe9"').encode("latin-1"), "SPEC"),
    ("NUL bytes", EXPERIMENT.encode() + b"\x00\x00", "SPEC"),
    ("not TOML", "this is not toml", "valid TOML"),
    ("empty file", "", "experiment"),
    ("unknown section", EXPERIMENT + "[extra]\na = 1\n", "extra"),
    ("unknown experiment key", EXPERIMENT + "colour = 1\n", "experiment.colour"),
    ("policies not a list", EXPERIMENT.replace('["equal_split"]', '"equal_split"'), "experiment.policies"),
    ("policy not a string", EXPERIMENT.replace('["equal_split"]', "[[1]]"), "experiment.policies"),
    ("outcome not a string", EXPERIMENT + "outcomes = [[1]]\n", "experiment.outcomes"),
    ("scenario factor not a string", EXPERIMENT + '[factors]\nscenario = [["default"]]\n', "factors.scenario"),
    ("scenario not a string", EXPERIMENT + "scenario = 3\n", "experiment.scenario"),
    ("replications 0", EXPERIMENT.replace("replications = 1", "replications = 0"), "experiment.replications"),
    ("replications huge", EXPERIMENT.replace("replications = 1", "replications = 1000000000"),
     "experiment.replications"),
    ("weeks 0", EXPERIMENT.replace("weeks = 2", "weeks = 0"), "experiment.weeks"),
    ("fixed out of range", EXPERIMENT + "[fixed]\nteam_size = 0\n", "fixed.team_size"),
    ("fixed wrong type", EXPERIMENT + '[fixed]\nteam_size = "ten"\n', "fixed.team_size"),
    ("factor level out of range", EXPERIMENT + "[factors]\ntrust_gain = [0.1, 7.0]\n", "factors.trust_gain"),
    ("factor empty", EXPERIMENT + "[factors]\ntrust_gain = []\n", "factors.trust_gain"),
    ("factor level twice", EXPERIMENT + "[factors]\ntrust_gain = [0.1, 0.1]\n", "factors.trust_gain"),
    ("growing team factor above target", EXPERIMENT.replace("weeks = 2", 'weeks = 2\nscenario = "growing_team"')
     + "[factors]\nteam_size = [8, 24]\n", "factors.team_size"),
    ("growing team as a scenario factor", EXPERIMENT + "[fixed]\nn_teams = 1\n[factors]\nteam_size = [8, 30]\n"
     'scenario = ["default", "growing_team"]\n', "factors.team_size"),
    ("growing team range above target", EXPERIMENT.replace("weeks = 2", 'weeks = 2\nscenario = "growing_team"')
     + '[design]\nmethod = "lhs"\nsamples = 20\n[design.ranges]\nteam_size = [4, 30]\n', "design.ranges.team_size"),
    ("morris levels 3", EXPERIMENT + '[design]\nmethod = "morris"\nsamples = 4\nlevels = 3\n[design.ranges]\n'
     "trust_gain = [0.1, 0.2]\nidea_rate = [0.5, 1.0]\n", "design.levels"),
    ("morris levels 0", EXPERIMENT + '[design]\nmethod = "morris"\nsamples = 4\nlevels = 0\n[design.ranges]\n'
     "trust_gain = [0.1, 0.2]\nidea_rate = [0.5, 1.0]\n", "design.levels"),
    ("design samples huge", EXPERIMENT + '[design]\nmethod = "sobol"\nsamples = 1073741824\n[design.ranges]\n'
     "trust_gain = [0.1, 0.2]\nidea_rate = [0.5, 1.0]\n", "design.samples"),
    ("design organisation too large", EXPERIMENT + "[factors]\nn_teams = [1, 200000]\nteam_size = [500]\n",
     "design point"),
    ("range reversed", EXPERIMENT + '[design]\nmethod = "lhs"\nsamples = 4\n[design.ranges]\n'
     "trust_gain = [0.2, 0.1]\n", "design.ranges.trust_gain"),
    ("range beyond parameter", EXPERIMENT + '[design]\nmethod = "lhs"\nsamples = 4\n[design.ranges]\n'
     "trust_gain = [0.5, 1.5]\n", "design.ranges.trust_gain"),
]


@pytest.mark.parametrize("case,content,field", SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_bad_spec_file_exits_2_with_one_line_and_writes_nothing(case, content, field, tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        spec.write_bytes(content)
    else:
        spec.write_text(content)
    before = tree(tmp_path)
    code, _, stderr = run_cli(["experiment", "run", str(spec), "--out", str(tmp_path / "out"), "--workers", "1",
                               "--quiet"], capsys)
    _assert_one_line_error(code, stderr, field)
    assert not (tmp_path / "out").exists()
    assert tree(tmp_path) == before


def test_memory_refusal_gives_the_estimate_and_the_machine_memory(tmp_path, capsys):
    code, _, stderr = run_cli(["run", "--out", str(tmp_path / "out"), "--set", "n_teams=200000",
                               "--set", "team_size=500", "--weeks", "1"], capsys)
    _assert_one_line_error(code, stderr, "n_teams x team_size")
    assert "needs about" in stderr and "GiB" in stderr and "this machine has" in stderr


# ---------------------------------------------------------------------------- Python API
def _ok_policy_class(name="test_bad_input_policy"):
    class Ok(Policy):
        """Equal treatment (test)."""

        classifier = dict.fromkeys(CLASSIFIER_KEYS, False)

        def decide(self, view):
            return Decisions.uniform(view, latitude=0.5)

    Ok.name = name
    return Ok


# (case id, call, field the error must name)
API_CASES = [
    ("model seed inf", lambda: LMXModel(seed=float("inf")), "seed"),
    ("model seed nan", lambda: LMXModel(seed=float("nan")), "seed"),
    ("model seed 1.5", lambda: LMXModel(seed=1.5), "seed"),
    ("model seed -1", lambda: LMXModel(seed=-1), "seed"),
    ("model seed abc", lambda: LMXModel(seed="abc"), "seed"),
    ("model seed 2**64", lambda: LMXModel(seed=2**64), "seed"),
    ("model seed True", lambda: LMXModel(seed=True), "seed"),
    ("model seed list", lambda: LMXModel(seed=[1]), "seed"),
    ("model unknown parameter", lambda: LMXModel(seed=1, team_sise=3), "team_sise"),
    ("model team_size 0", lambda: LMXModel(seed=1, team_size=0), "team_size"),
    ("model team_size float", lambda: LMXModel(seed=1, team_size=3.0), "team_size"),
    ("model policy unhashable", lambda: LMXModel(seed=1, policy=["equal_split"]), "policy"),
    ("model scenario unhashable", lambda: LMXModel(seed=1, scenario=["default"]), "scenario"),
    ("model panel_every negative", lambda: LMXModel(seed=1, panel_every=-1), "panel_every"),
    ("model member_agents text", lambda: LMXModel(seed=1, member_agents="no"), "member_agents"),
    ("model too large", lambda: LMXModel(seed=1, n_teams=200_000, team_size=500), "n_teams x team_size"),
    ("model run weeks fraction", lambda: LMXModel(seed=1, n_teams=1, team_size=2).run(1.5), "weeks"),
    ("model run weeks negative", lambda: LMXModel(seed=1, n_teams=1, team_size=2).run(-3), "weeks"),
    ("params nan", lambda: Params(trust_gain=float("nan")), "trust_gain"),
    ("params bool", lambda: Params(team_size=True), "team_size"),
    ("params string", lambda: Params(trust_gain="0.1"), "trust_gain"),
    ("params replace unknown", lambda: Params().replace(trust_gian=0.1), "trust_gian"),
    ("set_policy unknown", lambda: LMXModel(seed=1, n_teams=2, team_size=2).set_policy("nope"), "policy"),
    ("set_policy team out of range", lambda: LMXModel(seed=1, n_teams=2, team_size=2).set_policy(
        "equal_split", teams=[5]), "teams"),
    ("set_policy team fraction", lambda: LMXModel(seed=1, n_teams=2, team_size=2).set_policy(
        "equal_split", teams=[0.5]), "teams"),
    ("get_policy unknown", lambda: get_policy("nope"), "policy"),
    ("register built-in name", lambda: policies.register(_ok_policy_class("proactive_deal")), "policy name"),
    ("register not a policy", lambda: policies.register(int), "register"),
    ("register bad name", lambda: policies.register(_ok_policy_class("has space")), "name"),
]


@pytest.mark.parametrize("case,call,field", API_CASES, ids=[c[0] for c in API_CASES])
def test_bad_python_api_input_raises_lmx_input_error_naming_the_field(case, call, field):
    with pytest.raises(LMXInputError) as info:
        call()
    assert field in info.value.field
    assert "\n" not in str(info.value)


def test_register_under_a_built_in_name_keeps_the_built_in():
    original = policies.policy_class("proactive_deal")
    with pytest.raises(LMXInputError, match="proactive_deal"):
        policies.register(_ok_policy_class("proactive_deal"))
    assert policies.policy_class("proactive_deal") is original


def test_register_replace_true_replaces_and_the_built_in_can_be_restored():
    original = policies.policy_class("equal_split")
    try:
        replacement = policies.register(_ok_policy_class("equal_split"), replace=True)
        assert policies.policy_class("equal_split") is replacement
    finally:
        policies.register(original, replace=True)
    assert policies.policy_class("equal_split") is original


def test_registering_the_same_or_a_redefined_user_class_again_is_allowed_but_not_another_class():
    first = _ok_policy_class("test_rerun")
    try:
        policies.register(first)
        policies.register(first)                      # the same class: nothing changes
        redefined = _ok_policy_class("test_rerun")     # a notebook cell run again: same module and name
        policies.register(redefined)
        assert policies.policy_class("test_rerun") is redefined

        class Other(Policy):
            """Another policy that wants the same name (test)."""

            name = "test_rerun"
            classifier = dict.fromkeys(CLASSIFIER_KEYS, False)

            def decide(self, view):
                return Decisions.uniform(view, latitude=0.5)

        with pytest.raises(LMXInputError, match="a name not yet taken"):
            policies.register(Other)
        assert policies.policy_class("test_rerun") is redefined
        assert policies.register(replace=True)(Other) is Other   # the decorator form with replace
    finally:
        policies.unregister("test_rerun")


# ---------------------------------------------------------------------------- policy output
def _view_len(view):
    return len(view.team)


def _uniform(view, **kw):
    """Equal treatment with some fields replaced (set after construction: uniform() broadcasts)."""
    d = Decisions.uniform(view, latitude=0.5)
    for name, value in kw.items():
        setattr(d, name, value)
    return d


# (case id, decide(view) returning bad decisions, field the error must name)
BAD_DECISIONS = [
    ("returns None", lambda v: None, "decide()"),
    ("returns a dict", lambda v: {"latitude": 0.5}, "decide()"),
    ("latitude too short", lambda v: _uniform(v, latitude=np.full(_view_len(v) - 1, 0.5)), "latitude"),
    ("latitude too long", lambda v: Decisions(time_weight=np.ones(_view_len(v)), offer=np.zeros(_view_len(v)),
                                              latitude=np.full(_view_len(v) + 3, 0.5),
                                              assignment_priority=np.zeros(_view_len(v))), "latitude"),
    ("latitude 2-d", lambda v: _uniform(v, latitude=np.full((_view_len(v), 2), 0.5)), "latitude"),
    ("latitude None", lambda v: Decisions.uniform(v, latitude=None), "latitude"),
    ("latitude nan", lambda v: Decisions.uniform(v, latitude=float("nan")), "latitude"),
    ("latitude above 1", lambda v: Decisions.uniform(v, latitude=1.5), "latitude"),
    ("latitude text", lambda v: Decisions.uniform(v, latitude="high"), "latitude"),
    ("offer wrong length", lambda v: Decisions(time_weight=np.ones(_view_len(v)), offer=np.zeros(1 + _view_len(v)),
                                               latitude=np.zeros(_view_len(v)),
                                               assignment_priority=np.zeros(_view_len(v))), "offer"),
    ("time_weight negative", lambda v: Decisions(time_weight=-np.ones(_view_len(v)), offer=np.zeros(_view_len(v)),
                                                 latitude=np.zeros(_view_len(v)),
                                                 assignment_priority=np.zeros(_view_len(v))), "time_weight"),
    ("time_weight None", lambda v: Decisions(time_weight=None, offer=np.zeros(_view_len(v)),
                                             latitude=np.zeros(_view_len(v)),
                                             assignment_priority=np.zeros(_view_len(v))), "time_weight"),
    ("assignment priority inf", lambda v: Decisions.uniform(v, latitude=0.5, assignment_priority=np.full(
        _view_len(v), np.inf)), "assignment_priority"),
    ("bonus object", lambda v: _uniform(v, bonus=object()), "bonus"),
    ("peer leadership list too long", lambda v: _uniform(v, peer_leadership=[0.1] * (_view_len(v) + 1)),
     "peer_leadership"),
    ("time_use text", lambda v: _uniform(v, time_use="all"), "time_use"),
    ("time_use array", lambda v: _uniform(v, time_use=np.ones(_view_len(v))), "time_use"),
    ("reward contingency nan", lambda v: _uniform(v, reward_contingency=float("nan")), "reward_contingency"),
    ("reward contingency None", lambda v: _uniform(v, reward_contingency=None), "reward_contingency"),
]


def _policy_class(name, decide, fail_week=None):
    """A registered policy whose decide() is ``decide`` (at ``fail_week`` only, if given;
    otherwise equal treatment)."""

    class Bad(Policy):
        """A broken policy (test)."""

        classifier = dict.fromkeys(CLASSIFIER_KEYS, False)

        def decide(self, view):
            if fail_week is None or view.week == fail_week:
                return decide(view)
            return Decisions.uniform(view, latitude=0.5)

    Bad.name = name
    return Bad


@pytest.mark.parametrize("case,decide,field", BAD_DECISIONS, ids=[c[0] for c in BAD_DECISIONS])
def test_bad_policy_output_names_the_policy_and_the_field(case, decide, field):
    policies.register(_policy_class("test_broken", decide))
    try:
        model = LMXModel(policy="test_broken", seed=2, n_teams=2, team_size=3, weeks=5, panel_every=0)
        with pytest.raises(LMXInputError) as info:
            model.step()
        assert "test_broken" in info.value.field and field in info.value.field
        assert model.steps == 0 and model.week == 0           # the failed week did not happen
    finally:
        policies.unregister("test_broken")


def test_bad_in_group_output_names_the_policy(tmp_path):
    class BadReview(Policy):
        """In-group as a list of the wrong length (test)."""

        name = "test_bad_review"
        classifier = dict.fromkeys(CLASSIFIER_KEYS, False)

        def decide(self, view):
            return Decisions.uniform(view, latitude=0.5)

        def in_group(self, view):
            return [True]

    policies.register(BadReview)
    try:
        model = LMXModel(policy="equal_split", seed=2, n_teams=2, team_size=3, weeks=5, panel_every=0)
        with pytest.raises(LMXInputError, match="test_bad_review") as info:
            model.set_policy("test_bad_review")
        assert "in_group" in info.value.field
        assert model.policies_in_use == ["equal_split"]       # the switch was undone
    finally:
        policies.unregister("test_bad_review")


# ---------------------------------------------------------------------------- a failed week is undone
class _Flaky(Policy):
    """The reactive in-crowd policy, drawing random numbers first and raising once when told to (test)."""

    name = "test_flaky"
    classifier = dict.fromkeys(CLASSIFIER_KEYS, False)
    fail_at = None          # week at which decide() raises (after using the random generator)
    bad_output_at = None    # week at which decide() returns NaN latitude instead

    def __init__(self):
        self.inner = get_policy("reactive_in_crowd")

    def decide(self, view):
        view.rng.random(len(view.team))
        if view.week == type(self).fail_at:
            raise RuntimeError("the policy broke")
        d = self.inner.decide(view)
        if view.week == type(self).bad_output_at:
            d.latitude = np.full(len(view.team), np.nan)
        return d

    def in_group(self, view):
        return self.inner.in_group(view)


def _state(model):
    m = model.members
    arrays = {f.name: getattr(m, f.name).copy() for f in MEMBER_FIELDS}
    return arrays, model.rng.bit_generator.state, model.steps, model.week


@pytest.mark.parametrize("how", ["raises", "returns NaN"])
def test_a_week_whose_policy_fails_is_undone_and_the_run_then_equals_an_uninterrupted_run(how):
    policies.register(_Flaky)
    kw = dict(policy="test_flaky", seed=11, n_teams=3, team_size=5, weeks=12, panel_every=1)
    try:
        _Flaky.fail_at = _Flaky.bad_output_at = None
        reference = LMXModel(**kw).run()

        model = LMXModel(**kw)
        model.run(5)
        before = _state(model)
        if how == "raises":
            _Flaky.fail_at = 6
            with pytest.raises(RuntimeError, match="the policy broke"):
                model.step()
        else:
            _Flaky.bad_output_at = 6
            with pytest.raises(LMXInputError, match="latitude"):
                model.step()
        after = _state(model)
        assert after[1:] == before[1:]                          # rng state, steps, week
        for name, values in before[0].items():                  # every member array
            np.testing.assert_array_equal(after[0][name], values, err_msg=name)

        _Flaky.fail_at = _Flaky.bad_output_at = None             # the policy is fixed
        model.run()
        assert model.week == reference.week == 12
        pd.testing.assert_frame_equal(model.model_frame(), reference.model_frame())
        pd.testing.assert_frame_equal(model.panel_frame(), reference.panel_frame())
        for f in MEMBER_FIELDS:
            np.testing.assert_array_equal(getattr(model.members, f.name), getattr(reference.members, f.name))
    finally:
        _Flaky.fail_at = _Flaky.bad_output_at = None
        policies.unregister("test_flaky")


# ---------------------------------------------------------------------------- across processes
def test_lmx_input_error_survives_pickling():
    error = LMXInputError("team_size", 0, "an integer in [1, 500]")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is LMXInputError
    assert (copy.field, copy.value, copy.allowed) == ("team_size", 0, "an integer in [1, 500]")
    assert str(copy) == str(error)


def test_lmx_input_error_raised_in_a_worker_process_arrives_as_itself():
    from lmxsim.scenarios import get_scenario

    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(get_scenario, "mars_colony")
        with pytest.raises(LMXInputError) as info:
            future.result(timeout=120)
    assert info.value.field == "scenario" and info.value.value == "mars_colony"


# ---------------------------------------------------------------------------- real processes
def _lmxsim(*argv, cwd):
    return subprocess.run([sys.executable, "-c", "import sys; from lmxsim.cli import main; sys.exit(main())",
                           *argv], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize("argv,field", [
    (["validate", "--set", "team_size=0", "--out", "out"], "team_size"),
    (["run", "--out", "", "--weeks", "2"], "--out"),
    (["experiment", "run", sys.executable, "--out", "out"], "SPEC"),
    (["experiment", "run", "spec.toml", "--out", "out", "--dask", "not an address"], "--dask"),
], ids=["validate team_size 0", "run out empty", "binary spec", "dask not an address"])
def test_installed_command_gives_one_line_and_writes_nothing(argv, field, tmp_path):
    (tmp_path / "spec.toml").write_text(GOOD_SPEC)
    before = tree(tmp_path)
    result = _lmxsim(*argv, cwd=tmp_path)
    _assert_one_line_error(result.returncode, result.stderr, field)
    assert tree(tmp_path) == before


@pytest.mark.parametrize("action", ["summarize", "sensitivity"])
@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00binary", b"[1, 2, 3]"],
                         ids=["bad json", "not text", "not an object"])
def test_a_corrupt_manifest_is_one_line(tmp_path, capsys, action, content):
    store = tmp_path / "store"
    store.mkdir()
    (store / "manifest.json").write_bytes(content)
    before = tree(tmp_path)
    code, _, stderr = run_cli(["experiment", action, str(store)], capsys)
    _assert_one_line_error(code, stderr, "DIR")
    assert "manifest.json" in stderr
    assert tree(tmp_path) == before
