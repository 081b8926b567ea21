"""The ``lmxsim`` command line: run, list, help, and all-or-nothing handling of bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from helpers import REQUIRED_MODEL_COLUMNS, REQUIRED_PANEL_COLUMNS, run_cli, tree
from lmxsim.params import describe
from lmxsim.policies import policy_names
from lmxsim.scenarios import scenario_names

SMALL = ["--set", "n_teams=2", "--set", "team_size=4"]


def _run(tmp_path, capsys, *extra, out="out"):
    code, stdout, stderr = run_cli(["run", "--out", str(tmp_path / out), *SMALL, *extra], capsys)
    return code, stdout, stderr, tmp_path / out


def test_run_writes_model_and_panel_csv_with_one_row_per_week(tmp_path, capsys):
    code, stdout, stderr, out = _run(tmp_path, capsys, "--weeks", "12", "--seed", "3")
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["model.csv", "panel.csv"]
    model = pd.read_csv(out / "model.csv")
    assert model.week.tolist() == list(range(13))
    assert set(REQUIRED_MODEL_COLUMNS) <= set(model.columns)
    panel = pd.read_csv(out / "panel.csv")
    assert set(REQUIRED_PANEL_COLUMNS) <= set(panel.columns)
    assert set(panel.week) == set(range(1, 13))
    assert panel.member_id.nunique() >= 8
    assert str(out) in stdout
    # nothing temporary left beside or inside the output
    assert tree(tmp_path) == {"out", "out/model.csv", "out/panel.csv"}


def test_run_matches_the_python_api_for_the_same_seed(tmp_path, capsys):
    from lmxsim import LMXModel

    code, _, stderr, out = _run(tmp_path, capsys, "--weeks", "10", "--seed", "9", "--policy", "proactive_deal")
    assert code == 0, stderr
    expected = LMXModel(policy="proactive_deal", seed=9, n_teams=2, team_size=4, weeks=10, panel_every=0)
    expected = expected.run().model_frame()
    pd.testing.assert_frame_equal(pd.read_csv(out / "model.csv"), expected, check_dtype=False)


def test_run_panel_every_4_collects_members_every_fourth_week(tmp_path, capsys):
    code, _, stderr, out = _run(tmp_path, capsys, "--weeks", "12", "--panel-every", "4")
    assert code == 0, stderr
    panel = pd.read_csv(out / "panel.csv")
    assert sorted(panel[panel.quit == 0].week.unique()) == [4, 8, 12]


def test_run_panel_every_0_writes_only_model_csv(tmp_path, capsys):
    code, stdout, stderr, out = _run(tmp_path, capsys, "--weeks", "5", "--panel-every", "0")
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["model.csv"]
    assert "panel.csv" not in stdout


def test_run_set_team_size_changes_the_organisation(tmp_path, capsys):
    code, _, stderr, out = _run(tmp_path, capsys, "--weeks", "3", "--set", "team_size=6", "--set", "n_teams=3")
    assert code == 0, stderr
    model = pd.read_csv(out / "model.csv")
    assert (model.positions == 18).all()
    panel = pd.read_csv(out / "panel.csv")
    assert (panel[panel.quit == 0].groupby(["week", "team_id"]).size() <= 6).all()


def test_weeks_option_overrides_set_weeks(tmp_path, capsys):
    code, _, stderr, out = _run(tmp_path, capsys, "--set", "weeks=20", "--weeks", "4", "--panel-every", "0")
    assert code == 0, stderr
    assert len(pd.read_csv(out / "model.csv")) == 5


def test_run_into_an_existing_directory_keeps_other_files(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, stderr, _ = _run(tmp_path, capsys, "--weeks", "3")
    assert code == 0, stderr
    assert (out / "notes.txt").read_text() == "mine"
    assert {p.name for p in out.iterdir()} == {"notes.txt", "model.csv", "panel.csv"}


def test_run_scenario_option_uses_the_scenario(tmp_path, capsys):
    code, stdout, stderr, out = _run(tmp_path, capsys, "--weeks", "28", "--scenario", "leader_training",
                                     "--panel-every", "0")
    assert code == 0, stderr
    assert "leader_training" in stdout
    assert "proactive_deal" in stdout  # the policy in use at the end of the run


BAD_INPUT = [
    ("unknown policy", ["--policy", "benevolent_dictator"], "policy"),
    ("unknown scenario", ["--scenario", "mars_colony"], "scenario"),
    ("out-of-range set", ["--set", "team_size=0"], "team_size"),
    ("out-of-range float set", ["--set", "promise_reliability=1.5"], "promise_reliability"),
    ("non-numeric set", ["--set", "team_size=big"], "team_size"),
    ("fractional int set", ["--set", "team_size=4.5"], "team_size"),
    ("nan set", ["--set", "trust_gain=nan"], "trust_gain"),
    ("malformed set", ["--set", "team_size"], "--set"),
    ("unknown parameter", ["--set", "team_sise=5"], "team_sise"),
    ("non-numeric seed", ["--seed", "abc"], "seed"),
    ("negative seed", ["--seed", "-4"], "seed"),
    ("zero weeks", ["--weeks", "0"], "weeks"),
    ("non-integer weeks", ["--weeks", "ten"], "--weeks"),
    ("negative panel", ["--panel-every", "-1"], "--panel-every"),
    ("scenario limit", ["--scenario", "growing_team", "--set", "team_size=30"], "team_size"),
]


@pytest.mark.parametrize("case,args,field", BAD_INPUT, ids=[c for c, _, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_naming_the_field_and_writes_nothing(case, args, field, tmp_path, capsys):
    before = tree(tmp_path)
    code, stdout, stderr, out = _run(tmp_path, capsys, "--weeks", "3", *args)
    assert code == 2
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert field in lines[0]
    assert "error" in lines[0]
    assert not out.exists()
    assert tree(tmp_path) == before


def test_output_path_under_a_regular_file_exits_2_and_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "results.txt"
    blocker.write_text("not a directory")
    before = tree(tmp_path)
    code, _, stderr = run_cli(["run", "--out", str(blocker / "run1"), "--weeks", "3", *SMALL], capsys)
    assert code == 2
    assert len(stderr.splitlines()) == 1 and "--out" in stderr and str(blocker) in stderr
    assert tree(tmp_path) == before
    assert blocker.read_text() == "not a directory"


def test_output_path_that_is_a_regular_file_exits_2_and_leaves_it_alone(tmp_path, capsys):
    blocker = tmp_path / "model.csv"
    blocker.write_text("precious")
    code, _, stderr = run_cli(["run", "--out", str(blocker), "--weeks", "3", *SMALL], capsys)
    assert code == 2
    assert len(stderr.splitlines()) == 1 and "--out" in stderr
    assert blocker.read_text() == "precious"
    assert tree(tmp_path) == {"model.csv"}


def test_bad_input_does_not_touch_an_existing_output_directory(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.csv").write_text("old results")
    code, _, _ = run_cli(["run", "--out", str(out), "--policy", "nope", *SMALL], capsys)
    assert code == 2
    assert {p.name for p in out.iterdir()} == {"model.csv"}
    assert (out / "model.csv").read_text() == "old results"


def test_list_mentions_every_policy_scenario_and_parameter(capsys):
    code, stdout, _ = run_cli(["list"], capsys)
    assert code == 0
    for name in [*policy_names(), *scenario_names(), *(d["name"] for d in describe())]:
        assert name in stdout, name


@pytest.mark.parametrize("what,names", [
    ("policies", policy_names), ("scenarios", scenario_names), ("parameters", lambda: [d["name"] for d in describe()]),
])
def test_list_section_mentions_its_items(what, names, capsys):
    code, stdout, _ = run_cli(["list", what], capsys)
    assert code == 0
    for name in names():
        assert name in stdout


def test_list_markdown_has_a_table_row_per_parameter(capsys):
    code, stdout, _ = run_cli(["list", "--markdown"], capsys)
    assert code == 0
    rows = [line for line in stdout.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(describe())
    for d in describe():
        assert any(f"`{d['name']}`" in row and f"[{d['low']}, {d['high']}]" in row for row in rows)


def _subcommands() -> list[str]:
    import argparse

    from lmxsim.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_top_level_help_lists_every_subcommand(capsys):
    code, stdout, _ = run_cli(["--help"], capsys)
    assert code == 0
    assert "usage:" in stdout
    for command in _subcommands():
        assert command in stdout


@pytest.mark.parametrize("command", _subcommands())
def test_help_works_for_every_subcommand(command, capsys):
    code, stdout, stderr = run_cli([command, "--help"], capsys)
    assert code == 0, stderr
    assert f"usage: lmxsim {command}" in stdout


def test_run_help_documents_its_options(capsys):
    _, stdout, _ = run_cli(["run", "--help"], capsys)
    for option in ("--policy", "--scenario", "--weeks", "--set", "--seed", "--out", "--panel-every"):
        assert option in stdout


def test_no_command_prints_help_and_succeeds(capsys):
    code, stdout, _ = run_cli([], capsys)
    assert code == 0
    assert "usage:" in stdout


def test_unknown_command_exits_2_with_one_line(capsys):
    code, _, stderr = run_cli(["fly"], capsys)
    assert code == 2
    assert len(stderr.splitlines()) == 1 and "fly" in stderr


def _lmxsim_command() -> list[str]:
    exe = shutil.which("lmxsim")
    return [exe] if exe else [sys.executable, "-c", "import sys; from lmxsim.cli import main; sys.exit(main())"]


def test_installed_command_exit_codes(tmp_path):
    ok = subprocess.run([*_lmxsim_command(), "run", "--out", str(tmp_path / "ok"), "--weeks", "3", *SMALL],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "model.csv").is_file()

    bad = subprocess.run([*_lmxsim_command(), "run", "--out", str(tmp_path / "bad"), "--policy", "nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert len(bad.stderr.splitlines()) == 1 and "policy" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_run_creates_missing_parent_directories(tmp_path, capsys):
    code, _, stderr, out = _run(tmp_path, capsys, "--weeks", "3", out="a/b/c")
    assert code == 0, stderr
    assert (out / "model.csv").is_file() and (out / "panel.csv").is_file()
    assert tree(tmp_path) == {"a", "a/b", "a/b/c", "a/b/c/model.csv", "a/b/c/panel.csv"}


def test_staged_output_writes_nothing_when_writing_fails_part_way(tmp_path):
    from lmxsim.output import staged_output

    out = tmp_path / "results"
    with pytest.raises(RuntimeError):
        with staged_output(out) as stage:
            (stage / "model.csv").write_text("half")
            raise RuntimeError("disk full")
    assert not out.exists()
    assert tree(tmp_path) == set()

    out.mkdir()
    (out / "model.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_output(out) as stage:
            (stage / "model.csv").write_text("new, half")
            raise RuntimeError("interrupted")
    assert (out / "model.csv").read_text() == "old"
    assert tree(tmp_path) == {"results", "results/model.csv"}


@pytest.mark.parametrize("what, names", [("policies", "policy_names"), ("scenarios", "scenario_names")])
def test_list_policies_or_scenarios_as_markdown_is_their_table_not_the_parameters(what, names, capsys):
    import lmxsim.policies
    import lmxsim.scenarios
    source = lmxsim.policies if what == "policies" else lmxsim.scenarios
    code, stdout, _ = run_cli(["list", what, "--markdown"], capsys)
    assert code == 0 and "# Parameters" not in stdout   # it printed the parameter table
    rows = [line for line in stdout.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(getattr(source, names)())


def test_study_list_takes_no_spec(capsys):
    code, stdout, stderr = run_cli(["study", "list", "extra"], capsys)
    assert code == 2 and stdout == "" and stderr.startswith("lmxsim: error: SPEC='extra'")
