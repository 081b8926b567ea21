"""The Solara page of the lmxsim dashboard (run it with ``lmxsim dashboard``).

Everything a visitor changes lives in component state, so each browser session builds
its own :class:`~lmxsim.dashboard.session.Simulation` (never a module-level model shared by
all visitors). Settings are one frozen :class:`Settings` value: any change - scenario,
policy, a slider, the seed, compare mode - builds a fresh simulation from week 0; bad
input (an empty or non-numeric seed, parameters a scenario cannot take) shows the model's
own message instead of a crash.

The live network and charts are drawn by the browser (SVG, Vue components next to
network.py and charts.py) from a few kilobytes of data per frame; nothing loads from the
internet. While playing, the model steps at the chosen speed and each frame (at most four a
second, fewer when the server is busy: :class:`Pacer`) is set straight into the widgets that
show the week (:class:`FrameSinks`) instead of re-rendering the page. The matplotlib pictures
are drawn only when a Save button is pressed. Presenter mode (``present=1``) fits compare mode
on a 1280x720 projector.
"""

from __future__ import annotations

import html
import logging
import threading
import time

import markdown
import solara
import solara.lab
from solara.components.input import use_change
from solara.routing import router_context

from lmxsim.dashboard import about
from lmxsim.dashboard.charts import (MONITORS, ChartFeed, ChartsView, charts_png, monitor_values, slide_png, story_png,
                                     story_text)
from lmxsim.dashboard.figures import RUN_COLOURS
from lmxsim.dashboard.join import current_join_url, join_qr_svg
from lmxsim.dashboard.lifecycle import page_present   # False while no page shows this session: the play loop waits
from lmxsim.dashboard.many_seeds_view import ManySeeds
from lmxsim.dashboard.network import NetworkFeed, NetworkView, compute_layout, key_html, network_png
from lmxsim.dashboard.session import Settings, Simulation, policy_label, settings_from_query, settings_to_query
from lmxsim.errors import LMXInputError
from lmxsim.params import describe
from lmxsim.policies import policy_class, policy_names
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

# name -> weeks per second while playing (the model steps at this rate whatever drawing costs)
SPEEDS = {"slow": 1.25, "normal": 4.0, "fast": 40.0, "fastest": 300.0}
FRAME_INTERVAL = 0.25       # seconds: at most 4 frames per second per session
MAX_FRAME_INTERVAL = 2.0    # a busy server still shows a frame every 2 seconds

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
.lmx-monitors { display: flex; flex-wrap: wrap; gap: 8px; }
.lmx-monitor { min-width: 112px; padding: 6px 14px; border-radius: 4px; background: white;
               box-shadow: 0 2px 1px -1px rgba(0,0,0,.2), 0 1px 1px 0 rgba(0,0,0,.14), 0 1px 3px 0 rgba(0,0,0,.12); }
.lmx-monitor-values { display: flex; gap: 14px; }
.lmx-prose p { margin-bottom: 0.4em; }
.lmx-prose strong, .lmx-prose b { font-weight: 700; }
.lmx-run-label { font-size: 1.05rem; font-weight: 700; }
.lmx-prose h2 { font-size: 1.15rem; margin: 1em 0 0.3em; letter-spacing: .03em; color: #1f4e79; }
.lmx-image img, img.lmx-image { max-width: 100%; height: auto; }
.lmx-header-text { flex: 1 1 auto; min-width: 0; }
/* Solara's "runs on Solara" banner sits over the bottom right corner: a chart's label, a link out of an offline room */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
.lmx-present-toggle { flex: 0 0 auto; color: white !important; }

/* the live view: networks, one key, charts (drawn in the browser) */
.lmx-stage { display: grid; gap: 6px 14px; width: 100%; align-items: start; }
.lmx-stage-single { grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); grid-template-areas: "key key" "n0 charts"; }
.lmx-stage-compare { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
                     grid-template-areas: "key key" "n0 n1" "charts charts"; }
