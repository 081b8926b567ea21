"""The Solara page of the lmxsim dashboard (run it with ``lmxsim dashboard``).

Everything a visitor changes lives in component state, so each browser session builds
its own :class:`~lmxsim.dashboard.session.Simulation` (never a module-level model shared by
all visitors). Settings are one frozen :class:`Settings` value: any change - scenario,
policy, a slider, the seed, compare mode - builds a fresh simulation from week 0; bad
input (an empty or non-numeric seed, parameters a scenario cannot take) shows the model's
own message instead of a crash.

Pictures are drawn server-side with matplotlib (works offline) and cached per week, so a
re-render that does not advance the model redraws nothing.
"""

from __future__ import annotations

import logging
import time

import markdown
import solara
import solara.lab
from solara.components.input import use_change
from solara.routing import router_context

from lmxsim.dashboard import about
from lmxsim.dashboard.charts import MONITORS, LiveCharts, monitor_values, slide_png, story_png, story_text
from lmxsim.dashboard.figures import RUN_COLOURS
from lmxsim.dashboard.join import current_join_url, join_qr_svg
from lmxsim.dashboard.lifecycle import page_present
from lmxsim.dashboard.many_seeds_view import ManySeeds
from lmxsim.dashboard.network import LiveNetwork, compute_layout
from lmxsim.dashboard.session import Settings, Simulation, policy_label, settings_from_query, settings_to_query
from lmxsim.errors import LMXInputError
from lmxsim.params import describe
from lmxsim.policies import policy_names
from lmxsim.scenarios import SCENARIOS

logger = logging.getLogger(__name__)

DEFAULT_SCENARIO = "default"  # at the workshop size, five teams of eight (session.DASHBOARD_BASE)

# name -> (label, dashboard min, dashboard max, step). Bounds lie inside the model's allowed ranges
# but stop where a workshop laptop would crawl (50 teams of 40 = 2,000 desks).
SLIDERS = {
    "n_teams": ("Teams", 1, 50, 1),
    "team_size": ("Team size (members per leader)", 1, 40, 1),
    "leader_hours_per_week": ("Leader time for exchanges (hours/week)", 0.0, 40.0, 0.5),
    "trust_loss_ratio": ("Trust loss ratio (a broken promise costs × a kept one)", 1.0, 10.0, 0.1),
    "failure_tolerance": ("Failure tolerance (share of failed ideas met with support)", 0.0, 1.0, 0.05),
    "promise_reliability": ("Promise reliability (share kept when time allows)", 0.0, 1.0, 0.05),
    "hiring_lag_weeks": ("Hiring lag (weeks to refill a vacancy)", 0, 52, 1),
    "contact_efficiency": ("Contact efficiency (1 = co-located, lower = remote)", 0.05, 1.0, 0.05),
    "weeks": ("Horizon (weeks)", 13, 520, 13),
}
SLIDER_GROUPS = (
    ("Organisation", ("n_teams", "team_size", "hiring_lag_weeks", "weeks")),
    ("Leader", ("leader_hours_per_week", "promise_reliability", "failure_tolerance")),
    ("Relationships", ("trust_loss_ratio", "contact_efficiency")),
)
DEFAULTS = {d["name"]: d["default"] for d in describe()}

# name -> (seconds between frames, weeks per frame)
SPEEDS = {"slow": (0.8, 1), "normal": (0.25, 1), "fast": (0.05, 2), "fastest": (0.02, 6)}

SCENARIO_BY_TITLE = {s.title: name for name, s in SCENARIOS.items()}
POLICY_BY_LABEL = {policy_label(name): name for name in policy_names()}

