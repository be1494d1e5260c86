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
    housing = Department.objects.create(name="孝南区住建局", kind=DepartmentKind.HOUSING, division=city.district)
    housing.serves.add(city.district)  # a whistle summons only departments serving the case's place
    return housing


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


# --- no whistle on a case that is over ------------------------------------------------------------


def _ended(flow, state):
    from gongzhi.cases.services import sidesteps, workflow

    u = flow.users
    if state == "submitted":
        return flow.report()
    if state == "rejected":
        return workflow.reject_case(actor=u["community_secretary"], case=flow.report(), reason="不属实")
    if state == "voided":
        request = sidesteps.request_sidestep(actor=u["department_staff"], case=flow.dispatched(), kind="void",
                                             reason="重复上报")
        sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=request, approve=True)
        return request.case.__class__.objects.get(pk=request.case_id)
    if state == "verified":
        return flow.verified()
    if state == "closed":
        return flow.closed()
    if state == "rated":
        return workflow.rate_case(actor=u["resident"], case=flow.closed(), value="satisfied")
    raise AssertionError(state)


def _footprint(case):
    from gongzhi.cases.models import Case, CaseEvent, Whistle
    from gongzhi.core.models import AuditEntry

    return (Case.objects.get(pk=case.pk).version, Whistle.objects.count(), Summons.objects.count(),
            CaseEvent.objects.filter(case=case).count(), AuditEntry.objects.count(),
            Notification.objects.filter(verb="case.whistle").count())


@pytest.mark.parametrize("state", ["submitted", "rejected", "voided", "verified", "closed", "rated"])
def test_no_whistle_on_a_case_not_being_handled_and_nothing_is_saved(flow, department, state):
    case = _ended(flow, state)
    assert case.state == state
    before = _footprint(case)
    with pytest.raises(DomainError) as refused:
        blow(flow, case, departments=[department])
    assert refused.value.code == "illegal_transition"
    assert f"Case {case.tracking_number} is" in str(refused.value.message)
    assert "no whistle can be blown on it" in str(refused.value.message)
    assert _footprint(case) == before


@pytest.mark.parametrize("state", ["registered", "dispatched", "accepted", "in_progress", "resolved"])
def test_a_whistle_on_a_case_still_being_handled(flow, department, state):
    case = getattr(flow, state)()
    assert blow(flow, case, departments=[department]).summonses.count() == 1


def test_the_page_and_the_api_refuse_a_whistle_on_a_closed_case(flow, department, client_as):
    from django.urls import reverse

    from gongzhi.accounts.services import issue_token

    case = flow.closed()
    before = _footprint(case)
    street = client_as("street_officer_a")
    page = street.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="action-whistle"' not in page
    response = street.post(reverse("cases:act", args=[case.pk, "whistle"]),
                           {"whistle-reason": "联合执法", "whistle-departments": [department.pk], "whistle-hours": "2"})
    assert response.status_code == 409 and "no longer open" in response.content.decode()
    _token, raw = issue_token(actor=flow.users["street_officer_a"])
    answer = street.post(f"/api/v1/cases/{case.pk}/whistles", {"reason": "联合执法", "department_ids": [department.pk]},
                         content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 400 and answer.json()["code"] == "illegal_transition"
    assert "no whistle can be blown" in answer.json()["detail"]
    assert _footprint(case)[:4] == before[:4] and _footprint(case)[5] == before[5]


def test_reporting_in_on_time_earns_the_whistle_points_and_late_earns_none(flow, department, clock):
    """The points app counts the answer (gongzhi.points.handlers.summons_checked_in): the district's
    whistle item for whoever reported in on time, in the case's community; nothing for a late one."""
    from gongzhi.core.models import LedgerAccount
    from gongzhi.points.models import Award

    staff = flow.users["department_staff"]
    case = flow.dispatched()
    on_time = Summons.objects.get(whistle=blow(flow, case, departments=[department]))
    whistles.report_in(actor=staff, summons=on_time)
    award = Award.objects.get(person=staff)
    assert award.rule.source == "whistle" and award.community_id == case.community_id and award.points > 0
    points = LedgerAccount.objects.get(kind="points", owner_type="accounts.user", owner_id=staff.pk)
    assert points.balance == award.points

    late = Summons.objects.get(whistle=blow(flow, flow.dispatched(), departments=[department]))
    clock.shift(dt.timedelta(hours=3))
    whistles.report_in(actor=staff, summons=late)
    assert Award.objects.filter(person=staff).count() == 1
    points.refresh_from_db()
    assert points.balance == award.points
