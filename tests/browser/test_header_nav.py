"""The header on a laptop stays one tidy line for the role with the most links, in Chinese and in English:
the links that do not fit are one click away under "More" (更多), never wrapped onto a second line or
pushed under the user's name. On a phone the menu button still opens every link."""

import pytest
from django.urls import reverse

from .plugin import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONE_ROW_MAX_HEIGHT = 64  # the bar is 56 px high on one line; a second line of links would add 50 more


@pytest.fixture
def live_city(transactional_db):
    from gongzhi.demo.fixture_city import build_fixture_city

    return build_fixture_city()


def city_admin_links():
    """Every page the city administrator's header links to: the most links any role has."""
    return [reverse(name) for name in (
        "core:home", "cases:workbench", "registry:grid", "divisions:tree", "departments:list",
        "accounts:users", "assessment:ranking", "audit:list", "accounts:profile",
    )]


def header_geometry(page) -> dict:
    return page.evaluate("""() => {
        const box = el => el.getBoundingClientRect();
        const shown = el => el && el.offsetParent !== null;
        const items = [...document.querySelectorAll('#site-nav .nav-links > li')].filter(shown);
        const more = document.querySelector('#site-nav .nav-more-toggle');
        const row = items.map(box);
        if (shown(more)) row.push(box(more));
        return {
            header: box(document.getElementById('topbar')).height,
            scroll: document.documentElement.scrollWidth,
            tops: row.map(r => Math.round(r.top)),
            linksEnd: Math.max(...row.map(r => r.right)),
            toolsStart: box(document.querySelector('#site-nav .nav-tools')).left,
        };
    }""")


def assert_every_link_reachable(page, hrefs):
    toggle = page.locator(".nav-more-toggle")
    for href in hrefs:
        link = page.locator(f"#site-nav a[href='{href}']")
        assert link.count() == 1, href
        if link.locator("xpath=ancestor::ul[@id='nav-more-list']").count():
            assert toggle.is_visible(), f"{href} is in a More menu nobody can open"
            if toggle.get_attribute("aria-expanded") != "true":
                toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
        assert link.is_visible(), f"{href} cannot be seen"
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "true":
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("#nav-more-list").is_hidden()


def choose_language(page, language: str):
    """The language switch in the header; the platform is Chinese until a user picks another."""
    if page.locator("select[name=language]").input_value() != language:
        with page.expect_navigation():
            page.select_option("select[name=language]", language)
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_city_admin_header_is_one_line_on_a_laptop(live_city, new_page, screenshot, language):
    page = new_page(width=1280)
    log_in(page, "city_admin")
    page.goto(reverse("cases:workbench"))
    choose_language(page, language)
    hrefs = city_admin_links()
    for width in (761, 1024, 1280, 1440):
        page.set_viewport_size({"width": width, "height": 860})
        wait_until(page, f"window.innerWidth === {width}")
        page.wait_for_timeout(100)  # the refit runs on the frame after the resize
        geometry = header_geometry(page)
        assert geometry["header"] <= ONE_ROW_MAX_HEIGHT, (width, geometry)
        assert len(set(geometry["tops"])) == 1, (width, geometry)
        assert geometry["linksEnd"] <= geometry["toolsStart"], (width, geometry)  # nothing under the user's name
        assert geometry["scroll"] <= width, (width, geometry)
        assert page.locator("select[name=language]").is_visible()
        assert page.locator("form.logout button").is_visible()
        assert_every_link_reachable(page, hrefs)
        screenshot(page, f"header_city_admin_{language}_{width}")
    # The narrowest laptop cannot hold all nine links: some are under More, which a keyboard opens and closes.
    page.set_viewport_size({"width": 761, "height": 860})
    page.wait_for_timeout(100)
    toggle = page.locator(".nav-more-toggle")
    assert toggle.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#nav-more-list') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('nav-more-toggle')")


def test_more_shows_that_the_current_page_is_inside_it(live_city, new_page):
    page = new_page(width=761)
    log_in(page, "city_admin")
    page.goto(reverse("audit:list"))
    current = page.locator("#nav-more-list a[aria-current='page']")
    assert current.get_attribute("href") == reverse("audit:list")
    assert "is-current" in page.locator(".nav-more-toggle").get_attribute("class")


def test_the_phone_menu_still_opens_every_link(live_city, new_page, screenshot):
    page = new_page(width=375, height=812)
    log_in(page, "city_admin")
    assert page.locator(".nav-more-toggle").is_hidden()
    assert page.locator("#site-nav a[href='/audit/']").is_hidden()
    page.click(".nav-toggle")
    assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "true"
    for href in city_admin_links():
        assert page.locator(f"#site-nav .nav-links a[href='{href}']").is_visible(), href
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "header_city_admin_phone_menu")
