"""The workshop's pages: a participant's (join, decide, results, debrief) and the facilitator's console.

Every page acts on the process's one :class:`~lmxsim.workshop.session.Workshop`
(:func:`lmxsim.workshop.server.current`) through its public methods, which check tokens and
values: the page hides nothing the server relies on. Each page follows the workshop with one
thread that waits for a change (:meth:`Workshop.wait_for_change`, at most a second, so the timer
counts down) and ends with the page.
"""

from __future__ import annotations

import functools
import html
import io
import logging
import math
import threading
import time
import zipfile

import markdown
import numpy as np
import solara
from solara.routing import router_context

from lmxsim.dashboard import lifecycle
from lmxsim.dashboard.join import current_join_url, join_qr_svg
from lmxsim.errors import LMXInputError
from lmxsim.workshop import debrief
from lmxsim.workshop.choices import MAX_HOURS_WEIGHT, TeamChoices
from lmxsim.workshop.server import current
from lmxsim.state import STAGE_NAMES
from lmxsim.workshop.session import EVENTS, person_name

logger = logging.getLogger(__name__)

CSS = """
.ws-header { background: #1f4e79 !important; color: white !important; font-size: 1.3rem; padding: 10px 18px; }
.ws-body { padding: 12px 16px 56px; max-width: 1100px; }   /* 56px: clear of Solara's footer */
.ws-code { font-size: 3rem; font-weight: 800; letter-spacing: 0.3rem; }
.ws-timer { font-size: 1.6rem; font-weight: 700; }
.ws-member { border: 1px solid #dde1e6; border-radius: 8px; padding: 6px 10px; margin: 4px 0; }
.ws-member .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.ws-qr svg { width: 180px; height: 180px; }
table.ws-table { border-collapse: collapse; font-size: 0.95rem; }
table.ws-table td, table.ws-table th { border-bottom: 1px solid #e3e6ea; padding: 3px 8px; text-align: right; }
table.ws-table td:first-child, table.ws-table th:first-child { text-align: left; }
tr.ws-me td { font-weight: 700; background: #fff4cc; }
.ws-notice { padding: 10px 14px; border-radius: 4px; margin: 6px 0; font-size: 1rem; }
"""
HEADLINE_BOTS = {"reactive_in_crowd": "#d62728", "proactive_deal": "#2ca02c"}   # drawn next to a team's story
STAGE_COLOURS = {"stranger": "#c8c8c8", "acquaintance": "#8fb8de", "partnership": "#1f4e79"}


def prose(text: str):
    """Markdown rendered on the server (solara.Markdown would fetch KaTeX from a CDN: a room may have no internet)."""
    return solara.HTML(tag="div", unsafe_innerHTML=markdown_html(text))


@functools.lru_cache(maxsize=1024)
def markdown_html(text: str) -> str:
    """``text`` as HTML, converted once (thirty pages show the same lines at each change; ~2 ms each)."""
    return markdown.markdown(text)


# When a round ends, thirty pages re-render at once: one after the other (each ~20-40 ms), the first
# page's update reaches its browser while the others are drawn, instead of all of them at the end of
# thirty threads taking turns at the interpreter. A page whose update cannot get through (a browser
# that stopped reading) holds the others up for at most PAGE_TURN_S: then they go on without waiting.
_ONE_PAGE_AT_A_TIME = threading.Lock()
PAGE_TURN_S = 1.0

# When each participant's page finished its update for a change of the room (room version -> unix
# times), the last few changes: the load benchmark's "the server has updated every page" figure
# (served by the status route with LMXSIM_DASHBOARD_STATUS=1).
PAGE_UPDATES: dict[int, list[float]] = {}
_KEEP_UPDATES = 4
_PAGE_UPDATES_LOCK = threading.Lock()


def _updated(version: int) -> None:
    with _PAGE_UPDATES_LOCK:
        PAGE_UPDATES.setdefault(version, []).append(time.time())
        for old in sorted(PAGE_UPDATES)[:-_KEEP_UPDATES]:
            del PAGE_UPDATES[old]


