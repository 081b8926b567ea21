"""Workshop mode's round logic, security and debrief, without a browser (lmxsim.workshop)."""

from __future__ import annotations

import io
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lmxsim.errors import LMXInputError
from lmxsim.workshop import TeamChoices, Workshop, WorkshopConfig
from lmxsim.workshop import debrief


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def small(**kw) -> WorkshopConfig:
    return WorkshopConfig(**{"seats": 4, "rounds": 2, "round_weeks": 5, "team_size": 6, "seed": 7, **kw})


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def shop(clock):
    return Workshop(small(), clock=clock)


# ---------------------------------------------------------------- configuration
@pytest.mark.parametrize("field, value", [
    ("seats", 0), ("seats", 61), ("seats", 2.5), ("rounds", 0), ("round_weeks", 53), ("team_size", 2),
    ("mode", "everyone"), ("absent", "nobody"), ("seat_bot", "keep"), ("scenario", "mars"),
    ("round_seconds", 5), ("seed", -1), ("seats", True),
])
def test_a_bad_configuration_names_its_field(field, value):
    with pytest.raises(LMXInputError) as err:
        WorkshopConfig(**{field: value})
    assert err.value.field == field


def test_a_bad_parameter_override_is_refused_before_anything_runs():
    with pytest.raises(LMXInputError) as err:
        WorkshopConfig(params={"trust_gain": 7})
    assert err.value.field == "trust_gain"


@pytest.mark.parametrize("name", ["team_size", "n_teams", "weeks"])
def test_an_override_of_what_the_workshop_sets_itself_is_refused_not_ignored(name):
    # `lmxsim workshop --set team_size=12` ran with team_size 8 (--team-size's default), silently
    with pytest.raises(LMXInputError) as err:
        WorkshopConfig(params={name: 12})
    assert err.value.field == f"--set {name}" and "--" in err.value.allowed


# ---------------------------------------------------------------- joining
def test_joining_needs_the_code_and_gives_seats_in_order(shop):
    with pytest.raises(LMXInputError):
        shop.join("WRONG1", "Ann")
    a = shop.join(shop.code.lower(), "  Ann  ")
    b = shop.join(shop.code, "Ann")
    assert (a.name, a.seat, b.name, b.seat) == ("Ann", 0, "Ann (2)", 1)
    assert a.token != b.token and shop.facilitator_token not in (a.token, b.token)


def test_the_same_browser_resumes_its_seat_and_a_full_workshop_says_so(shop):
    first = shop.join(shop.code, "Ann", browser="browser-1")
    assert shop.join(shop.code, "Someone else", browser="browser-1") is first
    assert shop.resume("browser-1") is first and shop.resume("browser-2") is None
    for k in range(3):
        shop.join(shop.code, f"P{k}")
    with pytest.raises(LMXInputError, match="free seat"):
        shop.join(shop.code, "Late")


@pytest.mark.parametrize("name", ["", "   ", "x" * 31, None, 42])
def test_a_bad_display_name_is_refused(shop, name):
    with pytest.raises(LMXInputError) as err:
        shop.join(shop.code, name)
    assert err.value.field == "name"
    assert not shop.participants


# ---------------------------------------------------------------- security
def test_facilitator_actions_need_the_facilitator_token(shop):
    p = shop.join(shop.code, "Ann")
    for action in (lambda t: shop.open_round(t), lambda t: shop.close_round(t), lambda t: shop.pause(t),
                   lambda t: shop.inject(t, "budget_cut"), lambda t: shop.broadcast(t, "hi")):
        for token in (p.token, "", None, shop.facilitator_token + "x"):
            with pytest.raises(LMXInputError, match="facilitator"):
                action(token)
    assert shop.phase == "lobby" and not shop.messages


def test_a_participant_can_only_decide_for_their_own_people():
    shop = Workshop(small(mode="shared_org"))
    a, b = shop.join(shop.code, "Ann"), shop.join(shop.code, "Bob")
    shop.open_round(shop.facilitator_token)
    theirs = shop.people(b.seat)
    assert not set(theirs) & set(shop.people(a.seat))
    for raw in ({"deal": theirs[:1]}, {"hours": {theirs[0]: 5}}, {"latitude": {str(theirs[0]): 1}},
                {"assignments": theirs[:1]}):
        with pytest.raises(LMXInputError, match="a person of your team"):
            shop.submit(a.token, raw)
    with pytest.raises(LMXInputError, match="participant token"):
        shop.submit(shop.facilitator_token, {})
    assert a.submitted is None and b.submitted is None


