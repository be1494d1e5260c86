"""Whatever mix of awards, redemptions, reversals and cancellations happens, every balance equals
the sum of its entries (gongzhi.core.ledger.verify_all) and a person's balance equals what their
awards and redemptions say it should be."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.points import selectors as sel
from gongzhi.points.choices import AwardStatus, RedemptionStatus
from gongzhi.points.models import Award, Item, Redemption
from gongzhi.points.services import awards, shop

from .factories import build_points

pytestmark = pytest.mark.django_db

STEP = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(["a", "b"]), st.sampled_from(["good_deed", "hazard_report",
                                                                              "daily_conduct"]),
              st.integers(1, 12)),
    st.tuples(st.just("redeem"), st.sampled_from(["a", "b"]), st.sampled_from(["a", "b"]), st.integers(1, 3)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
)


@pytest.fixture
def pts(city):
    return build_points(city)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_balances_always_equal_their_entries(city, pts, steps):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        _run(city, pts, steps)
    finally:
        transaction.savepoint_rollback(sid)


def _run(city, pts, steps):
    people = {"a": (pts.person_a, city.community_a, "community_secretary"),
              "b": (pts.person_b, city.community_b, "street_officer_b")}
    items = {"a": pts.item_a, "b": pts.item_b}
    for n, step in enumerate(steps):
        try:
            if step[0] == "award":
                person, community, desk = people[step[1]]
                awards.award_by_hand(actor=city.users[desk], person_id=person.pk, rule_id=pts.rules[step[2]].pk,
                                     community_id=community.pk, occurred_on=dt.date(2026, step[3], 1),
                                     evidence="e", idempotency_key=f"s{n}")
            elif step[0] == "redeem":
                shop.redeem(actor=people[step[1]][0], item_id=items[step[2]].pk, quantity=step[3],
                            idempotency_key=f"s{n}")
            elif step[0] == "reverse":
                award = Award.objects.order_by("pk")[step[1]:step[1] + 1].first()
                if award is not None:
                    awards.reverse_award(actor=city.users["city_admin"], award_id=award.pk, reason="r")
            else:
                redemption = Redemption.objects.order_by("pk")[step[1]:step[1] + 1].first()
                if redemption is not None:
                    shop.cancel_redemption(actor=city.users["city_admin"], redemption_id=redemption.pk, reason="c")
        except DomainError:
            pass  # a refusal (cap, balance, stock, state) changes nothing; checked below
        assert ledger.verify_all()
    for person, _c, _d in people.values():
        earned = sum((a.points for a in Award.objects.filter(person=person, status=AwardStatus.AWARDED)), Decimal(0))
        spent = sum((r.points for r in Redemption.objects.filter(person=person, status=RedemptionStatus.DONE)),
                    Decimal(0))
        assert sel.balance_of(person) == earned - spent >= 0
    for item, start in ((pts.item_a, 3), (pts.item_b, 5)):
        sold = sum(r.quantity for r in Redemption.objects.filter(item=item, status=RedemptionStatus.DONE))
        assert Item.objects.get(pk=item.pk).stock == start - sold >= 0
