"""An alert in a browser: the community secretary calls the squad out at desk width; a member
answers on a phone (375 × 812) — on the way in 10 minutes, then "I'm here" — and the console's
counts move. Screenshots land in /tmp/shots/squads_*.png."""

from pathlib import Path

import pytest

from tests.browser.plugin import CHROMIUM, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")]
PHONE = {"width": 375, "height": 812}
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"squads_{name}.png"), full_page=True)


@pytest.fixture
def squad_city(transactional_db):
    from gongzhi.demo.fixture_city import build_fixture_city

    from .factories import build_squads

    city = build_fixture_city()
    return city, build_squads(city)


def test_a_squad_is_called_out_and_mustered(squad_city, new_page):
    from gongzhi.squads.models import Alert, AlertResponse

    _city, sq = squad_city
    desk = new_page(width=1280, height=860)
    log_in(desk, "community_secretary")
    desk.goto(f"/squads/{sq.squad_a.pk}/")
    shot(desk, "roster")
    desk.goto(f"/squads/{sq.squad_a.pk}/alert")
    desk.fill("input[name=title]", "暴雨内涝，转移低洼处居民")
    desk.click("button.btn-danger[type=submit]")
    desk.wait_for_load_state("networkidle")
    alert = Alert.objects.get()
    assert desk.locator('[data-count="notified"]').inner_text() == "4"

    phone = new_page(**PHONE)
    log_in(phone, sq.people_a[0].username)
    phone.goto(f"/squads/my/alerts/{alert.pk}/")
    shot(phone, "member_alert")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.fill("input[name=eta_minutes]", "10")
    phone.click("form[action$='/ack'] button.btn-primary")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-status=acknowledged]").count() == 1
    phone.click("form[action$='/here'] button")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-status=arrived]").count() == 1
    shot(phone, "member_here")
    assert AlertResponse.objects.get(alert=alert, user=sq.people_a[0]).status == "arrived"

    desk.reload()
    assert desk.locator('[data-count="mustered"]').inner_text() == "1"
    shot(desk, "console")
