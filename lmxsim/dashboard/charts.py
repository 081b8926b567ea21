"""Live charts, current-value monitors, a person's story and the slide figure.

Every chart reads the model's own weekly reporters (``lmxsim.reporters``, collected by
Mesa's DataCollector), so the dashboard shows the same quantities as ``model.csv``. Rates
per member-year use the same 13-week window as the model's annualised turnover.
In compare mode both runs are drawn on the same axes, one colour each.

The live page draws the charts in the browser (``charts_view.vue``, SVG polylines):
:class:`ChartFeed` sends each chart's weekly values once and, each frame, only the weeks added
since. The matplotlib figures below are drawn only for the downloads and the slide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import solara
from matplotlib.ticker import MaxNLocator

from lmxsim.dashboard.figures import RUN_COLOURS, LiveFigure, new_figure, png_bytes
from lmxsim.reporters import TURNOVER_WINDOW_WEEKS


def weekly(model, column: str) -> np.ndarray:
    """One reporter's weekly values (week 0 = initial state) as floats."""
    return np.asarray(model.datacollector.model_vars[column], dtype=float)


def per_member_year(model, column: str, window: int = TURNOVER_WINDOW_WEEKS) -> np.ndarray:
    """A weekly count per head, over a trailing ``window`` weeks, scaled to a year."""
    counts = weekly(model, column)
    heads = weekly(model, "headcount")
    counts[0] = 0.0  # week 0 is the initial state, not a simulated week
    c = np.cumsum(counts)
    h = np.cumsum(heads)
    lag = lambda a: np.concatenate([np.zeros(window), a[:-window]]) if len(a) > window else np.zeros(len(a))  # noqa: E731
    head_weeks = h - lag(h)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (c - lag(c)) / head_weeks * 52.0
    rate[0] = np.nan
    rate[head_weeks <= 0] = np.nan
    return rate


def from_full_window(values: np.ndarray, window: int = TURNOVER_WINDOW_WEEKS) -> np.ndarray:
    """A trailing-window rate from the first week whose window is full (undefined before): over
    the first weeks the window is the weeks played so far, and 2 quits among 60 people in week 2
    read as 87% a year, a spike that squashed the rest of the chart."""
    out = np.array(values, dtype=float)
    out[:window] = np.nan
    return out


@dataclass(frozen=True)
class Chart:
    """One live chart: a weekly reporter, or a weekly count as a rate per member-year; a rate
    over the last 13 weeks (``trailing``) is drawn from week 13 on."""

    column: str
    title: str
    unit: str
    ylim: tuple[float | None, float | None]
    scale: float = 1.0
    per_member_year: bool = False
    min_top: float = 1.0  # y-axis top before the data need more (open-ended charts)
    trailing: bool = False

    def values(self, model) -> np.ndarray:
        if self.per_member_year:
            values = per_member_year(model, self.column)
        else:
            values = weekly(model, self.column) * self.scale
        return from_full_window(values) if self.trailing else values


CHARTS = (
    Chart("innovation", "Innovation", "successful ideas per member-year", (0, None),
          per_member_year=True, min_top=0.5, trailing=True),
    Chart("turnover_rate_annualised", "Voluntary turnover", "% per year, last 13 weeks", (0, None), scale=100.0,
          min_top=30.0, trailing=True),
    Chart("mean_trust", "Trust in the leader", "mean over members, 0-1", (0, 1)),
    Chart("lmx_sd_within_team", "LMX spread within teams", "sd of LMX within a team", (0, None),
          min_top=0.2),
    Chart("mean_psych_safety", "Psychological safety", "mean over members, 0-1", (0, 1)),
    Chart("in_group_share", "In-group share", "% of members", (0, 100), scale=100.0),
)


def _mark_events(ax, scenario, horizon) -> None:
    for event in scenario.events:
        if 0 < event.week <= horizon:
            ax.axvline(event.week, color="#888888", lw=1.0, ls=":", zorder=0)


