"""The dashboard without a browser: Solara components rendered in-process, as Mesa's own
tests/test_solara_viz.py does, plus the pieces they are built from (session, layout, charts).
"""

from __future__ import annotations

import socket
import time

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import helpers
import pytest
import solara

from lmxsim.cli import main as cli_main
from lmxsim.dashboard import about
from lmxsim.dashboard.app import Page
from lmxsim.dashboard.charts import (CHARTS, ChartFeed, LiveCharts, charts_png, monitor_values, per_member_year, slide_png,
                                     story_png, story_text)
from lmxsim.dashboard.network import LiveNetwork, NetworkFeed, compute_layout, network_png
from lmxsim.dashboard.session import DASHBOARD_BASE, NEWCOMER_WEEKS, Settings, Simulation
from lmxsim.scenarios import SCENARIOS

PNG = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------- helpers
def render_page():
    _, rc = solara.render(Page(), handle_error=False)
    return rc


def button(rc, label):
    matches = [b for b in rc.find(v.Btn).widgets if label in b.children]
    assert len(matches) == 1, f"expected one button {label!r}, found {len(matches)}"
    return matches[0]


def week_text(rc) -> str:
    return rc.find(v.Html, class_="lmx-week").widget.children[0]


def run_labels(rc) -> list[str]:
    return [w.children[0].lstrip("■ ") for w in rc.find(v.Html, class_="lmx-run-label").widgets]


def images(rc, kind) -> list:
    return rc.find(widgets.Image, _dom_classes=("solara-image", "lmx-image", kind)).widgets


def monitors(rc) -> str:
    """The monitor cards (one piece of HTML, updated each frame)."""
    cards = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if "lmx-monitors" in w.unsafe_innerHTML]
    assert len(cards) == 1
    return cards[0]


def network_views(rc) -> list:
    """The live networks (Vue widgets drawn in the browser: a scene sent once, a frame per week)."""
    return [w for w in rc.find(v.VuetifyTemplate).widgets if w.has_trait("scene")]


def chart_views(rc) -> list:
    return [w for w in rc.find(v.VuetifyTemplate).widgets if w.has_trait("meta")]


def errors(rc) -> list[str]:
    return [" ".join(map(str, a.children)) for a in rc.find(v.Alert, type="error").widgets]


def prose(rc) -> str:
    """All text the page shows as rendered Markdown."""
    return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                    if "lmx-prose" in w.attributes.get("class", ""))


def select(rc, label):
    return rc.find(v.Select, label=label).widget


def enter_seed(rc, text):
    field = rc.find(v.TextField).widget
    field.v_model = text
    field.fire_event("keyup.enter", None)


def slider(rc, label_start):
    """The slider under the line of text that starts with ``label_start``."""
    column = [c for c in rc.find(v.Sheet, class_="d-flex ma-0 lmx-slider").widgets
              if label_start in c.children[0].unsafe_innerHTML]
    assert len(column) == 1, label_start
    return column[0].children[1]


def move_slider(rc, label_start, value):
    """Drag a slider to ``value`` and let go (the page acts when the slider is released)."""
    widget = slider(rc, label_start)
    widget.v_model = value
    widget.fire_event("change", value)


def open_tab(rc, title):
    tabs = rc.find(v.Tabs).widget
    titles = [[c for c in tab.children if isinstance(c, str)][0] for tab in tabs.children if isinstance(tab, v.Tab)]
    tabs.v_model = titles.index(title)


def wait_for(condition, timeout=30.0):
    return helpers.wait_for(condition, timeout)


# ---------------------------------------------------------------------- the page
def test_page_starts_at_week_zero_at_workshop_size_with_network_charts_and_monitors():
    rc = render_page()
    assert week_text(rc).startswith("Week 0 of ")
    assert slider(rc, "Teams").v_model == 5 and slider(rc, "Team size").v_model == 8
    assert len(network_views(rc)) == 1
    assert len(chart_views(rc)) == 1
    assert all(f'<div class="lmx-monitor-title">{title}</div>' in monitors(rc)
               for title in ("Turnover", "Innovation", "In-group"))


def test_step_advances_the_week_and_redraws_the_pictures():
    rc = render_page()
    frame = network_views(rc)[0].frame
    sent = []   # what changes is what is sent to the browser
    network_views(rc)[0].observe(lambda change: sent.append(change["name"]), names=["scene", "frame"])
    button(rc, "Step").click()
    assert week_text(rc).startswith("Week 1 of ")
    button(rc, "Step").click()
    assert week_text(rc).startswith("Week 2 of ")
    network = network_views(rc)[0]
    assert network.frame["week"] == 2 and network.frame != frame
    assert sent == ["frame", "frame"]    # the fixed drawing is not sent again
    charts = chart_views(rc)[0]
    assert [len(b) + len(t) for b, t in zip(charts.base[0], charts.tail[0])] == [3]   # weeks 0, 1, 2


