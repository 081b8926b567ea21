"""The "Many seeds" panel of compare mode: one click, the two policies on 20-50 paired seeds.

The computation (:mod:`lmxsim.dashboard.many_seeds`) runs in a background thread shared by
every session asking for the same settings; this component only starts it, shows progress
(runs done / total) while it runs, and then the figure and one line per headline outcome.
The page stays live meanwhile (the model can play). A result is cached by settings, so
coming back to settings already run - in any session - shows it at once. Settings the model
refuses show its one-line message, never a traceback.
"""

from __future__ import annotations

import logging
import time

import solara
import solara.lab

from lmxsim.dashboard import many_seeds as ms
from lmxsim.dashboard.figures import RUN_COLOURS

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.3   # how often the progress bar moves


def _request(settings, n: int):
    """``(request, None)`` or ``(None, message)`` for settings the runs cannot take."""
    try:
        return ms.Request.from_settings(settings, n), None
    except Exception as exc:  # noqa: BLE001 - LMXInputError above all; anything else is still a message
        if not isinstance(exc, ms.LMXInputError):
            logger.exception("many seeds: bad settings")
        return None, ms.error_message(exc)


@solara.component
def ManySeedsResult(result: ms.Result):
    """The figure, one line per outcome, and the command line that reproduces it."""
    png = solara.use_memo(lambda: ms.figure_png(result), dependencies=[result])
    solara.Image(png, classes=["lmx-image", "lmx-many-seeds"], width="100%")
    with solara.Column(gap="2px", classes=["lmx-many-seeds-text"]):
        for o in result.outcomes:
            colour = {"A": RUN_COLOURS[0], "B": RUN_COLOURS[1]}.get(o.verdict, "#333333")
            solara.Text(ms.outcome_sentence(result, o), classes=["lmx-many-seeds-line"],
                        style={"color": colour, "font-size": "0.95rem"})
    request = result.request
    solara.Text(f"Same numbers from the command line: {request.command()}",
                style={"color": "#666", "font-size": "0.8rem", "font-family": "monospace"})
    solara.FileDownload(png, filename=f"lmxsim-many-seeds-{request.scenario}-seed{request.root_seed}-"
                                      f"{request.n}seeds.png", label="Save many seeds (PNG)", mime_type="image/png")


@solara.component
def ManySeeds(settings, choices=ms.SEED_CHOICES):
    """Compare mode's "Many seeds": run both policies on paired seeds and show what holds.

    ``settings`` is the page's :class:`lmxsim.dashboard.session.Settings`; outside compare
    mode the panel shows nothing.
    """
    n, set_n = solara.use_state(ms.DEFAULT_SEEDS if ms.DEFAULT_SEEDS in choices else choices[0])
    wanted, set_wanted = solara.use_state(None)      # (request, click number) the visitor asked to run
    request, error = solara.use_memo(lambda: _request(settings, n), dependencies=[settings, n])
    asked = wanted is not None and wanted[0] == request

    def work():
        """Attach to the shared job, report its progress, end with the job (a generator task)."""
        if not asked:
            return None
        job = ms.job_for(request)
        try:
            while not job.wait(POLL_SECONDS):
                if not task.is_current():   # settings changed, Stop, or the page went away
                    return None
                yield (job.done_runs, job.total_runs, time.monotonic() - job.started, job.seconds_left)
            yield job
        finally:
            job.detach()                     # the last watcher out stops an unfinished job

    task = solara.lab.use_task(work, dependencies=[request, wanted], prefer_threaded=True)

    def run():
        set_wanted((request, (wanted[1] + 1) if wanted else 1))

    if not settings.compare:
        return
    with solara.Card(title="Many seeds: does the story hold whatever the seed?", margin=0,
                     classes=["lmx-many-seeds-card"], style={"padding": "4px"}):
        solara.Text("One run is one organisation with one set of people and one run of luck. Run both policies "
                    "on many paired seeds (each seed: the same organisation and people under both) and see how "
                    "often B beats A on each headline outcome.", style={"color": "#555"})
        job = running = None
        if error is None:
            job = ms.cached(request)   # run before, in this session or another: shown at once
            last = task.latest     # a generator task's last yield (its .value is None once finished)
            if job is None and asked and task.finished and isinstance(last, ms.Job) and last.request == request:
                job = last             # finished, but not cached (it failed)
            running = asked and job is None and task.pending
        with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text("Seeds:")
            solara.ToggleButtonsSingle(value=n, values=list(choices), on_value=set_n, dense=True)
            if running:
                solara.Button("Stop", on_click=lambda: set_wanted(None), outlined=True, icon_name="mdi-stop")
            elif error is None and (job is None or job.error):
                solara.Button(f"Run both policies on {n} seeds" if job is None else "Try again", on_click=run,
                              color="primary", icon_name="mdi-dice-multiple-outline")
        if error is not None:
            solara.Error(error)
            return
        if running:
            done, total, elapsed, left = task.latest if isinstance(task.latest, tuple) else (0, 2 * n, 0.0, None)
            solara.ProgressLinear(value=100.0 * done / max(total, 1), color="primary")
            eta = f", about {left:.0f} s left" if left is not None else ""
            solara.Text(f"{done} of {total} runs done ({elapsed:.0f} s{eta}); the page stays live meanwhile",
                        classes=["lmx-many-seeds-progress"])
        elif job is not None and job.error:
            solara.Error(job.error)
        elif job is not None and job.result is not None:
            ManySeedsResult(job.result)
