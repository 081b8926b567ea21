""""Many seeds" in compare mode: the two policies on 20-50 paired seeds, and what holds across them.

Pure Python, no Solara (the component is :mod:`lmxsim.dashboard.many_seeds_view`). One
click runs the page's two policies on ``n`` paired seeds at the page's scenario and
parameters, headless on the engine, through the one run pipeline of ``lmxsim compare``
(:func:`lmxsim.runs.run_tasks` with ``RunTask(policy, seed, scenario, params)``; the seeds
are :func:`lmxsim.runs.replication_seeds` of the page's seed, so replication ``r`` is the
same organisation and the same people under both policies, and ``lmxsim compare
--root-seed SEED`` reproduces every number). It reports, for each headline outcome
(weeks 26-end, as ``compare``): every seed's pair, the mean paired difference with its 95%
t-interval, and in how many seeds policy B beats policy A - so a room sees whether the
five-minute story of one run holds whatever the seed, or was that seed's luck.

A computation is a :class:`Job` shared by every session that asks for the same request
(settings and number of seeds): it runs once, in a background thread, in small batches so
that progress (runs done / total) can be shown and a stop takes effect within a batch; a
finished job stays in a small cache, so a second click - from any session - is instant.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from lmxsim.dashboard.figures import RUN_COLOURS, new_figure, png_bytes
from lmxsim.errors import LMXInputError
from lmxsim.model_args import as_seed
from lmxsim.runs import RunTask, replication_seeds, run_tasks
from lmxsim.stats import paired_difference

logger = logging.getLogger(__name__)

SEED_CHOICES = (20, 30, 50)
DEFAULT_SEEDS = 30
MIN_SEEDS, MAX_SEEDS = 2, 50
# A job runs in this many batches: progress steps and the latency of a stop. Each batch pays the
# engine's fixed cost per week once (about 0.5 s of CPU for 156 weeks here), so more batches cost
# more: 2 x 30 runs at workshop size take 1.3 s of CPU in one batch, 2.2 s in 3, 5.7 s in 10.
BATCHES = 3
# The dashboard's budget for one click, in member-position-weeks over all runs: about 0.8-2 us of
# CPU each on the engine (plus about 0.5 s per batch per 156 weeks), so at most about a minute of
# a server core. 2 x 50 seeds at workshop size (5 teams of 8, 156 weeks) are 0.6 million; 2 x 20 at
# the largest organisation the sliders allow (50 teams of 40, 520 weeks) would be 42 million.
MAX_POSITION_WEEKS = 40_000_000
CACHE_SIZE = 24       # finished jobs kept (a few kilobytes each)


@dataclass(frozen=True)
class Headline:
    """One headline outcome: its run-level name (lmxsim.outcomes), how it is shown, which way is better."""

    key: str
    title: str
    unit: str
    diff_unit: str            # the unit of a difference between two values
    scale: float = 1.0
    higher_is_better: bool = True
    fmt: str = "{:.2f}"

    def better_word(self) -> str:
        return {"annual_turnover": "lower turnover"}.get(self.key, f"higher {self.title.lower()}")


HEADLINES = (
    Headline("innovation_per_member_year", "Innovation", "successful ideas per member-year",
             "ideas per member-year"),
    Headline("annual_turnover", "Voluntary turnover", "% per year", "percentage points", scale=100.0,
             higher_is_better=False, fmt="{:.1f}"),
    Headline("mean_trust", "Trust in the leader", "mean, 0-1", "on the 0-1 scale", fmt="{:.3f}"),
    Headline("mean_performance", "Performance", "output units/week", "output units/week", fmt="{:.3f}"),
)


# ---------------------------------------------------------------------- the request
def parse_seed(text) -> int:
    """The page's seed field as a whole number, checked as the page's own model checks it
    (:func:`lmxsim.model_args.as_seed`), or :class:`LMXInputError` naming the field."""
    return as_seed(text)


@dataclass(frozen=True)
class Request:
    """What to run: two policies on ``n`` paired seeds derived from ``root_seed``. Hashable: the cache key."""

    scenario: str
    policy_a: str
    policy_b: str
    root_seed: int
    params: tuple
    n: int

    @classmethod
    def from_settings(cls, settings, n: int = DEFAULT_SEEDS) -> "Request":
        """The request of a page's settings (lmxsim.dashboard.session.Settings), checked as the model would.

        Raises:
            LMXInputError: a seed that is not a whole number, ``n`` out of range, an unknown
                scenario or policy, or parameters the scenario cannot take - the same message
                the model gives.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not MIN_SEEDS <= n <= MAX_SEEDS:
            raise LMXInputError("seeds", n, f"a whole number from {MIN_SEEDS} to {MAX_SEEDS}")
        request = cls(settings.scenario, settings.policy, settings.policy_b, parse_seed(settings.seed),
                      tuple(sorted(dict(settings.params).items())), n)
        request.check()
        return request

    def check(self) -> None:
        """Raise :class:`LMXInputError` for anything the engine would refuse, before any run starts."""
        from lmxsim.params import Params, check_overrides
        from lmxsim.policies import policy_names
        from lmxsim.scenarios import SCENARIOS, validate_events

        if self.scenario not in SCENARIOS:
            raise LMXInputError("scenario", self.scenario, "one of: " + ", ".join(SCENARIOS))
        for field, policy in (("policy", self.policy_a), ("policy_b", self.policy_b)):
            if policy not in policy_names():
                raise LMXInputError(field, policy, "one of: " + ", ".join(policy_names()))
        preset = SCENARIOS[self.scenario]
        try:
            params = Params(**{**preset.overrides, **check_overrides(dict(self.params))})
        except TypeError as exc:  # a parameter Params does not take
            raise LMXInputError("params", dict(self.params), f"known parameters only ({exc})") from None
        validate_events(preset, params)
        per_run = params.n_teams * params.team_size * params.weeks
        if 2 * self.n * per_run > MAX_POSITION_WEEKS:
            most = MAX_POSITION_WEEKS // (2 * per_run)
            allowed = (f"at most {most} here ({params.n_teams} teams of {params.team_size} over {params.weeks} "
                       "weeks); `lmxsim compare` runs more" if most >= MIN_SEEDS else
                       f"none at this size ({params.n_teams} teams of {params.team_size} over {params.weeks} "
                       "weeks) in the dashboard; `lmxsim compare` runs it")
            raise LMXInputError("seeds", self.n, allowed)

    def seeds(self) -> list[int]:
        return replication_seeds(self.root_seed, self.n)

    def tasks(self) -> list[RunTask]:
        """Two tasks per seed, A then B: task ``2 r`` is policy A on seed ``r``, ``2 r + 1`` policy B."""
        return [RunTask(policy, seed, self.scenario, self.params)
                for seed in self.seeds() for policy in (self.policy_a, self.policy_b)]

    def command(self) -> str:
        """The ``lmxsim compare`` command line that runs the same seeds (and more outcomes)."""
        from lmxsim.params import Params
        from lmxsim.scenarios import SCENARIOS

        preset = SCENARIOS[self.scenario]
        base = Params(**preset.overrides)
        sets = [f"--set {k}={v}" for k, v in self.params if getattr(base, k, None) != v]
        return " ".join([f"lmxsim compare --scenario {self.scenario} --policies {self.policy_a},{self.policy_b}",
                         f"--seeds {self.n} --root-seed {self.root_seed}", *sets])


