"""An installed user gets the whole product (issue 10).

The shipped experiments run by name from any directory; every document a help text or a
parameter source points to is installed with the package; ``python -m lmxsim`` works; the
metadata (licence, version, URLs, classifiers), LICENSE, CITATION.cff, CHANGELOG.md and
CONTRIBUTING.md are there and agree; and the sdist and wheel built from this tree hold what
they must - the sdist its own tests, the wheel the specifications and documents.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import run_cli

import lmxsim
from lmxsim import documents, params
from lmxsim.cli import build_parser, parameters_markdown
from lmxsim.errors import LMXInputError
from lmxsim.experiments import catalogue, load_spec, plan, shipped_names
from lmxsim.experiments.shipped import SPECS_DIR, shipped_path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SHIPPED = {"policy_comparison", "span_of_control", "leader_training", "sensitivity"}


def _python_m_lmxsim(*argv, cwd) -> subprocess.CompletedProcess:
    """``python -m lmxsim ARGV`` in ``cwd``, importing this checkout's lmxsim."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "lmxsim", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


# ----------------------------------------------------------------------------- shipped experiments
def test_the_shipped_specifications_are_package_data():
    assert set(shipped_names()) == SHIPPED
    assert all((SPECS_DIR / f"{name}.toml").is_file() for name in SHIPPED)
    assert SPECS_DIR.parent == Path(lmxsim.__file__).resolve().parent / "experiments"


def test_a_shipped_experiment_loads_by_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no experiments/ folder here
    for name in SHIPPED:
        by_name = load_spec(name)
        assert by_name.name == name
        assert by_name.digest() == load_spec(SPECS_DIR / f"{name}.toml").digest()
        assert load_spec(f"{name}.toml").digest() == by_name.digest()


def test_a_path_to_a_toml_file_still_wins_over_a_shipped_name(tmp_path, monkeypatch):
    own = (SPECS_DIR / "policy_comparison.toml").read_text().replace("replications = 50", "replications = 3")
    (tmp_path / "policy_comparison.toml").write_text(own)
    monkeypatch.chdir(tmp_path)
    assert load_spec("policy_comparison.toml").replications == 3   # the file in this directory
    assert load_spec("policy_comparison").replications == 50       # the shipped one


@pytest.mark.parametrize("bad", ["nope", "experiments/policy_comparison.toml", "specs/sensitivity", ""])
def test_a_path_or_name_that_is_neither_is_refused_naming_the_shipped_ones(bad, tmp_path, monkeypatch):
    """A mistyped path is reported, never silently replaced by a shipped file of that name."""
    monkeypatch.chdir(tmp_path)
    assert shipped_path(bad) is None
    with pytest.raises(LMXInputError) as info:
        load_spec(bad)
    assert info.value.field == "SPEC"
    assert all(name in info.value.allowed for name in SHIPPED)


def test_experiment_list_shows_name_purpose_and_runs_of_each(capsys):
    code, stdout, _ = run_cli(["experiment", "list"], capsys)
    assert code == 0
    for name in SHIPPED:
        spec = load_spec(name)
        line = next(line for line in stdout.splitlines() if line.split()[:1] == [name])
        assert f"{len(plan(spec))} runs" in line
        assert " ".join(spec.purpose.split()[:4]) in " ".join(stdout.split())


def test_experiment_list_draws_no_design_but_still_checks_the_values(tmp_path):
    # listing counts a Sobol design's runs from its size: SALib (and scipy.stats) stay unimported
    code = "import sys; from lmxsim.experiments import catalogue; catalogue(); print('SALib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\nname = "x"\npurpose = "y"\n[design]\nmethod = "sobol"\nsamples = 8\n'
                   '[design.ranges]\nteam_size = [2, 100000]\nidea_rate = [0.1, 0.2]\n')
    with pytest.raises(LMXInputError) as info:
        load_spec(bad, design_points=False)
    assert info.value.field.endswith("design.ranges.team_size")


