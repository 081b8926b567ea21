"""Experiment specifications: TOML files that say what to run (shipped ones: ``lmxsim/experiments/specs/``).

A specification is read with the standard library's ``tomllib`` and checked completely
before anything runs: an unknown key, parameter, policy or outcome, a value out of its
range or of the wrong type is refused with a message naming the file, the key and what
is allowed. Layout::

    [experiment]
    name = "span_of_control"          # required
    purpose = "..."                   # required: one or two sentences
    scenario = "default"              # base scenario (default "default")
    policies = ["reactive_in_crowd", "proactive_deal"]
    replications = 10                 # per design point and policy
    weeks = 156
    root_seed = 1
    outcomes = ["innovation_per_member_year", "annual_turnover"]   # default: all
    weekly = false                    # also keep the weekly series

    [fixed]                           # parameter overrides for every run
    n_teams = 10

    [factors]                         # full factorial over explicit values ...
    team_size = [4, 8, 16, 32]
    scenario = ["default", "leader_training"]   # scenarios can be a factor too

    [design]                          # ... or a sampling design over ranges
    method = "sobol"                  # "lhs", "sobol" (Saltelli) or "morris"
    samples = 64                      # base sample size N
    [design.ranges]
    trust_loss_ratio = [1.5, 4.0]
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmxsim.errors import LMXInputError
from lmxsim.outcomes import OUTCOMES
from lmxsim.params import Params, check_overrides, names as param_names
from lmxsim.policies import policy_names
from lmxsim.resources import BYTES_PER_DESIGN_VALUE, BYTES_PER_RUN_RESULT, BYTES_PER_WEEKLY_ROW, check_fits, model_bytes
from lmxsim.scenarios import get_scenario, scenario_names, validate_events

DESIGN_METHODS = ("factorial", "lhs", "sobol", "morris")
EXPERIMENT_KEYS = {"name", "purpose", "scenario", "policies", "replications", "weeks", "root_seed", "outcomes",
                   "weekly"}
TOP_KEYS = {"experiment", "fixed", "factors", "design"}
DESIGN_KEYS = {"method", "samples", "ranges", "levels"}


@dataclass(frozen=True)
class ExperimentSpec:
    name: str
    purpose: str
    scenario: str = "default"
    policies: tuple[str, ...] = ()
    replications: int = 10
    weeks: int = 156
    root_seed: int = 0
    outcomes: tuple[str, ...] = ()
    weekly: bool = False
    fixed: dict = field(default_factory=dict)
    factors: dict = field(default_factory=dict)        # name -> list of values (factorial)
    method: str = "factorial"
    samples: int = 0
    ranges: dict = field(default_factory=dict)         # name -> (low, high) (sampling designs)
    levels: int = 4                                    # Morris grid levels
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("source")
        d["policies"] = list(self.policies)
        d["outcomes"] = list(self.outcomes)
        d["ranges"] = {k: list(v) for k, v in self.ranges.items()}
        return d

    def digest(self) -> str:
        """Hash of the specification's content (not of its file name or formatting)."""
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    @property
    def factor_names(self) -> list[str]:
        return list(self.factors) if self.method == "factorial" else list(self.ranges)


def _fail(where: str, key: str, value, allowed: str):
    raise LMXInputError(f"{where}: {key}", value, allowed)


def _expect(where, key, value, kind, allowed):
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        _fail(where, key, value, allowed)
    return value


