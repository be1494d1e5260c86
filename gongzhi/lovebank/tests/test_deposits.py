"""Deposits: 1 hour = 1 credit up to the daily and account caps (the rest donated to the
community's pool), group hours donated only, idempotent by the hours' key, reversed on void."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core import ledger
from gongzhi.core.models import AuditEntry, LedgerTransaction
from gongzhi.lovebank import books, deposits_hooks
from gongzhi.lovebank.choices import DepositStatus
from gongzhi.lovebank.models import BankMember, BankRules, Deposit

from .factories import certify, hours_record, person

pytestmark = pytest.mark.django_db
D = Decimal


def balances(user, community):
    return books.personal(user.pk).balance, books.donations(community.pk).balance


def test_first_deposit_opens_the_account_and_credits_one_per_hour(city):
    volunteer = person("小李")
    _record, dep = certify(volunteer, city.community_a, "2.5")
    member = BankMember.objects.get(user=volunteer)
    assert member.community == city.community_a and member.street_id == city.street_a.pk
    assert (dep.credited, dep.donated) == (D("2.50"), D("0.00"))
    assert balances(volunteer, city.community_a) == (D("2.50"), D("0.00"))
    assert AuditEntry.objects.filter(action="lovebank.deposit", object_id=str(dep.pk)).exists()
    assert ledger.verify_all()


def test_over_the_daily_cap_the_excess_is_donated(city):
    BankRules.objects.create(district=city.district, daily_cap=D("4"), account_cap=D("100"))
    volunteer = person("小王")
    day = dt.date(2026, 4, 1)
    certify(volunteer, city.community_a, "3", day)
    _r, second = certify(volunteer, city.community_a, "3", day)
    assert (second.credited, second.donated) == (D("1.00"), D("2.00"))
    _r, next_day = certify(volunteer, city.community_a, "3", day + dt.timedelta(days=1))
    assert next_day.credited == D("3.00")
    assert balances(volunteer, city.community_a) == (D("7.00"), D("2.00"))


def test_over_the_account_cap_the_excess_is_donated(city):
    BankRules.objects.create(district=city.district, daily_cap=D("8"), account_cap=D("5"))
    volunteer = person("小赵")
    certify(volunteer, city.community_a, "4", dt.date(2026, 4, 1))
    _r, dep = certify(volunteer, city.community_a, "4", dt.date(2026, 4, 2))
    assert (dep.credited, dep.donated) == (D("1.00"), D("3.00"))
    assert balances(volunteer, city.community_a) == (D("5.00"), D("3.00"))


def test_group_hours_are_donated_only(city):
    volunteer = person("小孙")
    _r, dep = certify(volunteer, city.community_a, "3", by_group=True)
    assert (dep.credited, dep.donated) == (D("0.00"), D("3.00"))
    assert balances(volunteer, city.community_a) == (D("0.00"), D("3.00"))


def test_the_same_hours_announced_twice_deposit_once(city):
    volunteer = person("小周")
    record = hours_record(volunteer, city.community_a, "2")
    first = deposits_hooks.on_hours_certified(hours=record)
    again = deposits_hooks.on_hours_certified(hours=record)
    assert first.pk == again.pk and Deposit.objects.count() == 1
    assert books.personal(volunteer.pk).balance == D("2.00")


def test_voided_hours_are_reversed(city):
    volunteer = person("小吴")
    record, dep = certify(volunteer, city.community_a, "2")
    _r2, _d2 = certify(volunteer, city.community_a, "3", by_group=True)
    deposits_hooks.on_hours_voided(hours=record, reason="记录有误")
    dep.refresh_from_db()
    assert dep.status == DepositStatus.REVERSED and dep.reverse_reason == "记录有误"
    assert LedgerTransaction.objects.filter(reverses=dep.transaction).count() == 1
    assert balances(volunteer, city.community_a) == (D("0.00"), D("3.00"))
    # A second announcement of the same void changes nothing.
    deposits_hooks.on_hours_voided(hours=record, reason="记录有误")
    assert LedgerTransaction.objects.filter(reverses=dep.transaction).count() == 1
    assert ledger.verify_all()


def test_memos_are_codes_read_in_the_readers_language(city):
    volunteer = person("小郑")
    certify(volunteer, city.community_a, "2")
    entry = ledger.entries_for(books.personal(volunteer.pk)).get()
    assert entry.transaction.memo_code == "lovebank.deposit"
    from django.utils import translation

    with translation.override("en"):
        assert books.memo_text(entry.transaction.memo_code, entry.transaction.memo_params) == (
            "2.00 hours of service on 2026-03-02")
