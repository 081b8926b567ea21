"""The debrief: where every participant's team landed, next to bots running each built-in policy on
the same starting team and seed; how decisions differed; exports (CSV, slides as PNG or PDF).

Outcomes of a team over the weeks played (true state, revealed at the debrief):

- innovation: successful ideas per member-year, ``52 * sum(successes) / sum(heads)``;
- turnover: quits per member-year, ``52 * sum(quits) / sum(heads)``;
- trust, engagement: the team's mean over the last round's weeks.

In ``shared_org`` mode a reference bot's figure is the mean over its organisation's teams (each
built like the room's: same people, same seed).

How concentrated a leader's hours were: the Gini coefficient of the hours each member received
over a round (0 = equal shares, towards 1 = all on one person).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from lmxsim.policies.base import policy_class
from lmxsim.workshop.session import Workshop

OUTCOMES = {"innovation": "Successful ideas per member-year", "turnover": "Quits per member-year",
            "trust": "Trust in the leader (last round)", "engagement": "Engagement (last round)"}


def team_outcomes(weekly: pd.DataFrame, last_weeks: int) -> pd.DataFrame:
    """Per team: innovation, turnover, trust and engagement over the weeks played (week 0 excluded)."""
    played = weekly[weekly.week > 0]
    if played.empty:
        return pd.DataFrame(columns=["team", *OUTCOMES])
    recent = played[played.week > played.week.max() - last_weeks]
    sums = played.groupby("team")[["successes", "quits", "heads"]].sum()
    heads = sums.heads.where(sums.heads > 0)
    out = pd.DataFrame({"innovation": 52 * sums.successes / heads, "turnover": 52 * sums.quits / heads})
    out[["trust", "engagement"]] = recent.groupby("team")[["trust", "engagement"]].mean()
    return out.reset_index()


def leaderboard(workshop: Workshop) -> pd.DataFrame:
    """One row per seat (participant or seat bot) and per reference bot, best innovation first."""
    c = workshop.config
    per_team = team_outcomes(workshop.team_weekly(), c.round_weeks).set_index("team")
    rows = []
    seated = {p.seat: p for p in workshop.participants.values()}
    for seat, team in enumerate(workshop.seat_teams):
        p = seated.get(seat)
        who = f"seat {seat + 1}: bot ({_label(c.seat_bot)})"
        if p is not None:   # a latecomer's seat was played by the seat bot before they joined
            who = p.name if not p.joined_round else f"{p.name} (from round {p.joined_round + 1}; a bot before)"
        rows.append({"who": who, "kind": "participant" if p else "seat bot", "seat": seat,
                     **per_team.loc[int(team)].to_dict()})
    for policy, teams in workshop.reference_teams.items():
        rows.append({"who": f"bot: {_label(policy)}", "kind": "reference bot", "seat": None,
                     **per_team.loc[list(map(int, teams))].mean().to_dict()})
    board = pd.DataFrame(rows)
    return board.sort_values("innovation", ascending=False, kind="stable").reset_index(drop=True)


def _label(policy: str) -> str:
    return policy_class(policy).label or policy


def gini(values) -> float:
    """Gini coefficient of non-negative ``values`` (0: equal; (n-1)/n: all on one).

    Equal values can add up to a rounding error below 0 (-2e-17 for four times 43.03804079818413):
    it is shown as 0."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    return max(0.0, float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * total)))


def decisions_frame(workshop: Workshop) -> pd.DataFrame:
    """Every seat's choices per round and person (who played it: participant, kept or bot)."""
    rows = []
    for rec in workshop.decision_log:
        c = rec["choices"]
        for pid in rec["people"]:
            rows.append({"round": rec["round"], "seat": rec["seat"], "participant": rec["participant"],
                         "played_by": rec["played_by"], "submitted": rec["submitted"], "person_id": pid,
                         "hours_weight": c.hours.get(pid) if c else None,
                         "latitude": c.latitude.get(pid) if c else None,
                         "deal": (pid in c.deal) if c else None, "promise": c.promise if c else None,
                         "assignment": (pid in c.assignments) if c else None})
    return pd.DataFrame(rows)


