"""Batch experiments: specifications, runs on any executor, summaries and sensitivity analysis.

Python use mirrors ``lmxsim experiment``::

    from lmxsim import experiments
    spec = experiments.load_spec("span_of_control")    # a shipped one by name, or a .toml path
    runs = experiments.run(spec, out="results/span", workers=2)      # pandas DataFrame
    summary, differences, figures = experiments.summarize("results/span")

Any ``concurrent.futures.Executor`` works, e.g. a Dask cluster's
``client.get_executor()``; the numbers do not depend on the executor. A stored experiment
has one column schema (:func:`store_schema`); a full disk raises :class:`StoreWriteError`
and Ctrl-C :class:`RunInterrupted`, and the same call then resumes.
"""

from lmxsim.experiments.design import design_points
from lmxsim.experiments.runner import RunInterrupted, dask_executor, execute, plan, run
from lmxsim.experiments.shipped import catalogue, shipped_names
from lmxsim.experiments.spec import ExperimentSpec, load_spec, parse_spec
from lmxsim.experiments.store import StoreWriteError, store_schema

__all__ = ["ExperimentSpec", "load_spec", "parse_spec", "design_points", "plan", "execute", "run",
           "dask_executor", "summarize", "sensitivity", "load_experiment", "catalogue", "shipped_names",
           "store_schema", "StoreWriteError", "RunInterrupted"]


def __getattr__(name: str):
    # the analysis (scipy.stats, statsmodels-free but ~0.8 s of imports) loads on first use,
    # so that `experiment run` and its workers start without it (PEP 562)
    if name in ("load_experiment", "sensitivity", "summarize"):
        from lmxsim.experiments import analysis
        return getattr(analysis, name)
    raise AttributeError(f"module 'lmxsim.experiments' has no attribute {name!r}")
