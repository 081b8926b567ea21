"""The organisation drawn as a network: teams as clusters, leaders at their centre.

Member *positions* are stable slots (a newcomer takes the leaver's desk, and its ties), so
the layout is computed once per organisation over positions and never re-run while the
model plays. Each team is a ring of its positions around its leader; positions opened
later (a team growing, a hiring wave) go on an outer ring of the same team, so nothing
already drawn moves. The static lines - reporting lines and collaboration ties - are
turned into segments once and rebuilt only when the organisation gains positions.

What a frame shows: members coloured by LMX quality, in-group members with a dark ring,
newcomers with a gold halo for their first weeks, vacant desks hollow and dashed, desks
whose holder just quit marked with a red cross.

The live page draws it in the browser (``network_view.vue``, SVG): :class:`NetworkFeed` sends
the fixed part of the drawing (desk coordinates, ties as SVG paths, the colour scale) once per
organisation and then, each frame, only the per-desk state (colour index, in-group, newcomer,
just quit) and what a hover shows. The matplotlib drawing below is for the downloads.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
import solara  # noqa: E402

from lmxsim.dashboard.figures import LiveFigure, new_figure, png_bytes  # noqa: E402

# LMX in this model mostly lies between 0.15 and 0.75: spread the colours over that band
LMX_NORM = Normalize(vmin=0.15, vmax=0.75)
LMX_CMAP = matplotlib.colormaps["RdYlBu"]

RING_RADIUS = 1.0          # a team's first positions sit on a unit ring around the leader
OUTER_RING_STEP = 0.45     # later positions go on rings further out (more than a marker apart)
TEAM_GAP = 0.5             # space between neighbouring teams' outermost rings
MARKER_DIAMETER = 0.38     # largest member marker, in the units of RING_RADIUS

LEADER_COLOUR = "#37474f"
VACANT_COLOUR = "#9e9e9e"
LEFT_COLOUR = "#d7301f"
NEWCOMER_COLOUR = "#ffc400"
IN_GROUP_EDGE = "#111111"
PICKED_COLOUR = "#c2185b"
REPORTS_COLOUR = "#5b7fb0"
TIE_COLOUR = "#707070"


@dataclass
class Layout:
    """Fixed coordinates of every leader and member position of one organisation."""

    centres: np.ndarray                     # (teams, 2) leader positions
    first_positions: np.ndarray             # per team: positions at the start
    outer_rings: int = 0                    # rings reserved for positions opened later
    xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # (positions, 2)
    _segments: dict = field(default_factory=dict)

    @property
    def n_positions(self) -> int:
        return len(self.xy)

    @property
    def limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        pad = outer_radius(self.outer_rings) + MARKER_DIAMETER
        xs, ys = self.centres[:, 0], self.centres[:, 1]
        return (xs.min() - pad, xs.max() + pad), (ys.min() - pad, ys.max() + pad)

    def extend(self, team_of: np.ndarray) -> None:
        """Give coordinates to positions the organisation opened since the last call."""
        start = self.n_positions
        if len(team_of) <= start:
            return
        counts = np.bincount(team_of[:start], minlength=len(self.centres)) if start else \
            np.zeros(len(self.centres), int)
        new_xy = np.empty((len(team_of) - start, 2))
        for k, team in enumerate(team_of[start:].tolist()):
            new_xy[k] = self.centres[team] + _slot(int(counts[team]), int(self.first_positions[team]))
            counts[team] += 1
        self.xy = np.vstack([self.xy, new_xy])

    def segments(self, model) -> dict[str, np.ndarray]:
        """Line segments of reporting lines and collaboration ties (cached per organisation size)."""
        self.extend(model.members.team)
        key = (model.members.capacity, id(model.ties))
        if key not in self._segments:
            self._segments = {key: _segments(model, self)}
        return self._segments[key]


TITLE_CHARS = 44   # characters of a network title on one line of the 6.6-inch picture


def wrap_title(title: str) -> str:
    return "\n".join(textwrap.wrap(title, width=TITLE_CHARS + 12)) if len(title) > TITLE_CHARS else title


def outer_radius(rings: int) -> float:
    return RING_RADIUS + OUTER_RING_STEP * rings


def _per_outer_ring(first: int) -> int:
    return max(2 * first, 12)


def expected_growth(model) -> int:
    """Most positions the scenario will add to one team (a growing team, a hiring wave)."""
    from lmxsim.scenarios import GrowTeams, HiringWave

    extra = 0
    for event in model.preset.events:
        if isinstance(event, GrowTeams):
            extra += max(0, event.to_size - model.params.team_size)
        elif isinstance(event, HiringWave):
            extra += event.extra_per_team
    return extra


def _slot(rank: int, first: int) -> np.ndarray:
    """Offset from the team centre of the team's ``rank``-th position."""
    if rank < first:
        angle, radius = 2 * math.pi * rank / max(first, 1) + math.pi / 2, RING_RADIUS
        if first == 1:
            radius = 0.7 * RING_RADIUS
    else:
        extra = rank - first
        per_ring = _per_outer_ring(first)
        ring, slot = divmod(extra, per_ring)
        angle = 2 * math.pi * (slot + 0.5) / per_ring + math.pi / 2
        radius = RING_RADIUS + OUTER_RING_STEP * (ring + 1)
    return np.array([radius * math.cos(angle), radius * math.sin(angle)])