@pytest.mark.parametrize("raw, field", [
    ({"hours": {0: -1}}, "hours[0]"), ({"hours": {0: 11}}, "hours[0]"), ({"hours": {0: "lots"}}, "hours[0]"),
    ({"latitude": {0: float("inf")}}, "latitude[0]"), ({"latitude": {0: True}}, "latitude[0]"),
    ({"latitude": [0.5]}, "latitude"), ({"promise": -0.1}, "promise"), ({"promise": None}, "promise"),
    ({"deal": "0,1"}, "deal"), ({"deal": [0, "x"]}, "deal"), ({"deal": [10**30]}, "deal"),
    ({"assignments": [0, 1, 2]}, "assignments"), ({"team": 3}, "choices"), ("deal everyone", "choices"),
    # keys and values a page can forge that once raised ValueError / OverflowError in the server
    ({"hours": {"--1": 1}}, "hours"), ({"hours": {"\u00b2": 1}}, "hours"), ({"deal": ["--1"]}, "deal"),
    ({"promise": 10**400}, "promise"), ({"hours": {0: -(10**400)}}, "hours[0]"),
])
def test_forged_choices_get_a_message_and_change_nothing(shop, raw, field):
    p = shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    with pytest.raises(LMXInputError) as err:
        shop.submit(p.token, raw)
    assert err.value.field == field
    assert p.submitted is None and shop.phase == "open"


# ---------------------------------------------------------------- rounds
def test_the_round_plays_when_the_last_participant_submits(shop):
    a, b = shop.join(shop.code, "Ann"), shop.join(shop.code, "Bob")
    with pytest.raises(LMXInputError, match="open round"):
        shop.submit(a.token, {})
    shop.open_round(shop.facilitator_token)
    shop.submit(a.token, {})
    assert shop.phase == "open" and shop.engine.week == 0
    shop.submit(b.token, {})
    assert (shop.phase, shop.round, shop.engine.week) == ("results", 1, 5)


def test_the_timer_closes_the_round_and_a_pause_stops_it(shop, clock):
    shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token, seconds=60)
    clock.now += 30
    assert not shop.tick() and shop.seconds_left() == pytest.approx(30)
    shop.pause(shop.facilitator_token)
    clock.now += 100
    assert not shop.tick() and shop.seconds_left() == pytest.approx(30)
    shop.resume_timer(shop.facilitator_token)
    clock.now += 29
    assert not shop.tick()
    clock.now += 2
    assert shop.tick() and shop.phase == "results" and shop.seconds_left() is None


def test_a_participant_who_does_not_submit_keeps_last_rounds_choices(shop):
    a = shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    people = shop.people(a.seat)
    shop.submit(a.token, {"hours": {people[0]: 9}, "latitude": {people[0]: 0.9}})
    shop.open_round(shop.facilitator_token)
    shop.close_round(shop.facilitator_token)
    log = debrief.decisions_frame(shop)
    second = log[(log["round"] == 2) & (log.seat == a.seat)]
    assert not second.submitted.any() and set(second.played_by) == {"workshop_participant"}
    kept = second[second.person_id == people[0]]
    assert kept.hours_weight.item() == 9 and kept.latitude.item() == 0.9


def test_absent_participants_can_be_played_by_a_bot():
    shop = Workshop(small(absent="proactive_deal"))
    a = shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    shop.close_round(shop.facilitator_token)
    log = debrief.decisions_frame(shop)
    assert set(log[log.seat == a.seat].played_by) == {"proactive_deal"}
    assert set(log[log.seat != a.seat].played_by) == {"reactive_in_crowd"}    # empty seats: seat_bot


def test_seat_bots_match_the_reference_bot_of_their_policy_week_by_week(shop):
    """Same starting team, same seed, same luck: an empty seat played by the in-crowd bot is the
    reference in-crowd organisation, number for number."""
    shop.join(shop.code, "Ann")
    for _ in range(2):
        shop.open_round(shop.facilitator_token)
        shop.close_round(shop.facilitator_token)
    weekly = shop.team_weekly().drop(columns="team")
    seat_bot = weekly[shop.team_weekly().team == shop.seat_teams[3]].reset_index(drop=True)
    reference = weekly[shop.team_weekly().team == shop.reference_teams["reactive_in_crowd"][0]].reset_index(drop=True)
    pd.testing.assert_frame_equal(seat_bot, reference)
    participant = weekly[shop.team_weekly().team == shop.seat_teams[0]].reset_index(drop=True)
    assert not participant.equals(reference)


