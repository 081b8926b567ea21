"""The arguments of :class:`lmxsim.model.LMXModel`: seeds, presets, Mesa's ``rng=`` and
scenario objects, memory limits, and the explicit keyword signature SolaraViz reads.

Each check refuses bad input with one :class:`~lmxsim.errors.LMXInputError` naming the field.
"""

from __future__ import annotations

import inspect
import math
import numbers

import numpy as np

from lmxsim.errors import LMXInputError
from lmxsim.params import Params, names as param_names
from lmxsim.resources import check_fits, model_bytes
from lmxsim.scenarios import get_scenario

MAX_SEED = 2**64 - 1   # the largest seed numpy's SeedSequence children give (uint64)


def as_seed(seed, field: str = "seed") -> int:
    """The one check of a seed: a whole number in [0, 2**64 - 1].

    Integers, whole floats (``3.0``) and numeric strings (from a text box or the command
    line, e.g. ``" 42 "``) are accepted; booleans, fractions, NaN, infinities, negative or
    too large numbers and other text are refused with :class:`LMXInputError` naming ``field``.
    """
    allowed = f"a whole number in [0, {MAX_SEED}] (2**64 - 1)"
    if isinstance(seed, (bool, np.bool_)):
        raise LMXInputError(field, seed, allowed)
    if isinstance(seed, str):
        try:
            value = int(seed.strip())
        except ValueError:
            raise LMXInputError(field, seed, allowed) from None
    elif isinstance(seed, numbers.Integral):
        value = int(seed)
    elif isinstance(seed, numbers.Real) and math.isfinite(seed) and float(seed).is_integer():
        value = int(seed)
    else:
        raise LMXInputError(field, seed, allowed)
    if not 0 <= value <= MAX_SEED:
        raise LMXInputError(field, seed, allowed)
    return value


def preset_named(scenario, preset):
    """The preset named by ``scenario=`` or ``preset=`` (default ``"default"``)."""
    if scenario is not None and preset is not None and scenario != preset:
        raise LMXInputError("preset", preset, f"the same preset as scenario={scenario!r}, or only one of the two")
    if preset is not None:
        return get_scenario(preset, "preset")
    return get_scenario("default" if scenario is None else scenario)


_FROM_MESA_SCENARIO = ("policy", "preset")


def from_mesa_scenario(mesa_scenario, policy, preset, rng, kwargs: dict):
    """Take ``policy``, ``preset``, ``rng`` and model parameters from a Mesa scenario object.

    A value may come from the scenario or from an argument, not from both."""
    from lmxsim.compat import scenario_parameters   # Mesa: only for a Mesa scenario

    fields = scenario_parameters(mesa_scenario)
    given = {"policy": policy, "preset": preset}
    for name, value in fields.items():
        if name not in _FROM_MESA_SCENARIO and name not in param_names():
            raise LMXInputError(f"scenario.{name}", value, "policy, preset or a known parameter (see `lmxsim list`)")
        if given.get(name) is not None or name in kwargs:
            raise LMXInputError(f"scenario.{name}", value, f"given once: in the scenario or as {name}=, not both")
    if mesa_scenario.rng is not None:
        if rng is not None:
            raise LMXInputError("scenario.rng", mesa_scenario.rng, "given once: in the scenario or as rng=, not both")
        rng = mesa_scenario.rng
    kwargs = {**kwargs, **{k: v for k, v in fields.items() if k not in _FROM_MESA_SCENARIO}}
    return fields.get("policy", policy), fields.get("preset", preset), rng, kwargs


_RNG_ALLOWED = "a numpy Generator, BitGenerator or SeedSequence, or a whole number >= 0"


def as_rng(rng):
    """``rng=`` as Mesa accepts it: a numpy generator object as it is, a seed as an integer."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return rng
    try:
        return as_seed(rng)
    except LMXInputError:
        raise LMXInputError("rng", rng, _RNG_ALLOWED) from None


def check_memory(p: Params, scenario, panel_every: int, member_agents: bool) -> None:
    """Refuse an organisation (or a member panel) too large for this machine's memory."""
    check_fits("n_teams x team_size", f"{p.n_teams} x {p.team_size}", model_bytes(p, scenario, 0, member_agents),
               "an organisation that fits in memory")
    check_fits("panel_every", panel_every, model_bytes(p, scenario, panel_every, member_agents),
               "a member panel that fits in memory (a larger panel_every, or 0 for none)")


def signature_with_parameters(init) -> inspect.Signature:
    """Expose every parameter as an explicit keyword argument (for help() and SolaraViz).

    The catch-all stays last and is named ``kwargs``: Mesa 3.3.1's SolaraViz accepts a
    model whose only required-looking parameter is ``**kwargs`` and refuses any other name."""
    base = inspect.signature(init)
    fixed = [prm for prm in base.parameters.values() if prm.kind != inspect.Parameter.VAR_KEYWORD]
    defaults = Params()
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=getattr(defaults, name))
             for name in param_names()]
    return base.replace(parameters=[*fixed, *extra, inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])
