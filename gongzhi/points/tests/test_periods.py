"""The half-yearly publication: standings, an appeal in the window, upheld with a correcting
posting or rejected, then final; member_points for the member review."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.scope import NotInScope
from gongzhi.points import selectors as sel
from gongzhi.points.choices import AppealStatus, PeriodStatus
from gongzhi.points.models import Appeal, Period, Standing
from gongzhi.points.services import awards, periods

from .factories import build_points

pytestmark = pytest.mark.django_db
JULY = dt.datetime(2026, 7, 6, 10, tzinfo=dt.UTC)


@pytest.fixture
def published(city):
    from gongzhi.workdays.services import load_official_calendar

    load_official_calendar(years=[2026])
    pts = build_points(city)
    secretary = city.users["community_secretary"]
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC), tick=False):
        awards.award_by_hand(actor=secretary, person_id=pts.person_a.pk, rule_id=pts.rules["daily_conduct"].pk,
                             community_id=city.community_a.pk, evidence="表现良好", idempotency_key="c1")
        awards.award_by_hand(actor=city.users["street_officer_b"], person_id=pts.person_b.pk,
                             rule_id=pts.rules["good_deed"].pk, community_id=city.community_b.pk,
                             evidence="照片", idempotency_key="g1")
    with time_machine.travel(JULY, tick=False):
        with pytest.raises(PermissionDenied):
            periods.publish_period(actor=secretary, district_id=city.district.pk, year=2026, half=1)
        period = periods.publish_period(actor=city.users["district_officer"], district_id=city.district.pk,
                                        year=2026, half=1)
    return pts, period


def test_publication_lists_each_persons_points_and_result(city, published):
    pts, period = published
    rows = {s.person_id: s for s in Standing.objects.filter(period=period)}
    assert rows[pts.person_a.pk].points == 80 and rows[pts.person_a.pk].passed
    assert rows[pts.person_b.pk].points == 5 and not rows[pts.person_b.pk].passed
    assert not rows[pts.person_a.pk].hours_met  # no service hours yet, minimum 50
    # A street sees its own people only.
    seen = sel.standings_for(city.users["street_officer_b"], period)
    assert list(seen.values_list("person_id", flat=True)) == [pts.person_b.pk]
    with pytest.raises(DomainError), time_machine.travel(JULY, tick=False):
        periods.publish_period(actor=city.users["district_officer"], district_id=city.district.pk, year=2026,
                               half=1)


def test_an_upheld_appeal_corrects_the_standing_and_the_ledger_then_the_period_is_final(city, published):
    pts, period = published
    standing = Standing.objects.get(period=period, person=pts.person_b)
    with time_machine.travel(JULY, tick=False):
        with pytest.raises(NotInScope):  # nobody appeals another's result
            periods.file_appeal(actor=pts.person_a, standing_id=standing.pk, reason="x")
        appeal = periods.file_appeal(actor=pts.person_b, standing_id=standing.pk, reason="漏记了日常表现")
        with pytest.raises(DomainError):
            periods.file_appeal(actor=pts.person_b, standing_id=standing.pk, reason="again")
        with pytest.raises(PermissionDenied):
            periods.decide_appeal(actor=city.users["street_officer_b"], appeal_id=appeal.pk, uphold=True,
                                  reason="核实", correction="60")
        with pytest.raises(DomainError):  # the window is still open
            periods.finalise_period(actor=city.users["district_officer"], period_id=period.pk)
        decided = periods.decide_appeal(actor=city.users["district_officer"], appeal_id=appeal.pk, uphold=True,
                                        reason="核实属实", correction="60")
    assert decided.status == AppealStatus.UPHELD
    standing.refresh_from_db()
    assert standing.points == 65 and standing.passed
    assert sel.balance_of(pts.person_b) == Decimal("65.00") and ledger.verify_all()
    assert sel.member_points([pts.party.member_b.pk], period) == {pts.party.member_b.pk: (Decimal("65.00"), True)}
    with time_machine.travel(period.appeal_until + dt.timedelta(days=1), tick=False):
        with pytest.raises(DomainError):  # closed
            periods.file_appeal(actor=pts.person_a, standing_id=Standing.objects.get(person=pts.person_a).pk,
                                reason="late")
        final = periods.finalise_period(actor=city.users["district_officer"], period_id=period.pk)
    assert final.status == PeriodStatus.FINAL


def test_a_rejected_appeal_changes_nothing(city, published):
    pts, period = published
    standing = Standing.objects.get(period=period, person=pts.person_b)
    with time_machine.travel(JULY, tick=False):
        appeal = periods.file_appeal(actor=pts.person_b, standing_id=standing.pk, reason="不服")
        from gongzhi.core.seams.todos import todos_for

        waiting = [t for t in todos_for(city.users["district_officer"]) if t.code == "points.appeals_waiting"]
        assert waiting and waiting[0].count == 1 and "1 points appeal is waiting" in waiting[0].text
        periods.decide_appeal(actor=city.users["district_officer"], appeal_id=appeal.pk, uphold=False,
                              reason="记录无误")
    standing.refresh_from_db()
    assert standing.points == 5 and Appeal.objects.get().status == AppealStatus.REJECTED
    assert sel.balance_of(pts.person_b) == Decimal("5.00")


def test_member_points_live_between_dates(city, published):
    pts, _period = published
    got = sel.member_points([pts.party.member_a.pk, pts.party.member_zhang.pk],
                            (dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert got == {pts.party.member_a.pk: (Decimal("80.00"), True), pts.party.member_zhang.pk: (Decimal(0), False)}
    assert Period.objects.count() == 1


def test_the_member_appeals_on_the_phone_and_the_district_decides_on_the_desk(client, client_as, city, published):
    from django.urls import reverse

    pts, period = published
    standing = Standing.objects.get(period=period, person=pts.person_b)
    client.force_login(pts.person_b, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    with time_machine.travel(JULY, tick=False):
        page = client.get(reverse("points:mine")).content.decode()
        assert "Below the pass mark" in page and "File the appeal" in page
        client.post(reverse("points:appeal", args=[standing.pk]), {"reason": "漏记了三月的志愿服务"})
        appeal = Appeal.objects.get(standing=standing)
        desk = client_as("district_officer")
        shown = desk.get(reverse("points:period", args=[period.pk])).content.decode()
        assert "漏记了三月的志愿服务" in shown and str(pts.person_a) in shown
        desk.post(reverse("points:appeal_decide", args=[appeal.pk]),
                  {"decision": "uphold", "correction": "10", "reason": "核实属实"})
    appeal.refresh_from_db()
    standing.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and standing.points == 15
    # Street A's officer sees street A's people on the publication, not street B's.
    street_a = client_as("street_officer_a").get(reverse("points:period", args=[period.pk])).content.decode()
    assert str(pts.person_a) in street_a and str(pts.person_b) not in street_a
