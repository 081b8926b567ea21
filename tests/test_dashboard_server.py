"""The dashboard server in a room: the join address, its QR code, and a clean Ctrl-C.

Before issue 13, ``lmxsim dashboard --host 0.0.0.0`` printed only http://127.0.0.1:PORT (an
address no other computer can open), and Ctrl-C with visitors connected ended in a traceback
(``click.exceptions.Abort``) and exit code 1. The stop tests start a real ``python -m lmxsim
dashboard`` process, connect real clients (Chromium pages, or an HTTP GET plus an open kernel
websocket) and send SIGINT.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from lmxsim.dashboard import join, server

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SVG_NS = "{http://www.w3.org/2000/svg}"
# QR byte-mode capacity at error correction M, versions 1-7 (ISO/IEC 18004 table 7)
BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122]


# ---------------------------------------------------------------- the QR code

def _modules(svg: str) -> np.ndarray:
    """Rasterise the QR's SVG path one pixel per module (segno draws dark runs as 1-wide strokes:
    ``M x y.5 h n m dx dy h n ...``), quiet zone included."""
    root = ET.fromstring(svg)
    width = int(root.get("viewBox").split()[2])
    grid = np.zeros((width, width), dtype=bool)
    dark = [p for p in root.iter(SVG_NS + "path") if p.get("stroke")]
    assert len(dark) == 1, "one path for the dark modules"
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", dark[0].get("d")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            n = float(a)
            grid[int(y), int(x):int(x + n)] = True
            x += n
    return grid


def _decode(image: np.ndarray) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("url", ["http://192.168.1.20:8765",
                                 "http://10.100.200.250:65535/?scenario=in_crowd_trap&seed=17&compare=1"])
def test_join_qr_svg_is_a_deterministic_svg_of_the_right_size(url):
    svg = join.join_qr_svg(url)
    assert svg == join.join_qr_svg(url), "the same URL must give the same SVG text"
    root = ET.fromstring(svg)                       # well-formed XML (the & in a URL is escaped)
    assert root.tag == SVG_NS + "svg"
    assert root.find(SVG_NS + "title").text == url
    version = next(v for v, cap in enumerate(BYTE_CAPACITY_M, start=1) if len(url) <= cap)
    modules = 17 + 4 * version + 2 * 4              # symbol + 4-module quiet zone on each side
    assert root.get("viewBox") == f"0 0 {modules} {modules}"
    assert root.get("width") == root.get("height") == str(6 * modules)
    grid = _modules(svg)
    assert not grid[:4].any() and not grid[-4:].any() and not grid[:, :4].any() and not grid[:, -4:].any()
    # the three finder patterns: a 7x7 dark ring at three corners
    for r, c in [(4, 4), (4, modules - 11), (modules - 11, 4)]:
        ring = grid[r:r + 7, c:c + 7]
        assert ring[0].all() and ring[-1].all() and ring[:, 0].all() and ring[:, -1].all()
        assert ring[2:5, 2:5].all() and not ring[1, 1:6].any()


@pytest.mark.parametrize("url", ["http://192.168.1.20:8765", "http://172.16.0.5:40123/?policies=a,b&seed=3"])
def test_join_qr_svg_decodes_to_the_url(url):
    grid = _modules(join.join_qr_svg(url))
    image = np.where(np.kron(grid, np.ones((8, 8), dtype=bool)), 0, 255).astype(np.uint8)
    assert _decode(image) == [url]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_join_qr_svg_as_a_browser_draws_it_decodes_to_the_url(tmp_path):
    """What a phone sees: the SVG drawn by Chromium, screenshotted, decoded."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    url = "http://192.168.1.20:8765/?scenario=in_crowd_trap&seed=1"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content(f"<html><body style='margin:20px'>{join.join_qr_svg(url)}</body></html>")
            page.locator("svg.lmx-join-qr").screenshot(path=tmp_path / "qr.png")
        finally:
            browser.close()
    image = np.asarray(Image.open(tmp_path / "qr.png").convert("L"))
    assert _decode(image) == [url]