.lmx-network-0 { grid-area: n0; } .lmx-network-1 { grid-area: n1; }
.lmx-charts { grid-area: charts; min-width: 0; } .lmx-key-row { grid-area: key; }
.lmx-network { min-width: 0; } .lmx-network .lmx-network-svg { max-height: 62vh; }
.lmx-stage-compare .lmx-charts { max-width: 1100px; }
.lmx-stage-single .lmx-charts .lmx-charts-view { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.lmx-key { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 0.85rem; align-items: center; }
.lmx-key-item { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; cursor: help; }
.lmx-key-bar { display: inline-block; width: 90px; height: 12px; border-radius: 2px; }
.lmx-charts-legend { font-weight: 700; display: flex; gap: 16px; flex-wrap: wrap; }

/* presenter mode: a 1280x720 projector shows monitors, networks and charts at once, in a large font */
.lmx-present { font-size: 17px; }
.lmx-present .lmx-header { padding: 4px 14px; font-size: 1.2rem; }
.lmx-present .lmx-main { padding: 4px 12px; }
.lmx-present .lmx-monitor-title { font-size: 0.8rem; }
.lmx-present .lmx-monitor-help { display: none; }
.lmx-present .lmx-end-hint { display: none; }   /* on one line with the controls: the page fits 1280x720 */
.lmx-present .lmx-monitor-value { font-size: 1.5rem; }
.lmx-present .lmx-run-labels { display: none !important; }   /* the networks' titles and the charts' legend say it */
.lmx-present .v-tabs, .lmx-present .v-tabs .v-tabs-bar { height: 34px !important; }
.lmx-present .lmx-stage { height: calc(100vh - 214px); min-height: 300px; align-items: stretch; }
.lmx-present .lmx-stage-compare { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1.45fr);
                                  grid-template-rows: auto minmax(0, 1fr); grid-template-areas: "key key charts" "n0 n1 charts"; }
.lmx-present .lmx-stage-single { grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr);
                                 grid-template-rows: auto minmax(0, 1fr); grid-template-areas: "key charts" "n0 charts"; }
.lmx-present .lmx-network, .lmx-present .lmx-charts { height: 100%; min-height: 0; display: flex; flex-direction: column; }
.lmx-present .lmx-network .lmx-network-svg { max-height: none; }
.lmx-present .lmx-stage .lmx-charts .lmx-charts-view { grid-template-columns: repeat(2, minmax(0, 1fr)); flex: 1 1 auto; min-height: 0;
                                grid-template-rows: repeat(3, minmax(0, 1fr)); }
.lmx-present .lmx-chart { min-height: 0; }
.lmx-present .lmx-chart-title { font-size: 16px; } .lmx-present .lmx-chart-unit { font-size: 11.5px; }
.lmx-present .lmx-chart-tick { font-size: 11px; }
.lmx-present .lmx-key { font-size: 0.8rem; gap: 0 10px; }
.lmx-present .lmx-downloads { display: none !important; }

/* a phone: one column, the main panel first and the settings (collapsible) below it */
@media (max-width: 760px) {
  .lmx-body { flex-direction: column !important; }
  .lmx-sidebar { order: 2; width: 100% !important; flex: 0 0 auto !important; min-height: 0; border-right: none; }
  .lmx-main { order: 1; width: 100%; padding: 6px 8px; }
  .lmx-header { font-size: 1rem; padding: 6px 8px; flex-wrap: nowrap !important; }
  .lmx-tagline { display: none; }
  .lmx-monitor-help { display: none; }
  .lmx-monitor-value { font-size: 1.2rem; }
  .lmx-downloads .v-btn { max-width: calc(100vw - 24px); height: auto !important; min-height: 36px; }
  .lmx-downloads .v-btn__content { white-space: normal; flex-shrink: 1; }
  .lmx-stage-single, .lmx-stage-compare, .lmx-present .lmx-stage-single, .lmx-present .lmx-stage-compare {
      grid-template-columns: minmax(0, 1fr); grid-template-rows: none; height: auto;
      grid-template-areas: "key" "n0" "n1" "charts"; }
  .lmx-stage .lmx-charts-view, .lmx-present .lmx-stage .lmx-charts-view { grid-template-columns: repeat(2, minmax(0, 1fr));
      grid-template-rows: none; }
}
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
        return None, exc.sentence(), exc.field
    except Exception as exc:  # noqa: BLE001 - a workshop page shows a message, never a traceback
        logger.exception("could not build the simulation")
        return None, f"Could not build the organisation: {exc}", None


