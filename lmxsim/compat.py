"""What differs between the Mesa versions lmxsim runs on (Mesa 3.3.1 up to the newest 3.x).

Python 3.11 gets Mesa 3.3.1; Python >= 3.12 gets the newest Mesa 3.x. The model is written
once against what both share; the few places where they differ are here, so that the rest
of the package never asks which Mesa it runs on:

- **Releasing a model.** Mesa 3.3.1 numbers agents through a class-level
  ``Agent._ids`` dictionary keyed by model, which keeps every model ever built alive;
  newer Mesa numbers agents per model and keeps no global reference.
  :func:`release_model` frees a finished model on either.
- **Mesa's own scenarios.** Mesa 3.4+ gives every model a ``scenario`` attribute (a
  :class:`mesa.experimental.scenarios.Scenario` holding the rng and the model's
  parameters), and its SolaraViz passes ``scenario=`` such an object when it rebuilds a
  model. lmxsim's own named presets are therefore ``model.preset``, and
  :func:`is_mesa_scenario` tells a Mesa scenario from a preset name.
"""

from __future__ import annotations

import mesa

try:  # Mesa >= 3.4
    from mesa.experimental.scenarios import Scenario as MesaScenario
except ImportError:  # Mesa 3.3.1 has no scenarios
    MesaScenario = None

# attributes of a Mesa Scenario that are Mesa's own book-keeping, not model parameters
_SCENARIO_BOOKKEEPING = ("rng", "model", "_scenario_id")


def release_model(model) -> None:
    """Let Mesa forget ``model`` so that it can be garbage-collected once the caller drops it.

    On Mesa 3.3.1 the class-level ``Agent._ids`` counter holds a reference to every model
    that ever created an agent (a leak in long batch processes and day-long dashboards);
    this removes the model's entry. Newer Mesa keeps no such reference, so there is nothing
    to do. Safe to call more than once, and on a model that never created an agent.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def held_by_mesa(model) -> bool:
    """Does Mesa itself keep a reference to ``model`` (only Mesa 3.3.1's ``Agent._ids`` does)?"""
    ids = getattr(mesa.Agent, "_ids", None)
    return isinstance(ids, dict) and model in ids


def is_mesa_scenario(value) -> bool:
    """Is ``value`` a Mesa scenario object (Mesa >= 3.4), as opposed to an lmxsim preset name?"""
    return MesaScenario is not None and isinstance(value, MesaScenario)


def scenario_parameters(scenario) -> dict:
    """The model parameters a Mesa scenario carries (everything but its rng and book-keeping)."""
    return {key: value for key, value in scenario.__dict__.items() if key not in _SCENARIO_BOOKKEEPING}
