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


def comparison_figure(weekly: pd.DataFrame, policies: list[str], title: str, path) -> None:
    """Innovation and turnover over time, one line per policy with a 95% CI band."""
    panels = [
        ("innovation", True, True, "innovation\n(successful ideas per member-year)"),
        ("quits", True, True, "voluntary turnover\n(share per year)"),
        ("mean_lmx", False, False, "mean LMX"),
        ("mean_trust", False, False, "trust in leader"),
    ]
    fig, axes = new_figure(2, 2, figsize=(12, 7.5), sharex=True)
    colours = COLOURS
    colour_of = {p: colours[i % 10] for i, p in enumerate(policies)}
    for ax, (col, per_head, annualise, ylabel) in zip(axes.flat, panels):
        series = series_by_policy(weekly, col, per_head, annualise)
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
    for ax in axes[1]:
        ax.set_xlabel("week")
    fig.suptitle(title + "\n(13-week rolling; band = 95% CI over seeds)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.88, 1))
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
