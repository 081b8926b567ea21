"""Compare mode's "Many seeds": the paired-seed computation, its shared jobs, and the component."""

from __future__ import annotations

import time

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import helpers
import pytest
import solara

from lmxsim.dashboard import many_seeds as ms
from lmxsim.dashboard.many_seeds_view import ManySeeds
from lmxsim.dashboard.session import Settings
from lmxsim.errors import LMXInputError
from lmxsim.runs import RunTask, replication_seeds, run_tasks

PNG = b"\x89PNG\r\n\x1a\n"
# the workshop organisation over a shorter horizon: every test here runs in seconds
SHORT = dict(Settings.for_scenario("in_crowd_trap", compare=True).param_dict, weeks=60)


def settings(**changes) -> Settings:
    return Settings.for_scenario("in_crowd_trap", compare=True, params=SHORT).replace(**changes)


@pytest.fixture(autouse=True)
def empty_cache():
    ms.clear_cache()
    yield
    ms.clear_cache()


# ---------------------------------------------------------------------- the computation
def test_per_seed_rows_are_those_of_each_task_run_alone():
    request = ms.Request.from_settings(settings(seed="7"), n=4)
    result = ms.compute(request)
    assert result.seeds == replication_seeds(7, 4)
    assert len(result.rows) == 8
    for row in result.rows:
        policy = {"A": request.policy_a, "B": request.policy_b}[row["policy"]]
        assert row["policy_name"] == policy
        assert row["seed"] == result.seeds[row["replication"]]
        (alone,) = run_tasks([RunTask(policy, row["seed"], "in_crowd_trap", SHORT)])
        for key, value in alone.outcomes.items():
            np.testing.assert_equal(row[key], value, err_msg=key)
    # the summary is built from exactly these rows, paired by seed
    turnover = result.outcome("annual_turnover")
    a = [r["annual_turnover"] * 100 for r in sorted(result.rows, key=lambda r: r["replication"]) if r["policy"] == "A"]
    b = [r["annual_turnover"] * 100 for r in sorted(result.rows, key=lambda r: r["replication"]) if r["policy"] == "B"]
    np.testing.assert_allclose(turnover.a, a)
    np.testing.assert_allclose(turnover.b, b)
    assert turnover.b_better == int(np.sum(np.array(b) < np.array(a) - 1e-9))


def test_share_of_seeds_counts_b_beating_a_in_the_better_direction():
    turnover = ms.HEADLINES[1]
    assert turnover.key == "annual_turnover" and not turnover.higher_is_better
    a = [0.10, 0.20, 0.30, 0.10, 0.25]
    b = [0.05, 0.20, 0.40, 0.00, 0.20]     # lower is better: B wins seeds 0, 3, 4; A wins seed 2; seed 1 tied
    o = ms.summarise(turnover, a, b)
    assert (o.b_better, o.a_better, o.ties) == (3, 1, 1)
    assert o.share_b_better == pytest.approx(3 / 5)
    assert o.diff == pytest.approx(100 * np.mean(np.subtract(b, a)))   # shown in percentage points
    innovation = ms.summarise(ms.HEADLINES[0], a, b)                   # higher is better: the other way round
    assert (innovation.b_better, innovation.a_better, innovation.ties) == (1, 3, 1)


def test_verdict_says_when_the_story_holds_and_when_it_is_luck():
    trust = ms.HEADLINES[2]
    clear = ms.summarise(trust, [0.40, 0.42, 0.41, 0.43], [0.50, 0.53, 0.52, 0.51])
    assert clear.verdict == "B" and clear.low > 0
    luck = ms.summarise(trust, [0.40, 0.50, 0.45, 0.47], [0.45, 0.44, 0.49, 0.43])
    assert luck.verdict == "unclear" and luck.low < 0 < luck.high
    result = ms.Result(ms.Request("default", "reactive_in_crowd", "proactive_deal", 1, (), 4), "In-crowd", "Deal",
                       [1, 2, 3, 4], [], (clear, luck))
    assert "whatever the seed" in ms.outcome_sentence(result, clear)
    assert "B higher in 4 of 4 seeds (100%)" in ms.outcome_sentence(result, clear)
    assert "luck" in ms.outcome_sentence(result, luck)


