"""The love bank's demo on the fixture city: holders, a year of deposits, transfers, exchanges in
every state with a dispute; a second run adds nothing; the ledger still balances."""

import pytest

from gongzhi.core import ledger
from gongzhi.lovebank.choices import ExchangeStatus
from gongzhi.lovebank.demo import build_demo_lovebank
from gongzhi.lovebank.models import BankMember, Deposit, Exchange, Transfer

pytestmark = pytest.mark.django_db


def test_demo_builds_a_year_and_is_idempotent(city):
    counts = build_demo_lovebank("small")
    assert counts["members"] >= 12 and counts["deposits"] > 50
    assert {s for s in Exchange.objects.values_list("status", flat=True)} >= {
        ExchangeStatus.REQUESTED, ExchangeStatus.OFFERED, ExchangeStatus.DONE, ExchangeStatus.COMPLETED,
        ExchangeStatus.CANCELLED, ExchangeStatus.DISPUTED}
    assert Transfer.objects.exists() and Deposit.objects.filter(donated__gt=0).exists()
    before = (BankMember.objects.count(), Deposit.objects.count(), Exchange.objects.count())
    assert build_demo_lovebank("small")["members"] == 0
    assert (BankMember.objects.count(), Deposit.objects.count(), Exchange.objects.count()) == before
    assert ledger.verify_all()
