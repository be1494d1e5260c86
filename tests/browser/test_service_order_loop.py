"""The three orders (三单制) in a browser: a resident orders help from a phone (375 × 812), the
community's desk assigns a party member at desk width, the member accepts and records it done on
the phone, the resident confirms and rates — and the member's hours are certified, with points and
love-bank credits in their statements. Screenshots land in /tmp/shots/service_*.png."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from .plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
SHOTS = Path("/tmp/shots")


@pytest.fixture
def service_city(transactional_db):
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.service.tests.factories import build_service

    return build_service(build_fixture_city())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"service_{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_resident_orders_the_desk_assigns_a_member_serves_and_the_resident_rates(service_city, new_page):
    from gongzhi.core.models import LedgerAccount
    from gongzhi.service.models import Order
    from gongzhi.volunteering.models import ServiceHours

    s = service_city
    resident = new_page(**PHONE)
    log_in(resident, "resident")
    resident.goto("/service/orders/new/")
    resident.check(f"input[name=kind][value='{s.kind.pk}']")
    resident.fill("textarea[name=description]", "腿脚不便，请帮忙买菜送到家")
    when = timezone.localtime() + dt.timedelta(days=2)
    resident.fill("input[name=wanted_at]", when.strftime("%Y-%m-%dT10:00"))
    resident.fill("input[name=place]", "书院路12号3单元")
    assert fits(resident)
    shot(resident, "order_new")
    resident.click("form button.btn-primary")
    resident.wait_for_load_state("networkidle")
    order = Order.objects.get()
    assert order.status == "placed" and order.resident == s.resident
    resident.goto("/service/orders/mine/")
    assert "腿脚不便" in resident.content() and fits(resident)
    shot(resident, "my_orders")

    desk = new_page(width=1280, height=860)
    log_in(desk, "community_secretary")
    desk.goto("/service/board/")
    assert "腿脚不便" in desk.content()
    shot(desk, "board")
    desk.goto(f"/service/orders/{order.pk}/")
    desk.check(f"input[name=takers][value='{s.member.pk}']")
    desk.click(f"form[action$='/orders/{order.pk}/dispatch/'] button[type=submit]")
    desk.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "dispatched"
    shot(desk, "dispatched")

    member = new_page(**PHONE)
    log_in(member, "party_member_a")
    member.goto("/service/take/mine/")
    assert "腿脚不便" in member.content() and fits(member)
    shot(member, "assigned")
    member.goto(f"/service/orders/{order.pk}/")
    member.click(f"form[action$='/orders/{order.pk}/take/'] button")
    member.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "taken"
    member.goto(f"/service/orders/{order.pk}/done/")
    member.fill("textarea[name=note]", "买了青菜、鸡蛋和米，送到家中")
    member.fill("input[name=hours]", "2")
    assert fits(member)
    shot(member, "done")
    member.click("form button.btn-primary")
    member.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "done"

    resident.goto(f"/service/orders/{order.pk}/")
    resident.check("input[name=rating][value='5']")
    resident.fill("input[name=comment]", "服务很周到")
    shot(resident, "confirm")
    resident.click(f"form[action$='/orders/{order.pk}/confirm/'] button[type=submit]")
    resident.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "confirmed" and order.rating == 5
    assert fits(resident)
    shot(resident, "confirmed")

    # The member's two hours are certified, and earn credits and points through the one ledger.
    hours = ServiceHours.objects.get(person=s.member, source="order", source_id=order.pk)
    assert hours.hours == Decimal("2") and hours.status == "certified"
    credits = LedgerAccount.objects.get(kind="lovebank", owner_type="accounts.user", owner_id=s.member.pk)
    assert credits.balance == Decimal("2")
    points = LedgerAccount.objects.get(kind="points", owner_type="accounts.user", owner_id=s.member.pk)
    assert points.balance > 0
    member.goto("/lovebank/")
    assert fits(member)
    shot(member, "lovebank")
    member.goto("/points/")
    assert fits(member)
    shot(member, "points")