# ---------------------------------------------------------------------- the result
@dataclass(frozen=True)
class OutcomeSummary:
    """One headline outcome over the paired seeds (values in display units, ``headline.scale`` applied)."""

    headline: Headline
    a: np.ndarray               # policy A, one value per seed
    b: np.ndarray               # policy B, same seeds
    diff: float                 # mean of b - a
    low: float                  # its 95% t-interval
    high: float
    b_better: int               # seeds where B beats A (in the better direction)
    a_better: int
    ties: int

    @property
    def n(self) -> int:
        return len(self.a)

    @property
    def share_b_better(self) -> float:
        """Share of seeds where policy B beats policy A (ties count as not beating)."""
        return self.b_better / self.n if self.n else float("nan")

    @property
    def verdict(self) -> str:
        """``"B"`` or ``"A"`` when the 95% CI of the paired difference excludes 0 in that policy's
        favour, ``"unclear"`` when it includes 0 (or cannot be computed)."""
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.low <= 0 <= self.high:
            return "unclear"
        b_higher = self.low > 0
        return "B" if b_higher == self.headline.higher_is_better else "A"


@dataclass(frozen=True)
class Result:
    request: Request
    label_a: str
    label_b: str
    seeds: list[int]
    rows: list[dict]                     # one per run: replication, seed, policy, and every run-level outcome
    outcomes: tuple[OutcomeSummary, ...]

    def outcome(self, key: str) -> OutcomeSummary:
        return next(o for o in self.outcomes if o.headline.key == key)