def _person_key(label_to_key: dict, label: str | None):
    key = label_to_key.get(label) if label else None
    if key is None:
        return None, None
    kind, _, number = key.partition(":")
    return kind, int(number)


def monitors_html(sim: Simulation) -> str:
    """The monitor cards as one piece of HTML: a frame replaces one string, not thirty widgets."""
    values = [monitor_values(run.model) for run in sim.runs]
    cards = []
    for monitor in MONITORS:
        numbers = "".join(f'<span class="lmx-monitor-value" style="color:{colour if len(values) > 1 else "#222"}">'
                          f"{html.escape(run_values[monitor.title])}</span>"
                          for run_values, colour in zip(values, RUN_COLOURS))
        cards.append(f'<div class="lmx-monitor" title="{html.escape(monitor.help)}">'
                     f'<div class="lmx-monitor-title">{html.escape(monitor.title)}</div>'
                     f'<div class="lmx-monitor-values">{numbers}</div>'
                     f'<div class="lmx-monitor-help">{html.escape(monitor.unit)}</div></div>')
    return '<div class="lmx-monitors">' + "".join(cards) + "</div>"


@solara.component
def Monitors(sim: Simulation, version: solara.Reactive, frames: "FrameSinks"):
    """Current values, one card each; in compare mode both runs, in their chart colours."""
    version.value   # noqa: B018 - re-rendered on Step and Pause; while playing, frames update the cards
    with solara.Row(gap="18px", style={"flex-wrap": "wrap", "align-items": "center"}, classes=["lmx-run-labels"]):
        for run, colour in zip(sim.runs, RUN_COLOURS):
            solara.Text(("■ " if len(sim.runs) > 1 else "") + run.label, classes=["lmx-run-label"],
                        style={"color": colour})
        if len(sim.runs) > 1:
            solara.Text("same organisation, same seed, same people at week 0", style={"color": "#666"},
                        classes=["lmx-same-note"])
    cards = solara.HTML(tag="div", unsafe_innerHTML=monitors_html(sim))
    frames.use_sink([(cards, lambda widget: setattr(widget, "unsafe_innerHTML",
                                                    sim.locked(lambda: monitors_html(sim))))], [sim])


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
        new = Settings.for_scenario(SCENARIO_BY_TITLE[title], seed=settings.seed, compare=settings.compare,
                                    present=settings.present)
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
    # a short label: the long one was wider than the settings column, its icon cut off at the edge
    solara.Button("Scenario's values", on_click=on_reset_params, text=True, icon_name="mdi-restore",
                  style={"align-self": "flex-start"}, attributes={"title": "Back to the scenario's parameters"})
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
def Inspect(sim: Simulation, picked: solara.Reactive, version: solara.Reactive):
    """Pick a member or a leader and see their story, week by week (both runs in compare mode)."""
    version = version.value
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


def _picked_label(sim: Simulation, run, position: int) -> str | None:
    """Inspect's label of whoever sits at desk ``position`` of ``run`` (None for a vacant desk, or
    for someone Inspect cannot list: it lists the first run's people)."""
    m = run.model.members
    if not 0 <= position < m.capacity or m.person_id[position] < 0:
        return None
    return dict(sim.runs[0].people()).get(f"member:{int(m.person_id[position])}")