lifecycle.STATUS_FIELDS["workshop_page_updates"] = lambda: {str(v): list(t) for v, t in dict(PAGE_UPDATES).items()}


def use_live(shop, room: bool) -> int:
    """Re-render when the workshop changes - for a participant's page (``room``), only when
    something it shows changes - and close a round whose timer ran out (checked each second)."""
    current_version = (lambda: shop.room_version) if room else (lambda: shop.version)
    version, set_version = solara.use_state(current_version())

    def follow(cancel: threading.Event):
        seen = current_version()
        while not cancel.is_set():
            now = shop.wait_for_change(seen, timeout=1.0, room=room)
            shop.tick()
            if now != seen:
                seen = now
                turn = _ONE_PAGE_AT_A_TIME.acquire(timeout=PAGE_TURN_S)
                try:
                    set_version(now)   # re-renders this page, in this thread
                finally:
                    if turn:
                        _ONE_PAGE_AT_A_TIME.release()
                if room:
                    _updated(now)

    solara.use_thread(follow, dependencies=[shop], intrusive_cancel=False)
    return version


@solara.component_vue("countdown.vue")
def Countdown(seconds: float, paused: bool, stamp: int):
    """The round's timer, counted down in the browser from ``seconds`` (re-sent when ``stamp`` changes)."""


def _query(router, key: str) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs((router.search or "") if router is not None else "").get(key)
    return values[0] if values else None


@solara.component
def Frame(facilitator: bool):
    router = solara.use_context(router_context)
    shop = current()
    solara.Style(CSS)
    solara.Title("lmxsim workshop" + (" - facilitator" if facilitator else ""))
    live = use_live(shop, room=not facilitator)
    with solara.Column(gap="0px"):
        solara.HTML(tag="div", unsafe_innerHTML="<b>lmxsim workshop</b> · you lead a team: hours, latitude, "
                                                "the deal and assignments all have a price", classes=["ws-header"])
        with solara.Column(classes=["ws-body"]):
            if facilitator:
                Facilitator(shop, _query(router, "token"), live)
            else:
                Participant(shop, live)


@solara.component
def ParticipantPage():
    Frame(False)


@solara.component
def FacilitatorPage():
    Frame(True)


@solara.component
def Layout(children=[]):
    """No app bar or navigation between the two pages: a participant never sees the console's link."""
    return solara.Column(children=children, gap="0px", style={"padding": "0", "margin": "0"})


routes = [solara.Route(path="/", component=ParticipantPage, layout=Layout),
          solara.Route(path="facilitator", component=FacilitatorPage)]


def _message(shop) -> None:
    if shop.messages:
        solara.Info(f"Facilitator: {shop.messages[-1][1]}").key("ws-message")


def _timer(shop, live) -> None:
    left = shop.seconds_left()
    if left is not None:
        Countdown(seconds=round(left, 2), paused=shop.paused_remaining is not None, stamp=live).key("ws-timer")


