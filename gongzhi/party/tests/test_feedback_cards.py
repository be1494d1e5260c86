"""The service record and the quarter's feedback cards: hours from the service-hours provider, the
evaluation chosen or defaulted, sent to the member's organisation, acknowledged there, exported."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from gongzhi.core.errors import DomainError
from gongzhi.core.scope import NotInScope
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import FeedbackCard, ServiceEntry
from gongzhi.party.seams import registrations as seam
from gongzhi.party.selectors import registrations as sel
from gongzhi.party.services import registrations as services
from gongzhi.party.services import service_record

from .factories import build_party

pytestmark = pytest.mark.django_db
APRIL = dt.datetime(2026, 4, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world():
    with time_machine.travel(APRIL, tick=False):
        city = build_fixture_city()
        p = build_party(city)
        desk = city.users["community_secretary"]
        for member in (p.member_a, p.unit_member):
            services.register_at_desk(actor=desk, member_id=member.pk, community_id=city.community_a.pk)
        yield city, p, desk


def test_service_is_recorded_for_reported_in_members_and_voided_never_deleted(world):
    city, p, desk = world
    with time_machine.travel(APRIL, tick=False):
        entry = service_record.record_service(actor=desk, member_id=p.member_a.pk, community_id=city.community_a.pk,
                                              served_on=dt.date(2026, 3, 20), activity="垃圾分类督导", hours="3.5")
        assert entry.hours == Decimal("3.5")
        # The dashboard counts who served this period; a voided entry no longer counts.
        assert sel.report_in_rates(desk, city.community_a).served == 1
        assert [m.name for m in sel.dashboard_members(desk, city.community_a, "served", sel.member_period())] == \
            ["孙丽"]
        with pytest.raises(DomainError):
            service_record.record_service(actor=desk, member_id=p.member_a.pk, community_id=city.community_a.pk,
                                          served_on=dt.date(2026, 3, 20), activity="x", hours=30)
        with pytest.raises(NotInScope):  # 张伟 has no confirmed report-in: not a choice
            service_record.record_service(actor=desk, member_id=p.member_zhang.pk,
                                          community_id=city.community_a.pk, served_on=dt.date(2026, 3, 20),
                                          activity="x", hours=1)
        with pytest.raises(PermissionDenied):
            service_record.void_service(actor=city.users["district_officer"], entry_id=entry.pk, reason="错录")
        voided = service_record.void_service(actor=desk, entry_id=entry.pk, reason="错录")
        assert voided.voided_at is not None
        assert sel.report_in_rates(desk, city.community_a).served == 0
        with pytest.raises(DomainError):
            service_record.void_service(actor=desk, entry_id=entry.pk, reason="again")
    assert ServiceEntry.objects.count() == 1
    assert seam.service_hours([p.member_a.pk], dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == {}


def test_cards_are_issued_once_a_quarter_with_hours_and_evaluations(world):
    city, p, desk = world
    with time_machine.travel(APRIL, tick=False):
        for day, hours in ((dt.date(2026, 1, 10), 8), (dt.date(2026, 3, 1), 5)):
            service_record.record_service(actor=desk, member_id=p.member_a.pk, community_id=city.community_a.pk,
                                          served_on=day, activity="文明劝导", hours=hours)
        assert sel.cards_due_count(desk) == 2
        cards = service_record.issue_feedback_cards(actor=desk, community_id=city.community_a.pk,
                                                    evaluations={p.unit_member.pk: "good"},
                                                    comments={p.member_a.pk: "积极"})
        by_member = {c.member_id: c for c in cards}
        mine = by_member[p.member_a.pk]
        assert (mine.period_start, mine.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
        assert (mine.hours, mine.activities, mine.evaluation) == (Decimal("13"), 2, "excellent")
        assert mine.organisation == p.branch_a and mine.comment == "积极"
        assert by_member[p.unit_member.pk].organisation == p.unit_a
        assert by_member[p.unit_member.pk].evaluation == "good"
        assert sel.cards_due_count(desk) == 0
        with pytest.raises(DomainError) as again:
            service_record.issue_feedback_cards(actor=desk, community_id=city.community_a.pk)
        assert again.value.code == "conflict"
        with pytest.raises(NotInScope):  # street B's desk may not send community A's cards
            service_record.issue_feedback_cards(actor=city.users["street_officer_b"],
                                                community_id=city.community_a.pk)
    assert FeedbackCard.objects.count() == 2


def test_the_unit_secretary_acknowledges_cards_sent_to_the_unit_only(world):
    city, p, desk = world
    with time_machine.travel(APRIL, tick=False):
        cards = {c.member_id: c for c in service_record.issue_feedback_cards(actor=desk,
                                                                             community_id=city.community_a.pk)}
        unit_card, branch_card = cards[p.unit_member.pk], cards[p.member_a.pk]
        assert [c.pk for c in sel.feedback_cards_for(p.unit_secretary)] == [unit_card.pk]
        from gongzhi.core.seams.todos import todos_for

        def to_acknowledge(user):
            return [t.count for t in todos_for(user) if t.code == "party.cards_to_acknowledge"]

        assert to_acknowledge(p.unit_secretary) == [1]  # on the secretary's home page
        with pytest.raises(NotInScope):
            service_record.acknowledge_card(actor=p.unit_secretary, card_id=branch_card.pk)
        with pytest.raises(PermissionDenied):  # the community desk sent it; it does not acknowledge it
            service_record.acknowledge_card(actor=city.users["street_officer_a"], card_id=unit_card.pk)
        done = service_record.acknowledge_card(actor=p.unit_secretary, card_id=unit_card.pk)
        assert done.status == "acknowledged" and to_acknowledge(p.unit_secretary) == []
        with pytest.raises(DomainError):
            service_record.acknowledge_card(actor=p.unit_secretary, card_id=unit_card.pk)
        service_record.acknowledge_card(actor=p.branch_secretary, card_id=branch_card.pk)


def test_cards_export_as_a_spreadsheet_with_chinese_headers(world):
    city, _p, desk = world
    with time_machine.travel(APRIL, tick=False):
        service_record.issue_feedback_cards(actor=desk, community_id=city.community_a.pk)
        content = service_record.export_cards(actor=desk, cards=sel.feedback_cards_for(desk))
        sheet = load_workbook(io.BytesIO(content)).active
        assert [c.value for c in sheet[1]][:3] == ["党员姓名", "所在党组织", "报到社区"]
        assert sorted(r[0].value for r in sheet.iter_rows(min_row=2)) == ["周平", "孙丽"]
        with pytest.raises(PermissionDenied):
            service_record.export_cards(actor=city.users["grid_worker"], cards=[])


def test_another_app_may_provide_the_service_hours(world):
    city, _p, desk = world
    installed = seam._provider  # the volunteering app's, when it is installed: put back afterwards
    seam.register_service_hours_provider(lambda ids, start, end: {i: (Decimal("20"), 4) for i in ids})
    try:
        with time_machine.travel(APRIL, tick=False):
            cards = service_record.issue_feedback_cards(actor=desk, community_id=city.community_a.pk)
        assert {(c.hours, c.activities, c.evaluation) for c in cards} == {(Decimal("20"), 4, "excellent")}
    finally:
        seam.register_service_hours_provider(installed)
    assert seam.service_hours([], dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == {}
