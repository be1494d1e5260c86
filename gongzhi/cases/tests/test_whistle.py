"""Whistle and report-in: summons, check-in on time or late, absence, actions, roll-call."""

import datetime as dt

import pytest

from gongzhi.cases.choices import Attendance
from gongzhi.cases.models import Summons
from gongzhi.cases.selectors import roll_call
from gongzhi.cases.services import whistle as whistles
from gongzhi.cases.services.escalation import sweep
from gongzhi.core.errors import DomainError
from gongzhi.departments.models import Department, DepartmentKind
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(city):
    return Department.objects.create(name="孝南区住建局", kind=DepartmentKind.HOUSING, division=city.district)


def blow(flow, case, persona="street_officer_a", hours=2, **kw):
    from django.utils import timezone

    return whistles.blow_whistle(actor=flow.users[persona], case=case, reason="占道经营反复，需多部门联合处置",
                                 check_in_due=timezone.now() + dt.timedelta(hours=hours), **kw)


def test_a_street_summons_departments_and_the_roll_call_is_kept(flow, department, housing, clock):
    case = flow.dispatched()
    whistle = blow(flow, case, departments=[department, housing])
    assert whistle.division == case.street
    assert Notification.objects.filter(recipient=flow.users["department_staff"], verb="case.whistle").exists()
    mine = Summons.objects.get(whistle=whistle, department=department)

    clock.shift(dt.timedelta(hours=1))
    whistles.report_in(actor=flow.users["department_staff"], summons=mine)
    with pytest.raises(DomainError):
        whistles.report_in(actor=flow.users["department_staff"], summons=mine)
    whistles.record_action(actor=flow.users["department_staff"], summons=mine, note="已派两名队员到场")

    clock.shift(dt.timedelta(hours=2))  # the deadline has passed
    assert {line.summons.department_id: line.attendance for line in roll_call(whistle)} == {
        department.pk: Attendance.ON_TIME, housing.pk: Attendance.ABSENT}
    assert sweep()["absent"] == 1
    assert Summons.objects.get(whistle=whistle, department=housing).attendance == Attendance.ABSENT


def test_a_late_check_in_counts_as_late(flow, department, clock):
    case = flow.dispatched()
    whistle = blow(flow, case, departments=[department])
    clock.shift(dt.timedelta(hours=3))
    sweep()
    summons = Summons.objects.get(whistle=whistle)
    assert summons.attendance == Attendance.ABSENT
    summons = whistles.report_in(actor=flow.users["department_staff"], summons=summons)
    assert summons.attendance == Attendance.LATE


def test_acting_needs_a_check_in_first(flow, department):
    whistle = blow(flow, flow.dispatched(), departments=[department])
    with pytest.raises(DomainError):
        whistles.record_action(actor=flow.users["department_staff"], summons=whistle.summonses.get(), note="x")


def test_a_community_summons_party_members(flow, city):
    member = city.users["resident"]
    whistle = blow(flow, flow.dispatched(), persona="community_secretary", users=[member])
    assert whistle.division == city.community_a
    summons = whistle.summonses.get()
    with pytest.raises(DomainError):
        whistles.report_in(actor=flow.users["grid_worker"], summons=summons)
    assert whistles.report_in(actor=member, summons=summons).attendance == Attendance.ON_TIME


def test_a_street_does_not_summon_members_and_others_do_not_whistle(flow, city, department):
    case = flow.dispatched()
    with pytest.raises(DomainError):
        blow(flow, case, users=[city.users["resident"]])
    for persona in ("department_staff", "grid_worker", "street_officer_b", "resident"):
        with pytest.raises(DomainError):
            blow(flow, case, persona=persona, departments=[department])
    with pytest.raises(DomainError):
        blow(flow, case, departments=[])
    with pytest.raises(DomainError):
        blow(flow, case, hours=-1, departments=[department])
