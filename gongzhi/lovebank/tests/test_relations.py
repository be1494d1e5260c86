"""Relatives and transfers: named by the holder, verified by the community's staff, then credits
go to a relative over the transfer age; every transfer one idempotent posting."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.lovebank import books
from gongzhi.lovebank.choices import RelationStatus
from gongzhi.lovebank.models import BankMember, Relation, Transfer
from gongzhi.lovebank.services import relations as svc

from .factories import certify, person

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def family(city):
    with time_machine.travel(TODAY, tick=False):
        son = person("儿子", phone="13811110001")
        mother = person("母亲", phone="13811110002")
        certify(son, city.community_a, "5")
        rel = svc.request_relation(actor=son, kinship="parent", relative_name="母亲", relative_phone="13811110002")
        yield son, mother, rel


def test_a_transfer_needs_a_verified_relation_and_the_age(city, family):
    son, mother, rel = family
    desk = city.users["community_secretary"]
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(DomainError):
            svc.transfer(actor=son, relation_id=rel.pk, credits="2", key="t1")  # not verified yet
        rel = svc.confirm_relation(actor=desk, relation_id=rel.pk, reason="户口本已核", birth_date=dt.date(1960, 3, 1))
        assert rel.status == RelationStatus.CONFIRMED
        assert BankMember.objects.get(user=mother).community == city.community_a
        first, created = svc.transfer(actor=son, relation_id=rel.pk, credits="2", key="t1")
        again, created_again = svc.transfer(actor=son, relation_id=rel.pk, credits="2", key="t1")
    assert created and not created_again and first.pk == again.pk
    assert books.balance_of(son.pk) == Decimal("3.00") and books.balance_of(mother.pk) == Decimal("2.00")
    assert Transfer.objects.count() == 1 and ledger.verify_all()


def test_a_relative_under_the_transfer_age_receives_nothing(city, family):
    son, _mother, rel = family
    with time_machine.travel(TODAY, tick=False):
        svc.confirm_relation(actor=city.users["community_secretary"], relation_id=rel.pk, reason="核实",
                             birth_date=dt.date(1990, 3, 1))
        with pytest.raises(DomainError) as refused:
            svc.transfer(actor=son, relation_id=rel.pk, credits="2", key="t1")
    assert "60" in str(refused.value.message)
    assert books.balance_of(son.pk) == Decimal("5.00") and not Transfer.objects.exists()


def test_out_of_scope_staff_cannot_decide(city, family):
    _son, _mother, rel = family
    with pytest.raises(DomainError) as denied:
        svc.confirm_relation(actor=city.users["street_officer_b"], relation_id=rel.pk, reason="x")
    assert denied.value.code == "not_found"
    rel.refresh_from_db()
    assert rel.status == RelationStatus.REQUESTED and rel.version == 1


def test_someone_elses_relation_reads_as_missing(city, family):
    _son, _mother, rel = family
    svc.confirm_relation(actor=city.users["community_secretary"], relation_id=rel.pk, reason="核实",
                         birth_date=dt.date(1950, 3, 1))
    other = person("别人")
    certify(other, city.community_a, "3")
    with pytest.raises(DomainError) as missing:
        svc.transfer(actor=other, relation_id=rel.pk, credits="1", key="x")
    assert missing.value.code == "not_found" and books.balance_of(other.pk) == Decimal("3.00")


def test_a_relative_named_twice_is_refused(family):
    son, _mother, _rel = family
    with pytest.raises(DomainError) as dup:
        svc.request_relation(actor=son, kinship="parent", relative_name="妈", relative_phone="13811110002")
    assert dup.value.code == "duplicate" and Relation.objects.count() == 1