def test_choices_reach_the_model(shop):
    a = shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    people = shop.people(a.seat)
    favourite = people[0]
    shop.submit(a.token, {"hours": {favourite: 10}, "deal": [favourite], "assignments": [favourite]})
    members = shop.member_weekly()
    mine = members[(members.team == shop.seat_teams[a.seat]) & (members.week > 0)]
    hours = mine.groupby("person_id").hours.mean()
    assert hours[favourite] > 3 * hours.drop(favourite).max()
    fav = mine[mine.person_id == favourite]
    assert fav.in_group.all() and fav.assignment.all()
    assert not mine[mine.person_id != favourite].in_group.any()


def test_the_leaders_view_and_the_round_summary_show_the_round_as_the_records_have_it(shop):
    """What a page shows between rounds, checked against the weekly member records: last round's
    hours and assignment weeks per person, who left and who joined, the ideas."""
    a, b = shop.join(shop.code, "Ann"), shop.join(shop.code, "Bob")
    shop.open_round(shop.facilitator_token)
    favourite = shop.people(a.seat)[0]
    shop.submit(a.token, {"hours": {favourite: 10}, "assignments": [favourite]})
    shop.submit(b.token, {})
    members, weekly = shop.member_weekly(), shop.team_weekly()
    summary = shop.round_summary()
    for p in (a, b):
        team = int(shop.seat_teams[p.seat])
        mine = members[(members.team == team) & (members.week > 0)]
        view = shop.leader_view(p.token).set_index("person_id")
        assert sorted(view.index) == sorted(shop.people(p.seat))
        stayed = [pid for pid in view.index if pid in set(mine.person_id)]
        per = mine.groupby("person_id").agg(hours=("hours", "mean"), weeks=("assignment", "sum"))
        assert np.allclose(view.loc[stayed, "hours_last_round"], per.loc[stayed, "hours"].round(2))
        assert (view.loc[stayed, "assignment_weeks"] == per.loc[stayed, "weeks"]).all()
        before = set(members[(members.team == team) & (members.week == 0)].person_id)
        after = set(members[(members.team == team) & (members.week == shop.engine.week)].person_id)
        r = summary[team]
        assert (r["left"], r["joined"]) == (sorted(before - after), sorted(after - before))
        assert r["successes"] == weekly[(weekly.team == team) & (weekly.week > 0)].successes.sum()
    assert shop.leader_view(a.token).set_index("person_id").assignment_weeks[favourite] == shop.config.round_weeks


def test_an_event_hits_every_organisation_when_the_round_plays(shop):
    shop.join(shop.code, "Ann")
    before = shop.engine.leaders.hours_per_week.copy()
    shop.inject(shop.facilitator_token, "budget_cut")
    with pytest.raises(LMXInputError):
        shop.inject(shop.facilitator_token, "meteor")
    with pytest.raises(LMXInputError, match="queued: budget_cut"):   # a second click compounded it (0.49)
        shop.inject(shop.facilitator_token, "budget_cut")
    shop.open_round(shop.facilitator_token)
    shop.close_round(shop.facilitator_token)
    np.testing.assert_allclose(shop.engine.leaders.hours_per_week, 0.7 * before)
    assert shop.events == [(0, "budget_cut")]


def test_the_same_choices_give_the_same_workshop():
    def play():
        shop = Workshop(small(seed=11))
        a = shop.join(shop.code, "Ann")
        for _ in range(2):
            shop.open_round(shop.facilitator_token)
            shop.submit(a.token, {"deal": shop.people(a.seat)[:2], "promise": 0.6})
        return shop.team_weekly()
    pd.testing.assert_frame_equal(play(), play())


def test_the_last_round_opens_the_debrief_and_nothing_more_can_be_played(shop):
    shop.join(shop.code, "Ann")
    for _ in range(2):
        shop.open_round(shop.facilitator_token)
        shop.close_round(shop.facilitator_token)
    assert shop.phase == "debrief"
    with pytest.raises(LMXInputError):
        shop.open_round(shop.facilitator_token)


def test_wait_for_change_wakes_on_a_change(shop):
    import threading

    seen = []
    version = shop.version
    waiter = threading.Thread(target=lambda: seen.append(shop.wait_for_change(version, timeout=10)))
    waiter.start()
    shop.broadcast(shop.facilitator_token, "Round 1 starts in a minute")
    waiter.join(5)
    assert seen == [version + 1]
    assert shop.status()["messages"] == [(0, "Round 1 starts in a minute")]