def test_progress_reports_every_batch_up_to_the_total():
    seen = []
    ms.compute(ms.Request.from_settings(settings(), n=6), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 12) and seen[-1] == (12, 12)
    assert len(seen) > 2 and all(b[0] > a[0] for a, b in zip(seen, seen[1:]))


def test_figure_is_a_png_and_command_reproduces_the_request():
    request = ms.Request.from_settings(settings(seed="3"), n=3)
    result = ms.compute(request)
    assert ms.figure_png(result).startswith(PNG)
    command = request.command()
    assert "--policies reactive_in_crowd,proactive_deal" in command and "--root-seed 3" in command
    assert "--seeds 3" in command and "--set weeks=60" in command


@pytest.mark.parametrize("seed", ["", "abc", "-3", "1.5", "²", "99999999999999999999"])
def test_a_bad_seed_is_refused_naming_the_field(seed):
    with pytest.raises(LMXInputError) as info:
        ms.Request.from_settings(settings(seed=seed), n=3)
    assert info.value.field == "seed"
    assert "whole number" in ms.error_message(info.value)


def test_parameters_the_scenario_cannot_take_are_refused_before_any_run():
    bad = Settings.for_scenario("growing_team", compare=True)
    bad = bad.replace(params={**bad.param_dict, "team_size": 30})   # the team only grows to 20
    with pytest.raises(LMXInputError) as info:
        ms.Request.from_settings(bad, n=3)
    assert info.value.field == "team_size"
    with pytest.raises(LMXInputError):
        ms.Request.from_settings(settings(), n=500)
    with pytest.raises(LMXInputError):
        ms.Request.from_settings(settings(policy_b="no_such_policy"), n=3)


def test_more_runs_than_the_dashboard_budget_are_refused_with_the_most_that_fit():
    huge = settings(params=dict(SHORT, n_teams=50, team_size=40, weeks=520))
    with pytest.raises(LMXInputError) as info:
        ms.Request.from_settings(huge, n=20)
    assert info.value.field == "seeds" and "at most 19 here" in info.value.allowed
    assert ms.Request.from_settings(huge, n=19).n == 19
    assert ms.Request.from_settings(settings(params=dict(SHORT, weeks=156)), n=50).n == 50  # workshop size fits


# ---------------------------------------------------------------------- shared jobs
def test_a_finished_job_is_cached_and_shared():
    request = ms.Request.from_settings(settings(), n=3)
    job = ms.job_for(request)
    assert job.wait(60) and job.result is not None
    job.detach()
    assert ms.cached(request) is job
    again = ms.job_for(request)        # a second click, from any session: no new runs
    assert again is job and again.finished.is_set()
    again.detach()


def test_the_last_watcher_leaving_stops_the_job_and_nothing_is_cached():
    request = ms.Request.from_settings(settings(params=dict(SHORT, weeks=156)), n=50)
    job = ms.job_for(request)
    job.detach()
    assert job.wait(60)
    assert job.stopped and job.result is None and job.done_runs < job.total_runs
    assert ms.cached(request) is None


def test_a_failing_run_gives_a_message_and_the_server_thread_survives(monkeypatch):
    def boom(tasks):
        raise RuntimeError("out of luck")
    monkeypatch.setattr(ms, "run_tasks", boom)
    request = ms.Request.from_settings(settings(), n=3)
    job = ms.job_for(request)
    assert job.wait(30)
    job.detach()
    assert job.result is None and "out of luck" in job.error
    assert ms.cached(request) is None       # asking again runs again


# ---------------------------------------------------------------------- the component
def wait_for(condition, timeout=60.0):
    return helpers.wait_for(condition, timeout)


def texts(rc) -> str:
    return " ".join(str(c) for w in rc.find(v.Html).widgets for c in w.children)


def buttons(rc, label):
    return [b for b in rc.find(v.Btn).widgets if any(label in str(c) for c in b.children)]


def errors(rc) -> list[str]:
    return [" ".join(map(str, a.children)) for a in rc.find(v.Alert, type="error").widgets]


def figure_images(rc):
    return rc.find(widgets.Image, _dom_classes=("solara-image", "lmx-image", "lmx-many-seeds")).widgets


