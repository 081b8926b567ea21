"""What one Play frame costs on the server, drawn as PNGs (before issue 13) and as data for the browser (now).

Run ``python -m lmxsim.dashboard.benchmark``. Timings live here, not in the tests. Times are
CPU seconds of this thread (``time.thread_time``), so other processes on a busy machine do not
count; bytes are what a frame puts on the websocket for the pictures:

- PNG: the network(s) and the charts redrawn over their cached static layer (blitting) and
  encoded as PNG (an image widget sends the PNG bytes);
- data: per desk a colour index and flags, and the weeks each chart gained, as JSON (the
  fixed drawing is sent once per organisation; the charts' base is re-sent every
  ``ChartFeed.TAIL_WEEKS`` weeks, counted here when it happens).

``bench_page`` is the whole frame as the server pays it, the step excluded: while playing, the
week's text, the monitors and the live view's data are set straight into their widgets; Step,
Pause and any change re-render the page (Solara walks the whole page: tens of milliseconds).
"""

from __future__ import annotations

import json
import time

import numpy as np

from lmxsim.dashboard.charts import ChartFeed, LiveCharts, monitor_values
from lmxsim.dashboard.network import LiveNetwork, NetworkFeed, compute_layout
from lmxsim.dashboard.session import Settings, Simulation


def _json_bytes(value) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def bench(label: str, settings: Settings, weeks: int = 60) -> dict:
    """Per-frame CPU and bytes of both ways of drawing, on the same weeks of one simulation."""
    sim = Simulation(settings)
    layouts = [compute_layout(run.model) for run in sim.runs]
    png_networks = [LiveNetwork(run, layout, title=run.label) for run, layout in zip(sim.runs, layouts)]
    png_charts = LiveCharts(sim.runs, sim.horizon, sim.settings.scenario_obj)
    feeds = [NetworkFeed(run, layout, title=run.label) for run, layout in zip(sim.runs, layouts)]
    chart_feed = ChartFeed(sim.runs, sim.horizon, sim.settings.scenario_obj)
    for view in png_networks:   # the first draw (static layers, the scene) is paid once per organisation
        view.png()
    png_charts.png()
    once = _json_bytes([feed.scene() for feed in feeds]) + _json_bytes(chart_feed.meta)
    base, _ = chart_feed.series()
    steps, png_ms, png_bytes, data_ms, data_bytes = [], [], [], [], []
    for _ in range(weeks):
        t0 = time.thread_time()
        sim.step()
        t1 = time.thread_time()
        pictures = [view.png() for view in png_networks] + [png_charts.png()]
        for run in sim.runs:
            monitor_values(run.model)
        t2 = time.thread_time()
        frames = [feed.frame() for feed in feeds]
        new_base, tail = chart_feed.series()
        sent = _json_bytes(frames) + _json_bytes(tail) + (_json_bytes(new_base) if new_base is not base else 0)
        base = new_base
        for run in sim.runs:
            monitor_values(run.model)
        t3 = time.thread_time()
        steps.append(t1 - t0)
        png_ms.append(t2 - t1)
        png_bytes.append(sum(len(p) for p in pictures))
        data_ms.append(t3 - t2)
        data_bytes.append(sent)
    sim.close()
    result = {"label": label, "desks": sim.runs[0].model.members.capacity,
              "step_ms": 1000 * float(np.median(steps)),
              "png_ms": 1000 * float(np.median(png_ms)), "png_bytes": float(np.mean(png_bytes)),
              "data_ms": 1000 * float(np.median(data_ms)), "data_bytes": float(np.mean(data_bytes)),
              "once_bytes": once}
    print(f"{label:34s} {result['desks']:5d} desks: step {result['step_ms']:5.1f} ms | PNG frame "
          f"{result['png_ms']:6.1f} ms CPU, {result['png_bytes'] / 1000:6.1f} kB | data frame "
          f"{result['data_ms']:5.2f} ms CPU, {result['data_bytes'] / 1000:6.2f} kB (scene once "
          f"{once / 1000:.0f} kB)")
    return result


def bench_page(label: str, query: str = "", frames: int = 30) -> dict:
    """CPU and bytes of one frame of the whole page, the step excluded: a frame while playing
    (the week's data set straight into the widgets that show it) and a full re-render (Step)."""
    import ipyvuetify as v
    import solara
    from solara.routing import Router, router_context

    from lmxsim.dashboard import app

    made = {}
    originals = {cls: cls.__init__ for cls in (app.FrameSinks, Simulation)}
    for cls in originals:   # catch the page's own frame sinks and simulation
        def init(self, *args, _original=cls.__init__, _cls=cls, **kwargs):
            _original(self, *args, **kwargs)
            made[_cls] = self
        cls.__init__ = init

    @solara.component
    def Opened():
        router_context.provide(Router("/?" + query, routes=[solara.Route("/")]))
        return app.Page()

    try:
        _, rc = solara.render(Opened(), handle_error=False)
    finally:
        for cls, original in originals.items():
            cls.__init__ = original
    sinks, sim = made[app.FrameSinks], made[Simulation]
    sent = []

    def count(change):
        sent.append(_json_bytes(change["new"]))

    observed = [w for w, _ in sinks._sinks.values()]
    for widget in observed:
        widget.observe(count, names=["frame", "base", "tail", "unsafe_innerHTML", "children"])
    play_ms, play_bytes = [], []
    for _ in range(frames):
        sim.step(1)
        sent.clear()
        t0 = time.thread_time()
        sinks.publish()
        play_ms.append(time.thread_time() - t0)
        play_bytes.append(sum(sent))
    for widget in observed:
        widget.unobserve(count, names=["frame", "base", "tail", "unsafe_innerHTML", "children"])
    step = next(b for b in rc.find(v.Btn).widgets if "Step" in b.children)
    full = []
    for _ in range(max(5, frames // 3)):
        t0 = time.thread_time()
        sim.step(1)
        t1 = time.thread_time()
        step.click()   # a step (measured above) and a full render
        t2 = time.thread_time()
        full.append((t2 - t1) - (t1 - t0))
    rc.close()
    result = {"label": label, "play_ms": 1000 * float(np.median(play_ms)), "play_bytes": float(np.mean(play_bytes)),
              "render_ms": 1000 * float(np.median(full))}
    print(f"{label:34s} whole page: a frame while playing {result['play_ms']:5.2f} ms CPU, "
          f"{result['play_bytes'] / 1000:5.2f} kB; a full re-render (Step) ~{result['render_ms']:5.1f} ms CPU")
    return result


def main() -> None:
    base = Settings.for_scenario("default")
    wide = {**base.param_dict, "n_teams": 50, "team_size": 10}
    bench("workshop default (5 teams of 8)", base)
    bench("workshop default, compare mode", base.replace(compare=True))
    bench("500 members (50 teams of 10)", base.replace(params=wide))
    bench("500 members, compare mode", base.replace(params=wide, compare=True))
    bench("2,000 desks (50 teams of 40)", base.replace(params={**wide, "team_size": 40}), weeks=20)
    bench_page("page: workshop default")
    bench_page("page: workshop default, compare", "compare=1")


if __name__ == "__main__":
    main()
