"""Batch experiments: specifications, runs on any executor, summaries and sensitivity analysis.

Python use mirrors ``lmxsim experiment``::

    from lmxsim import experiments
    spec = experiments.load_spec("span_of_control")    # a shipped one by name, or a .toml path
    runs = experiments.run(spec, out="results/span", workers=2)      # pandas DataFrame
    summary, differences, figures = experiments.summarize("results/span")

Any ``concurrent.futures.Executor`` works, e.g. a Dask cluster's
``client.get_executor()``; the numbers do not depend on the executor.
"""

from lmxsim.experiments.analysis import load_experiment, sensitivity, summarize
from lmxsim.experiments.design import design_points
from lmxsim.experiments.runner import dask_executor, execute, plan, run
from lmxsim.experiments.shipped import catalogue, shipped_names
from lmxsim.experiments.spec import ExperimentSpec, load_spec, parse_spec

__all__ = ["ExperimentSpec", "load_spec", "parse_spec", "design_points", "plan", "execute", "run",
           "dask_executor", "summarize", "sensitivity", "load_experiment", "catalogue", "shipped_names"]