@solara.component
def LiveView(sim: Simulation, version: solara.Reactive, picked_person, on_pick=None, present: bool = False,
             frames: FrameSinks | None = None):
    """The organisation network(s) and the live charts, drawn in the browser.

    Each frame sends only data: per desk a colour index and flags, per chart the weeks added.
    The matplotlib pictures are drawn when a Save button is pressed, never per frame.
    """
    version = version.value    # subscribes this component (not the page) to the frames
    layouts = solara.use_memo(lambda: [compute_layout(run.model) for run in sim.runs], dependencies=[sim])
    feeds = solara.use_memo(lambda: [NetworkFeed(run, layout, title=run.label)
                                     for run, layout in zip(sim.runs, layouts)], dependencies=[sim])
    chart_feed = solara.use_memo(lambda: ChartFeed(sim.runs, sim.horizon, sim.settings.scenario_obj),
                                 dependencies=[sim, sim.horizon])
    networks = solara.use_memo(lambda: sim.locked(lambda: [(feed.scene(), feed.frame(picked_person))
                                                           for feed in feeds]),
                               dependencies=[sim, version, sim.week, picked_person])
    base, tail = solara.use_memo(lambda: sim.locked(chart_feed.series),
                                 dependencies=[sim, version, sim.week, chart_feed])
    key = solara.use_memo(lambda: key_html([policy_class(run.policy) for run in sim.runs]), dependencies=[sim])
    week = sim.week
    compare = len(sim.runs) > 1

    def downloads():   # each picture is drawn in a download thread when its button is pressed
        def charts():
            return sim.locked(lambda: charts_png(sim.runs, sim.horizon, sim.settings.scenario_obj))

        def network(run, layout):
            return lambda: sim.locked(lambda: network_png(run, layout, picked_person=picked_person, title=run.label))

        def slide():
            return sim.locked(lambda: slide_png(sim, layouts, picked_person=picked_person))

        return charts, [network(run, layout) for run, layout in zip(sim.runs, layouts)], slide

    charts_data, network_data, slide_data = solara.use_memo(downloads, dependencies=[sim, version, picked_person])

    def pick(run, position):
        try:
            label = _picked_label(sim, run, int(position))
        except (TypeError, ValueError, OverflowError):   # not a desk number (a forged message): nothing happens
            return
        if label is not None and on_pick is not None:
            on_pick(label)

    def network_view(k):
        scene, frame = networks[k]
        view = NetworkView(scene=scene, frame=frame, event_desk_click=lambda position: pick(sim.runs[k], position))
        # while playing: only this week's desks are sent
        sinks.append((view, lambda widget: setattr(widget, "frame", sim.locked(lambda: feeds[k].frame(picked_person)))))

    def send_charts(widget):   # while playing: the weeks added (and the base when it is renewed)
        base, tail = sim.locked(chart_feed.series)
        if widget.base is not base:
            widget.base = base
        widget.tail = tail

    sinks = []
    stage = ["lmx-stage", "lmx-stage-compare" if compare else "lmx-stage-single"]
    with solara.Div(classes=stage):
        for k in range(len(sim.runs)):
            with solara.Div(classes=["lmx-network", f"lmx-network-{k}"]):
                network_view(k)
        with solara.Div(classes=["lmx-charts"]):
            if compare:
                solara.HTML(tag="div", classes=["lmx-charts-legend"], unsafe_innerHTML="".join(
                    f'<span style="color:{colour}">■ {html.escape(run.label)}</span> '
                    for run, colour in zip(sim.runs, RUN_COLOURS)))
            sinks.append((ChartsView(meta=chart_feed.meta, base=base, tail=tail, present=present), send_charts))
        solara.HTML(tag="div", classes=["lmx-key-row"], unsafe_innerHTML=key)
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["lmx-downloads"]):
        solara.FileDownload(charts_data, filename=f"lmxsim-charts-week{week}.png", label="Save charts (PNG)",
                            mime_type="image/png")
        for k, (run, data) in enumerate(zip(sim.runs, network_data)):   # in compare mode one button per run, named
            name = f"Save network: {run.label} (PNG)" if compare else "Save network (PNG)"
            suffix = f"-{'AB'[k]}-{run.policy}" if compare else ""
            solara.FileDownload(data, filename=f"lmxsim-network{suffix}-week{week}.png", label=name,
                                mime_type="image/png")
        solara.FileDownload(slide_data, filename=f"lmxsim-{'compare' if compare else 'slide'}-week{week}.png",
                            label="Save compare view (PNG)" if compare else "Save slide (PNG)",
                            mime_type="image/png")
    (frames or FrameSinks()).use_sink(sinks, [sim, picked_person, chart_feed])   # (none: a view drawn alone)