def test_join_qr_svg_refuses_an_empty_url():
    with pytest.raises(ValueError, match="non-empty"):
        join.join_qr_svg("")


# ---------------------------------------------------------------- the addresses

def test_lan_addresses_list_the_outgoing_interface_first_and_never_loopback(monkeypatch):
    monkeypatch.setattr(join, "_outgoing_addresses", lambda: ["192.168.1.20", "192.168.1.20"])
    monkeypatch.setattr(join, "_interface_addresses",
                        lambda: {"127.0.0.1": "lo", "10.0.0.7": "eth1", "192.168.1.20": "wlan0"})
    monkeypatch.setattr(join, "_host_name_addresses", lambda: ["127.0.1.1", "10.0.0.7", "172.17.0.1"])
    assert join.lan_addresses() == [("192.168.1.20", "wlan0"), ("10.0.0.7", "eth1"), ("172.17.0.1", "")]


def test_lan_addresses_on_this_machine_are_reachable_ipv4():
    for address, _ in join.lan_addresses():
        assert join._usable(address) and not address.startswith("127.")
        with socket.socket() as s:                  # an address of this computer: it can be bound
            s.bind((address, 0))


def _announced(monkeypatch, capsys, host, addresses):
    monkeypatch.setattr(join, "lan_addresses", lambda: addresses)
    monkeypatch.delenv(join.JOIN_URL_ENV, raising=False)
    server.announce(host, 8765)
    return capsys.readouterr().out.splitlines()


def test_host_all_prints_the_rooms_address_and_the_join_warning(monkeypatch, capsys):
    lines = _announced(monkeypatch, capsys, "0.0.0.0", [("192.168.1.20", "wlan0"), ("10.0.0.7", "eth1")])
    assert "http://127.0.0.1:8765" in lines[0]
    assert lines[1] == ("lmxsim dashboard: the room joins at http://192.168.1.20:8765 (wlan0), "
                        "http://10.0.0.7:8765 (eth1)")
    assert "warning" in lines[2] and "anyone on the network" in lines[2]
    assert len(lines) == 3
    assert join.current_join_url() == "http://192.168.1.20:8765"


def test_host_all_without_a_network_says_so(monkeypatch, capsys):
    lines = _announced(monkeypatch, capsys, "0.0.0.0", [])
    assert len(lines) == 2 and "no network address found" in lines[1]
    assert join.current_join_url() is None


def test_default_host_prints_one_line_and_no_join_url(monkeypatch, capsys):
    monkeypatch.setenv(join.JOIN_URL_ENV, "http://stale:1")
    lines = _announced(monkeypatch, capsys, "127.0.0.1", [("192.168.1.20", "wlan0")])
    assert lines == ["lmxsim dashboard: open http://127.0.0.1:8765 in a web browser (Ctrl+C stops it)"]
    assert join.current_join_url() is None


# ---------------------------------------------------------------- a real server, stopped

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(host: str = "127.0.0.1", wait: bool = True):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "lmxsim", "dashboard", "--host", host, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    proc.port, proc.url = port, f"http://127.0.0.1:{port}"
    proc.first_line = proc.stdout.readline()
    deadline = time.monotonic() + 90
    while wait:
        try:
            with urllib.request.urlopen(proc.url, timeout=5) as response:
                proc.cookie = response.headers.get("Set-Cookie", "").split(";")[0]
                break
        except OSError:
            assert proc.poll() is None, "the server exited: " + proc.stderr.read()
            assert time.monotonic() < deadline, "the dashboard did not answer within 90 s"
            time.sleep(0.2)
    return proc