def load_spec(path: str | Path, design_points: bool = True) -> ExperimentSpec:
    """Read and fully validate a specification: a ``.toml`` file, or the name of a shipped one
    (``"policy_comparison"``; see ``lmxsim experiment list``). ``design_points=False`` leaves out
    the check of every design point (a sampling design is then not drawn: listing specifications
    does not import SALib and scipy.stats); every value and range is still checked."""
    from lmxsim.experiments import shipped

    if not isinstance(path, (str, os.PathLike)):
        raise LMXInputError("SPEC", path, "a .toml file's path or a shipped experiment's name")
    found = shipped.resolve(path)
    if found is None:
        raise LMXInputError("SPEC", str(path), "an existing .toml experiment specification or a shipped "
                            "experiment: " + ", ".join(shipped.shipped_names()))
    path = found
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LMXInputError("SPEC", str(path), f"a UTF-8 text file in TOML (byte {exc.start} is not UTF-8; "
                                               "is it a binary file?)") from None
    except OSError as exc:
        raise LMXInputError("SPEC", str(path), f"a readable .toml file ({exc.strerror})") from None
    if "\x00" in text:
        raise LMXInputError("SPEC", str(path), "a text file in TOML (it contains NUL bytes: a binary file?)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LMXInputError(str(path), "(file)", f"valid TOML ({exc})") from None
    return parse_spec(data, where=str(path), design_points=design_points)


def parse_spec(data: dict, where: str = "<spec>", design_points: bool = True) -> ExperimentSpec:
    """Validate a specification given as a dict (as ``tomllib`` returns it); ``design_points``
    as in :func:`load_spec`."""
    if not isinstance(data, dict):
        _fail(where, "(specification)", data, "a dict of sections, as tomllib reads a .toml file")
    for key in data:
        if key not in TOP_KEYS:
            _fail(where, key, data[key], "a section among [experiment], [fixed], [factors], [design]")
    exp = data.get("experiment")
    if not isinstance(exp, dict):
        _fail(where, "experiment", exp, "an [experiment] section with at least name and purpose")
    for key in exp:
        if key not in EXPERIMENT_KEYS:
            _fail(where, f"experiment.{key}", exp[key], "one of " + ", ".join(sorted(EXPERIMENT_KEYS)))
    name = _expect(where, "experiment.name", exp.get("name"), str, "a non-empty string")
    purpose = _expect(where, "experiment.purpose", exp.get("purpose"), str, "a sentence saying what it shows")
    if not name.strip() or not purpose.strip():
        _fail(where, "experiment.name/purpose", "", "non-empty strings")
    scenario = _expect(where, "experiment.scenario", exp.get("scenario", "default"), str, "a scenario name")
    _names(where, "experiment.scenario", [scenario], scenario_names(), "a scenario name")
    policies = _names(where, "experiment.policies", exp.get("policies", policy_names()), policy_names(),
                      "a non-empty list of policy names")
    replications = _expect(where, "experiment.replications", exp.get("replications", 10), int, "an integer >= 1")
    if replications < 1:
        _fail(where, "experiment.replications", replications, "an integer >= 1")
    weeks = _expect(where, "experiment.weeks", exp.get("weeks", 156), int, "an integer in [1, 5200]")
    root_seed = _expect(where, "experiment.root_seed", exp.get("root_seed", 0), int, "an integer >= 0")
    if root_seed < 0:
        _fail(where, "experiment.root_seed", root_seed, "an integer >= 0")
    outcomes = _names(where, "experiment.outcomes", exp.get("outcomes", list(OUTCOMES)), list(OUTCOMES),
                      "a non-empty list of outcome names")
    weekly = _expect(where, "experiment.weekly", exp.get("weekly", False), bool, "true or false")

    fixed = data.get("fixed", {})
    if not isinstance(fixed, dict):
        _fail(where, "fixed", fixed, "a table of PARAM = value")
    known = set(param_names())
    for key, value in fixed.items():
        if key not in known:
            _fail(where, f"fixed.{key}", value, "a known parameter (see `lmxsim list parameters`)")
    if "weeks" in fixed:
        _fail(where, "fixed.weeks", fixed["weeks"], "set the horizon with experiment.weeks")

    factors, ranges, method, samples, levels = {}, {}, "factorial", 0, 4
    if "factors" in data and "design" in data:
        _fail(where, "factors/design", "both", "either [factors] (explicit values) or [design] (sampling), not both")
    if "factors" in data:
        if not isinstance(data["factors"], dict):
            _fail(where, "factors", data["factors"], "a table of PARAM = [values]")
        for key, values in data["factors"].items():
            if key == "scenario":  # scenarios can be compared as a factor
                factors[key] = _names(where, "factors.scenario", values, scenario_names(),
                                      "a non-empty list of scenario names")
                continue
            if key not in known:
                _fail(where, f"factors.{key}", values, "a known parameter (see `lmxsim list parameters`)")
            if key in fixed:
                _fail(where, f"factors.{key}", values, "a parameter not also in [fixed]")
            if not isinstance(values, list) or not values:
                _fail(where, f"factors.{key}", values, "a non-empty list of values")
            if len({repr(v) for v in values}) != len(values):
                _fail(where, f"factors.{key}", values, "a list of distinct values (each level at most once)")
            factors[key] = values
    if "design" in data:
        design = data["design"]
        if not isinstance(design, dict):
            _fail(where, "design", design, "a table with method, samples and [design.ranges]")
        for key in design:
            if key not in DESIGN_KEYS:
                _fail(where, f"design.{key}", design[key], "one of " + ", ".join(sorted(DESIGN_KEYS)))
        method = design.get("method")
        if method not in DESIGN_METHODS[1:]:
            _fail(where, "design.method", method, "one of lhs, sobol, morris")
        samples = _expect(where, "design.samples", design.get("samples"), int, "an integer >= 2")
        if samples < 2:
            _fail(where, "design.samples", samples, "an integer >= 2")
        levels = _expect(where, "design.levels", design.get("levels", 4), int, "an even integer >= 2")
        if levels < 2 or levels % 2:
            _fail(where, "design.levels", levels, "an even integer >= 2")
        raw = design.get("ranges")
        if not isinstance(raw, dict) or not raw:
            _fail(where, "design.ranges", raw, "a table of PARAM = [low, high] with at least one parameter")
        for key, bounds in raw.items():
            if key not in known:
                _fail(where, f"design.ranges.{key}", bounds, "a known parameter (see `lmxsim list parameters`)")
            if key in fixed:
                _fail(where, f"design.ranges.{key}", bounds, "a parameter not also in [fixed]")
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
                    or not bounds[0] < bounds[1]):
                _fail(where, f"design.ranges.{key}", bounds, "[low, high] with low < high")
            ranges[key] = (float(bounds[0]), float(bounds[1]))
        if method in ("sobol", "morris") and len(ranges) < 2:
            _fail(where, "design.ranges", list(ranges), f"at least two parameters for a {method} design")

    spec = ExperimentSpec(name=name, purpose=purpose, scenario=scenario, policies=tuple(policies),
                          replications=replications, weeks=weeks, root_seed=root_seed, outcomes=tuple(outcomes),
                          weekly=weekly, fixed=dict(fixed), factors=factors, method=method, samples=samples,
                          ranges=ranges, levels=levels, source=where)
    _check_values(spec, where, design_points)
    return spec


