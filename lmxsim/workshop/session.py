"""One workshop: seats, join code and tokens, rounds, the timer, events and messages.

Every organisation of a workshop advances in one batch engine (:class:`lmxsim.engine.Engine`):

- **seats** - the teams participants lead. In ``same_team`` mode each seat is an organisation of
  one team and every seat starts from the same people and seed (the same luck, week by week:
  random numbers are keyed by person), so every participant's result is comparable; in
  ``shared_org`` mode the seats are the teams of one organisation, and participants' teams
  affect each other (social comparison, turnover contagion).
- **reference bots** - one more organisation per built-in policy, built like the seats' (same
  people, same seed, same events): where reactive and proactive land, next to the room.

A round is ``round_weeks`` weeks (a quarter). While a round is open each participant submits
:class:`~lmxsim.workshop.choices.TeamChoices`; when the timer ends, or every seated participant
has submitted, or the facilitator closes it, the round is played: a participant who did not
submit keeps last round's choices (``absent = "keep"``) or is played by a policy bot
(``absent = "<policy>"``); a seat nobody holds is played by ``seat_bot``.

Security lives here, not in the page: joining needs the join code; a participant's token decides
their seat (no request names a team); facilitator actions need the facilitator's token; every
choice is checked (:meth:`TeamChoices.parse`). A browser id (the page's session cookie) lets a
participant who closed the tab resume their seat. All methods are thread-safe (one lock); every
change bumps :attr:`Workshop.version` and wakes :meth:`Workshop.wait_for_change`; a change the
participants' pages show (phase, round, timer, a message) also bumps :attr:`Workshop.room_version`,
which is what those pages follow - a join, a submission or a pending event is news for the
facilitator's console only, so thirty submissions do not redraw thirty pages thirty times.
"""

from __future__ import annotations

import dataclasses
import numbers
import secrets
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lmxsim.engine import Engine, OrgSpec
from lmxsim.errors import LMXInputError
from lmxsim.params import Params
from lmxsim.policies import policy_names
from lmxsim.policies.base import policy_class, registered
from lmxsim.scenarios import BrokenPromiseShock, ScaleLeaderHours, get_scenario
from lmxsim.state import STAGE_NAMES
from lmxsim.workshop.choices import TeamChoices
from lmxsim.workshop.leader import ParticipantLeader

MODES = ("same_team", "shared_org")
PHASES = ("lobby", "open", "results", "debrief")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: read aloud and typed on phones
CODE_LENGTH = 6
MAX_NAME = 30
MAX_MESSAGE = 280
TEAM_MEASURES = ("lmx", "trust", "engagement", "turnover_intention", "psych_safety", "perceived_competence")
FIRST_NAMES = (
    "Alex", "Bea", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena", "Milo", "Nia",
    "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Vik", "Wren", "Xia", "Yusuf", "Zoe", "Ada", "Ben",
    "Cleo", "Dev", "Ema", "Finn", "Gala", "Hugo", "Ines", "Jonas", "Kira", "Luca", "Maya", "Noor", "Otto",
    "Priya", "Rafa", "Sara", "Theo", "Vera", "Will", "Yara")


def builtin_policies() -> list[str]:
    """The policies lmxsim ships (not a user's registered ones): the reference bots' policies."""
    return [n for n in policy_names() if policy_class(n).__module__.startswith("lmxsim.policies.")]


def person_name(person_id: int) -> str:
    """A short name for a person (the same person has the same name in every seat)."""
    pid = int(person_id)
    return f"{FIRST_NAMES[pid % len(FIRST_NAMES)]} {chr(ord('A') + (pid // len(FIRST_NAMES)) % 26)}."


EVENTS = {
    "budget_cut": "Budget cut: every leader's exchange hours x0.7",
    "going_remote": "The teams go remote: contact counts half (contact_efficiency 0.5)",
    "broken_promise": "A broken-promise shock: a promise to every member is broken",
}


