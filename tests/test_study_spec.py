"""Study specifications: the shipped ones load; bad input is one line naming the key (exit code 2)."""

from __future__ import annotations

import copy

import pytest

from lmxsim.cli import main
from lmxsim.errors import LMXInputError
from lmxsim.study import load_study, parse_study, shipped_names

GOOD = {"study": {"name": "s", "purpose": "p", "replications": 10, "null_replications": 10},
        "population": {"scenario": "default", "parameters": {"cross_team_ties": 0.5}},
        "design": {"kind": "cluster", "from_policy": "reactive_in_crowd", "to_policy": "proactive_deal", "week": 26},
        "measurement": {"waves": [0, 13, 26], "instruments": ["lmx", "performance_rating"],
                        "reliability": {"lmx": 0.9}},
        "analysis": {"method": "mixed", "alpha": 0.05},
        "grid": {"leaders": [10, 20], "members": [5]}}

BAD = [  # (section, key, value or None to delete, key named in the message)
    ("nonsense", None, {}, "nonsense"),
    ("study", "colour", "red", "study.colour"),
    ("study", "name", "", "study.name"),
    ("study", "name", 3, "study.name"),
    ("study", "replications", 1, "study.replications"),
    ("study", "replications", 2.5, "study.replications"),
    ("study", "null_replications", -1, "study.null_replications"),
    ("study", "root_seed", True, "study.root_seed"),
    ("population", "scenario", "mars", "population.scenario"),
    ("population", "parameters", {"team_size": 4}, "population.parameters.team_size"),
    ("population", "parameters", {"no_such": 1}, "population.parameters.no_such"),
    ("population", "parameters", {"cross_team_ties": -3.0}, "population.parameters"),
    ("design", "kind", "crossover", "design.kind"),
    ("design", "to_policy", "benevolent_dictator", "design.to_policy"),
    ("design", "week", 0, "design.week"),
    ("design", "treated_share", 1.0, "design.treated_share"),
    ("measurement", "waves", [13, 26], "measurement.waves"),
    ("measurement", "waves", [0], "measurement.waves"),
    ("measurement", "waves", [0, 26, 13], "measurement.waves"),
    ("measurement", "waves", "0, 13", "measurement.waves"),
    ("measurement", "instruments", ["lmx", "happiness"], "measurement.instruments"),
    ("measurement", "instruments", [], "measurement.instruments"),
    ("measurement", "include_newcomers", "yes", "measurement.include_newcomers"),
    ("measurement", "reliability", {"trust": 0.8}, "measurement.reliability.trust"),
    ("measurement", "reliability", {"lmx": 1.2}, "measurement.reliability.lmx"),
    ("analysis", "method", "anova", "analysis.method"),
    ("analysis", "alpha", 0.6, "analysis.alpha"),
    ("grid", "leaders", [1], "grid.leaders"),
    ("grid", "leaders", [], "grid.leaders"),
    ("grid", "leaders", [10, 10], "grid.leaders"),
    ("grid", "members", [0], "grid.members"),
    ("grid", "members", [600], "grid.members"),
    ("grid", None, None, "grid"),
]


@pytest.mark.parametrize("section, key, value, named", BAD, ids=[f"{s}.{k}={v!r}" for s, k, v, _ in BAD])
def test_bad_specification_names_the_key(section, key, value, named):
    data = copy.deepcopy(GOOD)
    if key is None:
        if value is None:
            del data[section]
        else:
            data[section] = value
    else:
        data[section][key] = value
    with pytest.raises(LMXInputError) as err:
        parse_study(data, where="my.toml")
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"my.toml: {named}")


def test_stepped_wedge_needs_three_waves_and_a_leader_per_step():
    data = copy.deepcopy(GOOD)
    data["design"]["kind"] = "stepped_wedge"
    data["measurement"]["waves"] = [0, 13]
    with pytest.raises(LMXInputError, match="measurement.waves"):
        parse_study(data)


def test_good_specification_and_shipped_ones_load():
    spec = parse_study(GOOD)
    assert spec.weeks == 52 and spec.cells == [(10, 5), (20, 5)] and spec.reliability == {"lmx": 0.9}
    assert shipped_names()
    for name in shipped_names():
        assert load_study(name).name == name


@pytest.mark.parametrize("text, named", [
    ("[study\nname=", "valid TOML"),
    ('[study]\nname = "x"\npurpose = "y"\n[grid]\nleaders = [3]\nmembers = [2]\n[analysis]\nmethod = "bayes"\n',
     "analysis.method"),
])
def test_cli_bad_study_file_exits_2_with_one_line(tmp_path, capsys, text, named):
    path = tmp_path / "study.toml"
    path.write_text(text)
    assert main(["study", "run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err
    assert not (tmp_path / "out").exists()


def test_cli_study_list_show_and_missing_arguments(capsys):
    assert main(["study", "list"]) == 0
    assert "leader_training_power" in capsys.readouterr().out
    assert main(["study", "show", "leader_training_power"]) == 0
    assert "[grid]" in capsys.readouterr().out
    assert main(["study", "run", "leader_training_power"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["study", "show", "no_such_study"]) == 2
    assert main(["study", "run", "leader_training_power", "--out", "x", "--workers", "0"]) == 2


def test_cli_study_run_writes_the_table(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[study]\nname = "tiny"\npurpose = "a test"\nreplications = 3\nnull_replications = 2\n'
                    '[measurement]\nwaves = [0, 13]\ninstruments = ["lmx"]\n[analysis]\nmethod = "did"\n'
                    '[grid]\nleaders = [4]\nmembers = [3]\n')
    assert main(["study", "run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 0
    assert "power" in capsys.readouterr().out and (tmp_path / "out" / "power.csv").exists()


def test_shipped_studies_are_package_data():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    setup = pyproject["tool"]["setuptools"]
    assert "lmxsim.study" in setup["packages"] and "lmxsim.study.specs" in setup["packages"]
    assert setup["package-data"]["lmxsim.study.specs"] == ["*.toml"]
    assert any(dep.startswith("statsmodels") for dep in pyproject["project"]["dependencies"])
