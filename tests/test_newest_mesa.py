"""The core of the test suite, run again on the newest Mesa 3.x (Python >= 3.12).

The environment comes from :mod:`newest_mesa_env` (a cached venv with the newest
``mesa[rec]`` 3.x and this checkout installed non-editable); the subset below runs in it,
from outside the checkout so that ``import lmxsim`` is the installed package: model,
policies, scenarios, reproducibility, panel, agents and Mesa compatibility (SolaraViz
included) and experiments on one worker. Skipped, with the reason, where no Python >= 3.12
exists.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newest_mesa_env import ROOT, clean_env, find_python, prepare

# What runs on the newest Mesa: every module whose subject Mesa could break.
SUBSET = [
    "tests/test_mesa_compat.py",
    "tests/test_model_invariants.py",
    "tests/test_policies.py",
    "tests/test_scenarios.py",
    "tests/test_reproducibility.py",
    "tests/test_panel.py",
    "tests/test_experiments.py",
]
# experiments on one worker: multi-process and Dask runs (and compare/validate on two workers), the kill-and-resume run and the
# slowest shipped-experiment run test our own machinery, not Mesa's, and stay in the main suite
DESELECT = ["two_worker_processes", "dask_local_cluster", "killed_run_resumes", "sensitivity",
            "one_or_two_workers"]


@pytest.fixture(scope="module")
def venv() -> Path:
    python = find_python()
    if python is None:
        pytest.skip("no Python >= 3.12 (set LMXSIM_NEWEST_PYTHON, or install python3.12+): "
                    "the newest Mesa 3.x needs it")
    return prepare(python)


def test_newest_mesa_is_installed_with_this_checkout(venv, tmp_path):
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import lmxsim, mesa, pandas; print(mesa.__version__); print(lmxsim.__file__); print(pandas.__version__)"],
        capture_output=True, text=True, cwd=tmp_path, env=clean_env(), check=True).stdout.split()
    mesa_version, lmxsim_file = tuple(int(p) for p in out[0].split(".")[:2]), Path(out[1])
    assert mesa_version >= (3, 4), f"expected the newest Mesa 3.x, got {out[0]}"
    assert venv in lmxsim_file.parents, f"lmxsim imported from {lmxsim_file}, not the installed package"
    assert (ROOT / "lmxsim") not in lmxsim_file.parents


def test_core_suite_passes_on_the_newest_mesa(venv, tmp_path):
    # run from outside the checkout so that `import lmxsim` finds the installed package
    cmd = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
           "-c", str(ROOT / "pyproject.toml"), "-k", " and ".join(f"not {d}" for d in DESELECT),
           *[str(ROOT / t) for t in SUBSET]]
    # property-based tests with few examples: the main run searches their corners on this Mesa
    env = {**clean_env(), "HYPOTHESIS_PROFILE": "smoke"}
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=1500)
    tail = "\n".join(result.stdout.splitlines()[-40:]) + result.stderr[-3000:]
    assert result.returncode == 0, f"tests failed on the newest Mesa:\n{tail}"
    assert " passed" in result.stdout and " failed" not in result.stdout, tail