class FrameSinks:
    """What a frame updates while the model plays: widgets set directly, without re-rendering the page.

    A Solara re-render walks the whole page (about 45-100 ms of CPU here, however little
    changed); setting the few traits that show the week costs a few milliseconds and sends
    only them. Components register a sink with :meth:`use_sink` (the widget of one of their
    elements and a function that updates it); the play loop calls :meth:`publish` each frame.
    Step, Pause and every other change re-render as usual, which brings everything in line.
    """

    def __init__(self):
        self._sinks: dict[int, tuple] = {}
        self._lock = threading.Lock()

    def use_sink(self, sinks: list, dependencies) -> None:
        """Hook: while this component is mounted, each frame calls ``update(widget)`` for each
        ``(element, update)`` in ``sinks`` (the widget is the element's)."""
        known = solara.use_ref({})   # slot -> widget: an element Solara reused has the previous render's widget

        def connect():
            connected = {}
            for slot, (element, update) in enumerate(sinks):
                try:
                    known.current[slot] = solara.get_widget(element)
                except KeyError:
                    if slot not in known.current:
                        continue
                connected[id(known.current[slot])] = (known.current[slot], update)
            with self._lock:
                self._sinks.update(connected)

            def disconnect():
                with self._lock:
                    for key in connected:
                        self._sinks.pop(key, None)
            return disconnect

        solara.use_effect(connect, dependencies)

    def publish(self) -> None:
        with self._lock:
            sinks = list(self._sinks.values())
        for widget, update in sinks:
            update(widget)


class Pacer:
    """When the play loop steps and when it shows a frame.

    Stepping follows the wall clock at the chosen speed (weeks per second), whatever drawing
    costs; frames are published at most every :data:`FRAME_INTERVAL` seconds, and less often
    when publishing one takes long (a busy server), so a frame may carry several weeks.
    """

    def __init__(self, weeks_per_second: float, now: float):
        self.rate = weeks_per_second
        self.start = now
        self.stepped = 0
        self.last_frame = now
        self.interval = FRAME_INTERVAL

    def weeks_due(self, now: float) -> int:
        """Weeks to step now to keep to the speed; a backlog is caught up a frame's worth at a time."""
        behind = int((now - self.start) * self.rate) - self.stepped
        catch_up = max(1, int(self.rate * FRAME_INTERVAL))   # a frame's worth at a time
        if behind > 4 * self.rate:   # seconds behind (the machine stalled): drop the backlog, keep the speed
            self.start = now - (self.stepped + catch_up) / self.rate
            behind = catch_up
        return max(0, min(behind, catch_up))

    def stepped_weeks(self, weeks: int) -> None:
        self.stepped += weeks

    def frame_due(self, now: float) -> bool:
        return now - self.last_frame >= self.interval

    def frame_shown(self, now: float, cost: float) -> None:
        """A frame took ``cost`` seconds to publish: keep drawing below about a quarter of the time."""
        self.last_frame = now
        self.interval = min(MAX_FRAME_INTERVAL, max(FRAME_INTERVAL, 4.0 * cost))

    def sleep_time(self, now: float) -> float:
        next_week = self.start + (self.stepped + 1) / self.rate
        return max(0.0, min(next_week, self.last_frame + self.interval) - now)


