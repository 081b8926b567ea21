"""Simulated field studies are right: false positives, power, the design-effect formula, resuming (docs/study.md)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from lmxsim.errors import LMXInputError
from lmxsim.study import analysis, parse_study, run_study
from lmxsim.study.simulate import simulate


def _spec(**sections):
    data = {"study": {"name": "test", "purpose": "a test", "root_seed": 5, "replications": 2, "null_replications": 0},
            "measurement": {"waves": [0, 13], "instruments": ["lmx"]}, "analysis": {"method": "did"},
            "grid": {"leaders": [6], "members": [4]}}
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value}
    return parse_study(data)


@pytest.mark.parametrize("method, studies, leaders", [("did", 300, 8), ("mixed", 100, 6)])
def test_null_design_false_positive_rate_is_nominal(tmp_path, method, studies, leaders):
    """Trained leaders who keep their policy: p < .05 in about 5% of studies (Wilson 95% CI holds .05)."""
    spec = _spec(study={"null_replications": studies}, analysis={"method": method},
                 grid={"leaders": [leaders], "members": [4]})
    row = run_study(spec, tmp_path, progress=False).iloc[0]
    assert row.null_studies == studies and row.failed_fits == 0
    assert row.false_positive_low <= 0.05 <= row.false_positive_high, row.false_positive_rate


def test_power_rises_with_leaders_and_with_members_per_leader(tmp_path):
    """Psychological safety (a team-level climate): more leaders and larger teams find it more often.
    (For trust and LMX a larger team also dilutes the effect itself - the leader's hours are spread
    thinner - so their power need not rise with team size: docs/study.md.)"""
    spec = _spec(study={"replications": 40}, measurement={"waves": [0, 26], "instruments": ["psych_safety"]},
                 grid={"leaders": [6, 20], "members": [2, 10]})
    table = run_study(spec, tmp_path, progress=False).set_index(["leaders", "members_per_leader"])
    power = table.power
    assert power[(20, 2)] > power[(6, 2)] and power[(20, 10)] > power[(6, 10)]
    assert power[(6, 10)] > power[(6, 2)] and power[(20, 10)] > power[(20, 2)]
    assert power[(20, 10)] > 0.9 and power[(6, 2)] < 0.3


@pytest.mark.parametrize("members", [4, 16])
def test_synthetic_power_matches_the_design_effect_formula(members):
    """Data with effect and ICC fixed by hand: simulated power = Phi(d / sqrt(4 DE / N) - z) within
    Monte-Carlo error (99%), and far from the formula without the design effect 1 + (m - 1) ICC."""
    leaders, icc, studies = 40, 0.15, 250
    # the effect that the formula says gives 60% power at this design effect
    se = np.sqrt(4 * analysis.design_effect(members, icc) / (leaders * members))
    effect = se * (norm.ppf(0.975) + norm.ppf(0.6))
    assert analysis.analytic_power(leaders, members, effect, icc) == pytest.approx(0.6)
    simulated = analysis.synthetic_power(leaders, members, effect, icc, studies, seed=members, method="did")
    mc = 2.576 * np.sqrt(0.6 * 0.4 / studies)
    assert abs(simulated - 0.6) < mc + 0.02   # + 0.02: t with 39 df instead of z
    ignoring_clusters = analysis.analytic_power(leaders, members, effect, 0.0)
    assert ignoring_clusters - simulated > 2 * mc


def test_icc1_recovers_a_known_icc():
    rng = np.random.default_rng(0)
    study = analysis.synthetic_study(rng, 2000, 10, 0.0, 0.2)   # SE of the estimate about .008
    assert analysis.icc1(study.y.to_numpy(), study.leader.to_numpy()) == pytest.approx(0.2, abs=0.025)


def test_wilson_interval():
    assert analysis.wilson(0, 20)[0] == pytest.approx(0.0, abs=1e-12)
    low, high = analysis.wilson(10, 100)
    assert low == pytest.approx(0.0552, abs=1e-3) and high == pytest.approx(0.1744, abs=1e-3)


def test_survey_follows_the_cohort_and_the_design():
    spec = _spec(measurement={"waves": [0, 13, 26], "instruments": ["lmx", "performance_rating"]})
    data, cohort = simulate(spec, 6, 4, [11, 12], ["treatment", "null"])
    base = data[data.wave == 0]
    assert (base.groupby("study").size().to_numpy() == cohort).all()
    # every later respondent was at work at baseline (no newcomers), and the same leader's
    for wave in (1, 2):
        later = data[data.wave == wave].merge(base, on=["study", "member_id"], suffixes=("", "_0"))
        assert len(later) == (data.wave == wave).sum() and (later.leader == later.leader_0).all()
    # half the leaders of each study trained right after the baseline
    arms = base.groupby(["study", "leader"]).step.first().groupby("study").value_counts().unstack()
    assert (arms[0] == 3).all() and (arms[-1] == 3).all()
    assert data.lmx.between(1, 5).all() and set(data.performance_rating) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    # same seeds, same survey
    again, _ = simulate(spec, 6, 4, [11, 12], ["treatment", "null"])
    pd.testing.assert_frame_equal(data, again)


def test_newcomers_are_surveyed_only_when_asked():
    spec = _spec(measurement={"waves": [0, 52]}, population={"parameters": {"annual_base_turnover": 0.5}})
    without, _ = simulate(spec, 6, 4, [3], ["treatment"])
    with_, _ = simulate(spec.replace(include_newcomers=True), 6, 4, [3], ["treatment"])
    assert (without.cohort == 1).all()
    assert (with_[with_.wave == 1].cohort == 0).any()
    assert len(with_[(with_.wave == 1) & (with_.cohort == 1)]) == len(without[without.wave == 1])


def test_stepped_wedge_trains_a_step_after_each_wave(tmp_path):
    spec = _spec(design={"kind": "stepped_wedge"}, measurement={"waves": [0, 13, 26]},
                 study={"replications": 4, "null_replications": 2})
    data, _ = simulate(spec, 6, 4, [1], ["treatment"])
    share = data.groupby("wave").treated.mean()
    assert share[0] == 0 and 0 < share[1] < 1 and share[2] == 1
    table = run_study(spec, tmp_path, progress=False)
    assert table.wave.tolist() == [-1] and table.studies.iloc[0] == 4


def test_run_resumes_and_writes_whole_files(tmp_path, monkeypatch):
    from lmxsim.study import runner

    spec = _spec(study={"replications": 3, "null_replications": 2}, grid={"leaders": [4, 6], "members": [3]})
    first = run_study(spec, tmp_path, progress=False)
    assert sorted(p.name for p in (tmp_path / "cells").iterdir()) == ["L4_m3.parquet", "L6_m3.parquet"]
    assert not list(tmp_path.rglob("*.tmp")) and (tmp_path / "power_curve.png").stat().st_size > 1000
    written = pd.read_csv(tmp_path / "power.csv")
    assert len(written) == 2 and {"power", "power_low", "false_positive_rate", "icc", "attrition"} <= set(written)
    # a re-run computes nothing; a lost cell is computed again, and only it
    calls = []
    real = runner._chunk_job
    monkeypatch.setattr(runner, "_chunk_job", lambda *a: calls.append(a[1:3]) or real(*a))
    run_study(spec, tmp_path, progress=False)
    assert calls == []
    (tmp_path / "cells" / "L6_m3.parquet").unlink()
    again = run_study(spec, tmp_path, progress=False)
    assert set(calls) == {(6, 3)}
    pd.testing.assert_frame_equal(first, again)
    # another study on the same directory is refused
    with pytest.raises(LMXInputError, match="--out"):
        run_study(spec.replace(root_seed=6), tmp_path, progress=False)
    assert json.loads((tmp_path / "manifest.json").read_text())["digest"] == spec.digest()


def test_an_out_that_cannot_be_written_is_one_line_before_the_study_says_anything(tmp_path, capsys):
    import subprocess

    from helpers import run_cli
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.access(locked, os.W_OK) and subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode:
        pytest.skip("root, and no immutable flag on this file system: nothing is unwritable here")
    try:
        for out in (locked, locked / "sub"):   # it was PermissionError (a traceback) after the study's header
            code, stdout, stderr = run_cli(["study", "run", "leader_training_power", "--out", str(out)], capsys)
            assert code == 2 and stdout == "" and stderr.count("\n") == 1
            assert stderr.startswith(f"lmxsim: error: --out='{out}'") and "write to" in stderr
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
        locked.chmod(0o755)


def test_killed_cell_leaves_no_file(tmp_path, monkeypatch):
    from lmxsim.study import runner

    spec = _spec(grid={"leaders": [4], "members": [3]})

    def boom(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_chunk_job", boom)
    with pytest.raises(KeyboardInterrupt):
        run_study(spec, tmp_path, progress=False)
    assert list((tmp_path / "cells").iterdir()) == []


def test_study_files_have_exactly_the_declared_columns(tmp_path):
    from lmxsim import datadict
    from tests.test_datadict import check_file

    spec = _spec(study={"replications": 3, "null_replications": 2}, grid={"leaders": [4], "members": [3]})
    run_study(spec, tmp_path, progress=False)
    check_file(pd.read_csv(tmp_path / "power.csv"), "study/power.csv", "power.csv")
    check_file(pd.read_parquet(tmp_path / "cells" / "L4_m3.parquet"), "study/cells", "cells")
    assert datadict.get_file("study/power.csv").command == "lmxsim study run"


def test_numbers_do_not_depend_on_the_number_of_workers(tmp_path):
    spec = _spec(study={"replications": 6, "null_replications": 4}, grid={"leaders": [4], "members": [3]})
    one = run_study(spec, tmp_path / "one", workers=1, progress=False)
    two = run_study(spec, tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "cells" / "L4_m3.parquet"),
                                  pd.read_parquet(tmp_path / "two" / "cells" / "L4_m3.parquet"))
