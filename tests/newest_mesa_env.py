"""The environment with the newest Mesa 3.x that tests/test_newest_mesa.py runs the suite in.

Mesa after 3.3.1 needs Python >= 3.12, so this looks for such an interpreter (the
``LMXSIM_NEWEST_PYTHON`` environment variable, ``python3.NN`` on PATH, or a pyenv version),
builds a virtual environment with it under ``~/.cache/lmxsim-ci/`` (keyed by the interpreter
and ``pyproject.toml``: rebuilt, and the old one removed, when the dependencies change; about
1 GB), and installs the newest ``mesa[rec]`` 3.x and this checkout *non-editable* there. The
checkout is reinstalled whenever its files differ from the installed copy (a digest of the
copied source), so the code tested is the code checked out; the dependencies are installed once
per cache key. After a reinstall the compiled kernels are built once (a few weeks of every policy),
so the test run finds numba's cache warm, as a user's second run would.

No pytest here: ``.ci/run`` runs ``python tests/newest_mesa_env.py`` before the test
command to build the environment (a brand-new machine pays the install there), and says
so when there is no Python >= 3.12.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("LMXSIM_CI_CACHE", Path.home() / ".cache" / "lmxsim-ci"))
MESA = "mesa[rec]>=3.3,<4"


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=60, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return int(out[0]), int(out[1])


def find_python() -> str | None:
    """The newest Python >= 3.12 on this machine (or ``LMXSIM_NEWEST_PYTHON``), else None."""
    candidates = [os.environ.get("LMXSIM_NEWEST_PYTHON", "")]
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in range(20, 11, -1)]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.*/bin/python"), reverse=True)
    found = [(v, c) for c in dict.fromkeys(filter(None, candidates)) if (v := _version(c)) and v >= (3, 12)]
    return max(found)[1] if found else None


def venv_dir(python: str) -> Path:
    """The cached environment for ``python`` and the current dependencies."""
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + MESA.encode()
                         + os.path.realpath(python).encode()).hexdigest()[:16]
    return CACHE / f"newest-mesa-{key}"


def _pip(venv: Path, *args: str, cwd: Path) -> None:
    cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]
    done = subprocess.run(cmd, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=1500)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")


def clean_env() -> dict:
    """The environment for commands in the newest-Mesa venv (no PYTHONPATH into a checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return env


def _source_copy(into: Path) -> Path:
    """What ``pip install .`` needs, copied out of the checkout (a build never writes
    ``build/`` into the checkout, and never picks up files left there by an older build)."""
    src = into / "lmxsim-src"
    for folder in ("lmxsim", "docs"):   # docs/ is installed as lmxsim/docs (pyproject's package-dir)
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(ROOT / name, src / name)
    return src


def prepare(python: str) -> Path:
    """Build (once) the environment with the newest Mesa 3.x; reinstall this checkout into it."""
    venv = venv_dir(python)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lock", "w") as lock, tempfile.TemporaryDirectory() as tmp:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one build at a time
        src = _source_copy(Path(tmp))
        if not (venv / ".complete").exists():
            for old in CACHE.glob("newest-mesa-*"):   # environments of older dependencies
                shutil.rmtree(old, ignore_errors=True)
            subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
            # the test extra without the browser and notebook tools, which the subset never uses
            _pip(venv, "--upgrade", MESA, str(src), "pytest>=8", "hypothesis>=6.100", "dask[distributed]>=2024.1",
                 cwd=Path(tmp))
            (venv / ".complete").write_text("ok\n")
        digest = _digest(src)
        stamp = venv / ".installed-source"
        if not stamp.exists() or stamp.read_text() != digest:
            stamp.unlink(missing_ok=True)
            _pip(venv, "--no-deps", "--force-reinstall", str(src), cwd=Path(tmp))
            subprocess.run([str(venv / "bin" / "python"), "-c", WARM_UP], check=True, timeout=900, cwd=tmp,
                           env=clean_env())
            stamp.write_text(digest)
    return venv


# every policy for a few weeks: numba compiles (and caches on disk) the kernels the tests use
WARM_UP = """
from lmxsim import LMXModel, policy_names
for name in policy_names():
    LMXModel(policy=name, seed=1, n_teams=2, team_size=4, weeks=3).run()
"""


def _digest(src: Path) -> str:
    """A digest of every file of the source copy (paths and bytes)."""
    h = hashlib.sha256()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def main() -> int:
    """Build the environment (for ``.ci/run``); prints where, or why not."""
    python = find_python()
    if python is None:
        print("no Python >= 3.12 here: tests/test_newest_mesa.py will be skipped")
        return 0
    print(f"newest-Mesa environment: {prepare(python)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