# ---------------------------------------------------------------------------- participant
@solara.component
def Participant(shop, live):
    """A participant's page: the same few widgets in every phase, each with a key, so that a round's
    end updates their content (one message each) instead of building a new page for each of thirty
    browsers: a header, the facilitator's message, the timer, the main panel (what the phase shows,
    one piece of HTML), the choices form (while a round is open), a second panel (the team's
    picture under the form) and, at the debrief, "Whose story?"."""
    browser = solara.use_memo(solara.get_session_id, [])
    token, set_token = solara.use_state(None)
    resumed = shop.resume(browser) if browser else None
    token = token or (resumed.token if resumed else None)
    if token is None:
        JoinForm(shop, browser, set_token)
        return
    p = shop.participant(token)
    prose(f"**{html.escape(p.name)}**, leader of team {p.seat + 1} · round {min(shop.round + 1, shop.config.rounds)}"
          f" of {shop.config.rounds} ({shop.config.round_weeks} weeks each) · week {shop.engine.week}").key("ws-head")
    _message(shop)
    _timer(shop, live)
    below = ""
    if shop.phase == "lobby":
        main = (notice("info", "Waiting for the facilitator to open round 1. Meet your team below.")
                + team_svg(shop, p.seat) + leader_table_html(shop, token))
    elif shop.phase == "open":
        main, below = decide_intro_html(shop.round + 1, shop.assignments_allowed), team_svg(shop, p.seat)
    elif shop.phase == "results":
        main = (notice("success", f"Round {shop.round} is over. Waiting for round {shop.round + 1}.")
                + round_results_html(shop, p.seat) + team_svg(shop, p.seat) + leader_table_html(shop, token))
    else:
        main = debrief_html(shop, p.seat)
    solara.HTML(tag="div", unsafe_innerHTML=main).key("ws-main")
    if shop.phase == "open":
        Decide(shop, token).key(f"decide-round-{shop.round}")   # a fresh form each round
    solara.HTML(tag="div", unsafe_innerHTML=below).key("ws-below")
    Stories(shop, p.seat, shown=shop.phase == "debrief").key("ws-stories")   # on the page from the start


NOTICE_COLOURS = {"info": ("#e3f2fd", "#0d47a1"), "success": ("#e8f5e9", "#1b5e20")}


def notice(kind: str, text: str) -> str:
    """A coloured line of news (as HTML, inside a panel: no widget of its own)."""
    back, fore = NOTICE_COLOURS[kind]
    return (f"<div class='ws-notice' style='background:{back};color:{fore}' role='status'>"
            f"{html.escape(text)}</div>")


@solara.component
def JoinForm(shop, browser, set_token):
    code, set_code = solara.use_state("")
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state(None)

    def join():
        try:
            set_token(shop.join(code, name, browser=browser).token)
        except LMXInputError as exc:
            set_error(exc.sentence())

    prose("### Join the workshop\nEnter the code the facilitator shows and the name the room will see.")
    solara.InputText("Join code", value=code, on_value=set_code, continuous_update=True)
    solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
    solara.Button("Join", on_click=join, color="primary", disabled=not code or not name)
    if error:
        solara.Error(error)


def leader_table_html(shop, token) -> str:
    """What the leader knows: their view of each member, not the truth."""
    view = shop.leader_view(token)
    rows = "".join(f"<tr><td>{html.escape(r.name)}</td><td>{r.tenure_weeks}</td><td>{r.stage}</td>"
                   f"<td>{r.seen_competence:.2f}</td><td>{r.seen_loyalty:.2f}</td><td>{'yes' if r.in_deal else ''}</td>"
                   f"<td>{r.hours_last_round:.1f}</td><td>{r.assignment_weeks}</td></tr>" for r in view.itertuples())
    return ("<table class='ws-table'><tr><th>person</th><th>weeks here</th><th>relationship</th><th>competence (your view)</th>"
            "<th>loyalty (your view)</th><th>deal</th><th>your hours/week</th><th>assignment weeks</th></tr>"
            f"{rows}</table><p style='color:#555'>What you see is your view: noisy, and slow to change. "
            "The truth is revealed at the debrief.</p>")


@solara.component_vue("decide_form.vue")
def DecideForm(people: list, start: dict, allowed: int, max_hours: int, message: list, event_submit=None):
    """The choices form, edited in the browser; "Submit" calls ``event_submit(choices)``."""


def _form_values(choices: TeamChoices) -> dict:
    """Choices as the form holds them: person ids as strings (JSON object keys)."""
    d = choices.as_dict()
    return {"hours": {str(k): float(v) for k, v in d["hours"].items()},
            "latitude": {str(k): float(v) for k, v in d["latitude"].items()},
            "deal": [str(k) for k in d["deal"]], "assignments": [str(k) for k in d["assignments"]],
            "promise": float(d["promise"])}