def test_reset_returns_to_week_zero():
    rc = render_page()
    button(rc, "Step").click()
    button(rc, "Reset").click()
    assert week_text(rc).startswith("Week 0 of ")


def button_labels(rc) -> list[str]:
    return [c for b in rc.find(v.Btn).widgets for c in b.children if isinstance(c, str)]


def test_play_runs_the_model_until_pause():
    rc = render_page()
    button(rc, "Play").click()
    try:
        assert wait_for(lambda: int(week_text(rc).split()[1]) >= 2), week_text(rc)
    finally:
        assert wait_for(lambda: "Pause" in button_labels(rc))
        button(rc, "Pause").click()
    assert wait_for(lambda: "Play" in button_labels(rc))
    stopped_at = week_text(rc)
    time.sleep(0.6)  # longer than a frame at normal speed
    assert week_text(rc) == stopped_at


def test_changing_the_policy_rebuilds_the_model():
    rc = render_page()
    button(rc, "Step").click()
    select(rc, "Leadership policy").v_model = "Laissez-faire (absent)"
    assert week_text(rc).startswith("Week 0 of ")
    assert run_labels(rc) == ["Laissez-faire (absent)"]


def test_next_seed_builds_another_organisation():
    rc = render_page()
    button(rc, "Step").click()
    button(rc, "Next seed").click()
    assert rc.find(v.TextField).widget.v_model == "2"
    assert week_text(rc).startswith("Week 0 of ")


def test_a_scenario_preset_sets_its_policy_and_all_its_parameters():
    rc = render_page()
    move_slider(rc, "Team size", 5)
    select(rc, "Scenario preset").v_model = SCENARIOS["deal_with_everyone"].title
    assert select(rc, "Leadership policy").v_model == "Proactive deal with everyone"
    assert slider(rc, "Team size").v_model == SCENARIOS["deal_with_everyone"].overrides["team_size"]
    assert slider(rc, "Leader time").v_model == SCENARIOS["deal_with_everyone"].overrides["leader_hours_per_week"]
    assert slider(rc, "Teams").v_model == DASHBOARD_BASE["n_teams"]
    assert week_text(rc).startswith("Week 0 of ")
    # each preset shows its two lines of what to watch
    assert SCENARIOS["deal_with_everyone"].watch.splitlines()[0] in prose(rc)


def test_a_slider_rebuilds_the_organisation_when_released_not_while_dragged():
    rc = render_page()
    button(rc, "Step").click()
    slider(rc, "Teams").v_model = 9  # dragging: nothing is rebuilt yet
    assert week_text(rc).startswith("Week 1 of ")
    move_slider(rc, "Teams", 2)
    assert week_text(rc).startswith("Week 0 of ")
    assert f"/ {2 * DASHBOARD_BASE['team_size']}</span>" in monitors(rc)   # headcount


@pytest.mark.parametrize("seed", ["", "abc", "-3", "1.5"])
def test_a_bad_seed_shows_a_message_not_a_crash(seed):
    rc = render_page()
    enter_seed(rc, seed)
    assert any("seed" in e and "whole number" in e for e in errors(rc)), errors(rc)
    assert rc.find(v.TextField).widget.error  # the field itself is marked
    assert button(rc, "Step").disabled
    enter_seed(rc, "7")
    assert errors(rc) == []
    assert week_text(rc).startswith("Week 0 of ")


def test_parameters_a_scenario_cannot_take_show_the_models_message():
    rc = render_page()
    select(rc, "Scenario preset").v_model = SCENARIOS["growing_team"].title
    move_slider(rc, "Team size", 30)  # the team only grows to 20
    assert any("team_size" in e for e in errors(rc)), errors(rc)
    move_slider(rc, "Team size", 8)
    assert errors(rc) == []


def test_a_team_size_of_one_runs_and_explains_itself():
    rc = render_page()
    move_slider(rc, "Team size", 1)
    assert errors(rc) == []
    infos = [" ".join(map(str, a.children)) for a in rc.find(v.Alert, type="info").widgets]
    assert any("Teams of one" in i for i in infos)
    button(rc, "Step").click()
    assert week_text(rc).startswith("Week 1 of ")


def test_extreme_slider_values_do_not_crash():
    rc = render_page()
    move_slider(rc, "Leader time", 0.0)
    move_slider(rc, "Trust loss ratio", 10.0)
    for _ in range(3):
        button(rc, "Step").click()
    assert errors(rc) == []
    assert week_text(rc).startswith("Week 3 of ")


