"""Whatever sequence of deposits, voids, transfers and exchanges happens, every balance equals the
sum of its entries (gongzhi.core.ledger.verify_all), no holder's account goes below zero except
through a void, and the credits issued equal what the accounts hold."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.models import LedgerAccount
from gongzhi.lovebank import books, deposits_hooks
from gongzhi.lovebank.models import BankMember, BankRules, Relation
from gongzhi.lovebank.services import exchanges, relations

from .factories import hours_record, person

pytestmark = pytest.mark.django_db

steps = st.lists(st.one_of(
    st.tuples(st.just("deposit"), st.integers(0, 2), st.integers(1, 12), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("transfer"), st.integers(1, 6)),
    st.tuples(st.just("exchange"), st.integers(1, 4), st.booleans()),
), min_size=1, max_size=12)


@pytest.fixture
def bank(city):
    BankRules.objects.create(district=city.district, daily_cap=Decimal("5"), account_cap=Decimal("12"))
    people = [person(f"甲{i}", phone=f"1380000{i:04d}") for i in range(3)]
    for p in people:
        deposits_hooks.on_hours_certified(hours=hours_record(p, city.community_a, "1", dt.date(2025, 1, 1)))
    BankMember.objects.filter(user__in=people).update(birth_date=dt.date(1950, 1, 1))
    rel = relations.request_relation(actor=people[0], kinship="spouse", relative_name="乙",
                                     relative_phone=people[1].phone)
    relations.confirm_relation(actor=city.users["community_secretary"], relation_id=rel.pk, reason="核实")
    return city, people, Relation.objects.get(pk=rel.pk)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_balances_always_equal_their_entries(bank, steps):
    city, people, rel = bank
    records = []
    for n, step in enumerate(steps):
        try:
            if step[0] == "deposit":
                _kind, who, hours, day, group = step
                record = hours_record(people[who], city.community_a, hours, dt.date(2026, 1, 1 + day),
                                      by_group=group)
                deposits_hooks.on_hours_certified(hours=record)
                records.append(record)
            elif step[0] == "void" and records:
                deposits_hooks.on_hours_voided(hours=records[step[1] % len(records)], reason="更正")
            elif step[0] == "transfer":
                relations.transfer(actor=people[0], relation_id=rel.pk, credits=step[1], key=f"p{n}-{id(steps)}")
            elif step[0] == "exchange":
                x, _ = exchanges.request_help(actor=people[1], service_kind="meals", credits=step[1],
                                              wanted_on=dt.date.today(), key=f"p{n}-{id(steps)}")
                exchanges.offer(actor=people[2], exchange_id=x.pk)
                exchanges.mark_done(actor=people[2], exchange_id=x.pk)
                exchanges.confirm(actor=people[2], exchange_id=x.pk)
                if step[2]:
                    exchanges.confirm(actor=people[1], exchange_id=x.pk)
        except DomainError:
            pass  # refused (too few credits): nothing may have moved
        assert ledger.verify_all()
    held = sum(LedgerAccount.objects.filter(kind=books.KIND).exclude(pk=books.source().pk)
               .values_list("balance", flat=True))
    assert held == -books.source().balance
