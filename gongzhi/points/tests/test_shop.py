"""The points shop: redemption spends points, stock and idempotency, cancellation reverses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.scope import NotInScope
from gongzhi.points import selectors as sel
from gongzhi.points.choices import RedemptionStatus
from gongzhi.points.models import Item, Redemption
from gongzhi.points.services import awards, shop

from .factories import build_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def pts(city):
    pts = build_points(city)
    awards.award_by_hand(actor=city.users["community_secretary"], person_id=pts.person_a.pk,
                         rule_id=pts.rules["daily_conduct"].pk, community_id=city.community_a.pk,
                         occurred_on=dt.date(2026, 3, 1), evidence="表现良好", idempotency_key="c1")
    return pts


def test_redeeming_spends_points_and_stock_once_per_key(city, pts):
    first, created = shop.redeem(actor=pts.person_a, item_id=pts.item_a.pk, quantity=2, idempotency_key="r1")
    again, created_again = shop.redeem(actor=pts.person_a, item_id=pts.item_a.pk, quantity=2, idempotency_key="r1")
    assert created and not created_again and again.pk == first.pk
    assert sel.balance_of(pts.person_a) == Decimal("20.00")
    assert Item.objects.get(pk=pts.item_a.pk).stock == 1
    assert sel.statement_of(pts.person_a).first().transaction.memo_code == "points.redeem"
    assert ledger.verify_all()


def test_not_enough_points_or_stock_is_refused_and_nothing_changes(city, pts):
    with pytest.raises(DomainError):
        shop.redeem(actor=pts.person_b, item_id=pts.item_b.pk, idempotency_key="poor")
    with pytest.raises(DomainError):
        shop.redeem(actor=pts.person_a, item_id=pts.item_a.pk, quantity=4, idempotency_key="many")
    assert Item.objects.get(pk=pts.item_b.pk).stock == 5 and Item.objects.get(pk=pts.item_a.pk).stock == 3
    assert not Redemption.objects.exists() and sel.balance_of(pts.person_a) == Decimal("80.00")


def test_a_cancelled_redemption_gives_back_points_and_stock(city, pts):
    redemption, _ = shop.redeem(actor=pts.person_a, item_id=pts.item_a.pk, idempotency_key="r1")
    with pytest.raises(NotInScope):
        shop.cancel_redemption(actor=city.users["street_officer_b"], redemption_id=redemption.pk, reason="x")
    with pytest.raises(PermissionDenied):
        shop.cancel_redemption(actor=pts.person_a, redemption_id=redemption.pk, reason="x")
    done = shop.cancel_redemption(actor=city.users["community_secretary"], redemption_id=redemption.pk,
                                  reason="商品缺货")
    assert done.status == RedemptionStatus.CANCELLED
    assert sel.balance_of(pts.person_a) == Decimal("80.00") and Item.objects.get(pk=pts.item_a.pk).stock == 3
    with pytest.raises(DomainError):
        shop.cancel_redemption(actor=city.users["community_secretary"], redemption_id=redemption.pk, reason="x")


def test_merchants_and_items_are_kept_in_scope(city, pts):
    with pytest.raises(NotInScope):
        shop.create_merchant(actor=city.users["street_officer_b"], division_id=city.community_a.pk, name="x")
    with pytest.raises(NotInScope):
        shop.create_item(actor=city.users["street_officer_b"], merchant_id=pts.merchant_a.pk, name="x", cost=1,
                         stock=1)
    merchant = shop.create_merchant(actor=city.users["street_officer_a"], division_id=city.street_a.pk,
                                    name="书院街道养老服务中心", kind="community")
    assert merchant.street_id == city.street_a.pk and merchant.community_id is None
    item = shop.create_item(actor=city.users["street_officer_a"], merchant_id=merchant.pk, name="助浴一次", cost=20,
                            stock=2)
    assert item in sel.items_on_offer()


def test_stock_is_topped_up_with_a_version_check(city, pts):
    from gongzhi.core.errors import StaleEdit

    desk = city.users["community_secretary"]
    item = shop.update_item(actor=desk, item_id=pts.item_a.pk, expected_version=1, add_stock=10)
    assert item.stock == 13 and item.version == 2
    with pytest.raises(StaleEdit):
        shop.update_item(actor=desk, item_id=pts.item_a.pk, expected_version=1, add_stock=10)
    with pytest.raises(DomainError):
        shop.update_item(actor=desk, item_id=pts.item_a.pk, expected_version=2, add_stock=-100)
    assert Item.objects.get(pk=pts.item_a.pk).stock == 13
