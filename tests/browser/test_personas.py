"""Three personas log in through a real browser and see exactly their part of the city."""

import pytest

from .plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_city(transactional_db):
    from gongzhi.demo.fixture_city import build_fixture_city

    return build_fixture_city()


def test_city_admin_sees_the_whole_city(live_city, new_page, screenshot):
    page = new_page()
    log_in(page, "city_admin")
    page.goto("/divisions/")
    body = page.inner_text("main")
    assert "孝感市" in body
    page.goto(f"/divisions/{live_city.street_b.pk}/")
    assert "新华街道" in page.inner_text("main")
    page.goto(f"/divisions/{live_city.street_a.pk}/")
    assert "书院街道" in page.inner_text("main")
    screenshot(page, "city_admin_street_a")


def test_street_officer_sees_only_street_a(live_city, new_page, screenshot):
    page = new_page()
    log_in(page, "street_officer_a")
    page.goto("/divisions/")
    tree = page.inner_text("main")
    assert "书院街道" in tree and "新华街道" not in tree
    screenshot(page, "street_officer_a_tree")
    response = page.goto(f"/divisions/{live_city.street_b.pk}/")
    assert response.status == 404
    page.goto(f"/divisions/{live_city.community_a.pk}/map/")
    page.wait_for_selector(".leaflet-interactive")
    assert page.locator(".leaflet-interactive").count() >= 2  # the community's two grids
    screenshot(page, "street_officer_a_grid_map")


def test_resident_on_a_phone_sees_no_workbench(live_city, new_page, screenshot):
    page = new_page(width=375, height=780)
    log_in(page, "resident")
    main = page.inner_text("main")
    assert "书院社区" in main
    nav = page.inner_text("header")
    assert "新华街道" not in main and "新华街道" not in nav
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "resident_home_phone")
    response = page.goto(f"/divisions/{live_city.street_a.pk}/")
    assert response.status == 404


def test_english_switch(live_city, new_page):
    page = new_page()
    log_in(page, "district_officer")
    page.goto("/divisions/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert "Divisions" in page.inner_text("body")
