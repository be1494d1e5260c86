"""End to end with gongzhi.volunteering: hours certified there are banked here in the same
transaction, and voiding them reverses the deposit."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core import ledger
from gongzhi.lovebank import books
from gongzhi.lovebank.choices import DepositStatus
from gongzhi.lovebank.models import Deposit

from .factories import person

pytestmark = pytest.mark.django_db
hours_services = pytest.importorskip("gongzhi.volunteering.services.hours")


def test_certified_hours_are_banked_and_voided_hours_reversed(city):
    desk = city.users["community_secretary"]
    volunteer = person("志愿者")
    record = hours_services.certify_hours(actor=desk, person=volunteer, hours="2.5", served_on=dt.date(2026, 3, 1),
                                          community=city.community_a, source="activity", source_id=7, key="e2e.1")
    again = hours_services.certify_hours(actor=desk, person=volunteer, hours="2.5", served_on=dt.date(2026, 3, 1),
                                         community=city.community_a, source="activity", source_id=7, key="e2e.1")
    assert again.pk == record.pk
    deposit = Deposit.objects.get(hours_ref=record.pk)
    assert deposit.credited == Decimal("2.50") and books.balance_of(volunteer.pk) == Decimal("2.50")
    hours_services.void_hours(actor=desk, hours=record, reason="重复登记")
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.REVERSED and books.balance_of(volunteer.pk) == Decimal("0.00")
    assert ledger.verify_all()


def test_group_hours_certified_there_are_donated_here(city):
    desk = city.users["community_secretary"]
    volunteer = person("队员")
    hours_services.certify_hours(actor=desk, person=volunteer, hours="3", served_on=dt.date(2026, 3, 1),
                                 community=city.community_a, source="activity", by_group=True, group_name="红马甲",
                                 key="e2e.g")
    assert books.balance_of(volunteer.pk) == Decimal("0.00")
    assert books.donations(city.community_a.pk).balance == Decimal("3.00")