def test_experiment_show_prints_the_toml_to_start_your_own(capsys, tmp_path):
    code, stdout, _ = run_cli(["experiment", "show", "span_of_control"], capsys)
    assert code == 0
    assert stdout == (SPECS_DIR / "span_of_control.toml").read_text()
    code, stdout, stderr = run_cli(["experiment", "show", "span_of_control_typo"], capsys)
    assert code == 2 and stdout == "" and len(stderr.strip().splitlines()) == 1


def test_experiment_run_with_an_unknown_name_writes_nothing(capsys, tmp_path):
    code, _, stderr = run_cli(["experiment", "run", "policy_comparisn", "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert stderr.startswith("lmxsim: error: SPEC='policy_comparisn'") and "policy_comparison" in stderr
    assert not (tmp_path / "out").exists()


def test_the_experiments_readme_describes_each_shipped_experiment_with_its_runs():
    readme = (ROOT / "experiments" / "README.md").read_text()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", readme, flags=re.M)}
    for row in catalogue():
        assert row["name"] in rows, f"experiments/README.md has no table row for {row['name']}"
        assert f"({row['runs']} runs)" in rows[row["name"]]


def test_no_command_in_the_docs_points_to_the_old_experiments_folder():
    texts = [ROOT / "README.md", ROOT / "experiments" / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "notebooks").glob("*.ipynb")), ROOT / "CONTRIBUTING.md"]
    for path in texts:
        stale = re.findall(r"(?<![\w/])experiments/\w+\.toml", path.read_text())
        assert not stale, f"{path.relative_to(ROOT)} points to moved files: {stale}"
        for spec in re.findall(r"lmxsim experiment (?:run|show) (\S+)", path.read_text()):
            assert spec in SHIPPED or spec in ("SPEC", "NAME") or spec.endswith(".toml"), \
                f"{path.relative_to(ROOT)}: `lmxsim experiment ... {spec}` names no shipped experiment"


# ----------------------------------------------------------------------------- referenced documents
def _parser_texts(parser: argparse.ArgumentParser) -> list[str]:
    """Every description, epilog and help text of a parser and its subcommands."""
    texts = [parser.description or "", parser.epilog or ""]
    for action in parser._actions:
        texts.append(action.help or "")
        if isinstance(action, argparse._SubParsersAction):
            texts.extend(choice.help or "" for choice in action._choices_actions)
            for sub in action.choices.values():
                texts.extend(_parser_texts(sub))
    return texts


def _user_facing_texts() -> list[str]:
    from lmxsim.dashboard.about import about_markdown
    from lmxsim.policies import policy_class, policy_names
    from lmxsim.scenarios import SCENARIOS
    from lmxsim.validation import FACTS

    return (_parser_texts(build_parser()) + [d["source"] for d in params.describe()]
            + [policy_class(p).source for p in policy_names()]
            + [s.description + " " + s.watch for s in SCENARIOS.values()]
            + [fact[5] for fact in FACTS] + [about_markdown()])


FILE_REFERENCE = re.compile(r"[\w./-]+\.(?:md|cff|ipynb|rst)\b", flags=re.I)
DOC_COMMAND = re.compile(r"lmxsim docs (\w+)")


def test_help_texts_and_sources_name_only_documents_that_are_installed():
    texts = _user_facing_texts()
    files = {ref for text in texts for ref in FILE_REFERENCE.findall(text)}
    installed = {name.lower() for name in documents.doc_names()}
    missing = sorted(ref for ref in files if Path(ref).stem.lower() not in installed)
    assert not missing, f"help texts or sources point to files an installed user does not have: {missing}"
    commands = {name for text in texts for name in DOC_COMMAND.findall(text)}
    assert commands, "the help texts should say how to open the model's documents"
    for name in commands:
        assert documents.doc_path(name).is_file()