@pytest.mark.parametrize("extremes", [
    {"leader_hours_per_week": 0.0, "promise_reliability": 0.0, "failure_tolerance": 0.0},
    {"trust_loss_ratio": 10.0, "contact_efficiency": 0.05, "hiring_lag_weeks": 52},
    {"leader_hours_per_week": 40.0, "promise_reliability": 1.0, "failure_tolerance": 1.0, "hiring_lag_weeks": 0},
    {"n_teams": 1, "team_size": 40, "weeks": 13},
])
def test_every_slider_extreme_steps_and_draws(extremes):
    from lmxsim.dashboard.app import SLIDERS

    for name, value in extremes.items():
        low, high = SLIDERS[name][1:3]
        assert low <= value <= high
    sim = Simulation(small(params=extremes))
    layout = compute_layout(sim.runs[0].model)
    network, charts = NetworkFeed(sim.runs[0], layout), ChartFeed(sim.runs, sim.horizon, sim.settings.scenario_obj)
    for _ in range(14):
        sim.step()
        frame, (base, tail) = network.frame(), charts.series()
        assert len(frame["colour"]) == len(network.scene()["xy"]) == sim.runs[0].model.members.capacity
        assert all(len(b) + len(t) == sim.week + 1 for chart_b, chart_t in zip(base, tail)
                   for b, t in zip(chart_b, chart_t))
    assert network_png(sim.runs[0], layout).startswith(PNG)
    assert sim.week == min(14, sim.horizon)


def test_compare_mode_shows_two_models_stepping_together():
    rc = render_page()
    rc.find(v.Switch).widget.v_model = True
    assert run_labels(rc) == ["Reactive in-crowd", "Proactive deal with everyone"]
    assert len(network_views(rc)) == 2
    assert len(chart_views(rc)) == 1  # overlaid
    assert len(chart_views(rc)[0].meta["runs"]) == 2
    button(rc, "Step").click()
    assert week_text(rc).startswith("Week 1 of ")
    select(rc, "Compare with policy").v_model = "Equal split (sameness)"
    assert run_labels(rc) == ["Reactive in-crowd", "Equal split (sameness)"]


def test_each_browser_session_gets_its_own_model():
    first, second = render_page(), render_page()
    button(first, "Step").click()
    button(first, "Step").click()
    assert week_text(first).startswith("Week 2 of ")
    assert week_text(second).startswith("Week 0 of ")


def test_inspect_shows_the_story_of_a_picked_member():
    rc = render_page()
    for _ in range(3):
        button(rc, "Step").click()
    open_tab(rc, "Inspect a person")
    picker = rc.find(v.Autocomplete).widget
    member = next(label for label in picker.items if label.startswith("Team 2"))
    picker.v_model = member
    texts = prose(rc)
    assert f"Person #{member.split('#')[1]}, team 2" in texts
    assert len(images(rc, "lmx-story")) == 1


def test_inspect_shows_a_leaders_team_over_time():
    rc = render_page()
    button(rc, "Step").click()
    open_tab(rc, "Inspect a person")
    rc.find(v.Autocomplete).widget.v_model = "Leader of team 3"
    assert "Leader of team 3" in prose(rc)
    assert len(images(rc, "lmx-story")) == 1


def test_save_buttons_offer_the_pictures_for_slides():
    rc = render_page()
    labels = button_labels(rc)
    assert {"Save charts (PNG)", "Save network (PNG)", "Save slide (PNG)"} <= set(labels)
    rc.find(v.Switch).widget.v_model = True
    labels = button_labels(rc)
    assert "Save compare view (PNG)" in labels


