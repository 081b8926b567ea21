"""Workshop mode in real browsers: `lmxsim workshop` as a subprocess, a facilitator and three
participants in headless Chromium (Debian's), two rounds, offline.

One participant joins on a phone-sized screen, one closes the tab and comes back (same browser:
resumes the team), one never submits (kept last round's choices). Every request that leaves
127.0.0.1 is blocked and counted. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import dashboard_server

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                         "(apt-get install -y chromium; .ci/run does this)")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000


def _seconds(timer: str) -> int:
    """'4:58 left' -> 298."""
    minutes, seconds = re.match(r"(\d+):(\d\d) left", timer).groups()
    return 60 * int(minutes) + int(seconds)


def test_a_workshop_with_a_facilitator_and_three_participants():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    command = ("workshop", "--seats", "5", "--rounds", "2", "--round-weeks", "4")
    with dashboard_server(command=command) as server, sync_playwright() as p:
        code = re.search(r"enter the code (\w+)", server.first_line).group(1)
        console = re.search(r"(http://\S+/facilitator\?token=\S+)", server.stdout.readline()).group(1)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        outside, problems = [], []

        def new_page(context):
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                       else (outside.append(route.request.url), route.abort()))
            page.on("pageerror", lambda error: problems.append(str(error)))
            return page

        try:
            # a participant who guesses the console's address without the token gets nothing
            stranger = new_page(browser.new_context())
            stranger.goto(server.url + "/facilitator?token=guess")
            stranger.wait_for_selector("text=needs the facilitator's address")
            assert stranger.locator("text=Open round").count() == 0

            facilitator = new_page(browser.new_context(viewport={"width": 1280, "height": 720}))
            facilitator.goto(console)
            facilitator.wait_for_selector(f"text={code}")

            contexts, pages = [], []
            for k, name in enumerate(["Ann", "Bob", "Cy"]):
                context = browser.new_context(viewport={"width": 390, "height": 800} if k == 0
                                              else {"width": 1280, "height": 720})
                page = new_page(context)
                page.goto(server.url)
                page.get_by_label("Join code").fill("WRONG" if k == 0 else code.lower())
                page.get_by_label("Your name").fill(name)
                page.get_by_role("button", name="Join").click()
                if k == 0:   # a wrong code is refused with a message, then the right one works
                    page.wait_for_selector("text=the code the facilitator shows")
                    page.get_by_label("Join code").fill(code)
                    page.get_by_role("button", name="Join").click()
                page.wait_for_selector("text=Waiting for the facilitator")
                contexts.append(context)
                pages.append(page)
            ann, bob, cy = pages
            facilitator.wait_for_selector("td:has-text('Cy')")

            # a round length typed wrong is named as typed (an InputInt re-sent its last valid value)
            facilitator.get_by_label("Round seconds").fill("1e9")
            facilitator.get_by_role("button", name="Open round").click()
            facilitator.wait_for_selector("text=round seconds: '1e9' is not allowed")
            facilitator.get_by_label("Round seconds").fill("300")
            # round 1: Ann and Bob submit (Bob makes a deal), Cy never does; the facilitator closes it
            facilitator.get_by_role("button", name="Open round").click()
            for page in pages:
                page.wait_for_selector("text=Submit my choices")
            ann.screenshot(path=ARTIFACTS / "workshop-participant-phone.png", full_page=True)
            bob.locator("label", has_text=re.compile("^Deal$")).first.click()
            # Bob gives his first member all the weight he can (a slider moved in the browser)
            favourite = bob.locator(".ws-member b").first.inner_text()
            bob.locator(".ws-member input[type=range]").nth(1).fill("10")
            bob.get_by_role("button", name="Submit my choices").click()
            bob.wait_for_selector("text=Submitted")
            ann.get_by_role("button", name="Submit my choices").click()
            ann.wait_for_selector("text=Submitted")
            facilitator.wait_for_function("document.body.innerText.split('✓').length - 1 == 2")
            facilitator.get_by_role("button", name="Close round now").click()
            for page in pages:
                page.wait_for_selector("text=Round 1 is over")
            assert bob.locator("svg title", has_text="in your deal").count() == 1
            bob.screenshot(path=ARTIFACTS / "workshop-participant-results.png", full_page=True)
            # the server played the slider's value: his favourite got the most of his hours
            hours = {row.locator("td").nth(0).inner_text(): float(row.locator("td").nth(6).inner_text())
                     for row in bob.locator("table.ws-table tr:has(td)").all()}
            assert hours[favourite] > 3 * max(h for name, h in hours.items() if name != favourite)

            # Cy closes the tab and comes back in the same browser: the same team
            cy.close()
            cy = new_page(contexts[2])
            cy.goto(server.url)
            cy.wait_for_selector("text=Cy, leader of team 3")

            # round 2 with a broadcast message and an event; nobody submits: the timer is cut short
            facilitator.get_by_label("Message to everyone").fill("Last round: think about who you trust")
            facilitator.get_by_role("button", name="Send").click()
            ann.wait_for_selector("text=Last round: think about who you trust")
            facilitator.get_by_role("button", name="Inject at next round").click()
            facilitator.wait_for_selector("text=Next round starts with")
            facilitator.get_by_role("button", name="Open round").click()
            cy.wait_for_selector("text=Submit my choices")
            # the timer counts down in the browser (the server sends it only when it changes) and
            # shows a pause
            timer = ann.locator("[role=timer]")
            first = timer.inner_text()
            ann.wait_for_function("t => document.querySelector('[role=timer]').innerText != t", arg=first)
            assert _seconds(timer.inner_text()) < _seconds(first) <= 300
            facilitator.get_by_role("button", name="Pause timer").click()
            ann.wait_for_selector("[role=timer]:has-text('(paused)')")
            facilitator.get_by_role("button", name="Close round now").click()

            for page in (ann, bob, cy, facilitator):
                page.wait_for_selector("text=Debrief")
            facilitator.wait_for_selector("text=bot: Proactive deal with everyone")
            assert facilitator.locator("tr.ws-me").count() == 0
            ann.wait_for_selector("tr.ws-me")
            assert "Ann" in ann.locator("tr.ws-me").inner_text()
            ann.wait_for_selector("text=Whose story?")
            second = ann.locator(".ws-story option").nth(1).inner_text()
            ann.get_by_label("Whose story?").select_option(index=1)
            ann.wait_for_selector(f"svg[aria-label='{second}: week by week (the truth)']")
            assert ann.locator("svg[aria-label='Team trust in the leader'] polyline").count() == 3   # mine + 2 bots
            ann.screenshot(path=ARTIFACTS / "workshop-participant-debrief.png", full_page=True)
            facilitator.screenshot(path=ARTIFACTS / "workshop-facilitator-debrief.png", full_page=True)
            with facilitator.expect_download() as download:
                facilitator.get_by_role("button", name="All decisions and outcomes (CSV)").click()
            assert download.value.suggested_filename == "lmxsim-workshop-data.zip"
        finally:
            browser.close()
        assert outside == [], f"requests left the machine: {outside[:3]}"
        assert problems == []
        assert server.poll() is None, "the workshop server died"
