"""What one Play frame costs on the server: a week's step plus redrawing network, charts and monitors.

Run ``python -m lmxsim.dashboard.benchmark``. Timings live here, not in the tests. The first
draw (figure set-up, the static layer) is paid once per organisation; each later frame only
redraws what changes over the cached static layer.
"""

from __future__ import annotations

import time

import numpy as np

from lmxsim.dashboard.charts import LiveCharts, monitor_values
from lmxsim.dashboard.network import LiveNetwork, compute_layout
from lmxsim.dashboard.session import Settings, Simulation


def bench(label: str, settings: Settings, weeks: int = 60) -> dict:
    sim = Simulation(settings)
    start = time.perf_counter()
    layouts = [compute_layout(run.model) for run in sim.runs]
    networks = [LiveNetwork(run, layout, title=run.label) for run, layout in zip(sim.runs, layouts)]
    charts = LiveCharts(sim.runs, sim.horizon, sim.settings.scenario_obj)
    for view in networks:
        view.png()
    charts.png()
    first = time.perf_counter() - start
    frames, steps = [], []
    for _ in range(weeks):
        t0 = time.perf_counter()
        sim.step()
        t1 = time.perf_counter()
        for view in networks:
            view.png()
        charts.png()
        for run in sim.runs:
            monitor_values(run.model)
        frames.append(time.perf_counter() - t0)
        steps.append(t1 - t0)
    sim.close()
    result = {"label": label, "desks": sim.runs[0].model.members.capacity, "first_ms": 1000 * first,
              "frame_ms": 1000 * float(np.median(frames)), "frame_p90_ms": 1000 * float(np.percentile(frames, 90)),
              "step_ms": 1000 * float(np.median(steps))}
    print(f"{label:36s} {result['desks']:5d} desks: first draw {result['first_ms']:5.0f} ms; step + redraw "
          f"median {result['frame_ms']:4.0f} ms (p90 {result['frame_p90_ms']:4.0f}), of which the step "
          f"{result['step_ms']:4.1f} ms")
    return result


def main() -> None:
    base = Settings.for_scenario("default")
    wide = {**base.param_dict, "n_teams": 50, "team_size": 10}
    bench("workshop default (5 teams of 8)", base)
    bench("workshop default, compare mode", base.replace(compare=True))
    bench("500 members (50 teams of 10)", base.replace(params=wide))
    bench("500 members, compare mode", base.replace(params=wide, compare=True))
    bench("2,000 desks (50 teams of 40)", base.replace(params={**wide, "team_size": 40}), weeks=20)


if __name__ == "__main__":
    main()
