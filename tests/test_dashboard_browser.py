"""The dashboard in a real browser: `lmxsim dashboard` as a subprocess, driven by headless Chromium.

Chromium comes from Debian's ``chromium`` package (CI installs it in ``.ci/run``); the
Playwright Python package only drives it (its own browser download is not used). The
page must work offline, so every request that leaves 127.0.0.1 is blocked and counted.
Screenshots are kept in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import dashboard_server

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                         "(apt-get install -y chromium; .ci/run does this)")

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def dashboard_url():
    with dashboard_server() as server:
        yield server.url


@pytest.fixture
def page(dashboard_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.problems = []
            page.outside_requests = []

            def offline(route):
                if route.request.url.startswith(dashboard_url) or route.request.url.startswith("data:"):
                    route.continue_()
                else:  # the workshop room has no internet
                    page.outside_requests.append(route.request.url)
                    route.abort()

            page.route("**/*", offline)
            page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
            page.on("requestfailed", lambda request: page.problems.append(f"request failed: {request.url}"))
            page.goto(dashboard_url, timeout=TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def week(page) -> int:
    return int(page.text_content(".lmx-week").split()[1])


def wait_for_week(page, at_least: int) -> None:
    page.wait_for_function(f"() => parseInt(document.querySelector('.lmx-week').textContent.split(' ')[1]) >= "
                           f"{at_least}", timeout=TIMEOUT_MS)


def assert_networks_drawn(page, count: int) -> None:
    """``count`` live networks drawn in the browser (SVG desks), and the six charts with their lines."""
    page.wait_for_function(f"() => document.querySelectorAll('svg.lmx-network-svg').length == {count} && "
                           "[...document.querySelectorAll('svg.lmx-network-svg')].every(s => "
                           "s.querySelectorAll('.lmx-desk').length > 0 && s.getBoundingClientRect().width > 200) && "
                           "document.querySelectorAll('.lmx-chart svg').length == 6", timeout=TIMEOUT_MS)


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_on_screen(page, selector: str) -> None:
    viewport = page.viewport_size
    for k in range(page.locator(selector).count()):
        b = page.locator(selector).nth(k).bounding_box()
        assert b is not None and b["x"] >= -1 and b["y"] >= -1, selector
        assert b["x"] + b["width"] <= viewport["width"] + 1 and b["y"] + b["height"] <= viewport["height"] + 1, \
            f"{selector} #{k} is off the {viewport['width']}x{viewport['height']} screen: {b}"


def assert_images_drawn(page, selector: str, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('{selector}').length == {count} && "
                           f"[...document.querySelectorAll('{selector}')].every(i => i.complete && i.naturalWidth > 300)",
                           timeout=TIMEOUT_MS)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select").filter(has_text=label).locator(".v-select__slot").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_workshop_session_in_the_browser(page):
    page.wait_for_selector(".lmx-week")
    assert_networks_drawn(page, 1)
    page.screenshot(path=ARTIFACTS / "dashboard-1-start.png")

    # a preset sets the policy and every parameter at once
    choose(page, "Scenario preset", "Make the deal with everyone")
    page.wait_for_selector("text=Everyone receives the offer at onboarding")
    assert page.locator(".v-select").filter(has_text="Leadership policy").inner_text().count("Proactive deal") == 1
    assert week(page) == 0

    page.get_by_role("button", name="Step").click()
    wait_for_week(page, 1)

    page.get_by_role("button", name="Play").click()
    wait_for_week(page, 4)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    paused_at = week(page)
    page.wait_for_timeout(1000)
    assert week(page) == paused_at, "Pause should stop the model"
    assert_networks_drawn(page, 1)
    # the network drawn shows the week the page says (the last frame is sent on Pause)
    assert page.text_content(".lmx-network-caption").startswith(f"week {paused_at} ")

    # hover a desk: who it is, LMX, trust, in-group; a click opens their story
    desk = page.locator(".lmx-desk[data-person]:not([data-person='-1'])").first
    tip = desk.locator("title").text_content()
    assert tip.startswith("Person #") and "LMX 0." in tip and "trust 0." in tip and "-group" in tip
    person = desk.get_attribute("data-person")
    desk.locator("circle").last.click()
    page.wait_for_selector(f"text=Person #{person}, team")
    assert_images_drawn(page, "img.lmx-story", 1)
    page.get_by_role("tab", name="Organisation and charts").click()
    page.wait_for_selector("circle.lmx-picked")
    # the legend explains the in-group under this policy (the deal with everyone)
    assert "treats everyone alike" in page.locator(".lmx-key-item", has_text="in-group").get_attribute("title")
    page.screenshot(path=ARTIFACTS / "dashboard-2-played.png", full_page=True)

    # compare mode: the same organisation under two policies, side by side
    page.get_by_text("Compare: same team, different leader").click()
    assert_networks_drawn(page, 2)
    assert page.locator(".lmx-run-label").count() == 2
    page.get_by_role("button", name="fastest", exact=True).click()
    page.get_by_role("button", name="Play").click()
    wait_for_week(page, 20)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    assert week(page) >= 20
    page.screenshot(path=ARTIFACTS / "dashboard-3-compare.png", full_page=True)

    # inspect: the story of one member in both organisations
    page.get_by_role("tab", name="Inspect a person").click()
    picker = page.get_by_label("Pick a member or a leader (type to search)")
    picker.click()
    picker.fill("#3")
    page.get_by_role("option", name="Team 1 · person #3", exact=True).click()
    assert_images_drawn(page, "img.lmx-story", 1)
    page.wait_for_selector("text=Person #3, team 1")
    page.screenshot(path=ARTIFACTS / "dashboard-4-inspect.png", full_page=True)

    page.get_by_role("tab", name="About").click()
    page.wait_for_selector("text=THINGS TO TRY")
    page.screenshot(path=ARTIFACTS / "dashboard-5-about.png", full_page=True)

    # odd input: a message, not a crash
    page.get_by_role("tab", name="Organisation and charts").click()
    seed = page.get_by_label("Seed (whole number)")
    seed.fill("twelve")
    seed.press("Enter")
    page.wait_for_selector("text=is not allowed — a whole number in")
    assert page.get_by_role("button", name="Step").is_disabled()
    page.screenshot(path=ARTIFACTS / "dashboard-6-bad-seed.png")
    seed.fill("12")
    seed.press("Enter")
    assert_networks_drawn(page, 2)

    assert page.outside_requests == [], "the dashboard must work offline"
    assert page.problems == []


def test_a_shared_link_opens_its_view_and_settings_frees_the_width(page, dashboard_url):
    """Issue 13: a link carries scenario, policies, seed and horizon; the Settings button really
    hides the settings column (it used to lose to Vuetify's d-flex) on a 1280x720 projector."""
    from lmxsim.scenarios import SCENARIOS

    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(dashboard_url + "/?scenario=in_crowd_trap&compare=1&vs=proactive_deal&seed=7&weeks=52")
    page.wait_for_selector(".lmx-week")
    page.problems.clear()   # the first page's requests that this navigation cut short
    page.wait_for_selector(f"text={SCENARIOS['in_crowd_trap'].title}")
    assert page.text_content(".lmx-week").strip() == "Week 0 of 52"
    assert page.locator(".lmx-run-label").count() == 2
    assert page.get_by_label("Seed (whole number)").input_value() == "7"
    page.wait_for_function("document.querySelectorAll('.lmx-main').length == 1")
    main_before = page.locator(".lmx-main").bounding_box()["width"]
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".lmx-sidebar", state="detached")
    # while the page re-renders, the old and the new main area may both be there for a moment
    page.wait_for_function("document.querySelectorAll('.lmx-main').length == 1")
    assert page.locator(".lmx-main").bounding_box()["width"] > main_before + 200
    page.screenshot(path=ARTIFACTS / "dashboard-7-link-projector.png")
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".lmx-sidebar")

    # presenter mode: both networks, the monitors, one legend and all six charts on the 1280x720 screen
    page.get_by_role("button", name="Presenter").click()
    page.wait_for_selector(".lmx-present")
    page.wait_for_selector(".lmx-sidebar", state="detached")
    assert_networks_drawn(page, 2)
    page.wait_for_timeout(300)   # the grid settles
    for selector in (".lmx-week", ".lmx-monitor-value", ".lmx-key", ".lmx-network-title", "svg.lmx-network-svg",
                     ".lmx-chart"):
        assert_on_screen(page, selector)
    assert page.locator(".lmx-key").count() == 1
    assert float(page.evaluate("getComputedStyle(document.querySelector('.lmx-present')).fontSize")[:-2]) >= 17
    assert page.evaluate("document.documentElement.scrollHeight") <= 721, "presenter mode should not scroll"
    page.screenshot(path=ARTIFACTS / "dashboard-9-presenter-1280x720.png")
    page.get_by_role("button", name="Settings").click()       # the toggle still works in presenter mode
    page.wait_for_selector(".lmx-sidebar")
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".lmx-sidebar", state="detached")

    # ... and still at the end of a run, with its "end of the run" line (it wrapped: 736 px)
    page.goto(dashboard_url + "/?present=1&compare=1&weeks=2")
    page.wait_for_selector(".lmx-present")
    page.problems.clear()
    for week in (1, 2):
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"document.querySelector('.lmx-week').textContent.trim() == 'Week {week} of 2'")
    page.wait_for_selector("text=end of the run")
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollHeight") <= 721, "the end of a run should not scroll"

    # a laptop at 1366x768: the colour key is on screen next to the network
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(dashboard_url + "/?scenario=in_crowd_trap&seed=7")
    page.wait_for_selector(".lmx-week")
    page.problems.clear()
    assert_networks_drawn(page, 1)
    assert_on_screen(page, ".lmx-key")
    page.screenshot(path=ARTIFACTS / "dashboard-10-laptop-1366x768.png")

    # a phone: one column, the main panel full width, settings below it and collapsible
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(dashboard_url + "/?compare=1")
    page.wait_for_selector(".lmx-week")
    page.problems.clear()
    assert_networks_drawn(page, 2)
    main, sidebar = box(page, ".lmx-main"), box(page, ".lmx-sidebar")
    assert main["width"] >= 370 and sidebar["width"] >= 370 and sidebar["y"] > main["y"]
    assert box(page, "svg.lmx-network-svg")["width"] >= 340
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, "nothing wider than the phone"
    page.screenshot(path=ARTIFACTS / "dashboard-11-phone-390.png")
    page.get_by_role("button", name="Settings").click()
    page.wait_for_selector(".lmx-sidebar", state="detached")
    assert page.outside_requests == []
    assert page.problems == []


def test_many_seeds_shows_whether_the_story_holds_whatever_the_seed(page, dashboard_url):
    page.goto(dashboard_url + "/?scenario=in_crowd_trap&compare=1&seed=1")
    page.wait_for_selector(".lmx-week")
    page.problems.clear()   # the first page's requests that this navigation cut short
    page.get_by_role("tab", name="Many seeds").click()
    page.get_by_role("button", name="Run both policies on").click()
    page.wait_for_selector("img.lmx-many-seeds", timeout=120_000)
    assert_images_drawn(page, "img.lmx-many-seeds", 1)
    assert page.locator(".lmx-many-seeds-line").count() >= 4
    page.screenshot(path=ARTIFACTS / "dashboard-8-many-seeds.png", full_page=True)
    assert page.problems == []
