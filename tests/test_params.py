"""Parameters: declared ranges, validation messages, unknown names, seeds, scenario presets."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from lmxsim import LMXInputError, LMXModel, Params
from lmxsim.params import coerce, describe, names
from lmxsim.scenarios import SCENARIOS

DESCR = describe()
INT_PARAMS = {f.name for f in dataclasses.fields(Params) if f.type in (int, "int")}
FLOAT_PARAMS = [d["name"] for d in DESCR if d["name"] not in INT_PARAMS]
BY_NAME = {d["name"]: d for d in DESCR}
SMALL = dict(n_teams=2, team_size=4, weeks=10, panel_every=0)


def _assert_names(exc: LMXInputError, name: str, value) -> None:
    """The error names the parameter, the value and the allowed range."""
    d = BY_NAME[name]
    msg = str(exc)
    assert exc.field == name
    assert name in msg
    assert repr(value) in msg
    assert f"[{d['low']}, {d['high']}]" in msg


def test_describe_lists_every_parameter_once_with_unit_range_and_source():
    assert [d["name"] for d in DESCR] == names()
    assert len(set(names())) == len(names())
    for d in DESCR:
        assert d["unit"] and d["source"] and d["group"], d["name"]
        assert d["low"] < d["high"], d["name"]


@pytest.mark.parametrize("d", DESCR, ids=lambda d: d["name"])
def test_default_lies_within_declared_range_and_has_declared_type(d):
    assert d["low"] <= d["default"] <= d["high"]
    if d["name"] in INT_PARAMS:
        assert isinstance(d["default"], int) and not isinstance(d["default"], bool)
    assert getattr(Params(), d["name"]) == d["default"]


@pytest.mark.parametrize("d", DESCR, ids=lambda d: d["name"])
def test_range_ends_are_accepted(d):
    for value in (d["low"], d["high"]):
        assert getattr(Params(**{d["name"]: value}), d["name"]) == value


def _outside(d):
    step = 1 if d["name"] in INT_PARAMS else max(1e-6, 1e-3 * (d["high"] - d["low"]))
    return [d["low"] - step, d["high"] + step]


@pytest.mark.parametrize("d", DESCR, ids=lambda d: d["name"])
def test_out_of_range_value_raises_naming_parameter_value_and_range(d):
    for value in _outside(d):
        with pytest.raises(LMXInputError) as info:
            Params(**{d["name"]: value})
        _assert_names(info.value, d["name"], value)


def _wrong_types(name):
    bad = ["1", True, False, float("nan"), float("inf"), -float("inf"), None, [1]]
    if name in INT_PARAMS:
        d = BY_NAME[name]
        bad.append(float(d["default"]))      # a float where an int is declared
        bad.append(d["low"] + 0.5)           # a fractional value inside the range
    return bad


@pytest.mark.parametrize("d", DESCR, ids=lambda d: d["name"])
def test_wrong_type_raises_naming_parameter_value_and_range(d):
    for value in _wrong_types(d["name"]):
        with pytest.raises(LMXInputError) as info:
            Params(**{d["name"]: value})
        _assert_names(info.value, d["name"], value)


def test_model_validates_parameters_too():
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=1, **{**SMALL, "team_size": 0})
    _assert_names(info.value, "team_size", 0)
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=1, **{**SMALL, "promise_reliability": math.nan})
    assert info.value.field == "promise_reliability"


def test_input_error_is_a_value_error_with_field_value_and_allowed():
    with pytest.raises(ValueError) as info:
        Params(weeks=-3)
    exc = info.value
    assert isinstance(exc, LMXInputError)
    assert (exc.field, exc.value) == ("weeks", -3)
    assert "[1," in exc.allowed


def test_unknown_parameter_name_raises_naming_it():
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=1, team_sise=5, **SMALL)
    assert info.value.field == "team_sise"
    assert "team_sise" in str(info.value)
    with pytest.raises(LMXInputError) as info:
        Params().replace(no_such_parameter=1)
    assert info.value.field == "no_such_parameter"
    with pytest.raises(LMXInputError):
        coerce("no_such_parameter", "1")


def test_replace_validates_the_new_value_and_keeps_the_rest():
    p = Params().replace(team_size=7)
    assert p.team_size == 7 and p.n_teams == Params().n_teams
    with pytest.raises(LMXInputError):
        Params().replace(team_size=10_000)


def test_params_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Params().team_size = 3


@pytest.mark.parametrize("name", sorted(INT_PARAMS))
def test_coerce_turns_command_line_text_into_an_int_for_int_parameters(name):
    d = BY_NAME[name]
    value = coerce(name, str(d["low"]))
    assert value == d["low"] and type(value) is int
    with pytest.raises(LMXInputError) as info:
        coerce(name, f"{d['low']}.5")
    assert info.value.field == name
    with pytest.raises(LMXInputError):
        coerce(name, "many")


def test_coerce_error_for_integer_parameters_says_an_integer_is_needed():
    """Regression: `--set team_size=4.5` was told 'a number in [1, 500]' is allowed."""
    for name in sorted(INT_PARAMS):
        for text in ("4.5", "four"):
            with pytest.raises(LMXInputError) as info:
                coerce(name, text)
            assert "integer" in info.value.allowed, (name, text, str(info.value))


@pytest.mark.parametrize("name", FLOAT_PARAMS)
def test_coerce_turns_command_line_text_into_a_float_for_float_parameters(name):
    d = BY_NAME[name]
    value = coerce(name, str(d["high"]))
    assert value == d["high"] and type(value) is float
    with pytest.raises(LMXInputError) as info:
        coerce(name, "lots")
    assert info.value.field == name


def test_numpy_numbers_are_accepted_and_stored_as_python_numbers():
    """Parameter sweeps built with numpy work (regression: np.int64 was refused for int parameters)."""
    p = Params(team_size=np.int64(6), n_teams=np.int32(3), trust_gain=np.float32(0.25))
    assert p.team_size == 6 and type(p.team_size) is int
    assert p.n_teams == 3 and type(p.n_teams) is int
    assert type(p.trust_gain) is float
    for name, value in (("team_size", np.bool_(True)), ("team_size", np.float64(6.0)),
                        ("trust_gain", np.float64("nan")), ("team_size", np.int64(501))):
        with pytest.raises(LMXInputError) as info:
            Params(**{name: value})
        assert info.value.field == name


# ---------------------------------------------------------------------------- seeds
def _frame(seed):
    return LMXModel(seed=seed, **SMALL).run().model_frame()


def test_numeric_string_seed_gives_the_same_run_as_the_integer_seed():
    model = LMXModel(seed="42", **SMALL)
    assert model.seed == 42
    pd.testing.assert_frame_equal(model.run().model_frame(), _frame(42))


@pytest.mark.parametrize("seed", ["abc", "4.2", "", "-1", -1, 1.5, True, [1]])
def test_bad_seed_raises_input_error_naming_seed(seed):
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=seed, **SMALL)
    assert info.value.field == "seed"
    assert "seed" in str(info.value)


@pytest.mark.parametrize("panel_every", [-1, 1.5, True, "4"])
def test_bad_panel_every_raises_input_error_naming_it(panel_every):
    with pytest.raises(LMXInputError) as info:
        LMXModel(seed=1, n_teams=2, team_size=4, weeks=10, panel_every=panel_every)
    assert info.value.field == "panel_every"


# ---------------------------------------------------------------------------- scenario presets
PRESETS = [(name, key, value) for name, s in SCENARIOS.items() for key, value in s.overrides.items()]


@pytest.mark.parametrize("scenario,key,value", PRESETS, ids=[f"{s}-{k}" for s, k, _ in PRESETS])
def test_scenario_preset_applies_unless_the_parameter_is_passed_explicitly(scenario, key, value):
    preset = LMXModel(scenario=scenario, seed=1, n_teams=1, weeks=5, panel_every=0)
    assert getattr(preset.params, key) == value
    d = BY_NAME[key]
    explicit = d["low"] if d["low"] != value else d["high"]
    if key == "team_size":
        explicit = 3
    chosen = LMXModel(scenario=scenario, seed=1, weeks=5, panel_every=0, **{"n_teams": 1, key: explicit})
    assert getattr(chosen.params, key) == explicit


def test_model_signature_exposes_every_parameter_with_its_default():
    import inspect

    sig = inspect.signature(LMXModel)
    for d in DESCR:
        assert sig.parameters[d["name"]].default == d["default"]