def decide_intro_html(round_: int, allowed: int) -> str:
    """What the choices mean, above the form."""
    return markdown_html(
        f"### Round {round_}: decide for your team\n"
        "**Hours**: your weekly exchange hours are split in proportion to these weights. "
        "**Latitude**: room to decide - useful only as far as the person is ready, a burden beyond. "
        "**Deal**: an explicit offer in the round's first week (costs you hours that week); "
        "its **promise** is what you announce you will deliver. "
        f"**Assignment**: the team's {allowed} important assignment(s).")


@solara.component
def Decide(shop, token):
    """The choices form for this round (one widget, edited in the browser)."""
    p = shop.participant(token)
    people = shop.people(p.seat)
    start = solara.use_memo(lambda: _form_values(p.submitted or (p.last.carried_over(people) if p.last else
                                                                 TeamChoices.baseline(people))),
                            [shop.round, p.seat])   # the same object while the round lasts
    message, set_message = solara.use_state([])
    view = shop.leader_view(token)

    def submit(raw):
        try:
            shop.submit(token, raw)
            set_message(["ok", "Submitted. You can change your choices until the round closes."])
        except LMXInputError as exc:
            set_message(["error", exc.sentence()])
        except Exception:  # noqa: BLE001 - a page gets a message, never a traceback (the log keeps it)
            logger.exception("could not take a participant's choices")
            set_message(["error", "These choices could not be taken (the server's log says why) - please "
                                  "submit again."])

    seen = {int(r.person_id): r for r in view.itertuples()}
    rows = [{"id": str(pid), "name": person_name(pid), "stage": str(seen[pid].stage),
             "tenure": int(seen[pid].tenure_weeks), "competence": f"{seen[pid].seen_competence:.2f}",
             "loyalty": f"{seen[pid].seen_loyalty:.2f}"} for pid in people]
    DecideForm(people=rows, start=start, allowed=shop.assignments_allowed, max_hours=int(MAX_HOURS_WEIGHT),
               message=message, event_submit=submit)


def team_svg(shop, seat: int, size: int = 320) -> str:
    """The team as the leader sees it: desks on a circle, collaboration ties, the relationship's
    stage as colour, a gold ring for the deal; hover a desk for the person."""
    m = shop.engine.members
    at = np.flatnonzero((m.team == shop.seat_teams[seat]) & m.occupied)
    n = len(at)
    centre, radius = size / 2, size / 2 - 40
    xy = {int(i): (centre + radius * math.cos(2 * math.pi * k / max(n, 1) - math.pi / 2),
                   centre + radius * math.sin(2 * math.pi * k / max(n, 1) - math.pi / 2)) for k, i in enumerate(at)}
    ties = shop.engine.ties[at][:, at].tocoo()
    lines = "".join(f"<line x1='{xy[int(at[a])][0]:.0f}' y1='{xy[int(at[a])][1]:.0f}' x2='{xy[int(at[b])][0]:.0f}' "
                    f"y2='{xy[int(at[b])][1]:.0f}' stroke='#bbb'/>" for a, b in zip(ties.row, ties.col) if a < b)
    desks = []
    for i in at:
        x, y = xy[int(i)]
        stage = STAGE_NAMES[int(m.stage[i])]
        name = html.escape(person_name(int(m.person_id[i])))
        ring = "stroke='#e0a800' stroke-width='4'" if m.in_group[i] else "stroke='#555' stroke-width='1'"
        desks.append(f"<g><title>{name}: {stage}{', in your deal' if m.in_group[i] else ''}</title>"
                     f"<circle cx='{x:.0f}' cy='{y:.0f}' r='16' fill='{STAGE_COLOURS[stage]}' {ring}/>"
                     f"<text x='{x:.0f}' y='{y + 30:.0f}' font-size='11' text-anchor='middle'>{name}</text></g>")
    key = " ".join(f"<tspan fill='{c}'>●</tspan> {s}" for s, c in STAGE_COLOURS.items())
    return (f"<svg viewBox='0 0 {size} {size + 20}' width='{size}' role='img' aria-label='your team'>{lines}"
            f"{''.join(desks)}<text x='4' y='{size + 14}' font-size='11'>{key} · gold ring: in your deal</text></svg>")


