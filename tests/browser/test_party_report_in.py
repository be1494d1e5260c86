"""The double report-in in a browser: a party member reports in from a phone (375 × 812), picking
the community from the list; the community secretary confirms at desk width and reads the
dashboard (its chart drawn by ECharts from our own files). Screenshots land in /tmp/shots/party_*.png."""

from pathlib import Path

import pytest

from .plugin import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
SHOTS = Path("/tmp/shots")


@pytest.fixture
def party_city(transactional_db):
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.party.tests.factories import build_party

    city = build_fixture_city()
    return city, build_party(city)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"party_{name}.png"), full_page=True)


def test_a_member_reports_in_from_a_phone_and_the_community_confirms(party_city, new_page):
    from gongzhi.party.models import MemberRegistration

    city, _p = party_city
    phone = new_page(**PHONE)
    log_in(phone, "party_member_a")
    assert phone.locator('[data-todo="party.report_in_due"]').count() == 1
    shot(phone, "member_home")
    phone.click('[data-todo="party.report_in_due"]')
    phone.fill("#ri-q", "书院")
    phone.click("form.search-bar button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.check(f"input[name=community][value='{city.community_a.pk}']")
    shot(phone, "report_in_pick")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.click("button.ri-submit")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-status=pending]").count() == 1
    shot(phone, "report_in_waiting")
    assert MemberRegistration.objects.get().status == "pending"

    desk = new_page(width=1280, height=860)
    log_in(desk, "community_secretary")
    desk.goto("/party/report-in/desk/?status=pending")
    assert "孙丽" in desk.content()
    shot(desk, "desk_pending")
    desk.click("form[action$='/confirm/'] button")
    desk.wait_for_load_state("networkidle")
    assert MemberRegistration.objects.get().status == "confirmed"
    desk.goto(f"/party/report-in/dashboard/?division={city.community_a.pk}&list=confirmed")
    wait_until(desk, "document.querySelector('.ri-chart svg') !== null")
    assert "孙丽" in desk.content()
    shot(desk, "dashboard")

    phone.goto("/party/report-in/")
    assert phone.locator("[data-status=confirmed]").count() == 1
    shot(phone, "report_in_confirmed")
    phone.goto("/party/me/branch/")
    assert "书院社区第一网格党支部" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "my_branch")