def test_about_panel_follows_netlogos_order_and_lists_every_scenario():
    text = about.about_markdown()
    headings = ["WHAT IS IT?", "HOW IT WORKS", "HOW TO USE IT", "THINGS TO NOTICE", "THINGS TO TRY"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    for scenario in SCENARIOS.values():
        assert scenario.title in text
        for line in scenario.watch.splitlines():
            assert line in text


# ---------------------------------------------------------------------- the session behind the page
def small(params=None, **changes) -> Settings:
    """The in-crowd trap in three teams of five, with ``params`` overriding."""
    base = Settings.for_scenario("in_crowd_trap")
    return base.replace(params={**base.param_dict, "n_teams": 3, "team_size": 5, **(params or {})}, **changes)


def test_a_replaced_simulation_lets_its_models_go():
    import gc
    import weakref

    sim = Simulation(small(compare=True))
    models = [weakref.ref(run.model) for run in sim.runs]
    sim.close()
    assert sim.done
    del sim
    gc.collect()
    assert all(model() is None for model in models)   # nothing (Mesa 3.3.1's Agent._ids) keeps them


def test_compare_runs_start_with_the_same_people():
    sim = Simulation(small(compare=True))
    a, b = (run.model.members for run in sim.runs)
    assert np.array_equal(a.person_id, b.person_id)
    assert np.array_equal(a.competence, b.competence)
    assert sim.runs[0].policy != sim.runs[1].policy


def test_history_follows_every_member_week_by_week():
    sim = Simulation(small())
    sim.step(10)
    run = sim.runs[0]
    assert len(run.history) == 11
    pid = int(run.model.members.person_id[0])
    story = run.person_story(pid)
    assert len(story["weeks"]) == 11
    assert story["lmx"][-1] == pytest.approx(run.model.members.lmx[0], abs=1e-6)
    assert "Person #" in story_text(story)


def test_leavers_newcomers_and_their_stories_are_tracked():
    settings = small(params={"annual_base_turnover": 0.9, "hiring_lag_weeks": 3, "quit_sensitivity": 8.0})
    sim = Simulation(settings)
    run = sim.runs[0]
    saw_just_left = saw_newcomer = False
    for _ in range(30):
        sim.step()
        just_left = run.just_left()
        assert not (just_left & run.model.members.occupied).any()
        assert (sim.week - run.left_week[just_left] < 4).all()
        saw_just_left |= just_left.any()
        newcomers = run.newcomers()
        assert (sim.week - run.model.members.hire_week[newcomers] < NEWCOMER_WEEKS).all()
        saw_newcomer |= newcomers.any()
    assert saw_just_left and saw_newcomer
    leaver = next(iter(run.model.former_members))
    story = run.person_story(leaver)
    assert story["left_week"] is not None
    assert story["weeks"].max() < story["left_week"]
    assert "quit in week" in story_text(story)


def test_the_layout_stays_fixed_while_the_organisation_grows():
    sim = Simulation(Settings.for_scenario("growing_team").replace(
        params={**Settings.for_scenario("growing_team").param_dict, "n_teams": 2}))
    run = sim.runs[0]
    layout = compute_layout(run.model)
    before = layout.xy.copy()
    view = LiveNetwork(run, layout)
    view.png()
    sim.step(40)  # growth starts at week 26
    assert run.model.members.capacity > len(before)
    view.png()
    assert np.array_equal(layout.xy[:len(before)], before)
    team = run.model.members.team
    new = np.arange(len(before), run.model.members.capacity)
    distance = np.linalg.norm(layout.xy[new] - layout.centres[team[new]], axis=1)
    assert distance.max() < 2.0  # new desks sit near their own leader


def test_innovation_rate_is_successes_per_head_year_over_13_weeks():
    sim = Simulation(small())
    sim.step(30)
    model = sim.runs[0].model
    frame = model.model_frame()
    last = frame[frame.week > 30 - 13]
    expected = last.innovation.sum() / last.headcount.sum() * 52
    assert per_member_year(model, "innovation")[-1] == pytest.approx(expected)
    assert set(monitor_values(model)) >= {"Turnover", "Innovation", "In-group"}


def test_rates_over_the_last_13_weeks_start_when_13_weeks_have_been_played():
    # in week 2 the 'last 13 weeks' were 2 weeks: 2 quits among 60 people read as 87% a year
    sim = Simulation(small())
    sim.step(5)
    model = sim.runs[0].model
    trailing = [c for c in CHARTS if c.trailing]
    assert {c.column for c in trailing} == {"innovation", "turnover_rate_annualised"}
    assert all(np.isnan(c.values(model)).all() for c in trailing)
    assert monitor_values(model)["Turnover"] == "–" and monitor_values(model)["Innovation"] == "–"
    sim.step(15)
    turnover = next(c for c in trailing if c.column == "turnover_rate_annualised").values(model)
    assert np.isnan(turnover[:13]).all() and np.isfinite(turnover[13:]).all()
    assert turnover[-1] == pytest.approx(100 * model.model_frame().turnover_rate_annualised.iloc[-1])
    assert monitor_values(model)["Turnover"] == f"{turnover[-1]:.0f}%"


def test_live_pictures_match_one_off_pictures_in_size_and_all_are_pngs():
    sim = Simulation(small(compare=True))
    sim.step(5)
    layouts = [compute_layout(run.model) for run in sim.runs]
    live = LiveCharts(sim.runs, sim.horizon, sim.settings.scenario_obj).png()
    once = charts_png(sim.runs, sim.horizon, sim.settings.scenario_obj)
    assert live.startswith(PNG) and once.startswith(PNG)
    assert live[16:24] == once[16:24]  # same width and height
    assert network_png(sim.runs[0], layouts[0]).startswith(PNG)
    assert slide_png(sim, layouts).startswith(PNG)
    stories = [(run.label, run.person_story(0)) for run in sim.runs]
    assert story_png(stories, sim.horizon).startswith(PNG)
    assert len(CHARTS) == 6


def test_empty_organisation_draws_without_errors():
    settings = small(params={"n_teams": 1, "team_size": 1, "annual_base_turnover": 0.9,
                             "quit_sensitivity": 20.0, "hiring_lag_weeks": 52})
    sim = Simulation(settings)
    sim.step(60)
    values = monitor_values(sim.runs[0].model)
    assert all(isinstance(text, str) for text in values.values())
    assert charts_png(sim.runs, sim.horizon, sim.settings.scenario_obj).startswith(PNG)


# ---------------------------------------------------------------------- the command
def test_dashboard_command_is_documented_and_binds_locally_by_default(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["dashboard", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "127.0.0.1" in out


def test_dashboard_on_a_busy_port_says_so(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli_main(["dashboard", "--port", str(port)]) == 2
    assert "--port" in capsys.readouterr().err


# ---------------------------------------------------------------------- issue 13: breakages a room found
def test_a_seed_being_typed_survives_the_page_redrawing_while_the_model_plays():
    rc = render_page()
    button(rc, "Play").click()
    try:
        field = rc.find(v.TextField).widget
        field.v_model = "12"      # typed, not yet committed with Enter
        assert wait_for(lambda: int(week_text(rc).split()[1]) >= 3), week_text(rc)
        assert rc.find(v.TextField).widget.v_model == "12"
    finally:
        assert wait_for(lambda: "Pause" in button_labels(rc))
        button(rc, "Pause").click()
    assert wait_for(lambda: "Play" in button_labels(rc))
    rc.find(v.TextField).widget.fire_event("keyup.enter", "12")
    assert wait_for(lambda: week_text(rc).startswith("Week 0 of "))   # committed: a new organisation


@pytest.mark.parametrize("seed", ["²", "٣", "1²", " "])
def test_next_seed_after_a_seed_that_is_not_a_plain_number_starts_again_at_one(seed):
    rc = render_page()
    enter_seed(rc, seed)
    button(rc, "Next seed").click()
    assert rc.find(v.TextField).widget.v_model == "1"
    assert errors(rc) == [] and week_text(rc).startswith("Week 0 of ")


def test_lengthening_the_horizon_at_the_end_of_a_run_goes_on_from_there():
    rc = render_page()
    move_slider(rc, "Horizon", 13)
    for _ in range(13):
        button(rc, "Step").click()
    assert week_text(rc) == "Week 13 of 13" and button(rc, "Step").disabled
    move_slider(rc, "Horizon", 26)
    assert week_text(rc) == "Week 13 of 26"
    button(rc, "Step").click()
    assert week_text(rc) == "Week 14 of 26"
    move_slider(rc, "Horizon", 13)   # shorter than where the run is: it ends here, nothing is lost
    assert week_text(rc) == "Week 14 of 13" and button(rc, "Step").disabled


def test_the_settings_button_hides_and_shows_the_settings_column():
    rc = render_page()
    assert rc.find(v.Select, label="Scenario preset").widgets
    button(rc, "Settings").click()
    assert not rc.find(v.Select, label="Scenario preset").widgets
    assert network_views(rc)   # the main panel is still there
    button(rc, "Settings").click()
    assert rc.find(v.Select, label="Scenario preset").widgets


def test_scenario_events_name_policies_as_people_read_them():
    text = SCENARIOS["leader_training"].events[0].describe()
    assert "Proactive deal with everyone" in text and "proactive_deal" not in text


def render_page_at(query: str):
    """The page as a browser opening ``/?query`` sees it (the server provides the router)."""
    from solara.routing import Router, router_context

    @solara.component
    def Opened():
        router_context.provide(Router("/?" + query, routes=[solara.Route("/")]))
        return Page()

    _, rc = solara.render(Opened(), handle_error=False)
    return rc


def test_a_horizon_changed_after_building_is_what_many_seeds_and_the_slide_use():
    # Many seeds ran (and limited seeds by) the horizon the organisation was built with, not the one shown
    from lmxsim.dashboard import many_seeds as ms
    from lmxsim.dashboard.charts import slide_caption
    sim = Simulation(small().replace(compare=True))
    try:
        sim.set_horizon(60)
        assert sim.settings.horizon == 60 and sim.horizon == 60
        assert dict(ms.Request.from_settings(sim.settings).params)["weeks"] == 60
        assert "weeks=60" in slide_caption(sim)
    finally:
        sim.close()


def test_a_link_opens_its_scenario_policies_seed_and_horizon():
    from lmxsim.dashboard.session import settings_to_query
    rc = render_page_at("scenario=in_crowd_trap&policy=similarity_bias&compare=1&vs=equal_split&seed=7&weeks=52")
    assert select(rc, "Scenario preset").v_model == SCENARIOS["in_crowd_trap"].title
    assert run_labels(rc) == ["Similarity-biased favouritism", "Equal split (sameness)"]
    assert rc.find(v.TextField).widget.v_model == "7" and week_text(rc) == "Week 0 of 52"
    import html
    query = settings_to_query(Settings.for_scenario("in_crowd_trap").replace(
        policy="similarity_bias", compare=True, policy_b="equal_split", seed="7",
        params={**Settings.for_scenario("in_crowd_trap").param_dict, "weeks": 52}))
    assert html.escape("?" + query, quote=False) in prose(rc)   # the page offers the same link back


@pytest.mark.parametrize("query, field", [
    ("scenario=nope", "scenario"),
    ("policy=__import__('os')", "policy"),
    ("compare=maybe", "compare"),
    ("weeks=-5", "weeks"),
    ("weeks=ten", "weeks"),
    ("colour=red", "colour"),
    ("present=please", "present"),
])
def test_a_forged_link_shows_one_line_and_opens_the_rest(query, field):
    rc = render_page_at(query + "&seed=3")
    warnings = [" ".join(map(str, a.children)) for a in rc.find(v.Alert, type="warning").widgets]
    assert len(warnings) == 1 and f"link parameter {field}:" in warnings[0]
    assert rc.find(v.TextField).widget.v_model == "3" and week_text(rc).startswith("Week 0 of ")


@pytest.mark.parametrize("seed", ["-5", "abc", "1e400", "9" * 30])
def test_a_forged_seed_in_a_link_is_a_link_message_and_the_page_still_builds(seed):
    # it was passed on to the model: no organisation, Step and Play disabled, no "link parameter"
    rc = render_page_at(f"seed={seed}&weeks=30")
    warnings = [" ".join(map(str, a.children)) for a in rc.find(v.Alert, type="warning").widgets]
    assert len(warnings) == 1 and "link parameter seed:" in warnings[0]
    assert rc.find(v.TextField).widget.v_model == "1" and week_text(rc) == "Week 0 of 30"


def test_settings_survive_the_trip_through_a_link():
    from lmxsim.dashboard.session import settings_from_query, settings_to_query
    for name in SCENARIOS:
        for compare in (False, True):
            for present in (False, True):
                s = Settings.for_scenario(name).replace(compare=compare, seed="42", present=present)
                assert settings_from_query(settings_to_query(s)) == (s, None)


def test_compare_mode_offers_many_seeds_and_one_model_does_not():
    rc = render_page()

    def tab_titles():
        tabs = rc.find(v.Tabs).widget
        return [[c for c in tab.children if isinstance(c, str)][0] for tab in tabs.children if isinstance(tab, v.Tab)]

    assert "Many seeds" not in tab_titles()
    rc.find(v.Switch).widget.v_model = True
    assert "Many seeds" in tab_titles()


def test_compare_mode_saves_each_network_under_its_policys_name():
    rc = render_page()
    rc.find(v.Switch).widget.v_model = True
    labels = button_labels(rc)
    assert "Save network (PNG)" not in labels
    assert {"Save network: Reactive in-crowd (PNG)", "Save network: Proactive deal with everyone (PNG)"} <= set(labels)


def test_a_slide_says_how_to_reproduce_it():
    from lmxsim.dashboard.charts import slide_caption
    s = Settings.for_scenario("in_crowd_trap").replace(compare=True, seed="7")
    sim = Simulation(s)
    try:
        sim.step(3)
        caption = slide_caption(sim)
    finally:
        sim.close()
    for part in ("scenario in_crowd_trap", "reactive_in_crowd vs proactive_deal", "seed 7", "week 3 of 156",
                 "team_size=12", "leader_hours_per_week=6", "?scenario=in_crowd_trap"):
        assert part in caption, part


def test_a_room_server_shows_its_address_and_a_qr_code_of_this_view():
    from lmxsim.dashboard.join import set_current_join_url
    rc = render_page()
    assert "room joins at" not in prose(rc)      # 127.0.0.1: no join code
    set_current_join_url("http://192.0.2.2:8765")
    try:
        rc = render_page()
        assert "The room joins at</strong> http://192.0.2.2:8765" in prose(rc)
        svgs = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if "lmx-join-qr" in w.unsafe_innerHTML]
        assert len(svgs) == 1 and "http://192.0.2.2:8765/?scenario=default" in svgs[0]
    finally:
        set_current_join_url(None)


def test_about_explains_what_the_in_group_means_under_each_policy_and_at_week_zero():
    text = about.about_markdown()
    part = text[text.index('What "in-group" means'):]
    assert "reactive in-crowd" in part and "deal with everyone" in part and "week 0" in part


# ---------------------------------------------------------------------- issue 13: the live view in a room
def test_clicking_a_desk_opens_that_persons_story():
    rc = render_page()
    button(rc, "Step").click()
    network = network_views(rc)[0]
    position = network.frame["person"].index(next(p for p in network.frame["person"] if p >= 0))
    person = network.frame["person"][position]
    network.vue_desk_click(position)
    assert rc.find(v.Tabs).widget.v_model == 1   # Inspect is open
    assert rc.find(v.Autocomplete).widget.v_model.endswith(f"person #{person}")
    assert f"Person #{person}, team " in prose(rc)
    assert len(images(rc, "lmx-story")) == 1
    open_tab(rc, "Organisation and charts")
    assert network_views(rc)[0].frame["picked"] == position    # the desk is ringed


@pytest.mark.parametrize("position", [-1, 10**9, "abc", None, 2.5e300])
def test_a_click_on_no_desk_or_a_forged_one_changes_nothing(position):
    rc = render_page()
    network_views(rc)[0].vue_desk_click(position)
    assert rc.find(v.Tabs).widget.v_model == 0 and errors(rc) == []


def test_a_vacant_desk_cannot_be_picked():
    sim = Simulation(small(params={"annual_base_turnover": 0.9, "quit_sensitivity": 20.0, "hiring_lag_weeks": 52}))
    sim.step(30)
    from lmxsim.dashboard.app import _picked_label
    run = sim.runs[0]
    vacant = np.flatnonzero(~run.model.members.occupied)
    assert len(vacant) and _picked_label(sim, run, int(vacant[0])) is None
    sim.close()


def test_hover_data_name_the_person_their_lmx_trust_and_in_group():
    sim = Simulation(small())
    sim.step(14)
    run = sim.runs[0]
    frame = NetworkFeed(run, compute_layout(run.model)).frame()
    m = run.model.members
    assert frame["person"] == m.person_id.tolist()
    assert frame["lmx"] == np.rint(100 * m.lmx).astype(int).tolist()
    assert frame["trust"] == np.rint(100 * m.trust).astype(int).tolist()
    assert frame["in_group"] == "".join("1" if g else "0" for g in (m.in_group & m.occupied))
    vacant = ~m.occupied
    assert [c < 0 for c in frame["colour"]] == vacant.tolist()
    sim.close()


def test_the_legend_says_what_in_group_means_under_the_policies_shown():
    from lmxsim.dashboard.network import in_group_meaning, key_html
    from lmxsim.policies import policy_class
    in_crowd, deal = policy_class("reactive_in_crowd"), policy_class("proactive_deal")
    text = in_group_meaning([in_crowd, deal])
    assert "Reactive in-crowd: the in-group gets most" in text and "privilege" in text
    assert "Proactive deal with everyone: the leader records it but treats everyone alike" in text
    assert "Week 0" in text
    rc = render_page()
    keys = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if "lmx-key" in w.unsafe_innerHTML]
    assert len(keys) == 1 and "in-group (dark ring)" in keys[0] and "Reactive in-crowd: the in-group" in keys[0]
    rc.find(v.Switch).widget.v_model = True      # compare: one legend for both networks, both meanings
    keys = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if "lmx-key" in w.unsafe_innerHTML]
    assert len(keys) == 1 and "Proactive deal with everyone: the leader records" in keys[0]
    assert key_html([in_crowd]).count("lmx-key-item") >= 8


def test_chart_frames_send_only_the_weeks_added():
    sim = Simulation(small(compare=True))
    feed = ChartFeed(sim.runs, sim.horizon, sim.settings.scenario_obj)
    base, tail = feed.series()
    assert all(len(line) == 1 for chart in base for line in chart) and all(t == [] for c in tail for t in c)
    sim.step(3)
    base2, tail = feed.series()
    assert base2 is base and all(len(line) == 3 for chart in tail for line in chart)
    sim.step(ChartFeed.TAIL_WEEKS)
    base3, tail = feed.series()          # a long tail joins the base, sent once more
    assert base3 is not base and all(t == [] for c in tail for t in c)
    whole = [[chart.values(run.model) for run in sim.runs] for chart in CHARTS]
    for chart_values, chart_base in zip(whole, base3):
        for y, line in zip(chart_values, chart_base):
            assert np.allclose([np.nan if v is None else v for v in line], y, equal_nan=True, atol=1e-4)
    sim.close()


def test_downloads_are_drawn_when_asked_not_every_frame(monkeypatch):
    import lmxsim.dashboard.network as network_module
    drawn = []
    monkeypatch.setattr(network_module.NetworkArtists, "update",
                        lambda self, *a, **k: drawn.append(1) or False)
    rc = render_page()
    for _ in range(3):
        button(rc, "Step").click()
    assert drawn == []
    downloads = [w for w in rc.find(v.Btn).widgets if "Save network (PNG)" in w.children]
    assert downloads


def test_a_present_link_opens_presenter_mode_and_the_settings_toggle_still_works():
    rc = render_page_at("compare=1&present=1")
    assert len(rc.find(v.Sheet, class_="d-flex ma-0 lmx-root lmx-present").widgets) == 1
    assert not rc.find(v.Select, label="Scenario preset").widgets     # the projector gets the width
    assert len(network_views(rc)) == 2 and len(chart_views(rc)) == 1
    button(rc, "Settings").click()
    assert rc.find(v.Select, label="Scenario preset").widgets
    assert "present=1" in prose(rc)           # the link offered back keeps presenter mode
    button(rc, "Presenter").click()           # and it can be left
    assert not rc.find(v.Sheet, class_="d-flex ma-0 lmx-root lmx-present").widgets
    assert len(rc.find(v.Sheet, class_="d-flex ma-0 lmx-root").widgets) == 1
    assert "present=1" not in prose(rc)


def test_presenter_mode_does_not_rebuild_or_pause_the_run():
    rc = render_page()
    button(rc, "Step").click()
    button(rc, "Presenter").click()
    assert week_text(rc).startswith("Week 1 of ")


def test_a_long_run_label_fits_its_network_picture():
    from lmxsim.dashboard.network import network_figure
    sim = Simulation(small())
    layout = compute_layout(sim.runs[0].model)
    label = "Reactive in-crowd → Proactive deal with everyone from week 26 (50% of teams)"
    fig = network_figure(sim.runs[0], layout, title=label)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    titles = [t for ax in fig.axes for t in ax.texts if "Reactive" in t.get_text()]
    box = titles[0].get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height
    sim.close()


def test_a_slides_caption_and_heading_stay_clear_of_the_charts():
    from lmxsim.dashboard.charts import slide_figure
    sim = Simulation(Settings.for_scenario("leader_training").replace(compare=True))
    sim.step(3)
    fig = slide_figure(sim, [compute_layout(run.model) for run in sim.runs])
    fig.canvas.draw()   # lays out the subfigures
    renderer = fig.canvas.get_renderer()
    caption = next(t for t in fig.texts if t.get_text().startswith("lmxsim · scenario"))
    heading = next(t for t in fig.texts if "week 3" in t.get_text() and "Leader training" in t.get_text())
    assert heading.get_window_extent(renderer).x1 <= fig.bbox.width
    footer = caption.get_window_extent(renderer)
    chart_axes = [ax for sub in fig.subfigs for ax in sub.axes if ax.get_xlabel() == "week"]
    assert len(chart_axes) == len(CHARTS)
    for ax in chart_axes:
        label = ax.xaxis.label.get_window_extent(renderer)
        assert label.y0 > footer.y1, f"the footer overlaps {ax.get_title(loc='left')}'s axis label"
    sim.close()


def simulate_play(rate: float, frame_cost: float, step_cost: float, seconds: float = 20.0):
    """The play loop's schedule under a fake clock: weeks stepped and frames shown in ``seconds``."""
    from lmxsim.dashboard.app import Pacer
    now = 0.0
    pacer = Pacer(rate, now)
    weeks = frames = 0
    while now < seconds:
        due = pacer.weeks_due(now)
        if due:
            now += due * step_cost
            pacer.stepped_weeks(due)
            weeks += due
        if pacer.frame_due(now):
            now += frame_cost
            pacer.frame_shown(now, frame_cost)
            frames += 1
        now += max(pacer.sleep_time(now), 1e-3)
    return weeks / seconds, frames / seconds


@pytest.mark.parametrize("speed, frame_cost", [("normal", 0.005), ("normal", 0.2), ("normal", 0.6),
                                               ("slow", 0.05), ("fast", 0.1), ("fast", 0.4)])
def test_play_keeps_its_weeks_per_second_whatever_a_frame_costs(speed, frame_cost):
    from lmxsim.dashboard.app import FRAME_INTERVAL, MAX_FRAME_INTERVAL, SPEEDS
    rate = SPEEDS[speed]
    weeks_per_s, frames_per_s = simulate_play(rate, frame_cost, step_cost=0.004)
    assert weeks_per_s == pytest.approx(rate, rel=0.1)
    assert frames_per_s <= 1 / FRAME_INTERVAL + 0.05          # at most 4 frames a second
    assert frames_per_s * frame_cost <= 0.3                   # drawing takes at most about a quarter of the time
    assert frames_per_s >= 0.9 / (MAX_FRAME_INTERVAL + frame_cost)   # and the page still moves


def test_a_stalled_server_does_not_make_play_race_to_catch_up():
    from lmxsim.dashboard.app import Pacer
    pacer = Pacer(4.0, 0.0)
    assert pacer.weeks_due(0.3) == 1
    pacer.stepped_weeks(1)
    assert pacer.weeks_due(60.0) == 1      # a minute lost is not replayed at once


def test_the_vue_components_are_installed_with_the_package():
    import tomllib
    from pathlib import Path
    import lmxsim.dashboard
    root = Path(__file__).resolve().parents[1]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    vue_files = sorted(p.name for p in Path(lmxsim.dashboard.__file__).parent.glob("*.vue"))
    assert vue_files == ["charts_view.vue", "network_view.vue"]
    assert "*.vue" in data["lmxsim.dashboard"]
