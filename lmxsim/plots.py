"""Figures for comparisons and validation (matplotlib, drawn off-screen).

Figures are built with ``matplotlib.figure.Figure`` directly, never through pyplot, so
drawing them leaves the caller's matplotlib backend alone (notebooks keep their inline
figures). Lines are labelled at their right end in their own colour, so a reader never
has to match colours against a legend.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lmxsim.stats import mean_ci

COLOURS = matplotlib.colormaps["tab10"].colors


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(6, 4), **kw):
    """An off-screen figure and its axes (like ``plt.subplots``, without pyplot)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kw)

SMOOTH_WEEKS = 13


def _label_ends(ax, ends: list[tuple[float, float, str, str]]) -> None:
    """Write each label at its line's last point, nudged apart so they never overlap."""
    if not ends:
        return
    ends = sorted(ends, key=lambda e: e[1])
    lo, hi = ax.get_ylim()
    gap = (hi - lo) * 0.045
    placed = []
    for x, y, text, colour in ends:
        y_text = max(y, placed[-1] + gap) if placed else y
        placed.append(y_text)
        ax.annotate(text, xy=(x, y), xytext=(x + 2, y_text), color=colour, fontsize=8, va="center",
                    annotation_clip=False)


def series_by_policy(weekly: pd.DataFrame, column: str, per_head: bool, annualise: bool) -> dict:
    """Per policy: weeks, mean and CI band of a 13-week rolling series across seeds."""
    out = {}
    for pol, g in weekly[weekly.week >= 1].groupby("policy", sort=False):
        wide = g.pivot(index="week", columns="seed", values=column)
        if per_head:
            heads = g.pivot(index="week", columns="seed", values="headcount").clip(lower=1)
            wide = wide.rolling(SMOOTH_WEEKS, min_periods=1).sum() / heads.rolling(SMOOTH_WEEKS, min_periods=1).sum()
        else:
            wide = wide.rolling(SMOOTH_WEEKS, min_periods=1).mean()
        if annualise:
            wide = wide * 52.0
        stats = np.array([mean_ci(row) for row in wide.to_numpy()])
        out[pol] = (wide.index.to_numpy(), stats[:, 0], stats[:, 1], stats[:, 2])
    return out


# the outcomes of the comparison figure: weekly column, per head?, annualised?, run-level outcome, axis label
COMPARISON_PANELS = (
    ("innovation", True, True, "innovation_per_member_year", "innovation\n(successful ideas per member-year)"),
    ("quits", True, True, "annual_turnover", "voluntary turnover\n(share per year)"),
    ("mean_lmx", False, False, "mean_lmx", "mean LMX"),
    ("mean_trust", False, False, "mean_trust", "trust in leader"),
)


def comparison_figure(weekly: pd.DataFrame, summary: pd.DataFrame, policies: list[str], title: str, path) -> None:
    """Innovation, turnover, LMX and trust: over time (one line per policy with a 95% CI band,
    the two measurement windows shaded) and, below, each policy's outcome over each window
    (``summary`` of :func:`lmxsim.compare.summarise`: mean and 95% CI, filled = weeks 26-end,
    open = last year)."""
    from lmxsim.outcomes import WINDOW_LABELS, WINDOWS

    fig = Figure(figsize=(13, 11))
    # the series leave room at their right for the line labels; the points at their left for policy names
    top = fig.add_gridspec(2, 2, left=0.07, right=0.89, top=0.9, bottom=0.4, wspace=0.5, hspace=0.12)
    bottom = fig.add_gridspec(1, 4, left=0.15, right=0.89, top=0.31, bottom=0.07, wspace=0.12)
    series_axes = [fig.add_subplot(top[r, c]) for r in (0, 1) for c in (0, 1)]
    point_axes = [fig.add_subplot(bottom[0, c]) for c in range(4)]
    colour_of = {p: COLOURS[i % 10] for i, p in enumerate(policies)}
    first_week = summary.groupby("window").first_week.first()
    horizon = int(weekly.week.max())
    for ax, (col, per_head, annualise, _, ylabel) in zip(series_axes, COMPARISON_PANELS):
        series = series_by_policy(weekly, col, per_head, annualise)
        ax.axvspan(first_week[WINDOWS[1]] - 0.5, horizon + 0.5, color="0.9", lw=0, zorder=0)
        ax.axvline(first_week[WINDOWS[0]] - 0.5, color="0.5", lw=0.8, ls=":", zorder=0)
        ends = []
        for pol in policies:
            weeks, mean, lo, hi = series[pol]
            ax.plot(weeks, mean, color=colour_of[pol], lw=1.8)
            ax.fill_between(weeks, lo, hi, color=colour_of[pol], alpha=0.18, lw=0)
            ends.append((weeks[-1], mean[-1], pol, colour_of[pol]))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        _label_ends(ax, ends)
    for ax in series_axes[:2]:
        ax.tick_params(labelbottom=False)
    for ax in series_axes[2:]:
        ax.set_xlabel("week")
    y = np.arange(len(policies))[::-1]
    offset = {WINDOWS[0]: -0.17, WINDOWS[1]: 0.17}
    for ax, (_, _, _, outcome, label) in zip(point_axes, COMPARISON_PANELS):
        rows = summary[summary.outcome == outcome].set_index(["policy", "window"])
        for yi, pol in zip(y, policies):
            for window in WINDOWS:
                r = rows.loc[(pol, window)]
                filled = window == WINDOWS[0]
                ax.errorbar(r["mean"], yi - offset[window], xerr=[[r["mean"] - r.ci_low], [r.ci_high - r["mean"]]],
                            fmt="o", ms=5, color=colour_of[pol], mfc=colour_of[pol] if filled else "white",
                            mew=1.3, elinewidth=1.2, capsize=2)
        ax.set_yticks(y, policies if ax is point_axes[0] else [])
        for tick, pol in zip(ax.get_yticklabels(), policies):
            tick.set_color(colour_of[pol])
        ax.set_ylim(-0.6, len(policies) - 0.4)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(alpha=0.3, axis="x")
        ax.spines[["top", "right"]].set_visible(False)
    handles = [point_axes[0].errorbar([], [], xerr=[], fmt="o", color="0.3", mfc=mfc, label=WINDOW_LABELS[w])
               for w, mfc in zip(WINDOWS, ("0.3", "white"))]
    point_axes[-1].legend(handles=handles, loc="lower left", bbox_to_anchor=(1.02, 0.0), frameon=False, fontsize=8)
    spans = {w: f"weeks {int(first_week[w])}-{horizon}" for w in WINDOWS}
    fig.suptitle(f"{title}\ntop: 13-week rolling, band = 95% CI over seeds; {WINDOW_LABELS[WINDOWS[0]]} "
                 f"({spans[WINDOWS[0]]}) from the dotted line, {WINDOW_LABELS[WINDOWS[1]]} ({spans[WINDOWS[1]]}) "
                 "shaded\nbottom: each policy's outcome over each window, mean and 95% CI over seeds", fontsize=11)
    fig.savefig(path, dpi=110)


def bar_with_ci(labels, means, lows, highs, ylabel: str, title: str, path, reference: float | None = None) -> None:
    fig, ax = new_figure(figsize=(6, 4))
    x = np.arange(len(labels))
    means = np.asarray(means, float)
    err = np.vstack([means - np.asarray(lows, float), np.asarray(highs, float) - means])
    ax.bar(x, means, color="#4c72b0", yerr=err, capsize=4)
    if reference is not None:
        ax.axhline(reference, color="grey", lw=1)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
