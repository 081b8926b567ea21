"""Start the dashboard's Solara server: on 127.0.0.1 by default, and without internet.

Solara serves its front-end from the locally installed ``solara-assets`` package and
matplotlib draws every picture on the server, so a workshop room without a network works.
Solara's version check and usage telemetry would try to reach the internet; both are off.
"""

from __future__ import annotations

import os
import socket
import sys
import warnings

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
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{port}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> int:
    """Run the dashboard until interrupted (Ctrl+C). Prints the URL first."""
    if port == 0:
        port = free_port(host)
    check_port(host, port)
    # must be set before solara is imported: its settings are read at import time
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # plain http on localhost is the point here; solara's advice about https cookies is noise
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import cli

    print(f"lmxsim dashboard: open {url(host, port)} in a web browser (Ctrl+C stops it)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"lmxsim dashboard: listening on {host}: other computers on the network can open it too",
              flush=True)
    args = ["run", APP, "--host", host, "--port", str(port), "--production", "--no-check-version",
            "--open" if open_browser else "--no-open"]
    try:
        cli.main(args=args, prog_name="lmxsim dashboard", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()
    return 0
