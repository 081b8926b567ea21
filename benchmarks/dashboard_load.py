"""A room on one server: N real Chromium pages play the dashboard at "normal"; what each gets, and what memory does after.

Usage (from the repository root; Debian's ``chromium`` and the ``playwright`` package are needed)::

    python benchmarks/dashboard_load.py --sessions 20 --seconds 30
    python benchmarks/dashboard_load.py --sessions 30 --seconds 60 --after 150 --out /tmp/load.json

What it does:

1. starts ``lmxsim dashboard`` as a real subprocess on a free port (``LMXSIM_DASHBOARD_STATUS=1`` so
   it serves ``/_lmxsim/status``: kernels, pages, live simulations; never on for visitors) and
   records its *fresh* resident memory (RSS) and OS threads before any page;
2. starts ``--browsers`` Chromium processes itself (so it can kill one) and opens the N pages
   round-robin among them, each in its own browser context, one after the other (each showing its
   network), with ``--query`` (default ``weeks=520``, so no run ends while measured); then every
   page clicks Play (speed "normal");
3. for ``--seconds`` samples every second each page's week counter, the server's RSS, threads and
   CPU time; weeks/s per session is the counter's advance over the window;
4. while the N play, opens one NEW page and times its first network picture (``--newcomers`` times);
5. ends the sessions: the pages of the first ``round(kill_share * browsers)`` browsers die with their
   browser process (SIGKILL: no close signal, like a laptop whose lid closes), the others are
   closed as a tab is (``page.close(run_before_unload=True)``);
6. samples RSS, threads, kernels and live simulations for ``--after`` seconds and reports when the
   server came back within 20% of its fresh RSS.

On this machine the N playing pages' renderers share the server's two cores (~0.055 of a core each
at four frames a second); in a room each student's laptop draws their own page. ``--room`` models
that: once playing, each page's drawing is switched off (``html { display: none }``: the page still
receives and reads every frame, its scripts and Vue update the page, but nothing is laid out,
painted or rastered here - that part would happen on the student's laptop), the playing pages'
browsers run at the lowest CPU priority (``--playing-nice``, 19 by default with ``--room``: the
script work left of them yields to the server and the newcomer, and still gets the ~0.7 of a core it
needs, so every frame is read) and each new page opens in a separate browser at normal priority with
its own empty cache, as a newcomer's laptop would.

Prints a table and writes JSON (``--out``, default ``benchmarks/latest/dashboard_load.json``), with
``uptime`` before and after (timings on a shared machine are noisy: read them with the load).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--headless=new",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows", "--mute-audio"]
WEEK_SELECTOR = ".lmx-week"
NETWORK_SELECTOR = ".lmx-network"   # the (first) network picture: a newcomer's page is "there" when it shows
STATUS_PATH = "/_lmxsim/status"
PAGE_TIMEOUT_MS = 300_000
HIDE_DRAWING = "html { display: none !important }"   # --room: the page reads its frames, draws nothing
WITHIN = 0.20                        # "back to within 20% of its fresh memory"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 10.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class Server:
    """``lmxsim dashboard`` in a subprocess of this checkout, with its status route on."""

    def __init__(self, idle_timeout: float, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        env = {**os.environ, "MPLBACKEND": "Agg", "LMXSIM_DASHBOARD_STATUS": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "lmxsim.cli", "dashboard", "--port", str(self.port),
                                      "--idle-timeout", f"{idle_timeout:g}"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not start; see {log_path}")
                time.sleep(0.2)

    def status(self, collect: bool = False) -> dict:
        return get_json(self.url + STATUS_PATH + ("?gc=1" if collect else ""))

    def anon_memory(self) -> dict:
        return anon_memory(self.proc.pid)

    def sample(self) -> dict:
        return process_sample(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self.log.close()


class Browser:
    """A Chromium process started here (so it can be killed like a laptop going away), driven over CDP."""

    def __init__(self, playwright, chromium: str, nice: int = 0):
        """``nice``: the scheduling niceness of every process of this browser (its renderers
        are forked from it and inherit it)."""
        self.profile = tempfile.mkdtemp(prefix="lmxsim-load-")
        self.proc = subprocess.Popen([chromium, *CHROMIUM_ARGS, "--remote-debugging-port=0",
                                      f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, preexec_fn=(lambda: os.nice(nice)) if nice else None)
        if nice:   # with autogroup scheduling, niceness counts only inside a session's group: set the group's too
            try:
                Path(f"/proc/{self.proc.pid}/autogroup").write_text(str(nice))
            except OSError:
                pass
        ws_url = None
        deadline = time.monotonic() + 30
        while ws_url is None and time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            ws_url = match.group(1) if match else None
        if ws_url is None:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        self.proc.stderr.close()   # nothing reads it from now on; chromium must not block on a full pipe
        self.browser = playwright.chromium.connect_over_cdp(ws_url)

    def new_page(self):
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        return page

    def kill(self) -> None:
        """SIGKILL the whole browser (every process of it): its pages send nothing more, ever."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def close_pages(self) -> None:
        for context in self.browser.contexts:
            for page in context.pages:
                page.close(run_before_unload=True)

    def quit(self) -> None:
        try:
            self.browser.close()
        except Exception:  # noqa: BLE001 - it may be dead already
            pass
        self.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def week_of(page) -> int | None:
    """The page's week counter ("Week 12 of 156"), or None if it shows none."""
    try:
        text = page.evaluate(f"() => document.querySelector('{WEEK_SELECTOR}')?.textContent || ''")
    except Exception:  # noqa: BLE001 - a page mid-reload
        return None
    match = re.search(r"Week (\d+)", text)
    return int(match.group(1)) if match else None