def test_participants_pages_follow_only_what_they_show(shop):
    """A join, a submission or a pending event is news for the console only (room_version stays);
    a message, the timer and a round played are news for every page."""
    a = shop.join(shop.code, "Ann")
    b = shop.join(shop.code, "Bob")
    room = shop.room_version
    shop.open_round(shop.facilitator_token)
    assert shop.room_version == room + 1
    room, version = shop.room_version, shop.version
    shop.submit(a.token, {})
    shop.inject(shop.facilitator_token, "budget_cut")
    assert (shop.room_version, shop.version) == (room, version + 2)
    assert shop.wait_for_change(room, timeout=0.01, room=True) == room   # nothing for the room: times out
    shop.pause(shop.facilitator_token)
    shop.broadcast(shop.facilitator_token, "one minute")
    assert shop.room_version == room + 2
    shop.submit(b.token, {})   # the last submission plays the round: news for everyone
    assert shop.phase == "results" and shop.room_version == room + 3


def test_a_page_stuck_in_its_update_holds_the_others_up_only_briefly(shop):
    """Pages update one at a time after a change; one that cannot get its update out (a browser
    that stopped reading) keeps the turn, and the others go on after PAGE_TURN_S instead of never.
    Each page's finished update is recorded for the status route."""
    import time

    import solara

    from lmxsim.workshop import app

    shown = []

    @solara.component
    def Page():
        shown.append(app.use_live(shop, room=True))

    _, rc = solara.render(Page(), handle_error=False)
    try:
        with app._ONE_PAGE_AT_A_TIME:   # another page's update, stuck
            start = time.monotonic()
            shop.broadcast(shop.facilitator_token, "one minute")
            while shown[-1] != shop.room_version and time.monotonic() - start < 30:
                time.sleep(0.05)
            assert shown[-1] == shop.room_version, "a stuck page held every other page up"
            assert time.monotonic() - start >= app.PAGE_TURN_S * 0.9
        deadline = time.monotonic() + 10
        while str(shop.room_version) not in app.lifecycle.status()["workshop_page_updates"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(app.lifecycle.status()["workshop_page_updates"][str(shop.room_version)]) >= 1
    finally:
        rc.close()


# ---------------------------------------------------------------- choices
def test_carried_over_choices_drop_leavers_and_start_newcomers_at_the_baseline():
    c = TeamChoices.parse({"hours": {1: 5, 2: 0}, "deal": [1], "assignments": [2]}, [1, 2, 3], 2)
    nxt = c.carried_over([2, 3, 4])
    assert nxt.hours == {2: 0.0, 3: 1.0, 4: 1.0} and nxt.deal == frozenset() and nxt.assignments == {2}
    assert TeamChoices.parse(c.as_dict(), [1, 2, 3], 2) == c


# ---------------------------------------------------------------- debrief
def _two_rounds_with_ann(shop):
    """Ann joins, two rounds are played (she submits nothing); the leaderboard after them."""
    shop.join(shop.code, "Ann")
    for _ in range(2):
        shop.open_round(shop.facilitator_token)
        shop.close_round(shop.facilitator_token)
    return debrief.leaderboard(shop)


def test_every_panel_of_the_debrief_slide_puts_each_teams_bar_on_its_row(shop):
    # the trust and engagement panels were sorted by their own values under the first panel's names:
    # Ann's row showed another team's trust
    board = _two_rounds_with_ann(shop)
    fig = debrief._board_figure(board, shop)
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert names == list(board.who)
    for ax, outcome in zip(fig.axes, debrief.OUTCOMES):
        widths = [bar.get_width() for bar in ax.patches]
        np.testing.assert_allclose(widths, board[outcome].to_numpy())   # row i is board row i in every panel
    assert board.trust.nunique() > 1 and not board.trust.is_monotonic_decreasing   # the check can fail


def test_the_debrief_ranks_every_seat_next_to_every_reference_bot(shop):
    board = _two_rounds_with_ann(shop)
    assert len(board) == 4 + len(shop.reference_policies)
    assert (board.kind == "reference bot").sum() == 7 and (board.kind == "participant").sum() == 1
    assert board.innovation.is_monotonic_decreasing
    assert board[["innovation", "turnover", "trust", "engagement"]].notna().all().all()
    files = debrief.csv_bytes(shop)
    for name, data in files.items():
        assert len(pd.read_csv(io.BytesIO(data))) > 0, name
    assert debrief.slides(shop, "png").startswith(b"\x89PNG")
    assert debrief.slides(shop, "pdf").startswith(b"%PDF")
    conc = debrief.concentration(shop)
    assert set(conc["round"]) == {1, 2} and conc.hours_gini.between(0, 1).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=30), st.randoms())
