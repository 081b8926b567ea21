"""Load benchmark of workshop mode: the facilitator plus N participants in real browsers on 127.0.0.1.

Starts ``lmxsim workshop`` as a subprocess, opens the facilitator's console and N participant
pages (headless Chromium from Debian's package, one browser context each: separate cookies, as
separate laptops), joins them all, and plays ``--rounds`` rounds in which every participant
submits. Measures:

- the time from the last submission to every participant's page showing the round's results,
  painted (the issue's target: under 2 s with 30 participants on this 2-core machine);
- the server's resident memory and threads: fresh, with everyone joined, after the rounds, and
  after every page is closed (every 10 s for ``--after`` seconds) - memory must be bounded and
  released when the session ends.

With ``--room K`` it models a room, where each laptop draws its own page (here thirty renderers
would share the server's two cores): every participant page's scripts but K's are paused by
Chromium's debugger while the results arrive - the server still sends everything - then the
paused pages are resumed one at a time and each one's own drawing is timed. A page shows the
results at most "the server had updated every page" plus its own drawing after the last
submission (``room_every_page_by_s``: the largest such bound, or a drawn page's own time).

    python benchmarks/workshop_load.py --participants 30 --rounds 2 --json benchmarks/latest/workshop_load.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard_load import browsers_cpu_s, process_sample   # benchmarks/ is on sys.path when run as a script


# installed in a page before the last submission: the page's clock when ``text`` has first been
# drawn - the DOM has it (``__dom``) and the next frame has been painted (``__shown``: a timeout
# queued from the next animation frame runs after that frame's paint)
WATCH = """(text) => {
  window.__shown = null;
  window.__dom = null;
  const check = () => {
    if (window.__dom === null && document.body.textContent.includes(text)) {
      window.__dom = Date.now();
      requestAnimationFrame(() => setTimeout(() => { window.__shown = Date.now(); }, 0));
    }
    return window.__dom !== null;
  };
  if (!check()) {
    const watcher = new MutationObserver(() => { if (check()) watcher.disconnect(); });
    watcher.observe(document.body, {childList: true, subtree: true, characterData: true});
  }
}"""


def _server_done(base: str, since: float, pages: int) -> float | None:
    """Seconds from ``since`` (unix time) until the server had finished updating ``pages``
    participants' pages for one change (the workshop's page updates, from the status route)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with urllib.request.urlopen(f"{base}/_lmxsim/status", timeout=60) as r:
            updates = json.loads(r.read()).get("workshop_page_updates", {})
        for times in updates.values():
            after = [t for t in times if t >= since]
            if len(after) >= pages:
                return round(max(after) - since, 2)
        time.sleep(0.2)
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--after", type=int, default=120, help="seconds to watch memory after every page closed")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--py-spy", type=Path, default=None,
                    help="record the server with py-spy (raw stacks to this file) from a round's last submission")
    ap.add_argument("--py-spy-round", type=int, default=1, help="the round --py-spy records (the last: the debrief)")
    ap.add_argument("--room", type=int, default=0, metavar="K",
                    help="a room: pause the scripts of every participant's page but K (Chromium's debugger) while the "
                         "results arrive (their browsers would run on their own laptops: the server sends them "
                         "everything, this machine draws K); then resume them one at a time, check each shows the "
                         "results and time its own drawing: a page's results are there by the time the server had "
                         "updated every page plus that page's own drawing")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "lmxsim.cli", "workshop", "--port", str(port), "--seats",
                               str(args.participants), "--rounds", str(args.rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env={**os.environ, "MPLBACKEND": "Agg", "LMXSIM_DASHBOARD_STATUS": "1"})
    result = {"participants": args.participants, "rounds": args.rounds, "load_average_start": os.getloadavg()[0],
              "memory": [], "rounds_s": []}
    try:
        first, second = server.stdout.readline(), server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        code = re.search(r"enter the code (\w+)", first).group(1)
        console = re.search(r"(http://\S+/facilitator\?token=\S+)", second).group(1)
        time.sleep(3)

        def mark(label):
            sample = process_sample(server.pid)
            mb, threads = round(sample["rss_mb"], 1), sample["threads"]
            with urllib.request.urlopen(f"{base}/_lmxsim/status?gc=1", timeout=60) as r:
                inside = json.loads(r.read())
            result["memory"].append({"at": label, "rss_mb": mb, "threads": threads, "t": round(time.monotonic(), 1),
                                     "kernels": inside["kernels"], "thread_names": inside["thread_names"]})
            print(f"{label:>28}: {mb:7.1f} MB, {threads} threads, {inside['kernels']} kernels", flush=True)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            fac = browser.new_context().new_page()
            fac.set_default_timeout(300_000)
            fac.goto(console)
            fac.wait_for_selector(f"text={code}")
            mark("fresh (console open)")
            pages = []
            t0 = time.monotonic()
            for k in range(args.participants):
                page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                page.set_default_timeout(300_000)
                page.goto(base)
                page.get_by_label("Join code").fill(code)
                page.get_by_label("Your name").fill(f"P{k + 1}")
                page.get_by_role("button", name="Join").click()
                page.wait_for_selector("text=Waiting for the facilitator")
                pages.append(page)
            result["join_all_s"] = round(time.monotonic() - t0, 1)
            mark(f"{args.participants} joined")
            for r in range(1, args.rounds + 1):
                fac.get_by_role("button", name="Open round").click()
                for page in pages:
                    page.wait_for_selector("text=Submit my choices")
                for page in pages[:-1]:
                    page.get_by_role("button", name="Submit my choices").click()
                    page.wait_for_selector("text=Submitted")
                over = f"Round {r} is over" if r < args.rounds else "Debrief"
                for page in pages:   # each page notes (its own clock) when the results appear
                    page.evaluate(WATCH, over)
                spy = None
                if args.py_spy and r == args.py_spy_round:
                    spy = subprocess.Popen(["py-spy", "record", "--nonblocking", "--pid", str(server.pid), "--duration", "6", "--rate",
                                            "200", "--format", "raw", "--output", str(args.py_spy)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(1)
                watched, paused = pages, {}
                if args.room:   # the submitter's page and K-1 others, spread over the join order, draw here
                    step = max(1, len(pages) // args.room)
                    drawn = sorted({len(pages) - 1, *range(0, len(pages) - 1, step)})[-args.room:]
                    watched = [pages[k] for k in drawn]
                    paused = {page: page.context.new_cdp_session(page) for page in pages if page not in watched}
                    for cdp in paused.values():   # the page's scripts stop
                        cdp.send("Debugger.enable")
                        cdp.send("Debugger.pause")
                cpu0, browsers0 = process_sample(server.pid)["cpu_s"], browsers_cpu_s()
                last = time.time()
                pages[-1].get_by_role("button", name="Submit my choices").click()
                seen = []
                for page in watched:
                    page.wait_for_function("window.__shown !== null")
                    seen.append(page.evaluate("window.__shown") / 1000 - last)
                server_done = _server_done(base, last, len(pages))
                cpu, browsers = process_sample(server.pid)["cpu_s"] - cpu0, browsers_cpu_s() - browsers0
                early, own = 0, []
                for page, cdp in paused.items():   # one at a time: each draws as on its own laptop
                    resumed = time.time()
                    cdp.send("Debugger.resume")
                    cdp.send("Debugger.disable")
                    page.wait_for_function("window.__shown !== null")
                    dom, shown = page.evaluate("[window.__dom, window.__shown]")
                    early += dom / 1000 < resumed
                    own.append(shown / 1000 - resumed)
                if spy is not None:
                    spy.wait()
                median = sorted(seen)[len(seen) // 2]
                room_by = round(max(max(seen), server_done + max(own)), 2) if own and server_done is not None else None
                result["rounds_s"].append({"round": r, "last_submission_to_all_results_s": round(max(seen), 2),
                                           "median_s": round(median, 2), "pages_timed": len(seen),
                                           "server_updated_every_page_s": server_done,
                                           "server_cpu_s": round(cpu, 2), "browsers_cpu_s": round(browsers, 2),
                                           "frozen_pages_drawn_while_frozen": early if args.room else None,
                                           "paused_pages_own_draw_s": [round(t, 2) for t in own] if args.room else None,
                                           "room_every_page_by_s": room_by})
                what = f"the {len(seen)} pages drawn here" if args.room else f"all {len(pages)} pages"
                print(f"round {r}: last submission -> {what} show results in {max(seen):.2f} s (median {median:.2f} s);"
                      f" the server updated every page in {server_done} s; CPU: server {cpu:.2f} s, browsers "
                      f"{browsers:.2f} s" + (f"; {early} frozen pages drew while frozen; resumed one at a time, a page "
                                             f"drew in {min(own):.2f}-{max(own):.2f} s: in a room every page shows the "
                                             f"results by {room_by} s"
                                             if args.room and own else ""), flush=True)
                mark(f"after round {r}")
            for page in pages:
                page.context.close()
            fac.context.close()
            browser.close()
        mark("all pages closed")
        end = time.monotonic() + args.after
        while time.monotonic() < end:
            time.sleep(10)
            mark(f"closed +{int(args.after - (end - time.monotonic()))} s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["load_average_end"] = os.getloadavg()[0]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