@solara.component
def Page():
    router = solara.use_context(router_context)   # None outside the server (tests render the page alone)
    opened_with = solara.use_memo(lambda: settings_from_query(router.search if router is not None else None), [])
    settings, set_settings_state = solara.use_state(opened_with[0])
    resets, set_resets = solara.use_state(0)
    version = solara.use_reactive(0)      # frames shown: the live view is redrawn when it changes
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    picked = solara.use_reactive(None)    # label of the picked member or leader
    tab = solara.use_reactive(0)          # the open tab (a click on a desk opens Inspect)
    frames = solara.use_memo(FrameSinks, [])  # what the play loop updates each frame
    step_error = solara.use_reactive(None)
    show_settings = solara.use_reactive(not settings.present)  # hide them to give a projector the whole width

    # neither the horizon nor presenter mode are part of what an organisation is built from
    sim, error, bad_field = solara.use_memo(lambda: build(settings), dependencies=[settings.organisation(), resets])
    solara.use_effect(lambda: sim.close if sim is not None else None, [sim])  # free it when replaced or gone
    horizon_error = solara.use_reactive(None)

    def apply_horizon():
        horizon_error.set(None)
        if sim is None or settings.horizon is None or settings.horizon == sim.horizon:
            return
        try:
            sim.set_horizon(settings.horizon)
        except LMXInputError as exc:
            horizon_error.set(exc.sentence())
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

    def step(weeks: int) -> bool:
        try:
            sim.step(weeks)
            return True
        except Exception as exc:  # noqa: BLE001 - a message, not a crash
            logger.exception("step failed")
            playing.set(False)
            step_error.set(f"The model stopped with an error in week {sim.week}: {exc}")
            return False

    def advance(weeks: int):
        step(weeks)
        version.set(version.value + 1)

    def play_loop():
        if sim is None:
            return
        pacer = Pacer(SPEEDS[speed.value], time.monotonic())
        shown_week = sim.week
        while playing.value:
            if sim.done:
                break
            now = time.monotonic()
            if pacer.rate != SPEEDS[speed.value]:   # a new speed: keep to it from now on
                pacer = Pacer(SPEEDS[speed.value], now)
            if not page_present():
                pacer = Pacer(pacer.rate, now)
                time.sleep(FRAME_INTERVAL)
                continue
            weeks = pacer.weeks_due(now)
            if weeks and not sim.done:
                if not step(weeks):
                    break
                pacer.stepped_weeks(weeks)
            if sim.done or (sim.week != shown_week and pacer.frame_due(time.monotonic())):
                started = time.monotonic()
                shown_week = sim.week
                frames.publish()                   # the frame: the week's data, straight to the widgets
                if tab.value != 0:                 # another tab is open (a story): re-render it
                    version.set(version.value + 1)
                pacer.frame_shown(time.monotonic(), time.monotonic() - started)
            if sim.done:
                break
            time.sleep(pacer.sleep_time(time.monotonic()))
        version.set(version.value + 1)   # stopped: one full render brings the whole page to this week
        if sim.done:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value, sim], prefer_threaded=True)

    def set_present(on: bool):
        set_settings_state(settings.replace(present=on))   # a layout: the run goes on
        show_settings.set(not on)

    def pick(label: str):   # a click on a desk: their story
        picked.set(label)
        tab.set(1)

    solara.Style(CSS)
    solara.Title("lmxsim — leader–member exchange")
    with solara.Column(gap="0px", classes=["lmx-root"] + (["lmx-present"] if settings.present else []),
                       style={"min-height": "100vh"}):
        with solara.Row(classes=["lmx-header"], style={"align-items": "center"}):
            solara.Button("Settings", icon_name="mdi-tune", text=True, color="white",
                          on_click=lambda: show_settings.set(not show_settings.value),
                          classes=["lmx-settings-toggle"])
            solara.HTML(tag="div", classes=["lmx-header-text"],
                        unsafe_innerHTML="<b>lmxsim</b><span class='lmx-tagline'> · leader–member exchange: "
                                         "the in-crowd, or a deal with everyone?</span>")
            solara.Button("Presenter", icon_name="mdi-projector-screen", text=not settings.present,
                          outlined=settings.present, color="white", on_click=lambda: set_present(not settings.present),
                          classes=["lmx-present-toggle"])
        with solara.Row(gap="0px", classes=["lmx-body"], style={"align-items": "flex-start"}):
            if show_settings.value:   # not rendered at all when hidden (a display style loses to Vuetify's d-flex)
                with solara.Column(classes=["lmx-sidebar"], gap="10px"):
                    SettingsPanel(settings, change_settings,
                                  lambda: change_settings(Settings.for_scenario(settings.scenario, seed=settings.seed,
                                                                                compare=settings.compare,
                                                                                present=settings.present)),
                                  bad_field=bad_field)
            with solara.Column(classes=["lmx-main"], gap="8px"):
                if opened_with[1]:
                    solara.Warning(opened_with[1] + " The rest of the link applies.")
                MainPanel(sim, error or horizon_error.value, step_error.value, version, playing, speed, picked, reset,
                          advance, tab=tab, on_pick=pick, present=settings.present, frames=frames)