def summarise(headline: Headline, a, b) -> OutcomeSummary:
    a = np.asarray(a, dtype=float) * headline.scale
    b = np.asarray(b, dtype=float) * headline.scale
    diff, low, high = paired_difference(b, a)
    # a difference below float noise is a tie (e.g. 0% turnover under both policies)
    gap = np.where(np.isclose(a, b, rtol=1e-9, atol=1e-12), 0.0, b - a)
    b_wins = gap > 0 if headline.higher_is_better else gap < 0
    a_wins = gap < 0 if headline.higher_is_better else gap > 0
    return OutcomeSummary(headline, a, b, float(diff), float(low), float(high),
                          int(np.sum(b_wins)), int(np.sum(a_wins)), int(np.sum(gap == 0)))


def build_result(request: Request, rows: list[dict]) -> Result:
    """The summary of every headline outcome from the per-run rows (A and B of each seed)."""
    from lmxsim.dashboard.session import run_label
    from lmxsim.scenarios import SCENARIOS

    by_policy = {p: sorted((r for r in rows if r["policy"] == p), key=lambda r: r["replication"])
                 for p in ("A", "B")}
    outcomes = tuple(summarise(h, [r[h.key] for r in by_policy["A"]], [r[h.key] for r in by_policy["B"]])
                     for h in HEADLINES)
    scenario = SCENARIOS[request.scenario]
    return Result(request, run_label(scenario, request.policy_a), run_label(scenario, request.policy_b),
                  request.seeds(), rows, outcomes)