class ChartArtists:
    """The six live charts on ``fig`` (a figure or subfigure), one line per run.

    :meth:`update` sets this week's data; it returns True when a y-axis had to grow, so a
    live figure knows to redraw its static layer. Axes grow in steps (with headroom)
    rather than every week, so most weeks only the lines are redrawn.
    """

    def __init__(self, fig, runs, horizon: int, scenario, grid=(2, 3), top=0.86, bottom=0.08):
        self.runs = runs
        axes = fig.subplots(*grid, squeeze=False).ravel()
        fig.subplots_adjust(left=0.07, right=0.98, top=top, bottom=bottom, hspace=0.6, wspace=0.32)
        wide = grid[1] > 3
        self.axes = axes[:len(CHARTS)]
        self.lines = []
        for ax, chart in zip(self.axes, CHARTS):
            for run, colour in zip(runs, RUN_COLOURS):
                (line,) = ax.plot([], [], color=colour, lw=2.2, label=run.label, animated=True)
                (now,) = ax.plot([], [], "o", color=colour, ms=5, animated=True)  # this week's value
                self.lines.append((chart, run, line, now))
            ax.set_ylim(chart.ylim[0], chart.ylim[1] if chart.ylim[1] is not None else chart.min_top)
            ax.set_xlim(0, horizon)
            _mark_events(ax, scenario, horizon)
            unit = chart.unit.replace(", ", ",\n", 1) if wide else chart.unit
            ax.text(0.0, 1.02, unit, transform=ax.transAxes, fontsize=9, color="#555555", va="bottom")
            ax.set_title(chart.title, fontsize=12.5 if wide else 13.5, fontweight="bold", loc="left",
                         pad=28 if wide else 16)
            ax.set_xlabel("week", fontsize=10)
            ax.tick_params(labelsize=10)
            ax.grid(alpha=0.3)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        for ax in axes[len(CHARTS):]:
            ax.set_visible(False)
        handles = [line for _, _, line, _ in self.lines[:len(runs)]]
        fig.legend(handles, [run.label for run in runs], loc="upper left", ncol=len(runs), fontsize=12,
                   frameon=False, bbox_to_anchor=(0.06, 1.0))

    @property
    def dynamic(self) -> list:
        return [artist for _, _, line, now in self.lines for artist in (line, now)]

    def update(self) -> bool:
        grew = False
        highest = {}
        for chart, run, line, now in self.lines:
            y = chart.values(run.model)
            line.set_data(np.arange(len(y)), y)
            now.set_data([len(y) - 1], [y[-1]]) if len(y) else now.set_data([], [])
            if len(y) and np.isfinite(y).any():
                highest[chart] = max(highest.get(chart, 0.0), float(np.nanmax(y)))
        for ax, chart in zip(self.axes, CHARTS):
            if chart.ylim[1] is None and highest.get(chart, 0.0) > ax.get_ylim()[1]:
                ax.set_ylim(chart.ylim[0], highest[chart] * 1.4)
                grew = True
        return grew


def draw_charts(fig, runs, horizon: int, scenario, grid=(2, 3), top=0.86, bottom=0.08) -> None:
    """The six charts as they are this week, onto ``fig`` (for one-off pictures)."""
    ChartArtists(fig, runs, horizon, scenario, grid=grid, top=top, bottom=bottom).update()


CHARTS_FIGSIZE = (9.0, 6.4)


def charts_figure(runs, horizon: int, scenario, figsize=CHARTS_FIGSIZE):
    fig = new_figure(figsize)
    draw_charts(fig, runs, horizon, scenario)
    return fig


def charts_png(runs, horizon: int, scenario) -> bytes:
    return png_bytes(charts_figure(runs, horizon, scenario))


class LiveCharts(LiveFigure):
    """The live charts of a simulation, redrawn each week over their cached axes."""

    def __init__(self, runs, horizon: int, scenario, figsize=CHARTS_FIGSIZE):
        super().__init__(new_figure(figsize))
        self.artists = ChartArtists(self.fig, runs, horizon, scenario)

    def dynamic_artists(self) -> list:
        return self.artists.dynamic

    def update(self) -> bool:
        return self.artists.update()


# ---------------------------------------------------------------------- drawn in the browser
class ChartFeed:
    """The live charts' data for the browser: every week's values once, then only new weeks.

    The values already sent (``base``) stay as they are and each frame sends the weeks added
    since (``tail``); when the tail reaches :attr:`TAIL_WEEKS` weeks it joins the base, which is
    then sent once more. So a frame carries a few numbers per line, and the widget's state is
    always the whole series (a page that reconnects draws everything).
    """

    TAIL_WEEKS = 26

    def __init__(self, runs, horizon: int, scenario):
        self.runs = runs
        self.meta = {
            "horizon": int(horizon),
            "events": sorted({int(e.week) for e in scenario.events if 0 < e.week <= horizon}),
            "runs": [{"label": run.label, "colour": colour} for run, colour in zip(runs, RUN_COLOURS)],
            "charts": [{"title": c.title, "unit": c.unit, "low": c.ylim[0], "high": c.ylim[1], "min_top": c.min_top}
                       for c in CHARTS],
        }
        self.base: list = []
        self._base_weeks = -1

    def series(self) -> tuple[list, list]:
        """``(base, tail)``: per chart, per run, weekly values (None where undefined)."""
        values = [[chart.values(run.model) for run in self.runs] for chart in CHARTS]
        weeks = len(values[0][0])
        if weeks < self._base_weeks or weeks - self._base_weeks > self.TAIL_WEEKS or self._base_weeks < 0:
            self.base = [[_json_values(line) for line in chart] for chart in values]
            self._base_weeks = weeks
        return self.base, [[_json_values(line[self._base_weeks:]) for line in chart] for chart in values]