def round_results_html(shop, seat) -> str:
    r = shop.memo("round_summary", shop.round_summary, played=True)[int(shop.seat_teams[seat])]
    left = ", ".join(person_name(p) for p in r["left"]) or "nobody"
    joined = ", ".join(person_name(p) for p in r["joined"]) or "nobody"
    return (f"<p><b>Round {shop.round}:</b> {r['successes']} ideas succeeded; left: {html.escape(left)}; "
            f"joined: {html.escape(joined)}; your hours per person per week: {r['hours']:.1f}.</p>")


# ---------------------------------------------------------------------------- debrief
def board_html(board, me: int | None = None) -> str:
    rows = []
    for r in board.itertuples():
        mine = " class='ws-me'" if me is not None and r.kind == "participant" and r.seat == me else ""
        rows.append(f"<tr{mine}><td>{html.escape(str(r.who))}</td><td>{r.innovation:.2f}</td><td>{r.turnover:.2f}</td>"
                    f"<td>{r.trust:.2f}</td><td>{r.engagement:.2f}</td></tr>")
    return ("<table class='ws-table'><tr><th>team</th><th>successful ideas / member-year</th><th>quits / member-year"
            "</th><th>trust</th><th>engagement</th></tr>" + "".join(rows) + "</table>")


DEBRIEF_INTRO = markdown_html("### Debrief\nEvery team, and bots running each built-in policy on the same "
                                  "starting team and the same luck. Where did you land - and why?")


def debrief_html(shop, me: int | None = None) -> str:
    """The leaderboard (and for a participant, their team's trust next to the headline bots)."""
    board = shop.memo("leaderboard", lambda: debrief.leaderboard(shop))
    parts = [DEBRIEF_INTRO, board_html(board, me)]
    if me is not None:
        parts.append(team_story_svg(shop, me))
    return "".join(parts)


@solara.component
def Debrief(shop):
    """The facilitator's debrief: the leaderboard."""
    solara.HTML(tag="div", unsafe_innerHTML=debrief_html(shop))


@solara.component
def Stories(shop, seat, shown: bool = True):
    """'Whose story?': the team's people by name; the picked person's story is drawn when picked.
    Not ``shown`` (before the debrief) it is on the page, empty and hidden, so that thirty pages
    fill it at the debrief instead of creating it. (``shown`` is a prop, not read from the shop
    here: a component re-renders when its props change.)"""
    team = int(shop.seat_teams[seat])
    people = shop.memo("people_by_team", lambda: _people_by_team(shop), played=True).get(team, []) if shown else []
    picked, set_picked = solara.use_state(0)
    picked = min(picked, max(len(people) - 1, 0))
    svg = member_story_svg(shop, team, people[picked]) if people else ""

    def pick(k):
        if isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(people):   # anything else: ignored
            set_picked(k)

    StoryPicker(names=[person_name(pid) for pid in people], svg=svg, picked=picked, event_pick_story=pick)


@solara.component_vue("story_picker.vue")
def StoryPicker(names: list, svg: str, picked: int, event_pick_story=None):
    """'Whose story?': a choice among ``names``; ``svg`` is the picked one's story."""


def _people_by_team(shop) -> dict[int, list[int]]:
    """Every person who was ever in each seat's team (person ids, sorted)."""
    members = shop.memo("member_weekly", shop.member_weekly, played=True)
    return {int(team): sorted(map(int, ids)) for team, ids in members.groupby("team").person_id.unique().items()}