def _names(where: str, key: str, values, known: list[str], allowed: str) -> list[str]:
    """A non-empty list of distinct names, each one of ``known`` (policies, scenarios, outcomes)."""
    if not isinstance(values, list) or not values:
        _fail(where, key, values, allowed)
    for v in values:
        if not isinstance(v, str) or v not in known:
            _fail(where, key, v, "one of " + ", ".join(known))
    if len(set(values)) != len(values):
        _fail(where, key, values, "each name at most once")
    return values


def _check_values(spec: ExperimentSpec, where: str, each_point: bool = True) -> None:
    """Every run the specification asks for must be possible; check it all before anything runs.

    First the values on their own (each [fixed] value, each factor level, each range bound),
    then the size of the whole experiment against this machine's memory, then EVERY design
    point in every scenario it runs in: its parameters together, the scenario's constraints
    (:func:`lmxsim.scenarios.validate_events`) and the memory of one of its models.
    """
    from lmxsim.experiments.design import design_points, n_design_points

    scenarios = [get_scenario(name) for name in spec.factors.get("scenario", [spec.scenario])]
    _relabel(where, spec, lambda: check_overrides({**spec.fixed, "weeks": spec.weeks}))
    for key, values in spec.factors.items():
        if key != "scenario":
            for v in values:
                _relabel(where, spec, lambda: check_overrides({key: v}))
    for key, (low, high) in spec.ranges.items():
        for v in (low, high):
            _relabel(where, spec, lambda: check_overrides({key: int(round(v)) if _is_int(key) else v}))

    n_points = n_design_points(spec)
    n_runs = n_points * spec.replications * len(spec.policies)
    needed = n_runs * (BYTES_PER_RUN_RESULT + (spec.weeks + 1) * BYTES_PER_WEEKLY_ROW * spec.weekly)
    needed += n_points * max(1, len(spec.ranges)) * BYTES_PER_DESIGN_VALUE
    if spec.replications > n_points:
        key, value = "experiment.replications", spec.replications
    elif spec.method == "factorial":
        key, value = "factors", f"{n_points} design points"
    else:
        key, value = "design.samples", spec.samples
    check_fits(f"{where}: {key}", value, needed, f"an experiment that fits in memory ({n_runs:,} runs)")

    for point in design_points(spec) if each_point else ():
        for scenario in scenarios:
            if point.get("scenario", scenario.name) != scenario.name:
                continue
            values = {k: v for k, v in point.items() if k != "scenario"}
            params = _relabel(where, spec, lambda: Params(**{**scenario.overrides, **spec.fixed, **values,
                                                              "weeks": spec.weeks}), point)
            _relabel(where, spec, lambda: validate_events(scenario, params), point)
            check_fits(f"{where}: " + (f"design point {point}" if point else "n_teams x team_size"),
                       f"{params.n_teams} x {params.team_size}",
                       model_bytes(params, scenario), "an organisation that fits in memory")


def _relabel(where: str, spec: ExperimentSpec, check, point: dict | None = None):
    """Run ``check``; an LMXInputError about a parameter is re-raised naming the spec key that set it."""
    try:
        return check()
    except LMXInputError as exc:
        name = exc.field
        if name == "weeks":
            key = "experiment.weeks"
        elif name in spec.factors:
            key = f"factors.{name}"
        elif name in spec.ranges:
            key = f"design.ranges.{name}"
        elif name in spec.fixed:
            key = f"fixed.{name}"
        else:
            key = f"{name} (set by the scenario)"
        at = f" (design point {point})" if point else ""
        _fail(where, key, exc.value, exc.allowed + at)


def _is_int(name: str) -> bool:
    return {f.name: f.type for f in dataclasses.fields(Params)}[name] in (int, "int")
