"""One visitor's simulation: the model (or two, in compare mode) and what the page remembers.

Pure Python, no Solara: the page (:mod:`lmxsim.dashboard.app`) keeps one
:class:`Simulation` per browser session, and the tests drive it directly.

The model keeps no per-member history (only the optional panel), so a :class:`Run` records
a few state arrays of every position each week - enough to tell any member's or leader's
story in the Inspect tab. At workshop sizes this is a few hundred kilobytes; at the
largest organisation the sliders allow (50 teams of 40, three years) about 20 MB.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import numpy as np

from lmxsim.compat import release_model
from lmxsim.dashboard import lifecycle
from lmxsim.errors import LMXInputError, shown
from lmxsim.model import LMXModel
from lmxsim.model_args import as_seed
from lmxsim.policies import policy_class
from lmxsim.scenarios import SCENARIOS, SwitchPolicy

# A workshop organisation: five teams of eight (scenarios may override team_size).
DASHBOARD_BASE = {"n_teams": 5, "team_size": 8}
NEWCOMER_WEEKS = 8     # a newcomer is highlighted for their first two months
JUST_LEFT_WEEKS = 4    # a vacated desk is marked for a month after its holder quit
NEVER = -10**6

# member state recorded each week for the Inspect tab (float32 is plenty for drawing)
HISTORY_FIELDS = ("lmx", "trust", "autonomy", "creativity", "psych_safety", "turnover_intention")
# with the panel off, these count since the person was hired (reset at each hire)
HISTORY_COUNTS = ("ideas", "successful_ideas")


def scenario_params(name: str) -> dict:
    """Parameters the dashboard starts a scenario with: the workshop size, then the scenario's presets."""
    return {**DASHBOARD_BASE, **SCENARIOS[name].overrides}


def policy_label(name: str) -> str:
    return policy_class(name).label or name


def run_label(scenario, policy: str) -> str:
    """The policy's name, plus any switch the scenario makes (e.g. leader training at week 26)."""
    label = policy_label(policy)
    for event in scenario.events:
        if isinstance(event, SwitchPolicy) and event.policy != policy:
            share = "" if event.share_of_teams >= 1 else f" ({event.share_of_teams:.0%} of teams)"
            label += f" → {policy_label(event.policy)} from week {event.week}{share}"
    return label


def other_policy(name: str) -> str:
    """The natural comparison for ``name``: the other of the two headline policies."""
    return "proactive_deal" if name != "proactive_deal" else "reactive_in_crowd"


@dataclass(frozen=True)
class Settings:
    """Everything a visitor chose; equal settings build identical simulations."""

    scenario: str = "default"
    policy: str = "reactive_in_crowd"
    seed: str = "1"
    params: tuple = field(default_factory=lambda: tuple(sorted(scenario_params("default").items())))
    compare: bool = False
    policy_b: str = "proactive_deal"
    present: bool = False     # presenter mode: how the page is laid out, not what is simulated

    @property
    def param_dict(self) -> dict:
        return dict(self.params)

    @property
    def horizon(self) -> int | None:
        """The horizon the visitor chose (``weeks``), or None for the scenario's."""
        return self.param_dict.get("weeks")

    def without_horizon(self) -> "Settings":
        """The same settings but the horizon: what an organisation is built from (the horizon
        can change without rebuilding it, :meth:`Simulation.set_horizon`)."""
        return self.replace(params={k: v for k, v in self.param_dict.items() if k != "weeks"})

    def organisation(self) -> "Settings":
        """What a simulation is built from: neither the horizon (:meth:`without_horizon`) nor
        presenter mode (a layout) rebuild it."""
        return self.without_horizon().replace(present=False)

    def next_seed(self) -> "Settings":
        """The next seed (1 after anything that is not a plain whole number, e.g. '²' or '')."""
        seed = self.seed
        plain = seed.isascii() and seed.isdecimal()
        return self.replace(seed=str(int(seed) + 1) if plain else "1")

    @property
    def scenario_obj(self):
        return SCENARIOS[self.scenario]

    @property
    def policies(self) -> list[str]:
        return [self.policy, self.policy_b] if self.compare else [self.policy]

    def replace(self, **changes) -> "Settings":
        values = {**self.__dict__, **changes}
        if isinstance(values["params"], dict):
            values["params"] = tuple(sorted(values["params"].items()))
        return Settings(**values)

    @classmethod
    def for_scenario(cls, name: str, **changes) -> "Settings":
        """Settings of a scenario preset: its policy and all its parameters at once."""
        s = SCENARIOS[name]
        base = {"scenario": name, "policy": s.policy, "policy_b": other_policy(s.policy),
                "params": tuple(sorted(scenario_params(name).items()))}
        return cls(**{**base, **changes})


# URL parameters of a shareable view: ?scenario=...&policy=...&compare=1&vs=...&seed=...&weeks=...&present=1
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def settings_to_query(settings: "Settings") -> str:
    """The URL query that opens ``settings``' view (scenario, policies, seed, compare, horizon, presenter mode)."""
    items = [("scenario", settings.scenario), ("policy", settings.policy)]
    if settings.compare:
        items += [("compare", "1"), ("vs", settings.policy_b)]
    items.append(("seed", settings.seed))
    if settings.horizon is not None:
        items.append(("weeks", str(settings.horizon)))
    if settings.present:
        items.append(("present", "1"))
    return urlencode(items)


