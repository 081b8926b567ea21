"""The member-level panel: columns, collection weeks, and accounting against the weekly series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from helpers import BUSY, REQUIRED_PANEL_COLUMNS, model_args
from lmxsim import LMXModel

ORG = dict(n_teams=4, team_size=6, **BUSY)


def _run(panel_every, weeks=40, seed=2, **kw):
    model = LMXModel(seed=seed, panel_every=panel_every, weeks=weeks, **{**ORG, **kw}).run()
    return model, model.model_frame(), model.panel_frame()


@pytest.fixture(scope="module")
def weekly():
    return _run(1)


@pytest.fixture(scope="module")
def every4():
    return _run(4)


def test_panel_has_the_required_columns(weekly):
    _, _, panel = weekly
    assert set(REQUIRED_PANEL_COLUMNS) <= set(panel.columns)
    assert len(panel) > 0


def test_weekly_panel_has_one_row_per_current_member_each_week(weekly):
    model, frame, panel = weekly
    stayers = panel[panel.quit == 0]
    per_week = stayers.groupby("week").size()
    expected = frame.set_index("week").headcount.loc[1:]
    assert per_week.reindex(expected.index, fill_value=0).equals(expected.astype(per_week.dtype))
    assert not stayers.duplicated(["week", "member_id"]).any()


def test_panel_values_lie_on_their_scales(weekly):
    _, _, panel = weekly
    for col in ("lmx", "trust_in_leader", "autonomy", "creativity", "competence", "psych_safety",
                "turnover_intention"):
        assert panel[col].between(0, 1).all(), col
    assert (panel.performance >= 0).all()
    assert set(panel.in_group.unique()) <= {0, 1}
    assert set(panel.quit.unique()) <= {0, 1}
    assert (panel.successful_ideas >= 0).all() and (panel.successful_ideas <= panel.ideas).all()
    assert (panel.tenure_weeks >= 0).all()
    assert np.isfinite(panel.select_dtypes("number").to_numpy(dtype=float)).all()


def test_dyad_never_older_than_the_members_tenure(weekly):
    _, _, panel = weekly
    assert (panel.dyad_weeks >= 0).all()
    assert (panel.dyad_weeks <= panel.tenure_weeks).all()


def test_a_member_stays_in_one_team(weekly):
    _, _, panel = weekly
    assert (panel.groupby("member_id").team_id.nunique() == 1).all()


@pytest.mark.parametrize("fixture", ["weekly", "every4"])
def test_quit_rows_match_the_quits_column(fixture, request):
    _, frame, panel = request.getfixturevalue(fixture)
    assert frame.quits.sum() > 0, "precondition: the run must have quits"
    assert (panel.quit == 1).sum() == frame.quits.sum()
    # each leaver has exactly one quit row
    assert not panel[panel.quit == 1].member_id.duplicated().any()


@pytest.mark.parametrize("fixture", ["weekly", "every4"])
def test_a_member_who_quit_never_appears_in_a_later_row(fixture, request):
    _, _, panel = request.getfixturevalue(fixture)
    quit_week = panel[panel.quit == 1].set_index("member_id").week
    later = panel.join(quit_week.rename("quit_week"), on="member_id", how="inner")
    assert len(later) > 0
    assert not (later.week > later.quit_week).any()
    assert not ((later.week == later.quit_week) & (later.quit == 0)).any()


@pytest.mark.parametrize("fixture", ["weekly", "every4"])
def test_successful_ideas_in_panel_add_up_to_weekly_innovation(fixture, request):
    _, frame, panel = request.getfixturevalue(fixture)
    assert frame.innovation.sum() > 0, "precondition: the run must have successful ideas"
    assert panel.successful_ideas.sum() == frame.innovation.sum()


def test_panel_every_k_collects_current_members_only_at_multiples_of_k(every4):
    model, frame, panel = every4
    stayers = panel[panel.quit == 0]
    assert sorted(stayers.week.unique()) == list(range(4, 41, 4))
    per_week = stayers.groupby("week").size()
    assert (per_week == frame.set_index("week").headcount.loc[per_week.index]).all()


def test_panel_every_k_gives_rows_only_at_multiples_of_k(every4):
    """Leavers' rows belong to the period that closes after they quit (regression: they were
    stamped with the week they quit)."""
    _, _, panel = every4
    assert (panel.quit == 1).any(), "precondition: the run must have quits"
    assert (panel.week % 4 == 0).all(), sorted(set(panel.week[panel.week % 4 != 0]))


def test_panel_every_k_ideas_count_the_whole_period():
    """With a K-week panel, a member's ideas are summed over the K weeks, so the panel holds
    as many ideas as a weekly panel of the same run."""
    _, _, weekly = _run(1, weeks=24, seed=5)
    _, _, every6 = _run(6, weeks=24, seed=5)
    assert weekly.successful_ideas.sum() == every6.successful_ideas.sum() > 0
    assert weekly.ideas.sum() == every6.ideas.sum()


def test_the_last_week_closes_a_period_the_horizon_cut_short():
    """When K does not divide the horizon, the run's last week closes the last (shorter) period:
    its leavers were never recorded before (5 quits in model.csv, 4 in panel.csv)."""
    _, frame, panel = _run(7, weeks=40, seed=3)
    assert sorted(panel[panel.quit == 0].week.unique()) == [7, 14, 21, 28, 35, 40]
    assert (panel.quit == 1).sum() == frame.quits.sum() > 0
    assert (frame[frame.week > 35].quits.sum() > 0) == (panel[panel.quit == 1].week == 40).any()
    assert panel.successful_ideas.sum() == frame.innovation.sum() > 0


def test_panel_every_zero_collects_nothing():
    model, _, panel = _run(0, weeks=10)
    assert len(panel) == 0
    assert not model.panel.enabled


def test_panel_member_ids_match_the_people_in_the_model(weekly):
    model, _, panel = weekly
    last = panel[(panel.week == model.week) & (panel.quit == 0)]
    m = model.members
    assert sorted(last.member_id) == sorted(m.person_id[m.occupied])
    assert set(last.member_id).isdisjoint(model.former_members)
    assert set(panel[panel.quit == 1].member_id) == set(model.former_members)


@given(model_args(panel_every=st.integers(1, 5)))
def test_panel_accounts_for_every_quit_and_success_for_any_valid_parameters(args):
    k = args["panel_every"]
    note(repr(args))
    model = LMXModel(**args).run()
    frame, panel = model.model_frame(), model.panel_frame()
    assert set(REQUIRED_PANEL_COLUMNS) <= set(panel.columns)
    stayers = panel[panel.quit == 0]
    assert set(stayers.week) <= set(range(k, args["weeks"] + 1, k)) | {args["weeks"]}   # the last week closes one
    per_week = stayers.groupby("week").size()
    assert (per_week == frame.set_index("week").headcount.loc[per_week.index]).all()
    assert (panel.quit == 1).sum() == frame.quits.sum()
    assert panel.successful_ideas.sum() == frame.innovation.sum()
    quit_week = panel[panel.quit == 1].groupby("member_id").week.max()
    later = stayers.join(quit_week.rename("quit_week"), on="member_id", how="inner")
    assert not (later.week >= later.quit_week).any()
    assert (panel.dyad_weeks <= panel.tenure_weeks).all()


def test_panel_every_takes_numpy_integers_as_n_teams_and_seed_do():
    # it was refused as "not an integer >= 0"
    a = _run(np.int64(4), weeks=10)[2]
    pd.testing.assert_frame_equal(a, _run(4, weeks=10)[2])