CSS = """
.lmx-header { background: #1f4e79 !important; color: white !important; font-size: 1.35rem;
              padding: 10px 18px; }
.lmx-sidebar { flex: 0 0 320px; width: 320px; padding: 12px 14px; background: #f3f5f8 !important;
               border-right: 1px solid #dde1e6; min-height: calc(100vh - 50px); }
.lmx-main { flex: 1 1 auto; min-width: 0; padding: 12px 16px; }
.lmx-slider { display: block !important; }
.lmx-slider .v-input__slot { margin-bottom: 0 !important; }
.lmx-week { font-size: 1.6rem; font-weight: 700; margin-left: 8px; }
.lmx-monitor-title { font-size: 0.85rem; color: #555; text-transform: uppercase; letter-spacing: .04em; }
.lmx-monitor-value { font-size: 1.6rem; font-weight: 700; line-height: 1.2; }
.lmx-settings-toggle { color: white !important; margin-right: 8px; }
.lmx-sidebar .v-card__title { word-break: normal !important; line-height: 1.4; }
.lmx-monitor-help { font-size: 0.75rem; color: #777; }
.lmx-prose p { margin-bottom: 0.4em; }
.lmx-prose strong, .lmx-prose b { font-weight: 700; }
.lmx-run-label { font-size: 1.05rem; font-weight: 700; }
.lmx-prose h2 { font-size: 1.15rem; margin: 1em 0 0.3em; letter-spacing: .03em; color: #1f4e79; }
.lmx-image img, img.lmx-image { max-width: 100%; height: auto; }
"""


@solara.component
def Prose(text: str, style=None):
    """Markdown rendered to HTML on the server.

    ``solara.Markdown`` loads KaTeX (for maths) from a CDN that solara-assets does not ship,
    which fails in a room without internet; plain server-side Markdown needs nothing.
    """
    html = solara.use_memo(lambda: markdown.markdown(text), dependencies=[text])
    return solara.HTML(tag="div", unsafe_innerHTML=html, classes=["lmx-prose"], style=style or {})


def build(settings: Settings) -> tuple[Simulation | None, str | None, str | None]:
    """A new simulation for ``settings``, or the message (and the field at fault) explaining why there is none."""
    try:
        return Simulation(settings), None, None
    except LMXInputError as exc:
        return None, f"{exc.field}: {exc.value!r} is not allowed — {exc.allowed}.", exc.field
    except Exception as exc:  # noqa: BLE001 - a workshop page shows a message, never a traceback
        logger.exception("could not build the simulation")
        return None, f"Could not build the organisation: {exc}", None


def _person_key(label_to_key: dict, label: str | None):
    key = label_to_key.get(label) if label else None
    if key is None:
        return None, None
    kind, _, number = key.partition(":")
    return kind, int(number)


@solara.component
def Monitors(sim: Simulation, version: int):
    """Current values, one card each; in compare mode both runs, in their chart colours."""
    values = [monitor_values(run.model) for run in sim.runs]
    with solara.Row(gap="18px", style={"flex-wrap": "wrap", "align-items": "center"}):
        for run, colour in zip(sim.runs, RUN_COLOURS):
            solara.Text(("■ " if len(sim.runs) > 1 else "") + run.label, classes=["lmx-run-label"],
                        style={"color": colour})
        if len(sim.runs) > 1:
            solara.Text("same organisation, same seed, same people at week 0", style={"color": "#666"})
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        for monitor in MONITORS:
            with solara.Card(style={"min-width": "112px", "padding": "0px 2px", "margin": "0"}, elevation=1):
                solara.Text(monitor.title, classes=["lmx-monitor-title"])
                with solara.Row(gap="14px"):
                    for run_values, colour in zip(values, RUN_COLOURS):
                        solara.Text(run_values[monitor.title], classes=["lmx-monitor-value"],
                                    style={"color": colour if len(values) > 1 else "#222"})
                solara.Text(monitor.unit, classes=["lmx-monitor-help"])


@solara.component
def ScenarioCard(settings: Settings):
    scenario = settings.scenario_obj
    params = settings.param_dict
    size = f"Here: {params['n_teams']} teams of {params['team_size']} (change it below)."
    with solara.Card(title=scenario.title, subtitle=f"{scenario.description} {size}", margin=0,
                     style={"padding": "4px"}):
        Prose("**What to watch**  \n" + scenario.watch.replace("\n", "  \n"), style={"font-size": "0.95rem"})
        if scenario.events:
            Prose("\n".join("- " + e.describe() for e in scenario.events), style={"font-size": "0.85rem"})