def settings_from_query(search: str | None) -> tuple["Settings", str | None]:
    """Settings from a URL query (``settings_to_query``'s), and a one-line message naming the first
    value that is not allowed (the rest of the link still applies; nothing raises)."""
    from lmxsim.params import check_overrides
    from lmxsim.policies import policy_names

    query = {k: v[-1].strip() for k, v in parse_qs(search or "", keep_blank_values=True).items()}
    problems: list[str] = []

    def bad(key, value, allowed):
        problems.append(f"link parameter {key}: {shown(value)} is not allowed — {allowed}.")

    scenario = query.get("scenario", "default")
    if scenario not in SCENARIOS:
        bad("scenario", scenario, "one of " + ", ".join(SCENARIOS))
        scenario = "default"
    settings = Settings.for_scenario(scenario)
    for key, field_name in (("policy", "policy"), ("vs", "policy_b")):
        if key in query:
            if query[key] in policy_names():
                settings = settings.replace(**{field_name: query[key]})
            else:
                bad(key, query[key], "one of " + ", ".join(policy_names()))
    for key in ("compare", "present"):
        if key in query:
            word = query[key].lower()
            if word in TRUE_WORDS + FALSE_WORDS:
                settings = settings.replace(**{key: word in TRUE_WORDS})
            else:
                bad(key, query[key], "1 or 0")
    if "seed" in query:
        try:
            settings = settings.replace(seed=str(as_seed(query["seed"])))
        except LMXInputError as exc:
            bad("seed", query["seed"], exc.allowed)
    if "weeks" in query:
        try:
            weeks = int(query["weeks"])
            check_overrides({"weeks": weeks})
            settings = settings.replace(params={**settings.param_dict, "weeks": weeks})
        except (ValueError, LMXInputError):
            bad("weeks", query["weeks"], "a whole number of weeks in [1, 5200]")
    unknown = sorted(set(query) - {"scenario", "policy", "vs", "compare", "seed", "weeks", "present"})
    if unknown:
        bad(unknown[0], query[unknown[0]], "one of scenario, policy, compare, vs, seed, weeks, present")
    return settings, (problems[0] if problems else None)


class MemberHistory:
    """A few state arrays of every position, one entry per week (week 0 = initial state)."""

    def __init__(self):
        self.person_id: list[np.ndarray] = []
        self.in_group: list[np.ndarray] = []
        self.values: dict[str, list[np.ndarray]] = {f: [] for f in HISTORY_FIELDS + HISTORY_COUNTS}

    def record(self, model: LMXModel) -> None:
        m = model.members
        self.person_id.append(m.person_id.copy())
        self.in_group.append(m.in_group.copy())
        for name in HISTORY_FIELDS:
            self.values[name].append(getattr(m, name).astype(np.float32))
        for name in HISTORY_COUNTS:
            self.values[name].append(getattr(m, name).copy())

    def __len__(self) -> int:
        return len(self.person_id)

    def weeks_of(self, person_id: int, position: int) -> np.ndarray:
        """The weeks at which ``person_id`` held ``position``."""
        return np.array([w for w, ids in enumerate(self.person_id)
                         if position < len(ids) and ids[position] == person_id], dtype=int)

    def series(self, name: str, position: int, weeks: np.ndarray) -> np.ndarray:
        source = self.in_group if name == "in_group" else self.values[name]
        return np.array([source[w][position] for w in weeks], dtype=float)