def compute_layout(model) -> Layout:
    """The fixed layout of ``model``'s organisation: teams on a grid, each a ring around its leader.

    Room is kept from the start for the positions the scenario will open later, so growth
    never moves or rescales what is already drawn.
    """
    n_teams = model.n_teams
    first = np.bincount(model.members.team, minlength=n_teams)
    rings = math.ceil(expected_growth(model) / _per_outer_ring(int(first.max())))
    spacing = 2 * outer_radius(rings) + TEAM_GAP
    cols = max(1, math.ceil(math.sqrt(n_teams * 1.3)))
    rows = math.ceil(n_teams / cols)
    centres = np.empty((n_teams, 2))
    for t in range(n_teams):
        row, col = divmod(t, cols)
        in_row = min(cols, n_teams - row * cols)  # centre a short last row
        centres[t] = ((col + (cols - in_row) / 2) * spacing, (rows - 1 - row) * spacing)
    layout = Layout(centres=centres, first_positions=first, outer_rings=rings)
    layout.extend(model.members.team)
    return layout


def _segments(model, layout: Layout) -> dict[str, np.ndarray]:
    graph = model.organisation
    n = model.members.capacity
    team = model.members.team
    reports, within, across = [], [], []
    for u, v, data in graph.edges(data=True):
        if data.get("kind") == "reports_to":
            member, leader = (u, v) if u < n else (v, u)
            reports.append((layout.xy[member], layout.centres[leader - n]))
        elif team[u] == team[v]:
            within.append((layout.xy[u], layout.xy[v]))
        else:
            across.append((layout.xy[u], layout.xy[v]))
    as_array = lambda segs: np.array(segs, dtype=float).reshape(-1, 2, 2)  # noqa: E731
    return {"reports": as_array(reports), "within": as_array(within), "across": as_array(across)}


def _marker_size(ax, layout: Layout) -> float:
    """Scatter size (points^2) so that neighbouring members on a ring do not overlap."""
    per_ring = max(int(layout.first_positions.max()), 1)
    spacing = 2 * math.pi * RING_RADIUS / max(per_ring, 3)
    diameter = min(0.62 * spacing, MARKER_DIAMETER)  # data units
    (x0, x1), (y0, y1) = layout.limits
    box = ax.get_window_extent()  # pixels; the equal aspect fits the drawing in the tighter direction
    pixels_per_unit = min(box.width / (x1 - x0), box.height / (y1 - y0))
    points = diameter * pixels_per_unit * 72.0 / ax.figure.dpi
    return float(np.clip(points, 3.0, 30.0) ** 2)