def compute(request: Request, progress=None, stop: threading.Event | None = None) -> Result | None:
    """Run the request's tasks in about :data:`BATCHES` batches and summarise them.

    ``progress(done, total)`` is called after each batch; ``stop`` set between batches ends
    the computation early (returns None). A task's numbers depend only on the task, so the
    batching changes nothing but when progress is reported.
    """
    tasks = request.tasks()
    total = len(tasks)
    per_batch = 2 * max(1, -(-request.n // BATCHES))      # whole pairs per batch
    rows: list[dict] = []
    if progress is not None:
        progress(0, total)
    for start in range(0, total, per_batch):
        if stop is not None and stop.is_set():
            return None
        chunk = tasks[start:start + per_batch]
        for result in run_tasks(chunk):
            index = start + result.index
            rows.append({"replication": index // 2, "seed": result.task.seed,
                         "policy": "AB"[index % 2], "policy_name": result.task.policy, **result.outcomes})
        if progress is not None:
            progress(len(rows), total)
    return build_result(request, rows)


def error_message(exc: Exception) -> str:
    """One line for the page: the field, the value and what is allowed."""
    if isinstance(exc, LMXInputError):
        return exc.sentence()
    return f"The runs stopped with an error: {exc}"


# ---------------------------------------------------------------------- shared jobs and the cache
class Job:
    """One request's computation, shared by every session that asks for it while it runs.

    Sessions :meth:`attach` and :meth:`detach`; when the last one detaches before the end
    (the tab closed, the settings changed, Stop), the job stops after its current batch and
    is forgotten. A job that finishes with a result is cached; one that fails carries its message.
    """

    def __init__(self, request: Request):
        self.request = request
        self.done_runs = 0
        self.total_runs = 2 * request.n
        self.started = time.monotonic()
        self.seconds_left: float | None = None   # estimated from the batches done so far
        self.result: Result | None = None
        self.error: str | None = None
        self.finished = threading.Event()    # set when result, error or stop is final
        self.stopped = False
        self._stop = threading.Event()
        self._watchers = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"many-seeds-{self.request.root_seed}",
                                        daemon=True)
        self._thread.start()

    def _progress(self, done: int, total: int) -> None:
        self.done_runs, self.total_runs = done, total
        if done:
            self.seconds_left = (time.monotonic() - self.started) * (total - done) / done

    def _run(self) -> None:
        try:
            result = compute(self.request, self._progress, self._stop)
            if result is None:
                self.stopped = True
            else:
                self.result = result
        except LMXInputError as exc:
            self.error = error_message(exc)
        except Exception as exc:  # noqa: BLE001 - a page shows a message, the server stays up
            logger.exception("many seeds: the runs failed")
            self.error = error_message(exc)
        finally:
            _finish(self)
            self.finished.set()

    def attach(self) -> None:
        with self._lock:
            self._watchers += 1

    def detach(self) -> None:
        """A session stops waiting; the last one out stops an unfinished job."""
        with self._lock:
            self._watchers = max(0, self._watchers - 1)
            if self._watchers == 0 and not self.finished.is_set():
                self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


_lock = threading.Lock()
_running: dict[Request, Job] = {}
_done: OrderedDict[Request, Job] = OrderedDict()


def _finish(job: Job) -> None:
    with _lock:
        if _running.get(job.request) is job:
            del _running[job.request]
        if job.result is not None:     # a stopped or failed job is not kept: asking again runs again
            _done[job.request] = job
            _done.move_to_end(job.request)
            while len(_done) > CACHE_SIZE:
                _done.popitem(last=False)


def cached(request: Request) -> Job | None:
    """The finished job of ``request``, if one is in the cache."""
    with _lock:
        job = _done.get(request)
        if job is not None:
            _done.move_to_end(request)
        return job


def job_for(request: Request) -> Job:
    """The job computing ``request``: the cached one, the one already running, or a new one
    (started). The caller is attached to it and must :meth:`Job.detach` when it stops waiting."""
    with _lock:
        job = _done.get(request) or _running.get(request)
        if job is None or job._stop.is_set():
            job = Job(request)
            _running[request] = job
            job.attach()
            job.start()
            return job
        job.attach()
        return job


def clear_cache() -> None:
    """Forget every finished job (tests)."""
    with _lock:
        _done.clear()


# ---------------------------------------------------------------------- the figure
def _fmt_signed(headline: Headline, value: float) -> str:
    """``+0.05``, ``-1.2``, ``0.0`` (never ``-0.0``), or ``n/a``."""
    if not np.isfinite(value):
        return "n/a"
    text = headline.fmt.format(value)
    if float(text) == 0:
        return headline.fmt.format(0.0)
    return ("+" if value > 0 else "−") + headline.fmt.format(abs(value))


ALMOST_EVERY_SEED = 0.9   # a policy that wins in this share of seeds wins "whatever the seed"


def verdict_text(result: Result, o: OutcomeSummary) -> str:
    """What the seeds say about one outcome, in words a room can take home."""
    if o.verdict == "unclear":
        return "no clear difference: the gap one run shows is that seed's luck"
    label, wins = (result.label_b, o.b_better) if o.verdict == "B" else (result.label_a, o.a_better)
    if wins >= ALMOST_EVERY_SEED * o.n:
        return f"{label} better, whatever the seed"
    return f"{label} better on average, but not in every seed: one run can show the opposite"


def outcome_sentence(result: Result, o: OutcomeSummary) -> str:
    """One line: how often B beats A, the mean paired difference with its 95% CI, and what that means."""
    h = o.headline
    better = h.better_word().split()[0]          # "higher" / "lower"
    ties = f", {o.ties} tied" if o.ties else ""
    ci = f"{_fmt_signed(h, o.low)} to {_fmt_signed(h, o.high)}" if np.isfinite(o.low) else "n/a"
    return (f"{h.title}: B {better} in {o.b_better} of {o.n} seeds ({o.share_b_better:.0%}), A in {o.a_better}"
            f"{ties}. Mean B − A {_fmt_signed(h, o.diff)} {h.diff_unit} (95% CI {ci}): {verdict_text(result, o)}.")


def figure(result: Result, figsize=(12.8, 4.4)):
    """One panel per headline outcome: each seed's pair of runs (A left, B right) joined by a
    line, coloured by the policy that did better on that seed; the mean of each policy; and,
    under the panel, the share of seeds B wins and the mean paired difference with its 95% CI."""
    fig = new_figure(figsize)
    axes = fig.subplots(1, len(result.outcomes), squeeze=False).ravel()
    fig.subplots_adjust(left=0.05, right=0.975, top=0.74, bottom=0.31, wspace=0.42)
    rng = np.random.default_rng(0)       # a fixed small horizontal spread, so equal values stay visible
    for ax, o in zip(axes, result.outcomes):
        h = o.headline
        jitter = rng.uniform(-0.06, 0.06, o.n)
        for a, b, j in zip(o.a, o.b, jitter):
            b_wins = (b > a) if h.higher_is_better else (b < a)
            tie = np.isclose(a, b, rtol=1e-9, atol=1e-12)
            colour = "#aaaaaa" if tie else RUN_COLOURS[1] if b_wins else RUN_COLOURS[0]
            ax.plot([0 + j, 1 + j], [a, b], color=colour, lw=1.0, alpha=0.55, zorder=1)
        ax.scatter(0 + jitter, o.a, s=18, color=RUN_COLOURS[0], zorder=2, edgecolor="white", linewidth=0.4)
        ax.scatter(1 + jitter, o.b, s=18, color=RUN_COLOURS[1], zorder=2, edgecolor="white", linewidth=0.4)
        for x, values, colour in ((0, o.a, RUN_COLOURS[0]), (1, o.b, RUN_COLOURS[1])):
            mean = float(np.nanmean(values))
            ax.plot([x - 0.28, x - 0.16], [mean, mean], color=colour, lw=3.5, solid_capstyle="butt", zorder=3)
        ax.set_xlim(-0.45, 1.45)
        ax.set_xticks([0, 1], ["A", "B"], fontsize=11, fontweight="bold")
        for tick, colour in zip(ax.get_xticklabels(), RUN_COLOURS):
            tick.set_color(colour)
        ax.set_title(h.title, fontsize=13, fontweight="bold", loc="left", pad=16)
        ax.text(0.0, 1.02, h.unit, transform=ax.transAxes, fontsize=9, color="#555555", va="bottom")
        ax.grid(axis="y", alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ci = f"[{_fmt_signed(h, o.low)}, {_fmt_signed(h, o.high)}]" if np.isfinite(o.low) else "[n/a]"
        colour = {"B": RUN_COLOURS[1], "A": RUN_COLOURS[0], "unclear": "#333333"}[o.verdict]
        ax.text(0.5, -0.16, f"B better in {o.b_better}/{o.n} seeds ({o.share_b_better:.0%})",
                transform=ax.transAxes, ha="center", va="top", fontsize=10.5, fontweight="bold", color=colour)
        other = f"A better in {o.a_better}" + (f", {o.ties} tied" if o.ties else "")
        ax.text(0.5, -0.27, other, transform=ax.transAxes, ha="center", va="top", fontsize=9.5, color=colour)
        ax.text(0.5, -0.37, f"B − A: {_fmt_signed(h, o.diff)} {ci}", transform=ax.transAxes, ha="center",
                va="top", fontsize=9.5, color=colour)
    fig.text(0.01, 0.985, f"A = {result.label_a}", color=RUN_COLOURS[0], fontsize=12, fontweight="bold",
             va="top")
    fig.text(0.5, 0.985, f"B = {result.label_b}", color=RUN_COLOURS[1], fontsize=12, fontweight="bold", va="top")
    fig.text(0.01, 0.93, f"{result.request.n} paired seeds from seed {result.request.root_seed}: same "
             "organisation and people under A and B; weeks 26-end. A line joins one seed's two runs, coloured by "
             "who did better;\nbars: each policy's mean. B − A: mean paired difference [95% CI].",
             fontsize=9, color="#555555", va="top", linespacing=1.3)
    return fig


def figure_png(result: Result) -> bytes:
    return png_bytes(figure(result))