class Run:
    """One model under one policy, with the history the dashboard draws from."""

    def __init__(self, settings: Settings, policy: str):
        self.policy = policy
        self.label = run_label(settings.scenario_obj, policy)
        self.model = LMXModel(policy=policy, scenario=settings.scenario, seed=settings.seed,
                              panel_every=0, **settings.param_dict)
        self.history = MemberHistory()
        self.history.record(self.model)
        self.left_week = np.full(self.model.members.capacity, NEVER, dtype=np.int64)

    @property
    def week(self) -> int:
        return self.model.week

    def step(self) -> None:
        before = self.model.members.person_id.copy()
        self.model.step()
        after = self.model.members.person_id
        if len(after) > len(self.left_week):  # the organisation grew: new positions
            self.left_week = np.concatenate([self.left_week, np.full(len(after) - len(self.left_week), NEVER)])
        # someone left a position if its holder is gone (vacant, or refilled the same week)
        left = (before >= 0) & (after[:len(before)] != before)
        self.left_week[np.flatnonzero(left)] = self.model.week
        self.history.record(self.model)

    # ------------------------------------------------------------------ what the network shows
    def newcomers(self) -> np.ndarray:
        """Positions held by someone hired during the run, in their first ``NEWCOMER_WEEKS`` weeks."""
        m = self.model.members
        return m.occupied & (m.hire_week > 0) & (self.model.week - m.hire_week < NEWCOMER_WEEKS)

    def just_left(self) -> np.ndarray:
        """Vacant positions whose holder quit in the last ``JUST_LEFT_WEEKS`` weeks."""
        m = self.model.members
        return ~m.occupied & (self.model.week - self.left_week < JUST_LEFT_WEEKS)

    # ------------------------------------------------------------------ inspect
    def people(self) -> list[tuple[str, str]]:
        """``(key, label)`` of every leader and of everyone who has been a member in this run."""
        out = [(f"leader:{t}", f"Leader of team {t + 1}") for t in range(self.model.n_teams)]
        m = self.model.members
        members = {int(pid): int(m.team[pos]) for pos, pid in enumerate(m.person_id) if pid >= 0}
        for pid, agent in self.model.former_members.items():
            members[int(pid)] = agent.team_id
        for pid in sorted(members, key=lambda p: (members[p], p)):
            out.append((f"member:{pid}", f"Team {members[pid] + 1} · person #{pid}"))
        return out

    def find_person(self, person_id: int):
        """The Mesa agent of ``person_id`` (current or former), or None."""
        positions = np.flatnonzero(self.model.members.person_id == person_id)
        if len(positions):
            return self.model.member_at(int(positions[0]))
        return self.model.former_members.get(person_id)

    def person_story(self, person_id: int) -> dict | None:
        """Week-by-week LMX, trust, autonomy, creativity, ideas of one person, with hire and leaving."""
        agent = self.find_person(person_id)
        if agent is None:
            return None
        weeks = self.history.weeks_of(person_id, agent.position)
        story = {"person_id": person_id, "team": agent.team_id, "position": agent.position,
                 "hire_week": agent.hire_week, "left_week": agent.left_week, "weeks": weeks,
                 "tenure_weeks": agent.tenure_weeks, "state": agent.state()}
        for name in HISTORY_FIELDS + HISTORY_COUNTS + ("in_group",):
            story[name] = self.history.series(name, agent.position, weeks)
        return story

    def team_story(self, team: int) -> dict:
        """Week-by-week team view for a leader: mean LMX and trust, in-group size, headcount, quits, ideas."""
        m = self.model.members
        in_team = m.team == team
        h = self.history
        weeks = np.arange(len(h))
        occ = [ids[in_team[:len(ids)]] >= 0 for ids in h.person_id]

        def team_mean(name):
            return np.array([np.mean(h.values[name][w][in_team[:len(h.person_id[w])]][occ[w]])
                             if occ[w].any() else np.nan for w in weeks])

        # leavers per week: a position's holder changed (quit; refilled the same week or not)
        left_in_team = np.zeros(len(weeks))
        for w in weeks[1:]:
            prev, cur = h.person_id[w - 1], h.person_id[w]
            mask = in_team[:len(prev)]
            left_in_team[w] = np.sum((prev[mask] >= 0) & (cur[:len(prev)][mask] != prev[mask]))
        leader = self.model.leader_agents[team]
        return {
            "team": team, "weeks": weeks, "policy": leader.policy, "hours_per_week": leader.hours_per_week,
            "start_week": leader.start_week,
            "lmx": team_mean("lmx"), "trust": team_mean("trust"), "psych_safety": team_mean("psych_safety"),
            "in_group": np.array([np.sum(h.in_group[w][in_team[:len(h.in_group[w])]]) for w in weeks], float),
            "headcount": np.array([np.sum(o) for o in occ], float),
            "quits_cumulative": np.cumsum(left_in_team),
        }


class Simulation:
    """What one visitor is running: one model, or two in compare mode (same seed, same people)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.runs = [Run(settings, policy) for policy in settings.policies]
        self.closed = False
        # the play thread steps while a click in another thread may draw: one at a time
        self._lock = threading.RLock()
        lifecycle.register(self)

    def locked(self, draw):
        """``draw()`` while no step is under way (pictures never see a half-stepped week)."""
        with self._lock:
            return draw()

    def close(self) -> None:
        """Let the models go: Mesa 3.3.1's ``Agent._ids`` keeps every model ever built alive.

        The page calls this when a visitor's simulation is replaced (new settings, Reset) or
        their session ends; without it a day-long workshop would keep every organisation.
        """
        self.closed = True
        for run in self.runs:
            release_model(run.model)
        lifecycle.give_memory_back_soon()

    @property
    def week(self) -> int:
        return self.runs[0].week

    @property
    def horizon(self) -> int:
        return self.runs[0].model.params.weeks

    def set_horizon(self, weeks: int) -> None:
        """Lengthen (or shorten) the run without starting again: a finished run goes on from
        where it is. Raises :class:`~lmxsim.errors.LMXInputError` for a horizon the model refuses."""
        with self._lock:
            for run in self.runs:
                run.model.set_horizon(weeks)
            # what the page shows is what the settings say: "Many seeds" runs (and limits) by them
            self.settings = self.settings.replace(params={**self.settings.param_dict, "weeks": int(weeks)})

    @property
    def done(self) -> bool:
        return self.closed or not all(run.model.running for run in self.runs)

    def step(self, weeks: int = 1) -> None:
        for _ in range(weeks):
            with self._lock:
                if self.done:
                    return
                for run in self.runs:
                    run.step()