class NetworkArtists:
    """The artists of one network drawing on ``ax``: static ties and leaders, dynamic member markers.

    :meth:`update` sets this week's member markers; it returns True when the static part
    changed (the organisation gained positions), so a live figure knows to redraw it.
    """

    def __init__(self, ax, layout: Layout, title: str | None = None):
        self.ax = ax
        self.layout = layout
        self._segments_key = None
        (x0, x1), (y0, y1) = layout.limits
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.axis("off")
        self.size = size = _marker_size(ax, layout)
        self.scale = scale = math.sqrt(size) / 14.0  # line widths follow the marker size
        self.across = ax.add_collection(LineCollection([], colors=TIE_COLOUR, linewidths=0.7 * scale, alpha=0.25,
                                                       zorder=1))
        self.reports = ax.add_collection(LineCollection([], colors=REPORTS_COLOUR, linewidths=1.0 * scale,
                                                        alpha=0.35, linestyles=(0, (2, 2)), zorder=1))
        self.within = ax.add_collection(LineCollection([], colors=TIE_COLOUR, linewidths=1.1 * scale, alpha=0.6,
                                                       zorder=2))
        ax.scatter(*layout.centres.T, s=size * 1.8, c=LEADER_COLOUR, marker="s", edgecolors="white",
                   linewidths=1.0 * scale, zorder=7)
        if size >= 60:
            for t, (cx, cy) in enumerate(layout.centres):
                ax.text(cx, cy, str(t + 1), color="white", ha="center", va="center",
                        fontsize=max(6.0, min(11.0, math.sqrt(size) * 0.55)), fontweight="bold", zorder=8)
        if title:   # a long label (a policy switch, a share of teams) wraps instead of running off the picture
            ax.text(0.0, 1.07, wrap_title(title), transform=ax.transAxes, fontsize=15 if len(title) <= TITLE_CHARS
                    else 12, fontweight="bold", va="bottom", ha="left", linespacing=1.1)

        def markers(**style):
            return ax.scatter(np.empty(0), np.empty(0), animated=True, **style)

        self.newcomer = markers(s=size * 2.6, c=NEWCOMER_COLOUR, alpha=0.85, linewidths=0, zorder=3)
        self.vacant = markers(s=size, facecolors="white", edgecolors=VACANT_COLOUR, linewidths=1.4 * scale,
                              linestyles="--", zorder=4)
        self.left = markers(s=size, facecolors="white", edgecolors=LEFT_COLOUR, linewidths=1.6 * scale, zorder=4)
        self.left_cross = markers(s=size * 0.55, c=LEFT_COLOUR, marker="x", linewidths=2.0 * scale, zorder=5)
        self.out_group = markers(s=size, edgecolors="white", linewidths=0.8 * scale, zorder=5)
        self.in_group = markers(s=size, edgecolors=IN_GROUP_EDGE, linewidths=2.6 * scale, zorder=6)
        self.picked = markers(s=size * 4.0, facecolors="none", edgecolors=PICKED_COLOUR, linewidths=2.5, zorder=9)
        self.caption = ax.text(0.0, 1.06, "", transform=ax.transAxes, fontsize=10.5, color="#444444", va="top",
                               ha="left", animated=True)

    @property
    def dynamic(self) -> list:
        return [self.newcomer, self.vacant, self.left, self.left_cross, self.out_group, self.in_group,
                self.picked, self.caption]

    def update(self, run, picked_person: int | None = None) -> bool:
        model = run.model
        m = model.members
        layout = self.layout
        seg = layout.segments(model)
        key = (m.capacity, id(model.ties))
        grew = key != self._segments_key
        if grew:
            self._segments_key = key
            self.across.set_segments(seg["across"])
            self.reports.set_segments(seg["reports"])
            self.within.set_segments(seg["within"])
        xy = layout.xy
        occupied = m.occupied
        newcomer = run.newcomers()
        just_left = run.just_left()
        in_group = m.in_group & occupied
        out_group = occupied & ~m.in_group
        colours = LMX_CMAP(LMX_NORM(m.lmx))
        self.newcomer.set_offsets(xy[newcomer])
        self.vacant.set_offsets(xy[~occupied & ~just_left])
        self.left.set_offsets(xy[just_left])
        self.left_cross.set_offsets(xy[just_left])
        self.out_group.set_offsets(xy[out_group])
        self.out_group.set_facecolor(colours[out_group])
        self.in_group.set_offsets(xy[in_group])
        self.in_group.set_facecolor(colours[in_group])
        where = np.flatnonzero(m.person_id == picked_person) if picked_person is not None else []
        self.picked.set_offsets(xy[where] if len(where) else np.empty((0, 2)))
        self.caption.set_text(f"week {model.week}  ·  {int(occupied.sum())}/{m.capacity} desks filled  ·  "
                              f"{int(in_group.sum())} in-group  ·  {int(newcomer.sum())} newcomers  ·  "
                              f"{int(just_left.sum())} just quit")
        return grew