@solara.component
def Controls(sim, version: solara.Reactive, playing, speed, reset, advance, frames: FrameSinks):
    """Reset, Step, Play/Pause, speed and the week (a frame updates only the week's text)."""
    version.value   # noqa: B018 - re-rendered on Step and Pause
    with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}, classes=["lmx-controls"]):
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
            WeekLabel(sim, frames, sim.week, sim.horizon).key(f"week-{id(sim)}")
            if sim.done:
                solara.Text("— end of the run.")
                solara.Text("Lengthen the horizon to go on, or Reset to start again.", classes=["lmx-end-hint"])


@solara.component
def WeekLabel(sim: Simulation, frames: FrameSinks, week: int, horizon: int):
    """'Week 12 of 156': drawn with the controls, updated by each frame while playing."""
    def text():
        return f"Week {sim.week} of {sim.horizon}"

    label = solara.Text(text(), classes=["lmx-week"])
    frames.use_sink([(label, lambda widget: setattr(widget, "children", [text()]))], [sim])
    return label


@solara.component
def MainPanel(sim, error, step_error, version, playing, speed, picked, reset, advance, tab, on_pick, present,
              frames):
    """Controls, monitors and the tabs: live view, inspect, about.

    Only the parts that show the week read ``version`` (a frame re-renders them, not this panel)."""
    picked_kind, picked_number = solara.use_memo(
        lambda: _person_key({label: key for key, label in sim.runs[0].people()}, picked.value) if sim else (None, None),
        dependencies=[sim, picked.value])
    Controls(sim, version, playing, speed, reset, advance, frames)
    if error:
        solara.Error(error)
    if step_error:
        solara.Error(step_error)
    if sim is None:
        solara.Info("Correct the setting on the left and the organisation is built again.")
        return
    if min(sim.runs[0].model.team_positions()) < 2:
        solara.Info("Teams of one have no teammates: no social comparison and no LMX spread within teams.")
    Monitors(sim, version, frames).key(f"monitors-{id(sim)}")
    picked_person = picked_number if picked_kind == "member" else None
    with solara.lab.Tabs(value=tab, lazy=True):  # only the open tab is drawn while the model plays
        with solara.lab.Tab("Organisation and charts", icon_name="mdi-chart-line"):
            # keyed by the simulation: a new one (e.g. compare mode) mounts a new view, with its own hooks
            LiveView(sim, version, picked_person, on_pick=on_pick, present=present, frames=frames).key(f"live-{id(sim)}")
        with solara.lab.Tab("Inspect a person", icon_name="mdi-account-search"):
            Inspect(sim, picked, version)
        if len(sim.runs) > 1:   # does the story hold whatever the seed?
            with solara.lab.Tab("Many seeds", icon_name="mdi-dice-multiple-outline"):
                ManySeeds(sim.settings)
        with solara.lab.Tab("About", icon_name="mdi-information-outline"):
            Prose(about.about_markdown(), style={"max-width": "900px", "font-size": "1.05rem"})


@solara.component
def Layout(children=[]):
    """No app bar or navigation drawer around the page: the page brings its own header and settings column."""
    return solara.Column(children=children, gap="0px", style={"padding": "0", "margin": "0"})