def test_component_runs_with_progress_shows_the_result_and_a_second_visit_is_instant():
    _, rc = solara.render(ManySeeds(settings(), choices=(4,)), handle_error=False)
    assert figure_images(rc) == [] and errors(rc) == []
    (run,) = buttons(rc, "Run both policies on 4 seeds")
    run.click()
    assert wait_for(lambda: len(figure_images(rc)) == 1), texts(rc)
    assert bytes(figure_images(rc)[0].value).startswith(PNG)
    shown = texts(rc)
    for headline in ms.HEADLINES:
        assert f"{headline.title}: B " in shown
    assert "of 4 seeds" in shown and "lmxsim compare" in shown
    # another session with the same settings: shown at once, no click, no runs
    _, rc2 = solara.render(ManySeeds(settings(), choices=(4,)), handle_error=False)
    assert len(figure_images(rc2)) == 1 and buttons(rc2, "Run both policies") == []


def test_component_shows_progress_while_running_and_stop_ends_the_job():
    slow = settings(params=dict(SHORT, weeks=156))
    _, rc = solara.render(ManySeeds(slow, choices=(50,)), handle_error=False)
    buttons(rc, "Run both policies on 50 seeds")[0].click()
    assert wait_for(lambda: "runs done" in texts(rc)), texts(rc)
    assert "of 100 runs done" in texts(rc)
    assert rc.find(v.ProgressLinear).widgets
    request = ms.Request.from_settings(slow, 50)
    job = ms._running.get(request)
    assert job is not None
    buttons(rc, "Stop")[0].click()
    assert job.wait(60) and job.stopped
    assert wait_for(lambda: len(buttons(rc, "Run both policies on 50 seeds")) == 1)
    assert figure_images(rc) == []


@pytest.mark.parametrize("seed", ["abc", "²", ""])
def test_component_shows_a_message_for_a_bad_seed(seed):
    _, rc = solara.render(ManySeeds(settings(seed=seed), choices=(3,)), handle_error=False)
    assert any("seed" in e and "whole number" in e for e in errors(rc)), errors(rc)
    assert buttons(rc, "Run both policies") == []


def test_component_shows_the_models_message_for_parameters_a_scenario_cannot_take():
    bad = Settings.for_scenario("growing_team", compare=True)
    bad = bad.replace(params={**bad.param_dict, "team_size": 30})
    _, rc = solara.render(ManySeeds(bad, choices=(3,)), handle_error=False)
    assert any("team_size" in e for e in errors(rc)), errors(rc)


def test_component_is_empty_outside_compare_mode():
    _, rc = solara.render(ManySeeds(settings(compare=False), choices=(3,)), handle_error=False)
    assert buttons(rc, "Run both policies") == [] and figure_images(rc) == []


def test_component_shows_a_failed_run_as_a_message_and_offers_to_try_again(monkeypatch):
    def boom(tasks):
        raise RuntimeError("out of luck")
    monkeypatch.setattr(ms, "run_tasks", boom)
    _, rc = solara.render(ManySeeds(settings(), choices=(3,)), handle_error=False)
    buttons(rc, "Run both policies on 3 seeds")[0].click()
    assert wait_for(lambda: any("out of luck" in e for e in errors(rc))), texts(rc)
    assert len(buttons(rc, "Try again")) == 1
    monkeypatch.undo()
    buttons(rc, "Try again")[0].click()
    assert wait_for(lambda: len(figure_images(rc)) == 1), texts(rc)
    assert errors(rc) == []


def test_component_refuses_more_seeds_than_fit_and_lets_the_visitor_pick_fewer():
    huge = settings(params=dict(SHORT, n_teams=50, team_size=40, weeks=520))
    _, rc = solara.render(ManySeeds(huge, choices=(20, 2)), handle_error=False)
    assert any("seeds" in e and "at most 19" in e for e in errors(rc)), errors(rc)
    assert buttons(rc, "Run both policies") == []
    toggle = rc.find(v.BtnToggle).widget
    toggle.v_model = 1                       # the second choice: 2 seeds
    assert wait_for(lambda: errors(rc) == [])
    assert len(buttons(rc, "Run both policies on 2 seeds")) == 1
