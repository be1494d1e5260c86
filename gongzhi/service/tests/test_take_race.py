"""Many takers press "take" on one published order at the same moment, each on their own database
connection: exactly one wins, the others are told it is gone, and the order has one taker."""

import threading

import pytest
from django.db import connection

from gongzhi.core.errors import DomainError
from gongzhi.demo.personas import ensure_user
from gongzhi.service.choices import OrderStatus
from gongzhi.service.models import Order, OrderTaker
from gongzhi.service.services import orders

from .factories import build_service, make_volunteer, place

TAKERS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent writers need PostgreSQL; SQLite runs one writer at a time"),
]


def test_one_winner_among_concurrent_takers(city):
    s = build_service(city)
    people = [ensure_user(f"racer{i}", f"志愿者 {i}", phone=f"1380000{i:04d}") for i in range(TAKERS)]
    for user in people:
        make_volunteer(user, city.community_a)
    order = orders.publish(actor=s.desk, order_id=place(s).pk)
    start = threading.Barrier(TAKERS)
    won, lost, errors = [], [], []

    def taker(user):
        try:
            start.wait()
            orders.take(actor=user, order_id=order.pk, expected_version=order.version)
            won.append(user.pk)
        except DomainError as exc:
            lost.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=taker, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == TAKERS - 1 and set(lost) <= {"conflict", "stale"}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.TAKEN
    assert list(OrderTaker.objects.filter(order=order).values_list("user_id", flat=True)) == won
