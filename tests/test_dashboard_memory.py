"""Memory comes back: a session whose page is gone stops stepping and is culled; a closed page frees its simulation.

Before issue 13 a session whose browser vanished without the close signal (a killed browser, a
laptop lid shut) kept stepping to its horizon and stayed in memory for Solara's default 24 hours.
The browser tests start a real ``lmxsim dashboard`` process (with its test-only status route,
``LMXSIM_DASHBOARD_STATUS=1``) and a real Chromium process that this test owns, so it can kill it
the way a room does: SIGKILL, no close signal.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import threading
import time
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import run_cli, wait_for
from solara.server.kernel_context import PageStatus

from lmxsim.dashboard import lifecycle
from lmxsim.dashboard.session import Settings, Simulation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from dashboard_load import Browser, Server, anon_memory, open_playing  # noqa: E402 - the load benchmark's real processes

CHROMIUM = shutil.which("chromium")
IDLE_TIMEOUT_S = 4.0
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


# ---------------------------------------------------------------- in-process: the signal and the settings

def _kernel(statuses: dict, closed: bool = False):
    event = threading.Event()
    if closed:
        event.set()
    return SimpleNamespace(page_status=statuses, closed_event=event)


C, D, X = PageStatus.CONNECTED, PageStatus.DISCONNECTED, PageStatus.CLOSED


@pytest.mark.parametrize("statuses, closed, present", [
    ({}, False, True),                 # no page ever connected: a component test, a notebook
    ({"a": C}, False, True),
    ({"a": D}, False, False),          # websocket closed or dead (killed browser, lid shut)
    ({"a": X}, False, False),          # tab closed
    ({"a": X, "b": D}, False, False),
    ({"a": D, "b": C}, False, True),   # another page of the session is still there
    ({"a": C}, True, False),           # the kernel itself is closed
])
def test_page_present_follows_the_pages_of_the_session(statuses, closed, present):
    assert lifecycle.page_present(_kernel(statuses, closed)) is present


def test_page_present_outside_a_served_kernel_is_true():
    assert lifecycle.page_present() is True


def test_the_idle_timeout_becomes_solaras_cull_timeout(monkeypatch):
    import solara.server.settings as solara_settings
    import solara.util

    monkeypatch.setattr(solara_settings.kernel, "cull_timeout", solara_settings.kernel.cull_timeout)
    lifecycle.set_idle_timeout(2.5)
    assert solara.util.parse_timedelta(solara_settings.kernel.cull_timeout) == 2.5


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_bad_idle_timeout_gets_one_line_and_exit_code_2(value, capsys):
    code, _, err = run_cli(["dashboard", "--port", "0", "--idle-timeout", value], capsys)
    assert code == 2
    assert "--idle-timeout" in err.strip().splitlines()[-1]


def test_a_closed_simulation_is_freed_and_no_longer_counted():
    sim = Simulation(Settings())
    sim.step(2)
    ref = weakref.ref(sim)
    assert lifecycle.status()["simulations_open"] >= 1
    sim.close()
    del sim
    gc.collect()
    assert ref() is None


# ---------------------------------------------------------------- the server's allocator

class _Exec(Exception):
    pass


def _decide(monkeypatch, argv, env=()) -> list:
    """Run ``use_system_malloc(argv)`` with only ``env`` of its variables set and ``os.execve``
    recording its call instead of replacing the test process; return the calls (0 or 1)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("only on Linux")
    for name in ("PYTHONMALLOC", lifecycle.SYSTEM_MALLOC_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in dict(env).items():
        monkeypatch.setenv(name, value)
    calls = []

    def execve(path, args, new_env):
        calls.append((path, args, new_env))
        raise _Exec

    monkeypatch.setattr(lifecycle.os, "execve", execve)
    try:
        lifecycle.use_system_malloc(argv)
    except _Exec:
        pass
    return calls


@pytest.mark.parametrize("env, execs, pythonmalloc_after", [
    ({}, True, None),                                                # a server from a shell: re-executed
    ({"PYTHONMALLOC": "pymalloc"}, False, "pymalloc"),               # the user's choice is kept
    ({"PYTHONMALLOC": "debug"}, False, "debug"),
    ({"PYTHONMALLOC": "malloc", lifecycle.SYSTEM_MALLOC_ENV: "1"}, False, None),   # re-executed: not again,
])                                                                   # and not for the processes it starts
def test_a_server_process_is_re_executed_once_with_the_system_allocator(monkeypatch, tmp_path, env, execs,
                                                                       pythonmalloc_after):
    monkeypatch.chdir(tmp_path)   # no lmxsim package here to shadow this one
    calls = _decide(monkeypatch, ["dashboard", "--port", "8123"], env)
    if execs:
        (path, args, new_env), = calls
        assert path == sys.executable and args[0] == sys.executable
        assert args[-5:] == ["-m", "lmxsim", "dashboard", "--port", "8123"]
        assert new_env["PYTHONMALLOC"] == "malloc" and new_env[lifecycle.SYSTEM_MALLOC_ENV] == "1"
    else:
        assert calls == []
    assert os.environ.get("PYTHONMALLOC") == pythonmalloc_after


@pytest.mark.parametrize("cwd_package, execs", [
    (None, True),            # an ordinary directory
    ("this", True),          # this package's own checkout
    ("another", False),      # another checkout: `python -m lmxsim` would import it - stay as we are
])
def test_a_server_started_inside_another_checkout_is_not_re_executed_into_it(monkeypatch, tmp_path, cwd_package,
                                                                              execs):
    if cwd_package == "this":
        monkeypatch.chdir(Path(lifecycle.__file__).resolve().parents[2])
    else:
        if cwd_package == "another":
            (tmp_path / "lmxsim").mkdir()
            (tmp_path / "lmxsim" / "__init__.py").write_text("")
        monkeypatch.chdir(tmp_path)
    assert len(_decide(monkeypatch, ["dashboard"])) == int(execs)


def test_this_test_process_uses_pythons_allocator():
    assert lifecycle.allocator() == ("malloc" if os.environ.get("PYTHONMALLOC") == "malloc" else "pymalloc")


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux's /proc")
def test_the_load_benchmark_counts_a_large_block_among_the_other_anonymous_mappings():
    import numpy as np

    before = anon_memory(os.getpid())
    block = np.ones(48 * 2**20 // 8)            # 48 MB, touched: glibc maps a block this large on its own
    after = anon_memory(os.getpid())
    assert set(after) == {"heap_mb", "arenas_mb", "other_mb"}
    assert after["other_mb"] - before["other_mb"] > 40
    assert abs(after["heap_mb"] - before["heap_mb"]) < 8
    del block


# ---------------------------------------------------------------- a real server, real browsers

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(IDLE_TIMEOUT_S, tmp_path_factory.mktemp("dashboard") / "server.log")
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = Browser(p, CHROMIUM)
        try:
            yield b
        finally:
            b.quit()


def _playing_page(server, browser):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    open_playing(page, server.url)
    assert wait_for(lambda: (w := server.status()["weeks"]) and w[0] >= 2, 30), server.status()
    return page


def test_the_server_started_from_the_command_line_runs_on_the_system_allocator(server):
    assert server.status()["allocator"] == "malloc"


@needs_chromium
def test_a_killed_page_stops_its_session_at_once_and_it_is_culled_after_the_timeout(server, browser):
    _playing_page(server, browser)
    browser.kill()                                   # no close signal: the socket just dies
    killed_at = time.monotonic()
    assert wait_for(lambda: server.status()["pages"] == [["disconnected"]], 5), server.status()
    time.sleep(0.6)                                  # the frame under way when the page went (0.25 s + drawing)
    paused = server.status()
    assert paused["kernels"] == 1 and paused["simulations_open"] == 1, "culled before the idle timeout"
    time.sleep(1.5)                                  # six frames at "normal"
    assert server.status()["weeks"] == paused["weeks"], "the session kept stepping without its page"
    assert wait_for(lambda: server.status()["kernels"] == 0, IDLE_TIMEOUT_S + 6), server.status()
    assert time.monotonic() - killed_at >= IDLE_TIMEOUT_S - 0.5
    assert wait_for(lambda: server.status(collect=True)["simulations_alive"] == 0, 5), server.status()


@needs_chromium
def test_a_closed_page_frees_its_simulation_before_any_timeout(server, browser):
    page = _playing_page(server, browser)
    closed_at = time.monotonic()
    page.close(run_before_unload=True)               # a tab closed: the browser says so
    assert wait_for(lambda: server.status(collect=True)["simulations_alive"] == 0, IDLE_TIMEOUT_S), server.status()
    assert time.monotonic() - closed_at < IDLE_TIMEOUT_S, "freed by the cull, not by the close"
    assert server.status()["kernels"] == 0
