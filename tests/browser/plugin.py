"""Browser-test fixtures: Playwright for Python driving Debian's Chromium against a live test server.

Loaded once for the whole suite (root conftest's pytest_plugins), so every browser test, in any
app, shares one Playwright session: a second sync session in the same process would fail.
Screenshots land in test-artifacts/ so a person can look at what each persona saw."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are ordinary blocking calls, which Django would otherwise refuse in that case.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_page(width: int = 1280, height: int = 860, language: str = "zh-CN"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=language,
                                      base_url=live_server.url)
        # The platform runs on intranets: any request that leaves the test server is a defect.
        outside = []
        context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                      if not route.request.url.startswith(live_server.url) else route.continue_())
        contexts.append((context, outside))
        return context.new_page()

    yield open_page
    for context, outside in contexts:
        context.close()
        assert outside == [], f"pages tried to load from outside the server: {outside}"


@pytest.fixture
def case_city(transactional_db):
    """The fixture city with the case catalogue and the official working calendar of this year and
    next, committed for the live server: where the case loop's browser tests start."""
    from django.utils import timezone

    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.divisions.geo.index import reset_grid_index
    from gongzhi.workdays.calendar import forget_calendar
    from gongzhi.workdays.services import load_official_calendar

    city = build_fixture_city()
    seed_catalogue()
    year = timezone.localdate().year
    load_official_calendar(years=[year, year + 1])
    # This process's calendar and grid index outlive each test's emptied tables: read them afresh.
    forget_calendar()
    reset_grid_index()
    yield city
    forget_calendar()
    reset_grid_index()


def log_in(page, username: str, password: str = "gongzhi-demo"):  # noqa: S107 (the published demo password)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def wait_until(page, expression: str, timeout_s: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's `wait_for_function` polls by
    evaluating a string inside the page, which our Content-Security-Policy refuses (no eval), so the
    polling happens here and each check is an ordinary `evaluate`."""
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(50)