def draw_network(ax, run, layout: Layout, picked_person: int | None = None, title: str | None = None) -> None:
    """Draw ``run``'s organisation as it is this week onto ``ax`` (for one-off pictures)."""
    NetworkArtists(ax, layout, title=title).update(run, picked_person)


def legend_handles() -> list[Line2D]:
    def dot(label, face, edge, lw=1.0, ls="-", marker="o", ms=10):
        return Line2D([], [], marker=marker, linestyle="none", markersize=ms, markerfacecolor=face,
                      markeredgecolor=edge, markeredgewidth=lw, label=label, fillstyle="full")
    return [
        dot("leader", LEADER_COLOUR, "white", marker="s"),
        dot("in-group (dark ring)", LMX_CMAP(0.8), IN_GROUP_EDGE, lw=2.5),
        dot("out-group", LMX_CMAP(0.2), "white"),
        dot("newcomer", NEWCOMER_COLOUR, NEWCOMER_COLOUR, ms=13),
        dot("vacant", "white", VACANT_COLOUR, lw=1.5),
        dot("just quit", "white", LEFT_COLOUR, lw=1.8, marker="X"),
        Line2D([], [], color=TIE_COLOUR, lw=1.5, label="collaborates"),
        Line2D([], [], color=REPORTS_COLOUR, lw=1.5, ls=(0, (2, 2)), label="reports to"),
    ]


def add_key(fig, rect=(0.08, 0.165, 0.84, 0.022), ncol: int = 4) -> None:
    """Colour bar for LMX and the legend of markers, below the network."""
    from matplotlib.cm import ScalarMappable

    cax = fig.add_axes(rect)
    bar = fig.colorbar(ScalarMappable(norm=LMX_NORM, cmap=LMX_CMAP), cax=cax, orientation="horizontal",
                       extend="both")
    cax.set_title("colour = LMX quality (relationship with the leader): red low, blue high", fontsize=10)
    bar.ax.tick_params(labelsize=9)
    fig.legend(handles=legend_handles(), loc="lower center", ncol=ncol, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.0), handletextpad=0.3, columnspacing=0.9)


def _network_axes(fig):
    return fig.add_axes((0.02, 0.25, 0.96, 0.64))


def network_figure(run, layout: Layout, picked_person: int | None = None, title: str | None = None,
                   figsize=(6.6, 6.6)):
    fig = new_figure(figsize)
    draw_network(_network_axes(fig), run, layout, picked_person=picked_person, title=title)
    add_key(fig)
    return fig


def network_png(run, layout: Layout, picked_person: int | None = None, title: str | None = None) -> bytes:
    return png_bytes(network_figure(run, layout, picked_person=picked_person, title=title))


class LiveNetwork(LiveFigure):
    """The network of one run, redrawn each week over its cached ties and leaders."""

    def __init__(self, run, layout: Layout, title: str | None = None, figsize=(6.6, 6.6)):
        super().__init__(new_figure(figsize))
        self.run = run
        self.artists = NetworkArtists(_network_axes(self.fig), layout, title=title)
        add_key(self.fig)

    def dynamic_artists(self) -> list:
        return self.artists.dynamic

    def update(self, picked_person: int | None = None) -> bool:
        return self.artists.update(self.run, picked_person)