def _json_values(y: np.ndarray) -> list:
    return [round(v, 4) if np.isfinite(v) else None for v in y.tolist()]


@solara.component_vue("charts_view.vue")
def ChartsView(meta: dict, base: list, tail: list, present: bool = False):
    """The six live charts as SVG, drawn in the browser from :class:`ChartFeed`'s data (larger text
    in presenter mode)."""


# ---------------------------------------------------------------------- monitors
@dataclass(frozen=True)
class Monitor:
    title: str
    unit: str
    help: str


MONITORS = (
    Monitor("Turnover", "% per year", "voluntary quits over the last 13 weeks, annualised (from week 13)"),
    Monitor("Innovation", "ideas per member-year",
            "successful ideas over the last 13 weeks, per head, annualised (from week 13)"),
    Monitor("In-group", "% of members", "members their leader counts as in-group"),
    Monitor("Mean LMX", "0-1", "quality of leader-member relationships"),
    Monitor("Trust", "0-1", "members' trust in their leader"),
    Monitor("Headcount", "members", "people in post (positions minus vacancies)"),
)


def _last(values: np.ndarray) -> float:
    return float(values[-1]) if len(values) else float("nan")


def monitor_values(model) -> dict[str, str]:
    """The monitors' current values, formatted for display ("–" when undefined)."""
    def fmt(value, pattern):
        return "–" if not np.isfinite(value) else pattern.format(value)

    return {
        "Turnover": fmt(100 * _last(from_full_window(weekly(model, "turnover_rate_annualised"))), "{:.0f}%"),
        "Innovation": fmt(_last(from_full_window(per_member_year(model, "innovation"))), "{:.2f}"),
        "In-group": fmt(100 * _last(weekly(model, "in_group_share")), "{:.0f}%"),
        "Mean LMX": fmt(_last(weekly(model, "mean_lmx")), "{:.2f}"),
        "Trust": fmt(_last(weekly(model, "mean_trust")), "{:.2f}"),
        "Headcount": f"{int(_last(weekly(model, 'headcount')))} / {model.members.capacity}",
    }


# ---------------------------------------------------------------------- a person's story
STORY_PANELS = (
    ("lmx", "LMX quality", (0, 1)),
    ("trust", "Trust in the leader", (0, 1)),
    ("autonomy", "Autonomy (latitude felt)", (0, 1)),
    ("creativity", "Creativity", (0, 1)),
    ("ideas", "Ideas since hired (total)", (0, None)),
    ("turnover_intention", "Intention to quit", (0, 1)),
)
TEAM_PANELS = (
    ("lmx", "Team mean LMX", (0, 1)),
    ("trust", "Team mean trust", (0, 1)),
    ("in_group", "In-group size (members)", (0, None)),
    ("headcount", "Headcount", (0, None)),
    ("quits_cumulative", "Leavers since week 0", (0, None)),
    ("psych_safety", "Team psychological safety", (0, 1)),
)


def _duration(weeks: int) -> str:
    return f"{weeks / 52:.1f} years" if weeks >= 104 else f"{weeks} weeks"


def story_text(story: dict) -> str:
    """One line: when the person joined, whether and when they left."""
    if story["hire_week"] > 0:
        joined = f"joined in week {story['hire_week']}"
    else:
        joined = f"was already in the team at week 0 ({_duration(-story['hire_week'])} of tenure then)"
    if story["left_week"] is not None:
        end = f"quit in week {story['left_week']}, after {_duration(story['tenure_weeks'])}"
    else:
        end = f"still here after {_duration(story['tenure_weeks'])}"
    return f"Person #{story['person_id']}, team {story['team'] + 1}: {joined}; {end}."


