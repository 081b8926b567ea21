"""`lmxsim validate`: every stylized fact of LITERATURE.md holds at the default parameters.

The full validation (30 seeds x 200 members) is `lmxsim validate`; CI runs a smaller
version, 8 seeds x 200 members, and checks that every fact's estimate lies in its range.
"""

import numpy as np
import pandas as pd
import pytest

from lmxsim.cli import main
from lmxsim.validation import FACTS, run_validation, survey


@pytest.fixture(scope="module")
def facts():
    return run_validation(seeds=8, members=200, bootstrap=30)


@pytest.mark.parametrize("key", [f[0] for f in FACTS])
def test_stylized_fact_holds_at_default_parameters(facts, key):
    fact = next(f for f in facts if f.key == key)
    assert fact.passed, f"{fact.claim}: estimate {fact.estimate:.3f} outside {fact.target} ({fact.detail})"
    assert fact.ci_low <= fact.estimate <= fact.ci_high


def test_turnover_is_higher_in_the_first_year_of_tenure(facts):
    t = next(f for f in facts if f.key == "annual_turnover").extra
    assert t["first"] > t["later"]


def test_training_gain_is_concentrated_in_members_with_low_initial_lmx(facts):
    by = next(f for f in facts if f.key == "leader_training").extra["by_tercile"]
    assert by["low"] > by["high"]


def test_survey_measurement_error_has_the_requested_reliability():
    rng = np.random.default_rng(1)
    true = rng.beta(2, 2, 200_000)
    observed = survey(true, 0.85, rng)
    # reliability = var(true) / var(observed) = r(true, observed)^2
    assert np.corrcoef(true, observed)[0, 1] ** 2 == pytest.approx(0.85, abs=0.01)


def test_validate_command_writes_table_and_figures_and_exit_code_reports_failure(tmp_path):
    out = tmp_path / "val"
    # a tiny organisation over few seeds: the command must still write a complete table
    code = main(["validate", "--seeds", "2", "--members", "40", "--out", str(out)])
    table = pd.read_csv(out / "validation.csv")
    assert list(table.fact) == [f[0] for f in FACTS]
    assert {"estimate", "ci_low", "ci_high", "passed", "target"} <= set(table.columns)
    assert (out / "facts.png").exists() and (out / "leader_training.png").exists()
    assert code == (0 if table.passed.all() else 1)


def test_validate_refuses_bad_input(tmp_path):
    assert main(["validate", "--seeds", "1", "--out", str(tmp_path / "v")]) == 2
    assert main(["validate", "--reliability", "1.5", "--out", str(tmp_path / "v")]) == 2
    assert not (tmp_path / "v").exists()
