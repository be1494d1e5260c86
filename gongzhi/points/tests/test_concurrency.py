"""No oversell: many people redeem the last items of one stock at once, each on their own database
connection; exactly the stock is sold, and every balance still equals its entries."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.demo.personas import ensure_user
from gongzhi.points.models import Item, Merchant, Redemption
from gongzhi.points.services import shop
from gongzhi.points.services.common import KIND, person_account

BUYERS = 12
STOCK = 5

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks and concurrent writers need PostgreSQL; SQLite runs one writer at a time"),
]


def test_racing_buyers_never_oversell(city):
    merchant = Merchant(name="便民超市", kind="partner")
    merchant.site(city.community_a)
    merchant.save()
    item = Item.objects.create(merchant=merchant, name="食用油", cost=10, stock=STOCK)
    source = ledger.source_account(KIND)
    buyers = []
    for n in range(BUYERS):
        user = ensure_user(f"buyer{n}", f"居民{n}", phone=f"1370001{n:04d}")
        ledger.post(actor=None, key=f"fund{n}", memo_code="points.award", lines=[(source, Decimal(-50)),
                                                                                  (person_account(user), Decimal(50))],
                    allow_negative=[source])
        buyers.append(user)
    start = threading.Barrier(BUYERS)
    sold, refused, errors = [], [], []

    def buy(user):
        try:
            start.wait()
            try:
                shop.redeem(actor=user, item_id=item.pk, idempotency_key="tap")
                sold.append(user.pk)
            except DomainError:
                refused.append(user.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(u,)) for u in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(sold) == STOCK and len(refused) == BUYERS - STOCK
    assert Item.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.count() == STOCK and ledger.verify_all()