# ---------------------------------------------------------------------- drawn in the browser
PALETTE_SIZE = 64   # LMX colours the browser knows; a frame sends each desk's index into them


def lmx_palette() -> list[str]:
    """The LMX colour scale as hex colours, low to high (the colour bar of the downloads, sampled)."""
    return [to_hex(LMX_CMAP(k / (PALETTE_SIZE - 1))) for k in range(PALETTE_SIZE)]


def lmx_colour_index(lmx: np.ndarray) -> np.ndarray:
    """Index into :func:`lmx_palette` of each LMX value (clipped to the colour scale's band)."""
    return np.rint(np.clip(LMX_NORM(lmx), 0.0, 1.0) * (PALETTE_SIZE - 1)).astype(int)


def _svg_path(segments: np.ndarray) -> str:
    """Line segments ``(n, 2, 2)`` as one SVG path (y flipped: SVG's y grows downwards)."""
    return "".join(f"M{a:.2f} {-b:.2f}L{c:.2f} {-d:.2f}" for (a, b), (c, d) in segments.tolist())


def _flags(mask: np.ndarray) -> str:
    return "".join("1" if f else "0" for f in mask.tolist())


class NetworkFeed:
    """What the browser needs to draw one run's network: :meth:`scene` once, :meth:`frame` each week."""

    def __init__(self, run, layout: Layout, title: str | None = None):
        self.run = run
        self.layout = layout
        self.title = title or ""
        self._scene_key = None
        self._scene: dict = {}

    def scene(self) -> dict:
        """The fixed drawing: desks' coordinates, leaders, ties, colour scale; a new dict only when
        the organisation gains positions (so an unchanged scene is never sent again)."""
        model = self.run.model
        key = (model.members.capacity, id(model.ties))
        if key != self._scene_key:
            layout = self.layout
            seg = layout.segments(model)
            (x0, x1), (y0, y1) = layout.limits
            per_ring = max(int(layout.first_positions.max()), 1)
            radius = min(0.62 * 2 * math.pi * RING_RADIUS / max(per_ring, 3), MARKER_DIAMETER) / 2
            self._scene_key = key
            self._scene = {
                "title": self.title,
                "view": [round(x0, 2), round(-y1, 2), round(x1 - x0, 2), round(y1 - y0, 2)],
                "r": round(radius, 3),
                "xy": [[round(x, 2), round(-y, 2)] for x, y in layout.xy.tolist()],
                "team": model.members.team.tolist(),
                "leaders": [[round(x, 2), round(-y, 2)] for x, y in layout.centres.tolist()],
                "reports": _svg_path(seg["reports"]), "within": _svg_path(seg["within"]),
                "across": _svg_path(seg["across"]),
                "palette": lmx_palette(),
            }
        return self._scene

    def frame(self, picked_person: int | None = None) -> dict:
        """This week's state of every desk, small: colour index (-1 vacant), flags, hover values."""
        run = self.run
        m = run.model.members
        occupied = m.occupied
        newcomer, just_left = run.newcomers(), run.just_left()
        in_group = m.in_group & occupied
        picked = np.flatnonzero(m.person_id == picked_person) if picked_person is not None else []
        return {
            "week": int(run.model.week),
            "colour": np.where(occupied, lmx_colour_index(m.lmx), -1).tolist(),
            "in_group": _flags(in_group), "newcomer": _flags(newcomer), "just_quit": _flags(just_left),
            "person": m.person_id.tolist(),
            "lmx": np.rint(100 * m.lmx).astype(int).tolist(), "trust": np.rint(100 * m.trust).astype(int).tolist(),
            "picked": int(picked[0]) if len(picked) else -1,
            "caption": f"week {run.model.week} · {int(occupied.sum())}/{m.capacity} desks · "
                       f"{int(in_group.sum())} in-group · {int(newcomer.sum())} new · {int(just_left.sum())} quit",
        }