def story_figure(stories: list[tuple[str, dict]], horizon: int, team: bool = False, figsize=(10.5, 5.6)):
    """Small multiples of a member's (or a team's) story, one line per run."""
    fig = new_figure(figsize)
    panels = TEAM_PANELS if team else STORY_PANELS
    axes = fig.subplots(2, 3).ravel()
    fig.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.09, hspace=0.5, wspace=0.28)
    for ax, (key, title, (lo, hi)) in zip(axes, panels):
        top = 0.0
        for (label, story), colour in zip(stories, RUN_COLOURS):
            weeks, y = story["weeks"], story[key]
            ax.plot(weeks, y, color=colour, lw=2.2, label=label)
            if not team and story.get("in_group") is not None and key == "lmx":
                ing = story["in_group"] > 0
                ax.scatter(weeks[ing], y[ing], s=9, color=colour, zorder=3)
            if len(y) and np.isfinite(y).any():
                top = max(top, float(np.nanmax(y)))
            if not team:
                if story["hire_week"] > 0:
                    ax.axvline(story["hire_week"], color=colour, ls="--", lw=1)
                if story["left_week"] is not None and len(weeks):
                    ax.plot([weeks[-1]], [y[-1]], marker="X", ms=10, color="#d7301f", zorder=4)
        ax.set_xlim(0, horizon)
        ax.set_ylim(lo, hi if hi is not None else max(1.0, top * 1.15))
        if hi is None:  # counts
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=12, fontweight="bold", loc="left")
        ax.set_xlabel("week", fontsize=9)
        ax.grid(alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    if not team:
        from matplotlib.lines import Line2D
        handles += [Line2D([], [], marker="o", ls="none", color="#555555", ms=4, label="in the in-group that week"),
                    Line2D([], [], marker="X", ls="none", color="#d7301f", ms=8, label="quit")]
    fig.legend(handles=handles, loc="upper left", ncol=len(handles), fontsize=10.5, frameon=False,
               bbox_to_anchor=(0.06, 1.0))
    return fig


def story_png(stories, horizon: int, team: bool = False) -> bytes:
    return png_bytes(story_figure(stories, horizon, team=team))


# ---------------------------------------------------------------------- slide
def slide_figure(sim, layouts, picked_person=None):
    """One 16:9 picture for a slide: the network(s) above, the charts below, and under them the
    caption that reproduces it (clear of the charts' axis labels)."""
    from lmxsim.dashboard.network import add_key, draw_network

    runs = sim.runs
    scenario = sim.settings.scenario_obj
    fig = new_figure((16, 9))
    heading = fig.text(0.015, 0.985, f"{scenario.title} — week {sim.week}" +
                       ("  ·  same organisation, same seed, two leadership policies" if len(runs) > 1 else ""),
                       fontsize=17, fontweight="bold", va="top")
    fit_width(heading, 0.97)
    upper, lower = fig.subfigures(2, 1, height_ratios=[1.3, 1.0])
    width = 0.94 / len(runs)
    for k, (run, layout) in enumerate(zip(runs, layouts)):
        ax = upper.add_axes((0.03 + k * width, 0.25, width - 0.03, 0.56))
        draw_network(ax, run, layout, picked_person=picked_person, title=run.label)
    add_key(upper, rect=(0.25, 0.15, 0.5, 0.022), ncol=8)
    draw_charts(lower, runs, sim.horizon, scenario, grid=(1, len(CHARTS)), top=0.76, bottom=0.27)
    fig.text(0.015, 0.006, slide_caption(sim), fontsize=9, color="#444", va="bottom", wrap=True)
    return fig


def fit_width(text, width: float, smallest: float = 10.0) -> None:
    """Shrink ``text`` (a figure text) until it spans at most ``width`` of its figure."""
    fig = text.get_figure()
    renderer = fig.canvas.get_renderer()
    while text.get_fontsize() > smallest and text.get_window_extent(renderer).width > width * fig.bbox.width:
        text.set_fontsize(text.get_fontsize() - 0.5)


def slide_png(sim, layouts, picked_person=None) -> bytes:
    return png_bytes(slide_figure(sim, layouts, picked_person=picked_person))


def slide_caption(sim) -> str:
    """What a slide needs to be reproduced: scenario, policies, seed, week and the parameters set."""
    from lmxsim.dashboard.session import settings_to_query

    s = sim.settings
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(s.param_dict.items()))
    policies = " vs ".join(run.policy for run in sim.runs)
    return (f"lmxsim · scenario {s.scenario} · {policies} · seed {s.seed} · week {sim.week} of {sim.horizon} · "
            f"{params}\ndashboard link: ?{settings_to_query(s.replace(present=False))}")
