"""The data dictionary: generated from declarations, committed up to date, and every command
writes exactly the declared columns (none undeclared, none missing) with the declared types."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lmxsim import datadict, experiments
from lmxsim.cli import main
from lmxsim.experiments.spec import parse_spec
from lmxsim.outcomes import OUTCOMES
from lmxsim.params import names as param_names
from lmxsim.reporters import MODEL_REPORTERS

ROOT = Path(__file__).resolve().parents[1]



def check_file(frame: pd.DataFrame, key: str, where: str, pending=frozenset(), factor_types=True, **expand) -> None:
    """``frame`` has exactly the declared columns of ``key`` (placeholders expanded), each of its type
    (design factors: their parameter's type, unless ``factor_types`` is false)."""
    expected = datadict.expected_columns(key, **expand)
    actual = list(frame.columns)
    undeclared = [c for c in actual if c not in expected]
    missing = [c for c in expected if c not in actual and c not in pending]
    assert not undeclared and not missing, f"{where}: undeclared {undeclared}, missing {missing}"
    declared = {c.name: c for c in datadict.get_file(key).columns}
    for name in actual:
        col = declared.get(name)
        if (col is None or col.dtype == "factor") and factor_types:  # a placeholder: factor or outcome columns
            col = next((c for c in (*datadict.parameter_columns(), *datadict.outcome_columns(), datadict.SCENARIO)
                        if c.name == name), None)
        if col is None or col.dtype == "factor" or name in pending:
            continue
        kind = datadict.DTYPES[col.dtype][0]
        series = frame[name]
        if kind == "O" and series.isna().all():  # an all-empty text column reads back as NaN
            continue
        got = series.dtype.kind
        if kind == "f":  # integer-valued floats may be written without NaN: int is fine for a float column
            assert got in "fi", f"{where}: {name} is {series.dtype}, declared {col.dtype}"
        else:
            assert got == kind, f"{where}: {name} is {series.dtype}, declared {col.dtype}"


# ----------------------------------------------------------------------------- the document
def test_committed_data_dictionary_is_the_generated_text(capsys):
    assert main(["list", "data", "--markdown"]) == 0
    generated = capsys.readouterr().out
    committed = (ROOT / "docs" / "data_dictionary.md").read_text()
    assert committed == generated, "docs/data_dictionary.md is stale: lmxsim list data --markdown > docs/data_dictionary.md"


def test_every_file_every_reporter_and_outcome_is_declared_with_a_meaning_and_unit():
    keys = [f.key for f in datadict.files()]
    assert len(keys) == len(set(keys))
    for key in ("run/model.csv", "run/panel.csv", "compare/summary.csv", "compare/runs.csv", "compare/weekly.csv",
                "validate/validation.csv", "experiment/runs", "experiment/weekly", "experiment/summary.csv",
                "experiment/differences.csv", "experiment/factor_differences.csv", "experiment/sensitivity.csv"):
        assert key in keys
    assert [c.name for c in datadict.model_columns()] == ["week", *MODEL_REPORTERS]
    assert [c.name for c in datadict.outcome_columns()] == list(OUTCOMES)
    assert [c.name for c in datadict.parameter_columns()] == param_names()
    for f in datadict.files():
        names = [c.name for c in f.columns if not c.when]
        assert len(names) == len(set(names)), f.key
        for c in f.columns:
            assert c.meaning.strip() and c.unit.strip(), (f.key, c.name)
    text = datadict.markdown()
    for c in (*datadict.outcome_columns(), *datadict.parameter_columns()):
        assert f"`{c.name}`" in text


def test_a_column_needs_a_known_type_and_a_meaning():
    with pytest.raises(ValueError, match="dtype"):
        datadict.Column("x", "something", "unit", "int")
    with pytest.raises(ValueError, match="meaning"):
        datadict.Column("x", " ", "unit", "int64")


def test_list_data_prints_every_file_in_the_terminal(capsys):
    assert main(["list", "data"]) == 0
    out = capsys.readouterr().out
    for f in datadict.files():
        assert f.path in out


# ----------------------------------------------------------------------------- the files written
def test_run_writes_the_declared_columns(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--weeks", "6", "--set", "n_teams=2", "--panel-every", "2", "--quiet", "--out", str(out)]) == 0
    check_file(pd.read_csv(out / "model.csv"), "run/model.csv", "model.csv")
    panel = pd.read_csv(out / "panel.csv")
    assert len(panel)
    check_file(panel, "run/panel.csv", "panel.csv")


def test_compare_writes_the_declared_columns(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "--policies", "reactive_in_crowd,proactive_deal", "--seeds", "2", "--weeks", "6",
                 "--set", "n_teams=2", "--quiet", "--out", str(out)]) == 0
    for name in ("summary.csv", "runs.csv", "weekly.csv"):
        check_file(pd.read_csv(out / name), f"compare/{name}", name)


def test_validate_writes_the_declared_columns(tmp_path):
    out = tmp_path / "val"
    main(["validate", "--seeds", "2", "--members", "20", "--quiet", "--out", str(out)])
    check_file(pd.read_csv(out / "validation.csv"), "validate/validation.csv", "validation.csv")


def _spec(extra: dict, **experiment):
    data = {"experiment": {"name": "dd", "purpose": "test", "policies": ["reactive_in_crowd", "proactive_deal"],
                           "replications": 2, "weeks": 8, "root_seed": 3,
                           "outcomes": ["innovation_per_member_year", "mean_lmx"], **experiment},
            "fixed": {"n_teams": 2}, **extra}
    return parse_spec(data)


def assert_documented(schema, kind: str) -> None:
    """Every field of a stored Parquet part carries the dictionary's meaning and unit."""
    for field in schema:
        declared = datadict.arrow_field(field.name, kind)
        assert field.metadata == declared.metadata, field.name
        assert field.metadata[b"description"] and field.metadata[b"unit"]
        assert field.type == declared.type, f"{field.name}: stored {field.type}, declared {declared.type}"


def test_experiment_store_and_summaries_have_the_declared_columns(tmp_path):
    spec = _spec({"factors": {"team_size": [4, 5], "promise_reliability": [0.5, 0.9]}}, weekly=True)
    out = tmp_path / "exp"
    experiments.run(spec, out=out, progress=False)
    factors = list(spec.factor_names)
    for part in (out / "runs").glob("part-*.parquet"):
        check_file(pq.read_table(part).to_pandas(), "experiment/runs", part.name,
                   factors=factors, outcomes=list(spec.outcomes))
        assert_documented(pq.read_schema(part), "runs")
    weekly = list((out / "weekly").glob("part-*.parquet"))
    assert weekly
    for part in weekly:
        check_file(pq.read_table(part).to_pandas(), "experiment/weekly", part.name)
        assert_documented(pq.read_schema(part), "weekly")
    experiments.summarize(out)
    s = out / "summary"
    check_file(pd.read_csv(s / "summary.csv"), "experiment/summary.csv", "summary.csv", factors=factors)
    check_file(pd.read_csv(s / "differences.csv"), "experiment/differences.csv", "differences.csv", factors=factors)
    by_level = pd.read_csv(s / "factor_differences.csv")
    for factor, rows in by_level.groupby("factor"):
        rows = rows.dropna(axis=1, how="all")  # a factor's own column is empty in the rows comparing its levels
        check_file(rows, "experiment/factor_differences.csv", f"factor_differences.csv ({factor})",
                   factor_types=False, factors=factors, factor=factor)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_table_has_the_declared_columns_of_its_method(tmp_path, method):
    spec = _spec({"design": {"method": method, "samples": 2,
                             "ranges": {"trust_gain": [0.05, 0.1], "promise_reliability": [0.6, 0.9]}}},
                 policies=["reactive_in_crowd"], replications=1, outcomes=["mean_lmx", "mean_trust"])
    out = tmp_path / method
    experiments.run(spec, out=out, progress=False)
    experiments.sensitivity(out)
    check_file(pd.read_csv(out / "sensitivity" / "sensitivity.csv"), "experiment/sensitivity.csv", method,
               method=f"{method} designs")


# ----------------------------------------------------------------------------- Parquet metadata
def test_arrow_schema_carries_declared_types_and_text_through_a_parquet_file(tmp_path):
    names = ["run_id", "point_id", "replicate", "policy", "seed", "scenario", "team_size", "trust_gain",
             "mean_lmx", "annual_turnover"]
    schema = datadict.arrow_schema(names)
    table = pa.table({"run_id": [0, 1], "point_id": [0, 0], "replicate": [0, 1], "policy": ["a", "b"],
                      "seed": [2**62, 5], "scenario": ["default", "default"], "team_size": [10, 12],
                      "trust_gain": [0.08, 0.1], "mean_lmx": [0.4, 0.5], "annual_turnover": [0.1, 0.2]},
                     schema=schema)
    path = tmp_path / "part.parquet"
    pq.write_table(table, path)
    back = pq.read_schema(path)
    assert back.names == names
    assert back.field("seed").type == pa.int64() and back.field("team_size").type == pa.int64()
    assert back.field("trust_gain").type == pa.float64() and back.field("policy").type == pa.string()
    lmx = next(c for c in datadict.outcome_columns() if c.name == "mean_lmx")
    assert back.field("mean_lmx").metadata == {b"description": lmx.meaning.encode(), b"unit": b"0-1 scale"}
    assert back.field("team_size").metadata[b"unit"] == b"positions per team"
    assert pq.read_table(path).to_pandas()["seed"].tolist() == [2**62, 5]
    # the weekly parts: model columns, where mean_lmx is this week's mean, not the run's
    weekly = datadict.arrow_field("mean_lmx", kind="weekly")
    assert weekly.metadata[b"description"] != back.field("mean_lmx").metadata[b"description"]
    assert datadict.arrow_field("week", kind="weekly").type == pa.int64()


def test_arrow_field_refuses_an_undeclared_column():
    with pytest.raises(KeyError, match="no_such_column"):
        datadict.arrow_field("no_such_column")
    with pytest.raises(ValueError, match="kind"):
        datadict.arrow_field("run_id", kind="panel")
    # the identifying columns may also label weekly parts
    assert datadict.arrow_field("policy", kind="weekly").type == pa.string()
