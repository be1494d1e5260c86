"""On PostgreSQL: first deposits racing for one holder open one account, then queue on the
member's row, so the daily cap holds (the excess is donated, never lost or credited twice), a key
sent twice banks once, and the ledger balances."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from gongzhi.core import ledger
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.lovebank import books
from gongzhi.lovebank.models import BankMember, BankRules, Deposit
from gongzhi.lovebank.services import deposits

from .factories import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_deposits_keep_the_daily_cap():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    city = build_fixture_city()
    BankRules.objects.create(district=city.district, daily_cap=Decimal("4"), account_cap=Decimal("100"))
    volunteer = person("并发")
    day = dt.date(2026, 3, 2)
    errors, start = [], threading.Barrier(6)

    def bank(n):
        try:
            start.wait()
            deposits.deposit(actor=None, user=volunteer, hours="3", served_on=day, community=city.community_a,
                             source="manual", key=f"race.{n % 4}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bank, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    on_day = Deposit.objects.filter(served_on=day)
    assert on_day.count() == 4  # six calls, four keys
    assert sum(d.credited for d in on_day) == Decimal("4.00")
    assert sum(d.donated for d in on_day) == Decimal("8.00")
    assert BankMember.objects.filter(user=volunteer).count() == 1  # opened once, by whichever came first
    assert books.personal(volunteer.pk).balance == Decimal("4.00")
    assert ledger.verify_all()
