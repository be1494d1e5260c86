"""The demo's year of orders on the fixture city: orders in every state, confirmed ones with their
takers' hours certified on the day served, and a second run adds nothing."""

import pytest

from gongzhi.service.demo import build_demo_service
from gongzhi.service.models import Order

from .factories import build_service

pytestmark = pytest.mark.django_db


def test_a_year_of_orders_once(city):
    from gongzhi.volunteering.models import ServiceHours

    build_service(city)
    counts = build_demo_service("small", per_year=12)
    assert counts["communities"] >= 2 and counts["orders"] == Order.objects.count() > 20
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"confirmed", "placed"} <= statuses
    confirmed = Order.objects.filter(status="confirmed")
    assert confirmed.count() == counts["confirmed"] > 10
    hours = ServiceHours.objects.filter(source="order")
    assert hours.count() >= confirmed.count()
    # The year shows: orders placed months ago, hours certified on the day served.
    oldest = Order.objects.order_by("created_at").first()
    assert (Order.objects.order_by("-created_at").first().created_at - oldest.created_at).days > 200
    assert len({h.served_on.month for h in hours}) > 6
    resident_orders = Order.objects.filter(resident__username="resident").count()
    assert resident_orders >= 3
    assert build_demo_service("small", per_year=12)["orders"] == 0
    assert Order.objects.count() == counts["orders"]