def test_the_documents_are_the_repository_docs():
    assert {p.name for p in documents.docs_dir().glob("*.md")} == {p.name for p in (ROOT / "docs").glob("*.md")}
    assert {"odd", "parameters", "calibration", "findings"} <= {n.lower() for n in documents.doc_names()}


def test_lmxsim_docs_lists_prints_and_locates_a_document(capsys):
    code, stdout, _ = run_cli(["docs"], capsys)
    assert code == 0 and "ODD" in stdout and "model description" in stdout
    code, stdout, _ = run_cli(["docs", "odd"], capsys)
    assert code == 0 and stdout == (documents.docs_dir() / "ODD.md").read_text(encoding="utf-8")
    code, stdout, _ = run_cli(["docs", "Parameters.md", "--path"], capsys)
    assert code == 0 and Path(stdout.strip()).read_text() == (ROOT / "docs" / "parameters.md").read_text()
    code, stdout, stderr = run_cli(["docs", "LITERATURE"], capsys)
    assert code == 2 and stdout == "" and stderr.startswith("lmxsim: error: docs NAME='LITERATURE'")


def test_the_parameter_table_document_is_current():
    """docs/parameters.md is installed for users: it must be what `lmxsim list --markdown` prints."""
    assert (ROOT / "docs" / "parameters.md").read_text().strip() == parameters_markdown().strip()