@example([43.03804079818413] * 4, random.Random(0))   # summed to -2e-17 before it was held at 0
def test_gini_is_zero_for_equal_shares_bounded_and_order_free(values, rnd):
    g = debrief.gini(values)
    assert 0.0 <= g < 1.0
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert debrief.gini(shuffled) == pytest.approx(g)
    assert debrief.gini([values[0]] * len(values)) == pytest.approx(0.0, abs=1e-12)


def test_a_latecomer_takes_over_a_bots_seat_from_the_next_round(shop):
    shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    shop.close_round(shop.facilitator_token)
    late = shop.join(shop.code, "Late")
    assert late.seat == 1
    shop.open_round(shop.facilitator_token)
    shop.submit(late.token, {"deal": shop.people(late.seat)})
    shop.close_round(shop.facilitator_token)
    log = debrief.decisions_frame(shop)
    played = log[log.seat == 1].groupby("round").played_by.first()
    assert played.to_dict() == {1: "reactive_in_crowd", 2: "workshop_participant"}
    board = debrief.leaderboard(shop)   # the seat's first round was the bot's: the board says so
    assert "Late (from round 2; a bot before)" in set(board.who) and "Ann" in set(board.who)


def test_nobody_joins_after_the_last_round_but_a_participant_can_come_back(shop):
    ann = shop.join(shop.code, "Ann", browser="b1")
    for _ in range(shop.config.rounds):
        shop.open_round(shop.facilitator_token)
        shop.close_round(shop.facilitator_token)
    assert shop.phase == "debrief"
    with pytest.raises(LMXInputError) as err:   # it took a seat bot's whole record under a new name
        shop.join(shop.code, "Extra", browser="b2")
    assert err.value.field == "join" and len(shop.participants) == 1
    assert shop.join(shop.code, "Ann", browser="b1") is ann


def test_an_unexpected_error_behind_the_form_is_a_message_on_the_page(shop, monkeypatch, caplog):
    """A forged value the session's checks did not foresee raised out of the handler (a traceback in the
    server's log, nothing on the page); now the page says so and the log keeps the traceback."""
    import solara

    from lmxsim.workshop import app
    p = shop.join(shop.code, "Ann")
    shop.open_round(shop.facilitator_token)
    _, rc = solara.render(app.Decide(shop, p.token), handle_error=False)
    form = next(w for w in rc.find().widgets if hasattr(w, "message") and hasattr(w, "people"))
    form.vue_submit({"promise": 0.5})   # what the browser's form sends
    assert form.message[0] == "ok"
    monkeypatch.setattr(shop, "submit", lambda *a: (_ for _ in ()).throw(OverflowError("a value too big")))
    with caplog.at_level("ERROR"):
        form.vue_submit({"promise": 0.5})
    assert form.message[0] == "error" and "could not be taken" in form.message[1]
    assert "OverflowError" in caplog.text


def test_the_story_picker_draws_the_picked_persons_story_and_ignores_forged_picks(shop):
    """The debrief sends a participant's people by name and one story; a pick draws that person's
    story (of this team: separate seats start with the same people); a forged pick changes nothing."""
    import ipyvue
    import solara

    from lmxsim.workshop.app import Stories, _people_by_team
    from lmxsim.workshop.session import person_name

    shop.join(shop.code, "Ann")
    for _ in range(2):
        shop.open_round(shop.facilitator_token)
        shop.close_round(shop.facilitator_token)
    _, rc = solara.render(Stories(shop, 1), handle_error=False)
    picker = [w for w in rc.find(ipyvue.VueTemplate).widgets if w.has_trait("names")][0]
    team = int(shop.seat_teams[1])
    people = _people_by_team(shop)[team]
    assert picker.names == [person_name(p) for p in people] and picker.picked == 0
    assert f"{person_name(people[0])}: week by week" in picker.svg
    picker._handle_event(None, {"event": "pick_story", "data": 2}, [])
    assert picker.picked == 2 and f"{person_name(people[2])}: week by week" in picker.svg
    # the story is this team's alone (one point a week), not every seat's with the same person id
    import re

    points = re.search(r"points='([^']*)'", picker.svg).group(1).split()
    assert (shop.member_weekly().person_id == people[2]).sum() > len(points) == shop.engine.week + 1
    for forged in (-1, len(people), "2", 1.5, None, True, [1]):
        picker._handle_event(None, {"event": "pick_story", "data": forged}, [])
        assert picker.picked == 2, forged