def _interrupt(proc) -> tuple[str, str, float]:
    """SIGINT, as Ctrl-C in the terminal sends it; the rest of stdout, stderr, seconds to exit."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the server did not stop within 60 s of Ctrl-C; stderr: {err[-2000:]}")
    return out, err, time.monotonic() - t0


def _assert_stopped_cleanly(proc, out, err):
    assert "Traceback" not in err, err
    assert proc.returncode == 0, (proc.returncode, err)
    assert out.splitlines()[-1] == "lmxsim dashboard: stopped", out
    assert out.count("stopped") == 1
    assert err.strip() == "", err


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_ctrl_c_with_browsers_connected_and_playing_stops_cleanly():
    from playwright.sync_api import sync_playwright

    proc = _start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                pages = []
                for _ in range(2):
                    page = browser.new_page()
                    page.set_default_timeout(90_000)
                    page.goto(proc.url)
                    page.wait_for_selector(".lmx-week")
                    pages.append(page)
                pages[0].get_by_role("button", name="Play").click()
                pages[0].wait_for_timeout(1500)
                out, err, seconds = _interrupt(proc)
            finally:
                browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_stopped_cleanly(proc, out, err)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_ctrl_c_pressed_again_and_again_while_stopping_stays_quiet():
    """A trainer hammers Ctrl-C: signals keep coming while uvicorn shuts down and while the
    process tears down after "stopped" (before the fix for the latter: KeyboardInterrupt
    tracebacks from threading._shutdown and atexit hooks, exit code -2)."""
    from playwright.sync_api import sync_playwright

    proc = _start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for _ in range(2):
                    page = browser.new_page()
                    page.set_default_timeout(90_000)
                    page.goto(proc.url)
                    page.wait_for_selector(".lmx-week")
                    page.get_by_role("button", name="Play").click()
                page.wait_for_timeout(1500)
                deadline = time.monotonic() + 60
                while proc.poll() is None and time.monotonic() < deadline:
                    try:
                        proc.send_signal(signal.SIGINT)
                    except ProcessLookupError:
                        break
                    time.sleep(0.1)
                out, err = proc.communicate(timeout=30)
            finally:
                browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_stopped_cleanly(proc, out, err)


def test_ctrl_c_with_a_page_loaded_and_a_websocket_open_stops_cleanly():
    ws_client = pytest.importorskip("websockets.sync.client")
    proc = _start()
    try:
        with ws_client.connect(f"ws://127.0.0.1:{proc.port}/jupyter/api/kernels/{uuid.uuid4()}/channels"
                               f"?session_id={uuid.uuid4()}", additional_headers={"Cookie": proc.cookie}) as ws:
            time.sleep(0.5)
            assert ws.protocol.state.name == "OPEN" and proc.poll() is None
            out, err, _ = _interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_stopped_cleanly(proc, out, err)


def test_ctrl_c_while_the_server_is_starting_stops_cleanly():
    """Ctrl-C before uvicorn has taken over the signal (while the app is still being imported)."""
    proc = _start(wait=False)
    try:
        assert "http://127.0.0.1" in proc.first_line
        out, err, _ = _interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_stopped_cleanly(proc, out, err)


def test_host_all_prints_a_lan_address_that_the_server_answers_on():
    addresses = join.lan_addresses()
    proc = _start(host="0.0.0.0")
    try:
        out_lines = [proc.first_line]
        out_lines += [proc.stdout.readline() for _ in range(2)]
        assert "http://127.0.0.1:" in out_lines[0]
        if not addresses:
            assert "no network address found" in out_lines[1]
        else:
            lan_url = f"http://{addresses[0][0]}:{proc.port}"
            assert out_lines[1].startswith(f"lmxsim dashboard: the room joins at {lan_url}")
            assert "anyone on the network" in out_lines[2]
            with urllib.request.urlopen(lan_url, timeout=10) as response:   # the room's address works
                assert response.status == 200 and b"<html" in response.read().lower()
        out, err, _ = _interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_stopped_cleanly(proc, out, err)