def process_sample(pid: int) -> dict:
    """A process's resident memory, OS threads and CPU seconds (user + system), from /proc (Linux)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    mb = lambda name: int(fields[name].split()[0]) / 1024   # noqa: E731 - kB in /proc
    return {"rss_mb": mb("VmRSS"), "rss_anon_mb": mb("RssAnon"), "rss_file_mb": mb("RssFile"),
            "threads": int(fields["Threads"]), "cpu_s": (int(stat[11]) + int(stat[12])) / ticks}


def anon_memory(pid: int) -> dict:
    """A process's anonymous resident memory by kind of mapping (MB, from /proc/PID/smaps, Linux):
    glibc's main heap (``[heap]``), its other arenas (64 MB-aligned mappings of up to 64 MB), and
    every other anonymous mapping (Python's object arenas, large blocks mapped on their own,
    thread stacks, numba's code)."""
    kinds = {"heap_mb": 0, "arenas_mb": 0, "other_mb": 0}
    kind = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:         # a mapping's header line
            start, end = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else ""
            if name == "[heap]":
                kind = "heap_mb"
            elif name:
                kind = None                                 # a file, the stack, vdso: not counted here
            else:
                kind = "arenas_mb" if start % 2**26 == 0 and end - start <= 2**26 else "other_mb"
        elif fields[0] == "Anonymous:" and kind is not None:
            kinds[kind] += int(fields[1]) / 1024
    return kinds


def seconds_to_network(page, url: str) -> float | None:
    """Open ``url`` in ``page``; seconds until its network is drawn (None: not within the page's timeout)."""
    t = time.monotonic()
    page.goto(url, wait_until="commit")
    try:
        wait_for_network(page)
        return time.monotonic() - t
    except PlaywrightTimeout:
        return None


def open_playing(page, url: str) -> float:
    """Open the dashboard, click Play; return the seconds until the first network picture."""
    t0 = time.monotonic()
    page.goto(url)
    wait_for_network(page)
    seconds = time.monotonic() - t0
    page.get_by_role("button", name="Play").click()
    return seconds


def wait_for_network(page) -> None:
    page.wait_for_function(
        f"() => {{ const e = document.querySelector('{NETWORK_SELECTOR}');"
        " const img = e && (e.tagName === 'IMG' ? e : e.querySelector('img, canvas, svg'));"
        " return !!img && (img.tagName !== 'IMG' || (img.complete && img.naturalWidth > 0)); }")


def browsers_cpu_s() -> float:
    """CPU seconds (user + system) of every Chromium process on the machine, from /proc (Linux)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(chrom" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


WS_TIMING = """(() => {
  const Native = window.WebSocket, t = window.__lmxWs = {messages: 0};
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    t.created = t.created ?? performance.now();
    ws.addEventListener('open', () => { t.open = t.open ?? performance.now(); });
    ws.addEventListener('message', () => { t.first = t.first ?? performance.now(); t.messages++; });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""   # a newcomer's page: when its websocket was made, opened and first heard from


def page_stages(page) -> dict:
    """Where a page's load went, from the browser's own timing (seconds since navigation start):
    the HTML, DOMContentLoaded, the load event, the last script or style fetched (and how many,
    how large), the websocket's first message, and now (the network is drawn)."""
    return page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0] || {};
      const res = performance.getEntriesByType('resource');
      const ms = x => Math.round(x) / 1000;
      return {html_s: ms(nav.responseEnd || 0), dom_ready_s: ms(nav.domContentLoadedEventEnd || 0),
              load_s: ms(nav.loadEventEnd || 0), resources: res.length,
              resources_kb: Math.round(res.reduce((a, r) => a + (r.encodedBodySize || 0), 0) / 1024),
              last_resource_s: ms(res.reduce((a, r) => Math.max(a, r.responseEnd), 0)),
              latest: res.slice().sort((a, b) => b.responseEnd - a.responseEnd).slice(0, 4).map(
                r => [r.name.split('/').pop().split('?')[0], ms(r.startTime), ms(r.requestStart), ms(r.responseEnd)]),
              drawn_s: ms(performance.now()),
              ws_created_s: ms(window.__lmxWs?.created ?? 0), ws_open_s: ms(window.__lmxWs?.open ?? 0),
              ws_first_message_s: ms(window.__lmxWs?.first ?? 0), ws_messages: window.__lmxWs?.messages ?? 0};
    }""")


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else (xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2]))


def run(args) -> dict:
    global PAGE_TIMEOUT_MS
    from playwright.sync_api import sync_playwright

    PAGE_TIMEOUT_MS = int(args.page_timeout * 1000)
    chromium = args.chromium or shutil.which("chromium")
    if chromium is None:
        raise SystemExit("dashboard_load: Debian's chromium is needed (apt-get install chromium)")
    log_dir = Path(tempfile.mkdtemp(prefix="lmxsim-load-log-"))
    result = {"command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "sessions": args.sessions,
              "browsers": args.browsers, "seconds": args.seconds, "idle_timeout_s": args.idle_timeout,
              "uptime_before": uptime(), "cpus": os.cpu_count()}
    server = Server(args.idle_timeout, log_dir / "server.log")
    browsers: list[Browser] = []
    try:
        time.sleep(2)
        result["fresh"] = {**server.sample(), **server.status(collect=True), **server.anon_memory()}
        with sync_playwright() as p:
            # --room: the playing pages draw nothing here (their drawing would be on
            # the students' laptops), the newcomer's in a browser of its own at normal priority
            browsers = [Browser(p, chromium, nice=args.playing_nice) for _ in range(args.browsers)]
            result["room"], result["playing_nice"] = bool(args.room), args.playing_nice
            # the room arrives: one page after the other shows its network; then all click Play
            url = f"{server.url}/?{args.query}" if args.query else server.url
            pages = [browsers[i % len(browsers)].new_page() for i in range(args.sessions)]
            loads = [seconds_to_network(page, url) for page in pages]   # None: no network within --page-timeout
            for page in pages:
                page.get_by_role("button", name="Play").click()
                if args.room:
                    page.add_style_tag(content=HIDE_DRAWING)
            result["open_s"] = loads

            # N playing: every page's week counter, the server's RSS, threads and CPU, every second
            timeline = []
            weeks0, tw0 = server.status()["weeks"], time.monotonic()   # the server's count: every open session's week
            start = [(week_of(pg), time.monotonic()) for pg in pages]   # each page's counter, and when it was read
            t0 = time.monotonic()
            cpu0, browsers_cpu0 = server.sample()["cpu_s"], browsers_cpu_s()
            newcomer_s, stages = [], []
            next_newcomer = [args.seconds * (k + 1) / (args.newcomers + 1) for k in range(args.newcomers)]
            while (elapsed := time.monotonic() - t0) < args.seconds:
                if next_newcomer and elapsed >= next_newcomer[0]:
                    next_newcomer.pop(0)
                    own = Browser(p, chromium) if args.room else None   # a new laptop: its own browser and cache
                    try:
                        page = (own or browsers[-1]).new_page()
                        page.add_init_script(WS_TIMING)
                        newcomer_s.append(seconds_to_network(page, url))
                        stages.append(page_stages(page))
                        page.context.close()
                    finally:
                        if own is not None:
                            own.quit()
                    continue
                timeline.append({"t": round(elapsed, 2), **server.sample()})
                time.sleep(1.0)
            wall = time.monotonic() - t0
            weeks1, tw1 = server.status()["weeks"], time.monotonic()
            end = [(week_of(pg), time.monotonic()) for pg in pages]
            cpu, browsers_cpu = server.sample()["cpu_s"] - cpu0, browsers_cpu_s() - browsers_cpu0
            rates = [(b - a) / (tb - ta) for (a, ta), (b, tb) in zip(start, end) if a is not None and b is not None]
            weeks1 = sorted(weeks1)[-len(weeks0):]   # a newcomer's session may still be open: the room's are the furthest
            server_rate = ((sum(weeks1) - sum(weeks0)) / len(weeks1) / (tw1 - tw0)
                           if weeks0 and len(weeks0) == len(weeks1) else None)
            result["playing"] = {"wall_s": wall, "weeks_per_s": rates, "server_weeks_per_s_mean": server_rate,
                                 "server_cpu_s": cpu,
                                 "browsers_cpu_s": browsers_cpu,
                                 "newcomer_first_network_s": newcomer_s, "newcomer_stages": stages,
                                 "timeline": timeline,
                                 "status": server.status()}

            # the end of the session: a share of the browsers die, the others close their tabs
            n_killed = round(args.kill_share * len(browsers))
            killed_pages = sum(1 for i in range(args.sessions) if i % len(browsers) < n_killed)
            t_end = time.monotonic()
            for k, b in enumerate(browsers):
                if k < n_killed:
                    b.kill()
                else:
                    b.close_pages()
            result["ended"] = {"killed_browsers": n_killed, "killed_pages": killed_pages,
                               "closed_pages": args.sessions - killed_pages}
            after = []
            while (elapsed := time.monotonic() - t_end) < args.after:
                after.append({"t": round(elapsed, 1), **server.sample(), **server.status()})
                time.sleep(2.0)
            after.append({"t": round(time.monotonic() - t_end, 1), **server.sample(), **server.status(collect=True),
                          **server.anon_memory()})
            result["after"] = after
            for b in browsers:
                b.quit()
            browsers = []
    finally:
        for b in browsers:
            b.quit()
        server.stop()
        result["server_log"] = str(log_dir / "server.log")
    result["uptime_after"] = uptime()
    fresh = result["fresh"]["rss_mb"]
    back = next((s["t"] for s in result["after"] if s["rss_mb"] <= (1 + WITHIN) * fresh), None)
    result["back_within_20pct_after_s"] = back
    return result


def summary(r: dict) -> str:
    fresh, play, after = r["fresh"], r["playing"], r["after"]
    peak = max(s["rss_mb"] for s in play["timeline"] + after)
    rates = play["weeks_per_s"]
    paused_at = next((s["t"] for s in after if s["simulations_open"] == 0), None)
    lines = [
        f"uptime before: {r['uptime_before']}",
        f"{r['sessions']} sessions in {r['browsers']} Chromium processes, playing at 'normal' for {play['wall_s']:.0f} s",
        f"pages opened one after the other showed their network after (s): median "
        f"{median([x for x in r['open_s'] if x is not None]):.1f}, max {max(x for x in r['open_s'] if x is not None):.1f}, "
        f"never (within --page-timeout): {sum(x is None for x in r['open_s'])}",
        "",
        "| what | value |", "|---|---|",
        f"| weeks/s per session, read off the pages: median (min-max) | {median(rates):.2f} ({min(rates):.2f}-"
        f"{max(rates):.2f}) |",
        f"| weeks/s per session, the server's count: mean | {play.get('server_weeks_per_s_mean') or float('nan'):.2f} |",
        f"| first network of a new page while {r['sessions']} play (s) | "
        + ", ".join("timeout" if s is None else f"{s:.1f}" for s in play["newcomer_first_network_s"]) + " |",
        *[f"| new page {k + 1}: HTML / DOM ready / load / websocket made / opened / first heard / drawn (s) | "
          f"{st['html_s']:.1f} / {st['dom_ready_s']:.1f} / {st['load_s']:.1f} / {st.get('ws_created_s', 0):.1f} / "
          f"{st.get('ws_open_s', 0):.1f} / {st.get('ws_first_message_s', 0):.1f} / {st['drawn_s']:.1f} |"
          for k, st in enumerate(play.get("newcomer_stages", []))],
        f"| server CPU while playing (CPU s per wall s) | {play['server_cpu_s'] / play['wall_s']:.2f} |",
        f"| the browsers' CPU while playing (CPU s per wall s, every Chromium process) | "
        f"{play.get('browsers_cpu_s', float('nan')) / play['wall_s']:.2f} |",
        f"| RSS fresh / peak (MB) | {fresh['rss_mb']:.0f} / {peak:.0f} |",
        f"| OS threads fresh / peak | {fresh['threads']} / {max(s['threads'] for s in play['timeline'] + after)} |",
        f"| pages killed with their browser / closed | {r['ended']['killed_pages']} / {r['ended']['closed_pages']} |",
        f"| every simulation closed after (s) | {paused_at} |",
        f"| back within 20% of fresh RSS after (s) | {r['back_within_20pct_after_s']} |",
        f"| at the end (+{after[-1]['t']:.0f} s, after gc): RSS (MB), threads, kernels, live simulations | "
        f"{after[-1]['rss_mb']:.0f}, {after[-1]['threads']}, {after[-1]['kernels']}, {after[-1]['simulations_alive']} |",
        "",
        "after the end: t (s), RSS (MB), threads, kernels, open simulations",
        "  " + "; ".join(f"{s['t']:.0f}: {s['rss_mb']:.0f}, {s['threads']}, {s['kernels']}, {s['simulations_open']}"
                         for s in after[::5] + [after[-1]]),
        f"uptime after: {r['uptime_after']}",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30, help="pages playing at once (default 30)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they play (default 60)")
    parser.add_argument("--browsers", type=int, default=3, help="Chromium processes the pages share (default 3)")
    parser.add_argument("--kill-share", type=float, default=1 / 3,
                        help="share of the browsers killed at the end instead of closing their tabs (default 1/3)")
    parser.add_argument("--newcomers", type=int, default=2, help="new pages timed while the others play (default 2)")
    parser.add_argument("--after", type=float, default=150.0, help="seconds of memory timeline after the end (default 150)")
    parser.add_argument("--query", default="weeks=520",
                        help="URL query every page opens (default weeks=520: no run reaches its horizon while measured)")
    parser.add_argument("--page-timeout", type=float, default=300.0,
                        help="seconds a page may take to show its network (default 300)")
    parser.add_argument("--idle-timeout", type=float, default=60.0, help="the server's --idle-timeout (default 60)")
    parser.add_argument("--chromium", default=None, help="the chromium executable (default: chromium on PATH)")
    parser.add_argument("--room", action="store_true",
                        help="a room: the playing pages draw nothing here (html display:none once playing; they still "
                             "read every frame: in a room each student's laptop draws their page) and new pages open "
                             "in a browser of their own")
    parser.add_argument("--playing-nice", type=int, default=None,
                        help="niceness of the playing pages' browsers (default: 19 with --room - what script work is "
                             "left of their pages yields to the server and the newcomer, as on separate laptops - else 0)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "latest" / "dashboard_load.json")
    args = parser.parse_args(argv)
    if args.playing_nice is None:
        args.playing_nice = 19 if args.room else 0
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(summary(result))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
