"""Design points of an experiment: a full factorial or a sampling design over ranges.

Sampling designs use SALib (Herman & Usher 2017): Latin hypercube (``lhs``), Saltelli's
extension of Sobol sequences (``sobol``, for first-order and total Sobol indices) and
Morris trajectories (``morris``, for elementary effects). The design is drawn from the
specification's root seed, so it is the same on every machine. Integer parameters are
rounded to the nearest whole number.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from lmxsim.experiments.spec import ExperimentSpec
from lmxsim.params import Params

_TYPES = {f.name: f.type for f in dataclasses.fields(Params)}


def salib_problem(spec: ExperimentSpec) -> dict:
    names = list(spec.ranges)
    return {"num_vars": len(names), "names": names, "bounds": [list(spec.ranges[n]) for n in names]}


def sample_matrix(spec: ExperimentSpec) -> np.ndarray:
    """The raw sample (rows = design points) of a sampling design."""
    problem = salib_problem(spec)
    seed = spec.root_seed
    if spec.method == "lhs":
        from SALib.sample import latin
        return latin.sample(problem, spec.samples, seed=seed)
    if spec.method == "sobol":
        from SALib.sample import sobol
        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=seed)
    if spec.method == "morris":
        from SALib.sample import morris
        return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=seed)
    raise ValueError(f"not a sampling design: {spec.method}")


def n_design_points(spec: ExperimentSpec) -> int:
    """How many design points :func:`design_points` gives, computed without drawing them.

    Full factorial: the product of the numbers of levels; ``lhs``: ``samples``; Saltelli's
    ``sobol`` (first-order and total indices): ``samples * (D + 2)``; ``morris``:
    ``samples`` trajectories of ``D + 1`` points (``D`` = number of ranges).
    """
    if spec.method == "factorial":
        return math.prod(len(v) for v in spec.factors.values())
    d = len(spec.ranges)
    return {"lhs": spec.samples, "sobol": spec.samples * (d + 2), "morris": spec.samples * (d + 1)}[spec.method]


def design_points(spec: ExperimentSpec) -> list[dict]:
    """One dict of factor values per design point (empty dict: a single point)."""
    if spec.method == "factorial":
        if not spec.factors:
            return [{}]
        names = list(spec.factors)
        return [dict(zip(names, combo)) for combo in itertools.product(*(spec.factors[n] for n in names))]
    names = list(spec.ranges)
    points = []
    for row in sample_matrix(spec):
        point = {}
        for name, value in zip(names, row):
            point[name] = int(round(value)) if _TYPES[name] in (int, "int") else float(value)
        points.append(point)
    return points