@solara.component
def CommitSlider(value: float, low: float, high: float, step: float, on_commit):
    """A slider that reports its value when released, not at every pixel of a drag.

    Each new value rebuilds the organisation; a drag across the range would otherwise
    build (and draw) dozens of organisations nobody asked for.
    """
    slider = solara.v.Slider(v_model=value, min=low, max=high, step=step, thumb_label=True, hide_details=True)
    on_commit_ref = solara.use_ref(on_commit)
    on_commit_ref.current = on_commit

    def listen():
        widget = solara.get_widget(slider)

        def on_change(_widget, _event, data):
            if data is not None:
                on_commit_ref.current(data)

        widget.on_event("change", on_change)
        return lambda: widget.on_event("change", on_change, remove=True)

    solara.use_effect(listen, [])
    return slider


@solara.component
def SeedField(seed: str, on_commit, error=False):
    """The seed, typed and committed with Enter (or by leaving the field).

    What is being typed is this component's own state, so the page redrawing every frame while
    the model plays does not overwrite it; a new committed seed (Next seed, a preset, a link)
    replaces it."""
    draft = solara.use_reactive(seed)
    solara.use_effect(lambda: draft.set(seed), [seed])
    field = solara.v.TextField(v_model=draft.value, on_v_model=lambda text: draft.set(text or ""),
                               label="Seed (whole number)", error=bool(error),
                               messages=[error] if isinstance(error, str) else [], hide_details="auto")
    use_change(field, lambda text: on_commit((text or "").strip()), update_events=["focusout", "keyup.enter"])
    return field


@solara.component
def ParamSlider(name: str, value, on_value):
    """A parameter slider with its label and current value above it (long labels squeeze a slider)."""
    label, low, high, step = SLIDERS[name]
    integer = isinstance(step, int)
    shown = f"{int(value)}" if integer else f"{float(value):g}"
    with solara.Column(gap="0px", classes=["lmx-slider"]):
        solara.HTML(tag="div", unsafe_innerHTML=f"{label}: <b>{shown}</b>", style={"font-size": "0.9rem"})
        CommitSlider(value, low, high, step,
                     lambda v: on_value(name, int(round(float(v))) if integer else round(float(v), 4)))


@solara.component
def SettingsPanel(settings: Settings, on_settings, on_reset_params, bad_field: str | None = None):
    params = settings.param_dict

    def set_param(name, value):
        on_settings(settings.replace(params={**params, name: value}))

    def choose_scenario(title):
        new = Settings.for_scenario(SCENARIO_BY_TITLE[title], seed=settings.seed, compare=settings.compare)
        if settings.policy_b != new.policy:  # keep the comparison the visitor chose
            new = new.replace(policy_b=settings.policy_b)
        on_settings(new)

    def next_seed():
        on_settings(settings.next_seed())

    solara.Select("Scenario preset", values=list(SCENARIO_BY_TITLE), value=settings.scenario_obj.title,
                  on_value=choose_scenario)
    ScenarioCard(settings)
    solara.Select("Leadership policy", values=list(POLICY_BY_LABEL), value=policy_label(settings.policy),
                  on_value=lambda label: on_settings(settings.replace(policy=POLICY_BY_LABEL[label])))
    solara.Switch(label="Compare: same team, different leader", value=settings.compare,
                  on_value=lambda on: on_settings(settings.replace(compare=on)))
    if settings.compare:
        solara.Select("Compare with policy", values=list(POLICY_BY_LABEL), value=policy_label(settings.policy_b),
                      on_value=lambda label: on_settings(settings.replace(policy_b=POLICY_BY_LABEL[label])))
    with solara.Row(style={"align-items": "center"}, gap="6px"):
        SeedField(settings.seed, lambda text: on_settings(settings.replace(seed=text)),
                  error="a whole number, e.g. 1" if bad_field == "seed" else False)
        solara.Button("Next seed", on_click=next_seed, outlined=True, small=True, icon_name="mdi-dice-5-outline",
                      style={"flex": "0 0 auto"})
    for group, names in SLIDER_GROUPS:
        Prose(f"**{group}**", style={"margin-top": "6px"})
        for name in names:
            ParamSlider(name, params.get(name, DEFAULTS[name]), set_param)
    solara.Button("Back to the scenario's parameters", on_click=on_reset_params, text=True, icon_name="mdi-restore")
    query = settings_to_query(settings)
    Prose(f"**Share this view:** [link](?{query}) — opens this scenario, policies, seed and horizon "
          f"(`?{query}`).", style={"font-size": "0.8rem", "word-break": "break-all"})
    room = current_join_url()   # `lmxsim dashboard --host 0.0.0.0`: the room joins here (QR code of this view)
    svg = solara.use_memo(lambda: join_qr_svg(f"{room}/?{query}") if room else None, dependencies=[room, query])
    if svg is not None:
        Prose(f"**The room joins at** {room} — anyone on the network who can reach this computer can open "
              "it. Scan to open this view:", style={"font-size": "0.85rem"})
        solara.HTML(tag="div", unsafe_innerHTML=svg, style={"max-width": "200px"})


