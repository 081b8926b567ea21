"""The experiment specifications shipped inside the package, found by name.

The ``.toml`` files in ``lmxsim/experiments/specs/`` are package data: they are installed
with lmxsim, so ``lmxsim experiment run policy_comparison --out DIR`` works from any
directory, whatever was installed (a wheel, an sdist or a source checkout).
``experiments/README.md`` in the source repository is the human guide to them.
"""

from __future__ import annotations

from pathlib import Path

SPECS_DIR = Path(__file__).resolve().with_name("specs")


def shipped_names() -> list[str]:
    """Names of the shipped specifications (file stems), sorted."""
    return sorted(p.stem for p in SPECS_DIR.glob("*.toml"))


def shipped_path(name: str) -> Path | None:
    """The file of the shipped specification called ``name`` (``"span_of_control"`` or
    ``"span_of_control.toml"``), or ``None`` if ``name`` is not one.

    Only a bare name counts: a string with a directory part is a path, never a name, so a
    mistyped path is reported rather than silently replaced by a shipped file.
    """
    if not name or Path(name).name != name:
        return None
    stem = name[:-len(".toml")] if name.endswith(".toml") else name
    path = SPECS_DIR / f"{stem}.toml"
    return path if stem in shipped_names() else None


def resolve(spec: str | Path) -> Path | None:
    """The file to read for ``spec``: an existing file as given, else the shipped specification
    of that name, else ``None``."""
    path = Path(spec)
    if path.is_file():
        return path
    return shipped_path(str(spec))


def catalogue() -> list[dict]:
    """One row per shipped specification: ``name``, ``purpose``, ``runs`` (runs it plans),
    ``weeks``, ``method`` and ``path``. Each file is loaded and its values checked as ``lmxsim
    experiment run`` would, but its design is not drawn (a Sobol design would import SALib and
    scipy.stats: a second of ``lmxsim experiment list``); its runs are counted from its size.
    Every shipped design point is checked by the tests (``tests/test_packaging.py``)."""
    from lmxsim.experiments.design import n_design_points
    from lmxsim.experiments.spec import load_spec

    rows = []
    for name in shipped_names():
        spec = load_spec(SPECS_DIR / f"{name}.toml", design_points=False)
        runs = n_design_points(spec) * spec.replications * len(spec.policies)
        rows.append({"name": spec.name, "purpose": spec.purpose, "runs": runs, "weeks": spec.weeks,
                     "method": spec.method, "path": str(SPECS_DIR / f"{name}.toml")})
    return rows
