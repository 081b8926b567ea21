"""Study specifications: TOML files that describe a field study to plan (shipped: ``lmxsim/study/specs/``).

Checked completely before anything runs, like experiment specifications
(:mod:`lmxsim.experiments.spec`): an unknown key, policy, scenario, parameter or instrument,
a value of the wrong type or out of range is refused with one line naming the file, the key,
the value and what is allowed (exit code 2 from ``lmxsim study run``). Layout::

    [study]
    name = "leader_training_power"       # required
    purpose = "..."                      # required
    root_seed = 1982
    replications = 200                   # simulated studies per sample size (treatment design)
    null_replications = 200              # studies of the null design (switch to the same policy); 0 = none

    [population]
    scenario = "default"
    [population.parameters]              # parameter overrides (not n_teams, team_size, weeks)
    cross_team_ties = 0.5

    [design]
    kind = "cluster"                     # "cluster" (leaders randomised) or "stepped_wedge"
    from_policy = "reactive_in_crowd"    # every leader's policy before; control leaders keep it
    to_policy = "proactive_deal"         # what training switches treated leaders to
    week = 26                            # training week: baseline survey that week, switch after it
    treated_share = 0.5                  # cluster: share of leaders trained

    [measurement]
    waves = [0, 13, 26]                  # weeks after the training week; the first must be 0 (baseline)
    instruments = ["lmx", "trust", "turnover_intention", "psych_safety", "performance_rating"]
    include_newcomers = false            # members hired after baseline are surveyed too
    [measurement.reliability]            # optional target alphas, e.g. lmx = 0.90

    [analysis]
    method = "mixed"                     # "mixed" (MixedLM, leader random intercept) or "did"
    alpha = 0.05

    [grid]                               # every (leaders, members per leader) pair is one sample size
    leaders = [10, 20, 40]
    members = [5, 10]
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lmxsim.errors import LMXInputError
from lmxsim.experiments.spec import _expect, _fail
from lmxsim.params import Params, check_overrides, names as param_names
from lmxsim.policies import policy_names
from lmxsim.scenarios import get_scenario, scenario_names, validate_events
from lmxsim.study.instruments import OUTCOMES, RATING, SCALES

SPECS_DIR = Path(__file__).resolve().with_name("specs")
DESIGNS = ("cluster", "stepped_wedge")
METHODS = ("mixed", "did")
SECTIONS = {
    "study": {"name", "purpose", "root_seed", "replications", "null_replications"},
    "population": {"scenario", "parameters"},
    "design": {"kind", "from_policy", "to_policy", "week", "treated_share"},
    "measurement": {"waves", "instruments", "include_newcomers", "reliability"},
    "analysis": {"method", "alpha"},
    "grid": {"leaders", "members"},
}
SET_BY_GRID = ("n_teams", "team_size", "weeks")
MAX_STUDY_POSITIONS = 200_000   # leaders x members per leader of one simulated study


@dataclass(frozen=True)
class StudySpec:
    name: str
    purpose: str
    leaders: tuple[int, ...]
    members: tuple[int, ...]
    root_seed: int = 0
    replications: int = 100
    null_replications: int = 100
    scenario: str = "default"
    parameters: dict = field(default_factory=dict)
    design: str = "cluster"
    from_policy: str = "reactive_in_crowd"
    to_policy: str = "proactive_deal"
    week: int = 26
    treated_share: float = 0.5
    waves: tuple[int, ...] = (0, 13, 26)
    instruments: tuple[str, ...] = OUTCOMES
    include_newcomers: bool = False
    reliability: dict = field(default_factory=dict)
    method: str = "mixed"
    alpha: float = 0.05
    source: str = ""

    @property
    def weeks(self) -> int:
        """The horizon of each simulated organisation: the training week plus the last wave."""
        return self.week + self.waves[-1]

    @property
    def cells(self) -> list[tuple[int, int]]:
        """Every sample size (leaders, members per leader), in grid order."""
        return [(n, m) for n in self.leaders for m in self.members]

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("source")
        return json.loads(json.dumps(d))

    def digest(self) -> str:
        """Hash of the content (not of the file name or formatting)."""
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    def replace(self, **changes) -> "StudySpec":
        """A copy with ``changes``, checked again like a file."""
        data = {**dataclasses.asdict(self), **changes}
        return check_spec(StudySpec(**data), self.source or "<spec>")


def shipped_names() -> list[str]:
    return sorted(p.stem for p in SPECS_DIR.glob("*.toml"))


def resolve(path) -> Path | None:
    """A shipped study's file by bare name, or an existing file."""
    name = str(path)
    if name and Path(name).name == name:
        stem = name[:-5] if name.endswith(".toml") else name
        if (SPECS_DIR / f"{stem}.toml").is_file():
            return SPECS_DIR / f"{stem}.toml"
    return Path(name) if Path(name).is_file() else None