# ----------------------------------------------------------------------------- python -m lmxsim
def test_python_dash_m_lmxsim_runs_the_command_line(tmp_path):
    version = _python_m_lmxsim("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"lmxsim {lmxsim.__version__}"
    listing = _python_m_lmxsim("experiment", "list", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert all(name in listing.stdout for name in SHIPPED)
    bad = _python_m_lmxsim("run", "--policy", "nope", "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("lmxsim: error: policy='nope'")
    assert not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------- metadata and files
def test_pyproject_declares_the_licence_urls_and_classifiers():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # SPDX replaces them
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77
               for r in PYPROJECT["build-system"]["requires"])
    assert set(project["urls"]) >= {"Homepage", "Documentation", "Changelog", "Issues"}
    for needed in ("Intended Audience :: Science/Research", "Intended Audience :: Education",
                   "Topic :: Scientific/Engineering", "Programming Language :: Python :: 3.11",
                   "Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13",
                   "Operating System :: OS Independent"):
        assert needed in project["classifiers"]
    assert any(c.startswith("Development Status ::") for c in project["classifiers"])
    assert project["keywords"] and project["requires-python"] == ">=3.11"
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lmxsim.__version__"}


def test_every_subpackage_is_listed_for_the_build():
    """pyproject lists packages by hand (lmxsim.docs is mapped from docs/): none may be forgotten."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "lmxsim").rglob("__init__.py")}
    data_dirs = {".".join(p.relative_to(ROOT).parts) for p in (ROOT / "lmxsim").rglob("*")
                 if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.toml"))}
    assert on_disk | data_dirs | {"lmxsim.docs"} == listed
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"lmxsim.docs": "docs"}


def test_license_is_the_mit_text_of_the_lmxsim_developers():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 The lmxsim developers" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text


def test_citation_cff_is_valid_and_carries_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == lmxsim.__version__
    assert cff["license"] == PYPROJECT["project"]["license"]
    assert cff["authors"] == [{"name": "The lmxsim developers"}]
    for key in ("message", "title", "abstract"):
        assert isinstance(cff[key], str) and cff[key].strip()
    assert isinstance(cff["keywords"], list) and all(isinstance(k, str) for k in cff["keywords"])
    allowed = {"cff-version", "message", "type", "title", "version", "authors", "license", "repository-code",
               "url", "abstract", "keywords", "references", "preferred-citation", "doi", "date-released",
               "identifiers", "contact", "commit", "license-url", "repository", "repository-artifact"}
    assert set(cff) <= allowed, f"keys CFF 1.2.0 does not define: {set(cff) - allowed}"
    for ref in cff.get("references", []):
        assert {"type", "title", "authors"} <= set(ref) and ref["authors"]


def test_changelog_follows_keep_a_changelog_with_unreleased_and_the_first_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "Keep a Changelog" in text
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.M)
    assert headings[0] == ("Unreleased", "")
    assert ("0.1.0", "2026-11-22") in headings
    for version, _ in headings:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, flags=re.M), f"no link for {version}"
    unreleased = text.split("## [Unreleased]")[1].split("\n## [")[0]
    assert all(f"### {kind}" in unreleased for kind in ("Added", "Changed", "Fixed"))


def test_contributing_covers_the_extension_points_and_names_real_files():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for heading in ("## Set up", "## Run the tests", "## Add a leadership policy", "## Add a mechanism",
                    "## Add an outcome", "## Add a scenario"):
        assert heading in text
    paths = set(re.findall(r"`((?:lmxsim|tests|docs|benchmarks|notebooks|experiments)/[\w./-]+)`", text))
    assert paths
    missing = sorted(p for p in paths if not (ROOT / p).exists() and "my_policy" not in p)
    assert not missing, f"CONTRIBUTING.md names files that do not exist: {missing}"
    assert "lmxsim list --markdown > docs/parameters.md" in text


# ----------------------------------------------------------------------------- built distributions
SDIST_MUST_HOLD = ("tests/", "docs/", "experiments/", "notebooks/", "benchmarks/", "lmxsim/experiments/specs/",
                   "LICENSE", "README.md", "CHANGELOG.md", "CITATION.cff", "CONTRIBUTING.md", ".ci/run",
                   "pyproject.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``python -m build`` of this tree: an sdist, and a wheel built from that sdist."""
    pytest.importorskip("build", reason="python -m build needs the `build` package (test extra)")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    sdist, = out.glob("lmxsim-*.tar.gz")
    wheel, = out.glob("lmxsim-*.whl")
    return sdist, wheel


def test_the_built_sdist_holds_its_tests_and_they_collect(built, tmp_path):
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: refuse unsafe members
            tar.extractall(tmp_path, filter="data")
        else:  # pragma: no cover
            tar.extractall(tmp_path)
    top = names[0].split("/")[0]
    for needed in SDIST_MUST_HOLD:
        assert any(n == f"{top}/{needed.rstrip('/')}" or n.startswith(f"{top}/{needed}") for n in names), needed
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    root = tmp_path / top
    assert {p.name for p in (root / "tests").glob("test_*.py")} == {p.name for p in (ROOT / "tests").glob("test_*.py")}
    env = {**os.environ, "PYTHONPATH": str(root), "MPLBACKEND": "Agg"}
    collect = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                             cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stdout[-3000:] + collect.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", collect.stdout, flags=re.M), collect.stdout[-500:]
    assert "tests/test_packaging.py::test_citation_cff_is_valid_and_carries_the_package_version" in collect.stdout


def test_the_built_wheel_installs_specs_documents_licence_and_metadata(built):
    _, wheel = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(f"lmxsim-{lmxsim.__version__}.dist-info/METADATA").decode()
    assert {f"lmxsim/experiments/specs/{n}.toml" for n in SHIPPED} <= names
    assert {f"lmxsim/docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} <= names
    assert {"lmxsim/__main__.py", "lmxsim/documents.py", "lmxsim/experiments/shipped.py"} <= names
    assert f"lmxsim-{lmxsim.__version__}.dist-info/licenses/LICENSE" in names
    assert not any(n.startswith(("tests/", "docs/", "benchmarks/")) for n in names)
    assert f"\nVersion: {lmxsim.__version__}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    assert "\nProject-URL: Changelog, " in metadata
    assert "\nClassifier: Intended Audience :: Science/Research\n" in metadata