def member_story_svg(shop, team: int, pid: int) -> str:
    """One person's week-by-week story in ``team`` (the truth) as SVG (seats of separate
    organisations start with the same people: a person id is one person within a team)."""
    members = shop.memo("member_weekly", shop.member_weekly, played=True)
    story = members[(members.team == team) & (members.person_id == pid)]
    return story_svg(story, f"{person_name(pid)}: week by week (the truth)")


STORY_LINES = {"lmx": "#1f4e79", "trust": "#2ca02c", "engagement": "#ff7f0e", "turnover_intention": "#d62728"}


def story_svg(story, title: str) -> str:
    """A person's weekly LMX, trust, engagement and intention to quit."""
    return lines_svg(title, story.week.to_numpy(),
                     {name.replace("_", " "): (story[name].to_numpy(), colour) for name, colour in STORY_LINES.items()})


def lines_svg(title: str, weeks, series: dict, width: int = 640, height: int = 220) -> str:
    """Lines on a 0-1 scale by week, drawn by the browser: ``series`` is {label: (values, colour)}."""
    left, right, top, bottom = 36, 10, 24, 34
    weeks = np.asarray(weeks)
    first, last = (int(weeks.min()), int(weeks.max())) if len(weeks) else (0, 1)
    span = max(1, last - first)

    def x(w):
        return left + (w - first) / span * (width - left - right)

    def y(v):
        return top + (1 - v) * (height - top - bottom)

    lines = []
    for k, (label, (values, colour)) in enumerate(series.items()):
        points = " ".join(f"{x(w):.1f},{y(v):.1f}" for w, v in zip(weeks.tolist(), np.asarray(values).tolist()))
        lines.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{points}'/>"
                     f"<text x='{left + 150 * k}' y='{height - 4}' font-size='12' fill='{colour}'>"
                     f"{html.escape(label)}</text>")
    grid = "".join(f"<line x1='{left}' x2='{width - right}' y1='{y(v):.1f}' y2='{y(v):.1f}' stroke='#e3e6ea'/>"
                   f"<text x='4' y='{y(v) + 4:.1f}' font-size='11'>{v:.1f}</text>" for v in (0, 0.5, 1))
    return (f"<svg viewBox='0 0 {width} {height}' width='100%' style='max-width:{width}px' role='img' "
            f"aria-label='{html.escape(title)}'><text x='{left}' y='15' font-size='13'>{html.escape(title)}, "
            f"weeks {first}-{last}</text>{grid}{''.join(lines)}</svg>")


def team_story_svg(shop, seat) -> str:
    """The participant's team mean trust by week, next to the two headline bots on the same team."""
    weekly = shop.memo("team_weekly", shop.team_weekly, played=True)
    mine = weekly[weekly.team == shop.seat_teams[seat]]
    series = {"your team": (mine.trust.to_numpy(), "#1f77b4")}
    bots = shop.memo("headline_bots_trust", lambda: {
        policy: weekly[weekly.team.isin(shop.reference_teams[policy])].groupby("week").trust.mean().to_numpy()
        for policy in HEADLINE_BOTS if policy in shop.reference_teams}, played=True)
    for policy, trust in bots.items():
        series[f"bot: {policy.replace('_', ' ')}"] = (trust, HEADLINE_BOTS[policy])
    return lines_svg("Team trust in the leader", mine.week.to_numpy(), series)


# ---------------------------------------------------------------------------- facilitator
def _whole(text: str):
    """A whole number typed in a text field; other text as it is, for the session to refuse by name."""
    try:
        return int(text.strip())
    except ValueError:
        return text