@solara.component_vue("network_view.vue")
def NetworkView(scene: dict, frame: dict, event_desk_click=None):
    """One run's network as SVG, drawn in the browser; a click on a desk calls ``event_desk_click(position)``."""


def in_group_meaning(policies) -> str:
    """What the ring means under ``policies`` (class objects), for the legend's tooltip."""
    lines = ["In-group: the members this leader counts as proven at the last quarterly review "
             "(perceived output and loyalty above a threshold)."]
    for policy in policies:
        if policy.classifier.get("differentiates"):
            lines.append(f"{policy.label}: the in-group gets most of the leader's time, latitude and the "
                         "important work - being in it is a privilege.")
        else:
            lines.append(f"{policy.label}: the leader records it but treats everyone alike, so it is only "
                         "a reading of whom the leader sees as proven, not a privilege.")
    lines.append("Week 0 differs between policies because each leader forms the first in-group its own way.")
    return "\n".join(lines)


def key_html(policies) -> str:
    """One legend for the live networks (HTML): the LMX colour scale and every marker, with tooltips."""
    palette = lmx_palette()
    gradient = ", ".join(palette[::7] + [palette[-1]])
    lo, hi = LMX_NORM.vmin, LMX_NORM.vmax

    def swatch(body: str) -> str:
        return f'<svg width="18" height="18" viewBox="-9 -9 18 18" aria-hidden="true">{body}</svg>'

    def item(svg: str, label: str, tip: str) -> str:
        return f'<span class="lmx-key-item" title="{tip}">{svg} {label}</span>'

    mid = palette[PALETTE_SIZE // 2]
    items = [
        f'<span class="lmx-key-item" title="LMX quality: the relationship between a member and their leader, '
        f'0-1. Colours saturate below {lo:g} and above {hi:g}.">LMX: low <span class="lmx-key-bar" '
        f'style="background: linear-gradient(to right, {gradient})"></span> high</span>',
        item(swatch(f'<rect x="-7" y="-7" width="14" height="14" fill="{LEADER_COLOUR}"/>'), "leader",
             "A team's leader (the number is the team)."),
        item(swatch(f'<circle r="6" fill="{mid}" stroke="{IN_GROUP_EDGE}" stroke-width="2.5"/>'),
             "in-group (dark ring) <sup>?</sup>", in_group_meaning(policies).replace('"', "&quot;")),
        item(swatch(f'<circle r="6" fill="{mid}" stroke="white" stroke-width="1"/>'), "out-group",
             "Members the leader does not count as in-group."),
        item(swatch(f'<circle r="8" fill="{NEWCOMER_COLOUR}" opacity="0.85"/><circle r="4.5" fill="{mid}"/>'),
             "newcomer", "Hired during the run, first weeks in the job."),
        item(swatch(f'<circle r="6" fill="white" stroke="{VACANT_COLOUR}" stroke-width="1.5" '
                    f'stroke-dasharray="2 2"/>'), "vacant", "No one at this desk (waiting for a hire)."),
        item(swatch(f'<circle r="6" fill="white" stroke="{LEFT_COLOUR}" stroke-width="1.5"/>'
                    f'<path d="M-3.5 -3.5L3.5 3.5M-3.5 3.5L3.5 -3.5" stroke="{LEFT_COLOUR}" stroke-width="2"/>'),
             "just quit", "The person at this desk quit in the last weeks."),
        item(swatch(f'<circle r="6" fill="none" stroke="{PICKED_COLOUR}" stroke-width="2.5"/>'), "picked",
             "The person picked in Inspect (click a desk to pick it)."),
        item(swatch(f'<path d="M-8 0H8" stroke="{TIE_COLOUR}" stroke-width="1.5"/>'), "collaborates",
             "A collaboration tie between two desks."),
        item(swatch(f'<path d="M-8 0H8" stroke="{REPORTS_COLOUR}" stroke-width="1.5" stroke-dasharray="2 2"/>'),
             "reports to", "A reporting line to the leader."),
    ]
    return '<div class="lmx-key">' + "".join(items) + "</div>"