@dataclass(frozen=True)
class WorkshopConfig:
    """What the facilitator sets before the first round (each field checked, one-line errors)."""

    scenario: str = "default"
    team_size: int = 8
    seats: int = 12
    rounds: int = 4
    round_weeks: int = 13
    seed: int = 1
    mode: str = "same_team"
    absent: str = "keep"
    seat_bot: str = "reactive_in_crowd"
    round_seconds: int = 300
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        get_scenario(self.scenario)
        for name, low, high in (("team_size", 3, 20), ("seats", 1, 60), ("rounds", 1, 20), ("round_weeks", 1, 52),
                                ("seed", 0, 2**63 - 1), ("round_seconds", 10, 7200)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
                raise LMXInputError(name, value, f"a whole number in [{low}, {high}]")
        if self.mode not in MODES:
            raise LMXInputError("mode", self.mode, "one of " + ", ".join(MODES))
        for name, by in (("team_size", "its team size (--team-size)"), ("n_teams", "its seats and mode (--seats)"),
                         ("weeks", "its rounds x round weeks (--rounds, --round-weeks)")):
            if name in self.params:
                raise LMXInputError(f"--set {name}", self.params[name], f"no value: the workshop sets it from {by}")
        bots = builtin_policies()
        if self.absent != "keep" and self.absent not in bots:
            raise LMXInputError("absent", self.absent, "keep, or a policy: " + ", ".join(bots))
        if self.seat_bot not in bots:
            raise LMXInputError("seat_bot", self.seat_bot, "a policy: " + ", ".join(bots))
        self.org_params()   # parameter overrides checked here, before anything runs

    @property
    def weeks(self) -> int:
        return self.rounds * self.round_weeks

    def org_params(self, teams: int | None = None) -> Params:
        """Each organisation's parameters: the scenario's, the overrides, the workshop's shape."""
        n_teams = teams if teams is not None else (1 if self.mode == "same_team" else self.seats)
        overrides = {**get_scenario(self.scenario).overrides, **self.params}
        return Params(**{**overrides, "n_teams": n_teams, "team_size": self.team_size, "weeks": self.weeks})


@dataclass
class Participant:
    """One person at the workshop, holding one seat."""

    name: str
    seat: int
    token: str
    browsers: set = field(default_factory=set)
    submitted: TeamChoices | None = None      # this round's choices, once submitted
    last: TeamChoices | None = None           # the choices the last round was played with
    joined_round: int = 0                     # rounds played before they joined (a seat bot played those)


class Workshop:
    """One workshop (see the module docstring). ``clock`` is for tests (default ``time.monotonic``)."""

    def __init__(self, config: WorkshopConfig | None = None, clock=time.monotonic):
        self.config = config = config or WorkshopConfig()
        self.code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self.facilitator_token = secrets.token_urlsafe(16)
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.version = 0         # any change (the facilitator's console follows it)
        self.room_version = 0    # a change the participants' pages show (phase, round, timer, messages)
        self._memo: dict = {}
        self._played_memo: tuple[int, dict] = (-1, {})   # (week, memo) for memo(..., played=True)
        self.phase = "lobby"
        self.round = 0                  # rounds played
        self.deadline: float | None = None
        self.paused_remaining: float | None = None
        self.messages: list[tuple[int, str]] = []   # (round, text), newest last
        self.events: list[tuple[int, str]] = []     # (week it took effect, event name)
        self._pending_events: list[str] = []
        self.participants: dict[str, Participant] = {}   # by token
        self._by_browser: dict[str, str] = {}
        self.decision_log: list[dict] = []
        self.weekly: list[dict] = []                # per week and team: the team's record
        self.members: list[pd.DataFrame] = []       # per week: the seats' members (stories)
        self._build_engine()

    # ------------------------------------------------------------------ the organisations
    def _build_engine(self) -> None:
        c = self.config
        preset = dataclasses.replace(get_scenario(c.scenario), events=())   # events come from the facilitator
        self.reference_policies = builtin_policies()
        specs = [OrgSpec(ParticipantLeader.name, c.org_params(), c.seed, preset)
                 for _ in range(c.seats if c.mode == "same_team" else 1)]
        specs += [OrgSpec(name, c.org_params(), c.seed, preset) for name in self.reference_policies]
        self._leavers = np.zeros(0, dtype=np.int64)
        with registered([ParticipantLeader]):
            self.engine = Engine(specs, on_leaving=self._count_leavers)
        self.leader = next(p for p in self.engine.policy_table if isinstance(p, ParticipantLeader))
        teams_per_org = 1 if c.mode == "same_team" else c.seats
        self.seat_teams = np.arange(c.seats)   # one team per seat organisation, or the shared one's teams
        n_seat_orgs = c.seats if c.mode == "same_team" else 1
        first_ref_team = n_seat_orgs * teams_per_org
        # reference organisation k's teams, in the seats' order
        self.reference_teams = {name: first_ref_team + k * teams_per_org + np.arange(teams_per_org)
                                for k, name in enumerate(self.reference_policies)}
        self.seat_policy = [ParticipantLeader.name] * c.seats
        for seat in range(c.seats):
            self.leader.choices[int(self.seat_teams[seat])] = TeamChoices.baseline(self.people(seat))
        self._record_week()

    def _count_leavers(self, idx: np.ndarray) -> None:
        self._leavers = np.concatenate([self._leavers, self.engine.members.team[idx].astype(np.int64)])

    def people(self, seat: int) -> list[int]:
        """Person ids of the seat's team now (occupied positions, in desk order)."""
        m = self.engine.members
        at = np.flatnonzero((m.team == self.seat_teams[seat]) & m.occupied)
        return [int(p) for p in m.person_id[at]]

    @property
    def assignments_allowed(self) -> int:
        return int(np.max(np.ones(1, dtype=np.int64) * self.engine.team_params.assignments_per_team))

    # ------------------------------------------------------------------ joining
    def join(self, code: str, name: str, browser: str | None = None) -> Participant:
        """A participant joins (or, from a browser that joined before, resumes) and gets a seat."""
        with self._lock:
            if not isinstance(code, str) or not secrets.compare_digest(code.strip().upper(), self.code):
                raise LMXInputError("join code", code, "the code the facilitator shows")
            if browser is not None and browser in self._by_browser:
                return self.participants[self._by_browser[browser]]
            name = _clean_text(name, "name", MAX_NAME)
            if self.phase == "debrief":
                raise LMXInputError("join", name, "a workshop still running (this one has played its last round)")
            taken = {p.seat for p in self.participants.values()}
            free = [s for s in range(self.config.seats) if s not in taken]
            if not free:
                raise LMXInputError("seat", name, f"a free seat (all {self.config.seats} are taken; "
                                    "the facilitator can start a workshop with more seats)")
            names = {p.name for p in self.participants.values()}
            unique, k = name, 2
            while unique in names:
                unique, k = f"{name} ({k})", k + 1
            p = Participant(unique, free[0], secrets.token_urlsafe(16), joined_round=self.round)
            self.participants[p.token] = p
            if browser is not None:
                p.browsers.add(browser)
                self._by_browser[browser] = p.token
            self._bump(room=False)
            return p

    def resume(self, browser: str) -> Participant | None:
        """The participant this browser joined as, if any."""
        with self._lock:
            token = self._by_browser.get(browser)
            return self.participants.get(token) if token else None

    def participant(self, token: str) -> Participant:
        with self._lock:
            p = self.participants.get(token) if isinstance(token, str) else None
            if p is None:
                raise LMXInputError("participant token", "(hidden)", "the token given when you joined")
            return p

    def _facilitator(self, token: str) -> None:
        if not isinstance(token, str) or not secrets.compare_digest(token, self.facilitator_token):
            raise LMXInputError("facilitator token", "(hidden)", "the facilitator's token")

    # ------------------------------------------------------------------ decisions
    def submit(self, token: str, raw) -> TeamChoices:
        """A participant's choices for the open round (their own seat only)."""
        with self._lock:
            p = self.participant(token)
            if self.phase != "open":
                raise LMXInputError("round", self.phase, "an open round (wait for the facilitator)")
            p.submitted = TeamChoices.parse(raw, self.people(p.seat), self.assignments_allowed)
            self._bump(room=False)
            if self.all_submitted():
                self._play_round()
            return p.submitted

    def all_submitted(self) -> bool:
        with self._lock:
            return bool(self.participants) and all(p.submitted is not None for p in self.participants.values())

    # ------------------------------------------------------------------ the facilitator
    def open_round(self, token: str, seconds: int | None = None) -> None:
        with self._lock:
            self._facilitator(token)
            if self.phase not in ("lobby", "results"):
                raise LMXInputError("open round", self.phase, "after the lobby or a round's results")
            seconds = self.config.round_seconds if seconds is None else seconds
            if isinstance(seconds, bool) or not isinstance(seconds, numbers.Integral) or not 10 <= seconds <= 7200:
                raise LMXInputError("round seconds", seconds, "a whole number in [10, 7200]")
            for p in self.participants.values():
                p.submitted = None
            self.phase = "open"
            self.deadline, self.paused_remaining = self._clock() + seconds, None
            self._bump()

    def pause(self, token: str) -> None:
        with self._lock:
            self._facilitator(token)
            if self.phase == "open" and self.paused_remaining is None:
                self.paused_remaining = max(0.0, self.deadline - self._clock())
                self._bump()

    def resume_timer(self, token: str) -> None:
        with self._lock:
            self._facilitator(token)
            if self.phase == "open" and self.paused_remaining is not None:
                self.deadline, self.paused_remaining = self._clock() + self.paused_remaining, None
                self._bump()

    def close_round(self, token: str) -> None:
        """Play the open round now (whoever has not submitted is handled as ``absent`` says)."""
        with self._lock:
            self._facilitator(token)
            if self.phase != "open":
                raise LMXInputError("close round", self.phase, "an open round")
            self._play_round()

    def inject(self, token: str, event: str) -> None:
        """An event (``EVENTS``) that hits every organisation - seats and reference bots - when the
        next round starts to play."""
        with self._lock:
            self._facilitator(token)
            if event not in EVENTS:
                raise LMXInputError("event", event, "one of " + ", ".join(EVENTS))
            if self.phase == "debrief":
                raise LMXInputError("event", event, "before the last round is played")
            if event in self._pending_events:
                raise LMXInputError("event", event, "an event not yet queued for the next round (queued: "
                                    + ", ".join(self._pending_events) + ")")
            self._pending_events.append(event)
            self._bump(room=False)

    def broadcast(self, token: str, text: str) -> None:
        with self._lock:
            self._facilitator(token)
            self.messages.append((self.round, _clean_text(text, "message", MAX_MESSAGE)))
            self._bump()

    def tick(self) -> bool:
        """Close the round if its timer has run out; True if a round was played. Call it often
        (the pages' refresh loop does)."""
        with self._lock:
            if self.phase == "open" and self.paused_remaining is None and self._clock() >= self.deadline:
                self._play_round()
                return True
            return False

    def seconds_left(self) -> float | None:
        with self._lock:
            if self.phase != "open":
                return None
            if self.paused_remaining is not None:
                return self.paused_remaining
            return max(0.0, self.deadline - self._clock())

    # ------------------------------------------------------------------ playing a round
    def _play_round(self) -> None:
        c, engine = self.config, self.engine
        start = engine.week + 1
        seated = {p.seat: p for p in self.participants.values()}
        wanted = []
        for seat in range(c.seats):
            team = int(self.seat_teams[seat])
            p = seated.get(seat)
            if p is None:
                policy, choices = c.seat_bot, None
            elif p.submitted is not None:
                policy, choices = ParticipantLeader.name, p.submitted
            elif c.absent == "keep":
                previous = p.last or TeamChoices.baseline(self.people(seat))
                policy, choices = ParticipantLeader.name, previous.carried_over(self.people(seat))
            else:
                policy, choices = c.absent, None
            wanted.append((seat, team, policy, choices))
        with registered([ParticipantLeader]):
            for seat, team, policy, choices in wanted:
                if choices is not None:
                    self.leader.choices[team] = choices
                if policy != self.seat_policy[seat]:
                    engine.set_policy(policy, np.array([team]))
                    self.seat_policy[seat] = policy
        self.leader.round_start = start
        m = engine.members
        for seat, team, policy, choices in wanted:   # the deal makes the in-group at once, not at the next review
            if choices is not None:
                at = np.flatnonzero(m.team == team)
                m.in_group[at] = np.isin(m.person_id[at], list(choices.deal)) & m.occupied[at]
        for event in self._pending_events:
            self._apply_event(event)
        self._pending_events = []
        for seat, team, policy, choices in wanted:
            p = seated.get(seat)
            self.decision_log.append(_decision_rows(self.round + 1, seat, p, policy, choices, self.people(seat)))
            if p is not None:
                p.last = choices if choices is not None else p.last
        for _ in range(c.round_weeks):
            engine.step()
            self._record_week()
        self.round += 1
        for p in self.participants.values():
            p.submitted = None
        self.phase = "debrief" if self.round >= c.rounds else "results"
        self.deadline = self.paused_remaining = None
        self._bump()

    def _apply_event(self, event: str) -> None:
        week = self.engine.week
        if event == "budget_cut":
            ScaleLeaderHours(week, 0.7).apply(self.engine)
        elif event == "going_remote":
            self.engine.change_params(contact_efficiency=0.5)
        else:
            BrokenPromiseShock(week).apply(self.engine)
        self.events.append((week, event))

    def _record_week(self) -> None:
        """This week's record of every team (seats and reference bots) and the seats' members."""
        engine, m = self.engine, self.engine.members
        n = engine.n_teams
        present = m.occupied
        heads = np.bincount(m.team, weights=present, minlength=n)
        row = {"week": np.full(n, engine.week), "team": np.arange(n), "heads": heads,
               "successes": np.bincount(m.team, weights=m.successes_this_week * present, minlength=n),
               "quits": np.bincount(self._leavers, minlength=n)}
        for name in TEAM_MEASURES + ("hours",):
            total = np.bincount(m.team, weights=getattr(m, name) * present, minlength=n)
            row[name] = np.divide(total, heads, out=np.zeros(n), where=heads > 0)
        self.weekly.append(row)
        self._leavers = np.zeros(0, dtype=np.int64)
        seats = np.isin(m.team, self.seat_teams) & present
        self.members.append(pd.DataFrame({
            "week": engine.week, "team": m.team[seats], "person_id": m.person_id[seats],
            **{name: getattr(m, name)[seats] for name in TEAM_MEASURES + ("hours", "in_group", "assignment")},
            "stage": m.stage[seats]}))

    # ------------------------------------------------------------------ what people see
    def leader_view(self, token: str) -> pd.DataFrame:
        """What the participant's leader sees of each member now: the leader's (noisy) view of
        competence and loyalty, tenure, the relationship's stage, the deal, last round's hours and
        assignments - not their true state."""
        with self._lock:
            p = self.participant(token)
            m, week = self.engine.members, self.engine.week
            at = np.flatnonzero((m.team == self.seat_teams[p.seat]) & m.occupied)
            last = self.memo("last_round_by_person", self._last_round_by_person, played=True)
            team = int(self.seat_teams[p.seat])
            ids = m.person_id[at].astype(np.int64)
            keys = pd.MultiIndex.from_arrays([np.full(len(at), team), ids], names=["team", "person_id"])
            mine = last.reindex(keys)
            return pd.DataFrame({
                "person_id": ids, "name": [person_name(pid) for pid in ids],
                "tenure_weeks": (week - m.hire_week[at]).astype(int),
                "stage": [STAGE_NAMES[int(s)] for s in m.stage[at]], "in_deal": m.in_group[at].astype(bool),
                "seen_competence": np.round(m.perceived_competence[at], 2),
                "seen_loyalty": np.round(m.perceived_loyalty[at], 2),
                "hours_last_round": np.round(mine.hours.fillna(0.0).to_numpy(), 2),
                "assignment_weeks": mine.assignment.fillna(0).to_numpy().astype(int)})

    def _last_round_by_person(self) -> pd.DataFrame:
        """Per (team, person id): mean hours and weeks on an important assignment over the last round
        (week 0 before the first round), for every seat at once."""
        weeks = self.config.round_weeks
        recent = self.members[-weeks:] if self.round else self.members[:1]
        frame = pd.concat(recent, ignore_index=True)
        return frame.groupby(["team", "person_id"]).agg(hours=("hours", "mean"), assignment=("assignment", "sum"))

    def round_summary(self) -> dict[int, dict]:
        """Per team, the last round played: successful ideas, the leader's mean hours per person
        per week, and who left and who joined (person ids) - every team at once."""
        with self._lock:
            weekly = self.memo("team_weekly", self.team_weekly, played=True)
            members = self.memo("member_weekly", self.member_weekly, played=True)
            played = weekly[(weekly["round"] == self.round) & (weekly.week > 0)].groupby("team")
            ideas, hours = played.successes.sum(), played.hours.mean()
            first = (self.round - 1) * self.config.round_weeks
            before = members[members.week == first].groupby("team").person_id.agg(set)
            after = members[members.week == self.engine.week].groupby("team").person_id.agg(set)
            out = {}
            for team in map(int, self.seat_teams):
                b, a = before.get(team, set()), after.get(team, set())
                out[team] = {"successes": int(ideas.get(team, 0)), "hours": float(hours.get(team, float("nan"))),
                             "left": sorted(b - a), "joined": sorted(a - b)}
            return out

    def team_weekly(self) -> pd.DataFrame:
        """Per week and team: heads, successes, quits, team means (true state) - seats and bots."""
        with self._lock:
            frame = pd.concat([pd.DataFrame(r) for r in self.weekly], ignore_index=True)
        frame.insert(2, "round", np.ceil(frame.week / self.config.round_weeks).astype(int))
        return frame

    def member_weekly(self) -> pd.DataFrame:
        """Per week: every seat member's true state (the team stories)."""
        with self._lock:
            return pd.concat(self.members, ignore_index=True)

    def status(self) -> dict:
        """The facilitator's overview: phase, round, timer, who is seated and who has submitted."""
        with self._lock:
            return {"phase": self.phase, "round": self.round, "rounds": self.config.rounds,
                    "week": self.engine.week, "seconds_left": self.seconds_left(),
                    "paused": self.paused_remaining is not None,
                    "participants": [{"name": p.name, "seat": p.seat, "submitted": p.submitted is not None}
                                     for p in sorted(self.participants.values(), key=lambda q: q.seat)],
                    "pending_events": list(self._pending_events), "messages": list(self.messages)}

    # ------------------------------------------------------------------ change notification
    def _bump(self, room: bool = True) -> None:
        self.version += 1
        self.room_version += room
        self._memo.clear()
        self._changed.notify_all()

    def memo(self, name: str, compute, played: bool = False):
        """``compute()`` once per version of the workshop: thirty pages redrawing after a round
        share one leaderboard, one table of team weeks, ... With ``played``, once per week played
        (for what depends on the records alone, not on who joined or submitted: the console
        redraws at every submission)."""
        with self._lock:
            memo = self._memo
            if played:
                if self._played_memo[0] != self.engine.week:
                    self._played_memo = (self.engine.week, {})
                memo = self._played_memo[1]
            if name not in memo:
                memo[name] = compute()
            return memo[name]

    def wait_for_change(self, version: int, timeout: float, room: bool = False) -> int:
        """Block until :attr:`version` (with ``room``, :attr:`room_version`) differs from ``version``
        (or ``timeout`` s); return it."""
        name = "room_version" if room else "version"
        with self._changed:
            self._changed.wait_for(lambda: getattr(self, name) != version, timeout=timeout)
            return getattr(self, name)


def _decision_rows(round_: int, seat: int, p: Participant | None, policy: str, choices: TeamChoices | None,
                   people: list[int]) -> dict:
    """What a seat was played with in a round (one record; debrief.decisions_frame expands it)."""
    return {"round": round_, "seat": seat, "participant": p.name if p else None, "played_by": policy,
            "submitted": p is not None and p.submitted is not None, "choices": choices, "people": people}


def _clean_text(text, field_name: str, limit: int) -> str:
    if not isinstance(text, str):
        raise LMXInputError(field_name, type(text).__name__, f"text of 1-{limit} characters")
    cleaned = " ".join("".join(ch for ch in text if ch.isprintable()).split())
    if not 1 <= len(cleaned) <= limit:
        raise LMXInputError(field_name, text[:40], f"text of 1-{limit} printable characters")
    return cleaned