def load_study(path) -> StudySpec:
    """Read and check a study specification: a ``.toml`` file or a shipped study's name."""
    found = resolve(path)
    if found is None:
        raise LMXInputError("SPEC", str(path), "an existing .toml study specification or a shipped study: "
                            + ", ".join(shipped_names()))
    try:
        data = tomllib.loads(found.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise LMXInputError("SPEC", str(found), "a UTF-8 text file in TOML") from None
    except OSError as exc:
        raise LMXInputError("SPEC", str(found), f"a readable .toml file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise LMXInputError(str(found), "(file)", f"valid TOML ({exc})") from None
    return parse_study(data, where=str(found))


def _whole(where, key, value, low, high=None):
    span = f">= {low}" if high is None else f"in [{low}, {high}]"
    _expect(where, key, value, int, f"a whole number {span}")
    if value < low or (high is not None and value > high):
        _fail(where, key, value, f"a whole number {span}")
    return value


def _number(where, key, value, low, high, allowed):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < high:
        _fail(where, key, value, allowed)
    return float(value)


def _whole_list(where, key, values, low, high, what):
    allowed = f"a non-empty list of distinct whole numbers in [{low}, {high}] ({what})"
    if not isinstance(values, list) or not values or len(set(map(repr, values))) != len(values):
        _fail(where, key, values, allowed)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            _fail(where, key, v, allowed)
    return tuple(values)


def _choice(where, key, value, known):
    if not isinstance(value, str) or value not in known:
        _fail(where, key, value, "one of " + ", ".join(known))
    return value


def parse_study(data: dict, where: str = "<spec>") -> StudySpec:
    """Check a study specification given as a dict (as ``tomllib`` returns it)."""
    if not isinstance(data, dict):
        _fail(where, "(specification)", data, "a dict of sections, as tomllib reads a .toml file")
    for section, value in data.items():
        if section not in SECTIONS:
            _fail(where, section, value, "a section among " + ", ".join(f"[{s}]" for s in SECTIONS))
        if not isinstance(value, dict):
            _fail(where, section, value, f"a [{section}] table")
        for key in value:
            if key not in SECTIONS[section]:
                _fail(where, f"{section}.{key}", value[key], "one of " + ", ".join(sorted(SECTIONS[section])))
    study, population = data.get("study", {}), data.get("population", {})
    design, measurement = data.get("design", {}), data.get("measurement", {})
    analysis, grid = data.get("analysis", {}), data.get("grid")
    if "study" not in data:
        _fail(where, "study", None, "a [study] section with at least name and purpose")
    if grid is None:
        _fail(where, "grid", None, "a [grid] section with leaders = [...] and members = [...]")
    name = _expect(where, "study.name", study.get("name"), str, "a non-empty string")
    purpose = _expect(where, "study.purpose", study.get("purpose"), str, "a sentence saying what it plans")
    for key, text in (("study.name", name), ("study.purpose", purpose)):
        if not text.strip():
            _fail(where, key, text, "a non-empty string")
    reliability = measurement.get("reliability", {})
    if not isinstance(reliability, dict):
        _fail(where, "measurement.reliability", reliability, "a table of INSTRUMENT = target alpha")
    parameters = population.get("parameters", {})
    if not isinstance(parameters, dict):
        _fail(where, "population.parameters", parameters, "a table of PARAM = value")
    instruments = measurement.get("instruments", list(OUTCOMES))
    if not isinstance(instruments, list) or not instruments or len(set(map(repr, instruments))) != len(instruments):
        _fail(where, "measurement.instruments", instruments, "a non-empty list of distinct instruments: "
              + ", ".join(OUTCOMES))
    for v in instruments:
        _choice(where, "measurement.instruments", v, list(OUTCOMES))
    spec = StudySpec(
        name=name, purpose=purpose,
        root_seed=_whole(where, "study.root_seed", study.get("root_seed", 0), 0),
        replications=_whole(where, "study.replications", study.get("replications", 100), 2, 100_000),
        null_replications=_whole(where, "study.null_replications", study.get("null_replications", 100), 0, 100_000),
        scenario=_choice(where, "population.scenario", population.get("scenario", "default"), scenario_names()),
        parameters=dict(parameters),
        design=_choice(where, "design.kind", design.get("kind", "cluster"), list(DESIGNS)),
        from_policy=_choice(where, "design.from_policy", design.get("from_policy", "reactive_in_crowd"),
                            policy_names()),
        to_policy=_choice(where, "design.to_policy", design.get("to_policy", "proactive_deal"), policy_names()),
        week=_whole(where, "design.week", design.get("week", 26), 1, 5000),
        treated_share=_number(where, "design.treated_share", design.get("treated_share", 0.5), 0.0, 1.0,
                              "a share strictly between 0 and 1"),
        waves=_whole_list(where, "measurement.waves", measurement.get("waves", [0, 13, 26]), 0, 520,
                          "weeks after the training week"),
        instruments=tuple(instruments),
        include_newcomers=_expect(where, "measurement.include_newcomers", measurement.get("include_newcomers", False),
                                  bool, "true or false"),
        reliability={k: v for k, v in reliability.items()},
        method=_choice(where, "analysis.method", analysis.get("method", "mixed"), list(METHODS)),
        alpha=_number(where, "analysis.alpha", analysis.get("alpha", 0.05), 0.0, 0.5,
                      "a significance level strictly between 0 and 0.5"),
        leaders=_whole_list(where, "grid.leaders", grid.get("leaders"), 2, 10_000, "leaders per study"),
        members=_whole_list(where, "grid.members", grid.get("members"), 1, 500, "members per leader"),
    )
    return check_spec(spec, where)


def check_spec(spec: StudySpec, where: str) -> StudySpec:
    """What needs more than one key: waves, reliabilities, parameters, sizes, the scenario."""
    if spec.waves[0] != 0 or list(spec.waves) != sorted(spec.waves) or len(spec.waves) < 2:
        _fail(where, "measurement.waves", list(spec.waves),
              "at least two increasing weeks after the training week, the first 0 (the baseline)")
    if spec.design == "stepped_wedge" and len(spec.waves) < 3:
        _fail(where, "measurement.waves", list(spec.waves), "at least three waves for a stepped-wedge design")
    for key, value in spec.reliability.items():
        if key not in spec.instruments or key == RATING.name:
            _fail(where, f"measurement.reliability.{key}", value,
                  "a multi-item instrument of the study: " + ", ".join(i for i in spec.instruments if i in SCALES))
        scale = dataclasses.replace(SCALES[key], alpha=value)
        _relabel(where, f"measurement.reliability.{key}", scale.check)
    known = set(param_names())
    for key, value in spec.parameters.items():
        if key not in known:
            _fail(where, f"population.parameters.{key}", value, "a known parameter (see `lmxsim list parameters`)")
        if key in SET_BY_GRID:
            _fail(where, f"population.parameters.{key}", value,
                  "a parameter the study does not set itself ([grid] sets n_teams and team_size, the waves the weeks)")
    _relabel(where, "population.parameters", lambda: check_overrides(dict(spec.parameters)))
    for n in spec.leaders:
        if spec.design == "cluster" and not 1 <= round(spec.treated_share * n) <= n - 1:
            _fail(where, "grid.leaders", n, f"enough leaders for both arms at treated_share {spec.treated_share}")
        if spec.design == "stepped_wedge" and n < len(spec.waves) - 1:
            _fail(where, "grid.leaders", n, f"at least one leader per step ({len(spec.waves) - 1} steps)")
        for m in spec.members:
            if n * m > MAX_STUDY_POSITIONS:
                _fail(where, "grid", f"{n} x {m}", f"at most {MAX_STUDY_POSITIONS:,} members per study")
    preset = get_scenario(spec.scenario)
    params = _relabel(where, "population.parameters", lambda: Params(**{
        **preset.overrides, **spec.parameters, "n_teams": spec.leaders[0], "team_size": spec.members[0],
        "weeks": spec.weeks}))
    _relabel(where, "population.scenario", lambda: validate_events(preset, params))
    return dataclasses.replace(spec, source=where)


def _relabel(where: str, key: str, check):
    try:
        return check()
    except LMXInputError as exc:
        _fail(where, f"{key} ({exc.field})" if exc.field not in key else key, exc.value, exc.allowed)


def study_text(path) -> str:
    """The TOML text of a study (``lmxsim study show``)."""
    load_study(path)
    return resolve(path).read_text(encoding="utf-8")