@solara.component
def Facilitator(shop, token, live):
    error, set_error = solara.use_state(None)
    seconds, set_seconds = solara.use_state(str(shop.config.round_seconds))   # the text as typed
    event, set_event = solara.use_state(next(iter(EVENTS)))
    text, set_text = solara.use_state("")
    if token is None or token != shop.facilitator_token:   # the server checks the token again on every action
        solara.Error("This console needs the facilitator's address (with its token), as `lmxsim workshop` printed it.")
        return

    def act(f):
        def run():
            try:
                f()
                set_error(None)
            except LMXInputError as exc:
                set_error(exc.sentence())
            except Exception:  # noqa: BLE001 - the console gets a message, never a traceback (the log keeps it)
                logger.exception("a console action failed")
                set_error("That action failed; the server's log says why.")
        return run

    status = shop.status()
    join = current_join_url()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="24px"):
        with solara.Column(gap="0px"):
            solara.Text("Join code")
            solara.Text(shop.code, classes=["ws-code"])
            solara.Text(f"at {join}" if join else "on this computer only (start with --host 0.0.0.0 for a room)")
        if join:
            solara.HTML(tag="div", unsafe_innerHTML=join_qr_svg(join), classes=["ws-qr"])
    prose(f"**Phase:** {status['phase']} · round {status['round']} of {status['rounds']} played · "
                    f"week {status['week']}")
    _timer(shop, live)
    if error:
        solara.Error(error)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        # text, read when the round opens: an InputInt keeps its last valid value while showing what was typed
        solara.InputText("Round seconds", value=seconds, on_value=set_seconds, continuous_update=True)
        solara.Button("Open round", color="primary", on_click=act(lambda: shop.open_round(token, _whole(seconds))),
                      disabled=status["phase"] not in ("lobby", "results"))
        solara.Button("Pause timer", on_click=act(lambda: shop.pause(token)), disabled=status["phase"] != "open")
        solara.Button("Resume timer", on_click=act(lambda: shop.resume_timer(token)), disabled=status["phase"] != "open")
        solara.Button("Close round now", on_click=act(lambda: shop.close_round(token)), disabled=status["phase"] != "open")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select("Event", values=list(EVENTS), value=event, on_value=set_event)
        solara.Button("Inject at next round", on_click=act(lambda: shop.inject(token, event)))
        solara.InputText("Message to everyone", value=text, on_value=set_text)
        solara.Button("Send", on_click=act(lambda: shop.broadcast(token, text)))
    if status["pending_events"]:
        solara.Info("Next round starts with: " + "; ".join(EVENTS[e] for e in status["pending_events"]))
    rows = "".join(f"<tr><td>{html.escape(p['name'])}</td><td>{p['seat'] + 1}</td>"
                   f"<td>{'✓' if p['submitted'] else ''}</td></tr>" for p in status["participants"])
    solara.HTML(tag="div", unsafe_innerHTML=f"<table class='ws-table'><tr><th>participant</th><th>team</th>"
                                            f"<th>submitted</th></tr>{rows}</table>")
    if shop.round:
        conc = debrief.with_names(shop.memo("concentration", lambda: debrief.hours_concentration(shop), played=True),
                                  shop)
        last = conc[conc["round"] == conc["round"].max()]
        prose("**How the room led last round** (Gini of hours: 0 = equal, near 1 = all on one person)")
        solara.HTML(tag="div", unsafe_innerHTML=last[["who", "hours_gini", "in_group_share"]].to_html(
            index=False, classes="ws-table", border=0))
    if status["phase"] == "debrief":
        Debrief(shop)
        Exports(shop)


@solara.component
def Exports(shop):
    def zipped():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in debrief.csv_bytes(shop).items():
                z.writestr(name, data)
        return buf.getvalue()

    with solara.Row():
        solara.FileDownload(lambda: debrief.slides(shop, "png"), filename="lmxsim-workshop-debrief.png",
                            label="Debrief slide (PNG)", mime_type="image/png")
        solara.FileDownload(lambda: debrief.slides(shop, "pdf"), filename="lmxsim-workshop-debrief.pdf",
                            label="Debrief slides (PDF)", mime_type="application/pdf")
        solara.FileDownload(zipped, filename="lmxsim-workshop-data.zip", label="All decisions and outcomes (CSV)",
                            mime_type="application/zip")