@solara.component
def Inspect(sim: Simulation, picked: solara.Reactive, version: int):
    """Pick a member or a leader and see their story, week by week (both runs in compare mode)."""
    first = sim.runs[0]
    people = first.people()
    label_to_key = {label: key for key, label in people}
    # an autocomplete, not a plain select: type "#17" or "team 3" to find someone among hundreds
    solara.v.Autocomplete(label="Pick a member or a leader (type to search)", items=[label for _, label in people],
                          v_model=picked.value if picked.value in label_to_key else None,
                          on_v_model=picked.set, clearable=True, style_="max-width: 480px")
    kind, number = _person_key(label_to_key, picked.value)

    def render():
        if kind is None:
            return None, None
        if kind == "leader":
            stories = [(run.label, run.team_story(number)) for run in sim.runs]
            return None, story_png(stories, sim.horizon, team=True)
        stories = [(run.label, s) for run in sim.runs if (s := run.person_story(number)) is not None]
        return stories, story_png(stories, sim.horizon) if stories else None

    stories, png = solara.use_memo(lambda: sim.locked(render), dependencies=[sim, version, kind, number])
    if kind is None:
        solara.Info("Pick someone to see their story: LMX, trust, autonomy, creativity and ideas over time, "
                    "when they were hired and whether they left. Their desk gets a pink ring in the network.")
        return
    if kind == "leader":
        leader = first.model.leader_agents[number]
        Prose(f"**Leader of team {number + 1}** — policy now: {policy_label(leader.policy)}; "
                        f"{leader.hours_per_week:g} hours/week for exchanges; {len(leader.members)} members, "
                        f"{len(leader.in_group)} in the in-group.", style={"font-size": "1.05rem"})
    else:
        for label, story in stories or []:
            prefix = f"**{label}:** " if len(sim.runs) > 1 else ""
            Prose(prefix + story_text(story), style={"font-size": "1.05rem"})
        if len(sim.runs) > 1 and len(stories or []) < 2:
            solara.Text("This person joined during the run, so they exist in one organisation only.")
    if png is not None:
        solara.Image(png, classes=["lmx-image", "lmx-story"], width="100%")
        solara.FileDownload(png, filename=f"lmxsim-story-{kind}-{number}-week{sim.week}.png",
                            label="Save this story (PNG)")


