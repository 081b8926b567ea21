"""Start the dashboard's Solara server: on 127.0.0.1 by default, and without internet.

Solara serves its front-end from the locally installed ``solara-assets`` package and
matplotlib draws every picture on the server, so a workshop room without a network works.
Solara's version check and usage telemetry would try to reach the internet; both are off.

With ``--host 0.0.0.0`` the room's address (this computer's LAN address, see
:mod:`lmxsim.dashboard.join`) is printed with a warning that anyone on the network can open it.
Ctrl+C (SIGINT) or SIGTERM stops the server cleanly, visitors connected or not: uvicorn closes
their connections, then one line "lmxsim dashboard: stopped" and exit code 0.

A visitor's session stops stepping as soon as its page is gone and is culled after ``--idle-timeout``
seconds (default 60; Solara's own default is 24 hours): see :mod:`lmxsim.dashboard.lifecycle`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
import sys
import threading
import warnings

from lmxsim.dashboard import lifecycle
from lmxsim.dashboard.join import join_urls, local_url, set_current_join_url
from lmxsim.errors import LMXInputError

APP = "lmxsim.dashboard.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, if the address cannot be used."""
    if not 0 <= port <= 65535:
        raise LMXInputError("--port", port, "a port number in [0, 65535] (0 = any free port)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise LMXInputError("--port", port, f"a free port on {host} ({exc.strerror}); "
                                                "try another --port, or --port 0 for any free one") from None


def url(host: str, port: int) -> str:
    return local_url(host, port)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Stop(BaseException):
    """Raised by the stop signals' handler: not a KeyboardInterrupt, so neither click (which turns
    one into ``Abort`` and a stray blank line on stderr) nor any ``except Exception`` catches it."""


def _drop_cancellations(record) -> bool:
    """A forced stop (Ctrl+C twice) makes uvicorn skip the app's shutdown; asyncio then cancels
    the still-waiting lifespan task, Starlette reports the CancelledError's traceback as
    "lifespan.shutdown.failed" and uvicorn logs that as an error. After a stop signal that is the
    expected end, not an error: drop it (whether it comes as exc_info or as traceback text)."""
    if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
        return False
    lines = str(record.msg).strip().splitlines()
    return not (lines and lines[-1].startswith(("asyncio.exceptions.CancelledError", "CancelledError")))


def _raise_stop(signum, frame):
    # runs before asyncio cancels the server's remaining tasks (uvicorn re-raises the signal
    # inside its serve coroutine), so the filter is in place when the cancellation is logged
    logger = logging.getLogger("uvicorn.error")
    if _drop_cancellations not in logger.filters:
        logger.addFilter(_drop_cancellations)
    raise _Stop(signum)


def _exit_now(signum, frame):
    os._exit(0)


def exit_quietly_on_stop_signals() -> None:
    """After "stopped": a repeated Ctrl+C while the process tears down (kernels' threads ending,
    atexit hooks) ends it at once with code 0, instead of a KeyboardInterrupt traceback from
    inside the interpreter's shutdown. For a process about to exit only (``lmxsim dashboard``)."""
    if threading.current_thread() is threading.main_thread():
        sys.stdout.flush()
        sys.stderr.flush()
        for sig in STOP_SIGNALS:
            signal.signal(sig, _exit_now)


def announce(host: str, port: int) -> None:
    """Print where to open the dashboard and, beyond this computer, where the room joins."""
    print(f"lmxsim dashboard: open {url(host, port)} in a web browser (Ctrl+C stops it)", flush=True)
    urls = join_urls(host, port)
    set_current_join_url(urls[0][0] if urls else None)
    if host in ("127.0.0.1", "localhost", "::1") or (not urls and host not in ("0.0.0.0", "", "::")):
        return
    if urls:
        shown = ", ".join(f"{u} ({name})" if name else u for u, name in urls)
        print(f"lmxsim dashboard: the room joins at {shown}", flush=True)
        print(f"lmxsim dashboard: warning: listening on {host or '0.0.0.0'}: anyone on the network who can "
              "reach this computer can open the dashboard", flush=True)
    else:
        print(f"lmxsim dashboard: no network address found on this computer (not connected?): only "
              f"{url(host, port)} works until it joins a network", flush=True)


