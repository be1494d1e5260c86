"""certify_hours / void_hours: the contract other apps build on."""

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.core.seams import hooks
from gongzhi.volunteering.choices import HoursStatus
from gongzhi.volunteering.models import ServiceHours
from gongzhi.volunteering.selectors.volunteers import active_volunteer
from gongzhi.volunteering.services.hours import certify_hours, void_hours

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def heard():
    seen = []
    hooks.connect("volunteering.hours_certified", lambda **kw: seen.append(("certified", kw)), key="t.cert")
    hooks.connect("volunteering.hours_voided", lambda **kw: seen.append(("voided", kw)), key="t.void")
    yield seen
    hooks.disconnect("volunteering.hours_certified", "t.cert")
    hooks.disconnect("volunteering.hours_voided", "t.void")


def _certify(city, key="k1", **kw):
    args = dict(actor=city.users["community_secretary"], person=city.users["resident"], hours="2.5",
                served_on=DAY, community=city.community_a, source="manual", key=key)
    args.update(kw)
    return certify_hours(**args)


def test_certify_is_idempotent_by_key_and_announced(city, heard):
    first = _certify(city)
    again = _certify(city, hours="9")
    assert again.pk == first.pk and again.hours == Decimal("2.50")
    assert ServiceHours.objects.count() == 1
    assert [kind for kind, _ in heard] == ["certified"]
    assert heard[0][1]["hours"].pk == first.pk
    assert first.street_id == city.community_a.street_id
    assert AuditEntry.objects.filter(action="volunteering.hours_certify", object_id=str(first.pk)).count() == 1


def test_bad_hours_change_nothing(city, heard):
    for bad in ("0", "-1", "25", "x"):
        with pytest.raises(DomainError):
            _certify(city, key=f"bad{bad}", hours=bad)
    with pytest.raises(DomainError):
        _certify(city, key="grid", community=city.grid_a)
    assert not ServiceHours.objects.exists() and not heard


def test_void_keeps_the_record_with_reason_and_announces(city, heard):
    record = _certify(city)
    void_hours(actor=city.users["community_secretary"], hours=record, reason="recorded twice")
    record.refresh_from_db()
    assert record.status == HoursStatus.VOIDED and record.void_reason == "recorded twice"
    assert heard[-1][0] == "voided" and heard[-1][1]["reason"] == "recorded twice"
    with pytest.raises(DomainError):
        void_hours(actor=city.users["community_secretary"], hours=record, reason="again")
    assert len(heard) == 2


def test_a_failing_handler_rolls_the_certification_back(city):
    def boom(**kw):
        raise RuntimeError("ledger down")

    hooks.connect("volunteering.hours_certified", boom, key="t.boom")
    try:
        with pytest.raises(RuntimeError):
            _certify(city)
    finally:
        hooks.disconnect("volunteering.hours_certified", "t.boom")
    assert not ServiceHours.objects.exists()


def test_active_volunteer(city):
    from gongzhi.volunteering.models import Volunteer

    user = city.users["resident"]
    assert active_volunteer(user) is None
    v = Volunteer(user=user, status="active")
    v.site_in(city.community_a)
    v.save()
    assert active_volunteer(user) == v
    v.status = "suspended"
    v.save()
    assert active_volunteer(user) is None


def test_party_member_hours_sum_service_record_and_certified_hours(city):
    from gongzhi.party.seams.registrations import service_hours
    from gongzhi.party.tests.factories import build_party

    party = build_party(city)
    member = party.member_a
    _certify(city, person=member.user, hours="3")
    figures = service_hours([member.pk], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert figures[member.pk][0] >= Decimal("3")
