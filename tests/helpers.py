"""Helpers shared by the test modules (imported as ``helpers``; pytest puts tests/ on sys.path)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
from hypothesis import strategies as st

from lmxsim.params import Params, describe
from lmxsim.policies import policy_names
from lmxsim.scenarios import scenario_names
from lmxsim.state import MEMBER_FIELDS

# The weekly outcome columns every run must report (issue requirement).
REQUIRED_MODEL_COLUMNS = (
    "innovation", "quits", "headcount", "turnover_rate_annualised", "mean_lmx", "lmx_sd_within_team",
    "in_group_share", "mean_trust", "mean_engagement", "mean_performance", "mean_psych_safety",
    "turnover_cost",
)

# The member panel columns researchers rely on (issue requirement).
REQUIRED_PANEL_COLUMNS = (
    "week", "member_id", "team_id", "tenure_weeks", "lmx", "trust_in_leader", "autonomy", "creativity",
    "competence", "performance", "psych_safety", "turnover_intention", "in_group", "ideas",
    "successful_ideas", "quit",
)

# Parameters that make quits and successful ideas frequent, so that panel accounting tests
# are not vacuous (0 == 0) whatever the calibration.
BUSY = dict(annual_base_turnover=0.9, quit_sensitivity=8.0, hiring_lag_weeks=2,
            idea_rate=5.0, idea_success=1.0)


def member_field_violations(model, occupied_only: bool = False) -> list[str]:
    """Every bounded member variable outside its declared [low, high], and every
    non-finite float, as readable messages (empty list: all fine)."""
    m = model.members
    sel = m.occupied if occupied_only else np.ones(m.capacity, dtype=bool)
    problems = []
    for f in MEMBER_FIELDS:
        values = getattr(m, f.name)[sel]
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            problems.append(f"{f.name}: non-finite values {values[~np.isfinite(values)][:5]}")
            continue
        if f.low is not None and np.any(values < f.low):
            problems.append(f"{f.name}: below {f.low}: {np.sort(values)[:3]}")
        if f.high is not None and np.any(values > f.high):
            problems.append(f"{f.name}: above {f.high}: {np.sort(values)[-3:]}")
    return problems


def run_cli(argv, capsys):
    """Call ``lmxsim.cli.main`` in-process; return (exit code, stdout, stderr)."""
    from lmxsim.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits for --help and usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def tree(path) -> set[str]:
    """All paths (files and folders, hidden ones too) below ``path``, relative to it."""
    return {str(p.relative_to(path)) for p in path.rglob("*")}


# ---------------------------------------------------------------- hypothesis strategies
INT_PARAMS = {f.name for f in dataclasses.fields(Params) if f.type in (int, "int")}
# Small organisations and horizons keep the suite fast; 80 weeks reaches every scenario event.
SIZE_RANGES = {"n_teams": (1, 5), "team_size": (1, 8), "weeks": (20, 80)}


def _value(d: dict):
    low, high = SIZE_RANGES.get(d["name"], (d["low"], d["high"]))
    if d["name"] in INT_PARAMS:
        return st.integers(low, high)
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _params_strategy():
    required = {name: _value(d) for d in describe() if (name := d["name"]) in ("n_teams", "weeks")}
    optional = {d["name"]: _value(d) for d in describe() if d["name"] not in required}
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def model_args(draw, scenarios=None, panel_every=st.just(0)):
    """Keyword arguments for LMXModel: any scenario, policy (or the scenario's), seed, and
    any subset of parameters drawn from their declared ranges (small organisation/horizon)."""
    scenario = draw(st.sampled_from(scenarios or scenario_names()))
    policy = draw(st.none() | st.sampled_from(policy_names()))
    params = draw(_params_strategy())
    seed = draw(st.integers(0, 2**31 - 1))
    return dict(scenario=scenario, policy=policy, seed=seed, panel_every=draw(panel_every), **params)


def run_with_stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``lmxsim ARGS`` in a subprocess whose stderr is a pseudo-terminal; return (exit code, stderr)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]  # this checkout's lmxsim, whatever is installed
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a terminal 120 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "lmxsim.cli", *args], stdout=subprocess.DEVNULL, stderr=slave,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                filter(None, [str(root), os.environ.get("PYTHONPATH")]))})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode(errors="replace")


@contextlib.contextmanager
def dashboard_server(startup_s: float = 60.0, command=("dashboard",)):
    """A real ``lmxsim dashboard`` process (or ``lmxsim COMMAND...``, e.g. the workshop) on a free
    127.0.0.1 port, answering; stopped afterwards.

    Yields the ``subprocess.Popen`` with ``.url``, ``.port`` and ``.first_line`` set. The first
    line the command prints must name the URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lmxsim.cli", *command, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    proc.url, proc.port = f"http://127.0.0.1:{port}", port
    try:
        first_line = proc.first_line = proc.stdout.readline()
        assert proc.url in first_line, f"the command should print its URL first, got {first_line!r}"
        deadline = time.monotonic() + startup_s
        while True:
            try:
                with urllib.request.urlopen(proc.url, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert proc.poll() is None, "the dashboard server exited: " + proc.stdout.read()
                assert time.monotonic() < deadline, f"the dashboard did not answer within {startup_s:.0f} s"
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll ``condition()`` every 50 ms until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