def warm_up() -> None:
    """Load what every page needs before the first visitor comes: the page's modules (matplotlib,
    networkx, the model's compiled kernels), matplotlib's fonts, one small simulation stepped.

    The first visitor no longer waits for it, and a fresh server's memory is what it needs to
    serve: what the room's sessions add then comes back when they end (docs/performance.md)."""
    import io

    from matplotlib.figure import Figure

    import lmxsim.dashboard.app  # noqa: F401 - the page and everything it imports
    from lmxsim.dashboard.session import Settings, Simulation

    sim = Simulation(Settings())
    sim.step(2)
    sim.close()
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [0, 1], label="warm-up")
    fig.legend()
    fig.savefig(io.BytesIO(), format="png")


def uncompressed_websockets() -> None:
    """Send websocket messages uncompressed (uvicorn's ``ws_per_message_deflate=False``).

    The pages' messages are small (a frame of the dashboard is ~3 kB, a workshop page's update a
    few kB) and the server is one Python process serving a room: compressing every message for
    every page cost it ~7% of its CPU when thirty workshop pages updated at once, to save bytes a
    room's network does not miss."""
    import uvicorn

    init = uvicorn.Config.__init__
    if getattr(init, "_lmxsim_uncompressed", False):
        return

    def init_uncompressed(self, *args, **kwargs):
        kwargs["ws_per_message_deflate"] = False
        init(self, *args, **kwargs)

    init_uncompressed._lmxsim_uncompressed = True
    uvicorn.Config.__init__ = init_uncompressed


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False, app: str = APP,
          name: str = "lmxsim dashboard", announce_fn=None,
          idle_timeout: float = lifecycle.DEFAULT_IDLE_TIMEOUT_S, warm_up_fn=None) -> int:
    """Run the dashboard (or another lmxsim Solara ``app``, e.g. the workshop) until Ctrl+C (SIGINT)
    or SIGTERM; print the URL(s) first (``announce_fn(host, port)``), "NAME: stopped" last.
    ``warm_up_fn`` (default: the dashboard's :func:`warm_up`) runs before the URL is printed.

    A session whose page has gone stops stepping at once and is culled ``idle_timeout`` seconds
    later (:mod:`lmxsim.dashboard.lifecycle`)."""
    announce_fn = announce if announce_fn is None else announce_fn
    if not (math.isfinite(idle_timeout) and idle_timeout > 0):
        raise LMXInputError("--idle-timeout", idle_timeout, "a number of seconds > 0")
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    # must be set before solara is imported: its settings are read at import time
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # plain http on localhost is the point here; solara's advice about https cookies is noise
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    # A stop signal before the server runs (while solara imports) raises _Stop at once. While it
    # runs, uvicorn's own handler shuts it down gracefully (closes every visitor's websocket), then
    # restores ours and raises the signal again: _Stop again, caught below. Before this, that
    # re-raised KeyboardInterrupt became click's Abort: a traceback and exit code 1.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _raise_stop) for sig in STOP_SIGNALS} if in_main_thread else {}
    try:
        from solara.__main__ import cli

        lifecycle.set_idle_timeout(idle_timeout)
        lifecycle.tune_malloc()
        lifecycle.abort_dead_websockets()
        (warm_up if warm_up_fn is None else warm_up_fn)()
        lifecycle.add_status_route()
        uncompressed_websockets()
        announce_fn(host, port)
        args = ["run", app, "--host", host, "--port", str(port), "--production", "--no-check-version",
                "--open" if open_browser else "--no-open"]
        cli.main(args=args, prog_name=name, standalone_mode=False)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"{name}: stopped", flush=True)
    return 0