def hours_concentration(workshop: Workshop) -> pd.DataFrame:
    """Per seat and round: Gini of the hours members received and the share in the deal (bots
    included, by what they actually did) - from the records alone."""
    members = workshop.member_weekly()
    members = members[members.week > 0]
    rounds = np.ceil(members.week / workshop.config.round_weeks).astype(int).rename("round")
    hours = members.groupby(["team", rounds, "person_id"]).hours.sum()
    by_team_round = hours.groupby(level=["team", "round"])
    out = pd.DataFrame({"hours_gini": by_team_round.agg(gini).round(3),
                        "in_group_share": members.groupby(["team", rounds]).in_group.mean().astype(float).round(3)})
    out = out.reset_index()
    seat_of = {int(t): s for s, t in enumerate(workshop.seat_teams)}
    out.insert(0, "seat", out.pop("team").map(seat_of).astype(int))
    return out[["seat", "round", "hours_gini", "in_group_share"]]


def with_names(frame: pd.DataFrame, workshop: Workshop) -> pd.DataFrame:
    """``frame`` (with a ``seat`` column) with who led each seat: the participant's name or a bot."""
    names = {p.seat: p.name for p in workshop.participants.values()}
    out = frame.copy()
    out.insert(1, "who", [names.get(seat, f"seat {seat + 1}: bot") for seat in out.seat])
    return out


def concentration(workshop: Workshop) -> pd.DataFrame:
    """Per seat and round: Gini of the hours members received, share in the deal, the promise
    - how differently the room led (bots included, by what they actually did)."""
    return with_names(hours_concentration(workshop), workshop)


def csv_bytes(workshop: Workshop) -> dict[str, bytes]:
    """The workshop's data as CSV files: decisions, team weeks, member weeks, leaderboard."""
    frames = {"decisions.csv": decisions_frame(workshop), "teams_weekly.csv": workshop.team_weekly(),
              "members_weekly.csv": workshop.member_weekly(), "leaderboard.csv": leaderboard(workshop)}
    return {name: frame.to_csv(index=False).encode() for name, frame in frames.items()}


def slides(workshop: Workshop, fmt: str = "png") -> bytes:
    """The debrief as one slide (PNG) or a two-page PDF: the leaderboard on the four outcomes,
    and each seat's innovation and trust week by week next to the reference bots."""
    from matplotlib.backends.backend_pdf import PdfPages

    board = leaderboard(workshop)
    figs = [_board_figure(board, workshop), _trajectory_figure(workshop)]
    buf = io.BytesIO()
    if fmt == "pdf":
        with PdfPages(buf) as pdf:
            for fig in figs:
                pdf.savefig(fig)
    else:
        figs[0].savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _board_figure(board: pd.DataFrame, workshop: Workshop):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13.33, 7.5))
    colours = {"participant": "#1f77b4", "seat bot": "#b0b0b0", "reference bot": "#d62728"}
    # one row per team in every panel, in the leaderboard's order (best innovation first): the names
    # are drawn once, on the first panel - a panel sorted by its own outcome put bars on others' rows
    for k, (name, title) in enumerate(OUTCOMES.items()):
        ax = fig.add_subplot(1, 4, k + 1)
        ax.barh(range(len(board)), board[name], color=[colours[kind] for kind in board.kind])
        ax.set_yticks(range(len(board)))
        ax.set_yticklabels(board.who if k == 0 else [""] * len(board), fontsize=7)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9)
        if not (board[name].fillna(0) != 0).any():   # e.g. nobody left: an axis around 0, said in words
            ax.set_xlim(0, 1)
            ax.text(0.5, 0.5, "0 for everyone", transform=ax.transAxes, ha="center", fontsize=9, color="#555555")
    c = workshop.config
    bots = "on the same team and luck" if c.mode == "same_team" else "each the mean of its organisation's teams"
    fig.suptitle(f"lmxsim workshop - {c.scenario}, {workshop.round} rounds of {c.round_weeks} weeks, seed {c.seed} "
                 f"(blue: participants, grey: seat bots, red: bots running each built-in policy, {bots})",
                 fontsize=10)
    fig.subplots_adjust(left=0.17, right=0.98, wspace=0.25)
    return fig


def _trajectory_figure(workshop: Workshop):
    from matplotlib.figure import Figure

    weekly = workshop.team_weekly()
    fig = Figure(figsize=(13.33, 7.5))
    for k, name in enumerate(("lmx", "trust")):
        ax = fig.add_subplot(1, 2, k + 1)
        for team in workshop.seat_teams:
            t = weekly[weekly.team == team]
            ax.plot(t.week, t[name], color="#1f77b4", alpha=0.35, lw=1)
        for policy, teams in workshop.reference_teams.items():
            t = weekly[weekly.team.isin(teams)].groupby("week")[name].mean()
            ax.plot(t.index, t.values, lw=2, label=_label(policy))
        ax.set_title(f"Team mean {name} by week (blue: the room's teams)")
        ax.set_xlabel("week")
    fig.axes[0].legend(fontsize=7)
    return fig