@solara.component
def LiveView(sim: Simulation, version: int, picked_person):
    """The organisation network(s) and the live charts, redrawn each week."""
    layouts = solara.use_memo(lambda: [compute_layout(run.model) for run in sim.runs], dependencies=[sim])
    live_networks = solara.use_memo(lambda: [LiveNetwork(run, layout, title=run.label)
                                             for run, layout in zip(sim.runs, layouts)], dependencies=[sim])
    live_charts = solara.use_memo(lambda: LiveCharts(sim.runs, sim.horizon, sim.settings.scenario_obj),
                                  dependencies=[sim, sim.horizon])
    networks = solara.use_memo(lambda: sim.locked(lambda: [view.png(picked_person) for view in live_networks]),
                               dependencies=[sim, version, picked_person])
    charts = solara.use_memo(lambda: sim.locked(live_charts.png), dependencies=[sim, version])

    def slide():  # drawn in a download thread, maybe while the model plays
        return sim.locked(lambda: slide_png(sim, layouts, picked_person=picked_person))

    slide_data = solara.use_memo(lambda: slide, dependencies=[sim, version, picked_person])
    week = sim.week
    compare = len(sim.runs) > 1
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        solara.FileDownload(charts, filename=f"lmxsim-charts-week{week}.png", label="Save charts (PNG)",
                            mime_type="image/png")
        for k, (run, png) in enumerate(zip(sim.runs, networks)):   # in compare mode one button per run, named
            name = f"Save network: {run.label} (PNG)" if compare else "Save network (PNG)"
            suffix = f"-{'AB'[k]}-{run.policy}" if compare else ""
            solara.FileDownload(png, filename=f"lmxsim-network{suffix}-week{week}.png", label=name,
                                mime_type="image/png")
        solara.FileDownload(slide_data, filename=f"lmxsim-{'compare' if compare else 'slide'}-week{week}.png",
                            label="Save compare view (PNG)" if compare else "Save slide (PNG)",
                            mime_type="image/png")
    if compare:
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for png in networks:
                with solara.Column(style={"flex": "1 1 440px", "max-width": "700px"}):
                    solara.Image(png, classes=["lmx-image", "lmx-network"], width="100%")
        with solara.Column(style={"max-width": "1000px"}):
            solara.Image(charts, classes=["lmx-image", "lmx-charts"], width="100%")
    else:
        with solara.Row(gap="8px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(style={"flex": "5 1 480px", "max-width": "700px"}):
                solara.Image(networks[0], classes=["lmx-image", "lmx-network"], width="100%")
            with solara.Column(style={"flex": "7 1 620px", "max-width": "1000px"}):
                solara.Image(charts, classes=["lmx-image", "lmx-charts"], width="100%")


@solara.component
def Page():
    router = solara.use_context(router_context)   # None outside the server (tests render the page alone)
    opened_with = solara.use_memo(lambda: settings_from_query(router.search if router is not None else None), [])
    settings, set_settings_state = solara.use_state(opened_with[0])
    resets, set_resets = solara.use_state(0)
    version = solara.use_reactive(0)      # weeks stepped: pictures are redrawn when it changes
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    picked = solara.use_reactive(None)    # label of the picked member or leader
    step_error = solara.use_reactive(None)
    show_settings = solara.use_reactive(True)  # hide them to give a projector the whole width

    # the horizon is not part of what an organisation is built from: lengthening it lets a run go on
    sim, error, bad_field = solara.use_memo(lambda: build(settings), dependencies=[settings.without_horizon(), resets])
    solara.use_effect(lambda: sim.close if sim is not None else None, [sim])  # free it when replaced or gone
    horizon_error = solara.use_reactive(None)

    def apply_horizon():
        horizon_error.set(None)
        if sim is None or settings.horizon is None or settings.horizon == sim.horizon:
            return
        try:
            sim.set_horizon(settings.horizon)
        except LMXInputError as exc:
            horizon_error.set(f"{exc.field}: {exc.value!r} is not allowed — {exc.allowed}.")
        version.set(version.value + 1)

    solara.use_effect(apply_horizon, [sim, settings.horizon])

    def change_settings(new: Settings):
        playing.set(False)
        step_error.set(None)
        set_settings_state(new)

    def reset():
        playing.set(False)
        step_error.set(None)
        set_resets(resets + 1)
        version.set(0)

    def advance(weeks: int):
        try:
            sim.step(weeks)
        except Exception as exc:  # noqa: BLE001 - a message, not a crash
            logger.exception("step failed")
            playing.set(False)
            step_error.set(f"The model stopped with an error in week {sim.week}: {exc}")
        version.set(version.value + 1)

    def play_loop():
        if sim is None:
            return
        while playing.value:
            if sim.done:
                playing.set(False)
                return
            pause, weeks = SPEEDS[speed.value]
            time.sleep(pause)
            if not (playing.value and page_present()):   # paused, or the page is gone (lifecycle)
                playing.set(False)
                return
            advance(weeks)

    solara.lab.use_task(play_loop, dependencies=[playing.value, sim], prefer_threaded=True)

    solara.Style(CSS)
    solara.Title("lmxsim — leader–member exchange")
    with solara.Column(gap="0px", style={"min-height": "100vh"}):
        with solara.Row(classes=["lmx-header"], style={"align-items": "center"}):
            solara.Button("Settings", icon_name="mdi-tune", text=True, color="white",
                          on_click=lambda: show_settings.set(not show_settings.value),
                          classes=["lmx-settings-toggle"])
            solara.HTML(tag="div", unsafe_innerHTML="<b>lmxsim</b> · leader–member exchange: "
                                                    "the in-crowd, or a deal with everyone?")
        with solara.Row(gap="0px", style={"align-items": "flex-start"}):
            if show_settings.value:   # not rendered at all when hidden (a display style loses to Vuetify's d-flex)
                with solara.Column(classes=["lmx-sidebar"], gap="10px"):
                    SettingsPanel(settings, change_settings,
                                  lambda: change_settings(Settings.for_scenario(settings.scenario, seed=settings.seed,
                                                                                compare=settings.compare)),
                                  bad_field=bad_field)
            with solara.Column(classes=["lmx-main"], gap="10px"):
                if opened_with[1]:
                    solara.Warning(opened_with[1] + " The rest of the link applies.")
                MainPanel(sim, error or horizon_error.value, step_error.value, version, playing, speed, picked, reset,
                          advance)


@solara.component
def MainPanel(sim, error, step_error, version, playing, speed, picked, reset, advance):
    """Controls, monitors and the tabs: live view, inspect, about."""
    with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}):
        busy = sim is None
        solara.Button("Reset", on_click=reset, color="primary", outlined=True, icon_name="mdi-restore")
        solara.Button("Step", on_click=lambda: advance(1), color="primary",
                      disabled=busy or playing.value or sim.done, icon_name="mdi-step-forward")
        solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                      color="primary", disabled=busy or (sim.done and not playing.value),
                      icon_name="mdi-pause" if playing.value else "mdi-play")
        solara.Text("Speed:")
        solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), dense=True)
        if sim is not None:
            solara.Text(f"Week {sim.week} of {sim.horizon}", classes=["lmx-week"])
            if sim.done:
                solara.Text("— end of the run. Lengthen the horizon to go on, or Reset to start again.")
    if error:
        solara.Error(error)
    if step_error:
        solara.Error(step_error)
    if sim is None:
        solara.Info("Correct the setting on the left and the organisation is built again.")
        return
    if min(sim.runs[0].model.team_positions()) < 2:
        solara.Info("Teams of one have no teammates: no social comparison and no LMX spread within teams.")
    Monitors(sim, version.value)
    picked_kind, picked_number = _person_key({label: key for key, label in sim.runs[0].people()}, picked.value)
    picked_person = picked_number if picked_kind == "member" else None
    with solara.lab.Tabs(lazy=True):  # only the open tab is drawn while the model plays
        with solara.lab.Tab("Organisation and charts", icon_name="mdi-chart-line"):
            LiveView(sim, version.value, picked_person)
        with solara.lab.Tab("Inspect a person", icon_name="mdi-account-search"):
            Inspect(sim, picked, version.value)
        if len(sim.runs) > 1:   # does the story hold whatever the seed?
            with solara.lab.Tab("Many seeds", icon_name="mdi-dice-multiple-outline"):
                ManySeeds(sim.settings)
        with solara.lab.Tab("About", icon_name="mdi-information-outline"):
            Prose(about.about_markdown(), style={"max-width": "900px", "font-size": "1.05rem"})


@solara.component
def Layout(children=[]):
    """No app bar or navigation drawer around the page: the page brings its own header and settings column."""
    return solara.Column(children=children, gap="0px", style={"padding": "0", "margin": "0"})
