"""Suspension (缓办) and void (作废) stop the clocks: a suspended case turns neither yellow nor red
and is never escalated while it waits; resuming gives back the working time it had left, in the
state it left; a voided case has no deadline at all. The clock is moved with time_machine."""

import datetime as dt

import pytest

from gongzhi.cases import selectors
from gongzhi.cases.choices import CaseState, EscalationKind, SidestepKind
from gongzhi.cases.deadline_status import deadline_status
from gongzhi.cases.models import Case, Escalation
from gongzhi.cases.services import sidesteps, workflow
from gongzhi.cases.services.escalation import sweep
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.notifications.models import Notification

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
S = CaseState
K = SidestepKind
E = EscalationKind
CLOCKS = ("response_due", "response_warn_at", "response_warned_at", "response_escalated_at",
          "handling_due", "handling_warn_at", "handling_warned_at", "handling_escalated_at")


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def sidestep(flow, case, kind, persona="department_staff", reason="等待业主配合", decider="community_secretary"):
    request = sidesteps.request_sidestep(actor=flow.users[persona], case=case, kind=kind, reason=reason)
    sidesteps.decide_sidestep(actor=flow.users[decider], sidestep=request, approve=True)
    return Case.objects.get(pk=case.pk)


def told(user, verb):
    return Notification.objects.filter(recipient=user, verb=verb).count()


def in_queues(flow, case, persona="department_staff"):
    user = flow.users[persona]
    return {name for name in ("due_soon", "overdue") if selectors.queue(user, name).filter(pk=case.pk).exists()}


def test_a_suspended_case_is_not_warned_or_escalated_and_resumes_with_its_time_left(flow, clock):
    staff = flow.users["department_staff"]
    case = flow.in_progress()  # handling due Tuesday 17:30, warned from Tuesday 14:36
    clock.move_to(at(10, 15))
    assert sweep()[E.HANDLING_WARNING] == 1
    case = sidestep(flow, case, K.SUSPENSION)
    assert case.state == S.SUSPENDED and case.suspended_from == S.IN_PROGRESS
    assert all(getattr(case, name) is None for name in CLOCKS)
    assert case.paused_clocks["handling"]["due_s"] == int(2.5 * 3600)  # 15:00 → 17:30
    assert case.paused_clocks["handling"]["warn_s"] == 0 and case.paused_clocks["handling"]["warned_at"]
    approval = AuditEntry.objects.filter(action="case.sidestep_approve").latest("id")
    assert approval.after["paused_clocks"]["handling"]["due_s"] == int(2.5 * 3600)

    # A week later, long past the old deadline: nothing turns red, nobody is told.
    clock.move_to(at(16, 8, 45))
    counts = sweep()
    assert all(counts[str(kind)] == 0 for kind in E)
    assert deadline_status(case) == "none" and in_queues(flow, case) == set()
    assert not Escalation.objects.filter(case=case, kind=E.HANDLING_OVERDUE).exists()

    clock.move_to(at(16, 9))
    case = workflow.resume_case(actor=staff, case=case, note="业主已配合")
    assert case.state == S.IN_PROGRESS and case.suspended_from == "" and case.paused_clocks == {}
    assert case.handling_due == at(16, 11, 30)  # the 2.5 working hours it had left
    # Already warned before the pause: the same deadline, later, is not warned again.
    assert case.handling_warned_at is not None
    assert sweep()[E.HANDLING_WARNING] == 0 and told(staff, "case.handling_warning") == 1
    assert deadline_status(case) == "warning" and in_queues(flow, case) == {"due_soon"}

    clock.move_to(at(16, 11, 31))
    assert sweep()[E.HANDLING_OVERDUE] == 1
    assert sweep()[E.HANDLING_OVERDUE] == 0
    case.refresh_from_db()
    assert deadline_status(case) == "overdue" and in_queues(flow, case) == {"overdue"}


def test_resuming_a_case_suspended_before_its_warning_warns_it_later(flow, clock):
    case = flow.in_progress()
    clock.move_to(at(9, 10))  # 1 working hour used of 14.5: warned after 11.6
    case = sidestep(flow, case, K.SUSPENSION)
    assert case.paused_clocks["handling"] == {"due_s": int(13.5 * 3600), "warn_s": int(10.6 * 3600),
                                              "warned_at": None, "escalated_at": None}
    clock.move_to(at(12, 9))  # Thursday
    case = workflow.resume_case(actor=flow.users["department_staff"], case=case)
    # Thursday 09:00 + 13.5 working hours: 7 on Thursday, 6.5 on Friday → Friday 16:30.
    assert case.handling_due == at(13, 16, 30)
    assert case.handling_warn_at == at(13, 13, 36)  # + 10.6 h
    assert case.handling_warned_at is None
    clock.move_to(at(13, 13, 40))
    assert sweep()[E.HANDLING_WARNING] == 1


def test_a_case_suspended_before_it_was_accepted_resumes_waiting_to_be_accepted(flow, clock):
    case = flow.dispatched()  # accept by 11:00 (warned 10:36); handle by Tuesday 17:30
    clock.move_to(at(9, 10))
    case = sidestep(flow, case, K.SUSPENSION, reason="现场施工，暂无法处置")
    assert case.suspended_from == S.DISPATCHED
    assert case.paused_clocks["response"]["due_s"] == 3600
    assert case.paused_clocks["handling"]["due_s"] == int(13.5 * 3600)
    assert selectors.queue(flow.users["department_staff"], "to_accept").filter(pk=case.pk).count() == 0

    clock.move_to(at(11, 14))  # Wednesday afternoon: the response deadline passed long ago
    assert all(v == 0 for v in sweep().values())
    case = workflow.resume_case(actor=flow.users["community_secretary"], case=case)  # the approver may resume
    assert case.state == S.DISPATCHED and case.accepted_at is None
    assert case.response_due == at(11, 15) and case.response_warn_at == at(11, 14, 36)
    assert case.handling_due == at(13, 11)  # 3.5 h Wednesday + 7.5 h Thursday + 2.5 h Friday
    assert selectors.queue(flow.users["department_staff"], "to_accept").filter(pk=case.pk).exists()
    case = workflow.accept_case(actor=flow.users["department_staff"], case=case)
    assert case.state == S.ACCEPTED


def test_only_the_unit_or_the_approver_resumes_and_a_refusal_changes_nothing(flow, clock):
    case = sidestep(flow, flow.in_progress(), K.SUSPENSION)
    before = (case.version, case.paused_clocks, case.state)
    audits = AuditEntry.objects.count()
    for persona in ("grid_worker", "resident", "street_officer_b"):
        with pytest.raises((DomainError, Case.DoesNotExist)):
            workflow.resume_case(actor=flow.users[persona], case=case)
    case.refresh_from_db()
    assert (case.version, case.paused_clocks, case.state) == before and AuditEntry.objects.count() == audits
    with pytest.raises(DomainError):
        workflow.resume_case(actor=flow.users["department_staff"], case=flow.in_progress())  # not suspended


def test_voiding_a_suspended_case_drops_its_paused_clocks(flow, clock):
    case = sidestep(flow, flow.in_progress(), K.SUSPENSION)
    case = sidestep(flow, case, K.VOID, reason="业主已自行处理，无需再办")
    assert case.state == S.VOIDED and all(getattr(case, name) is None for name in CLOCKS)
    assert case.paused_clocks == {} and case.suspended_from == "" and case.suspended_remaining_s is None
    clock.move_to(at(20, 9))
    assert all(v == 0 for v in sweep().values())
    assert deadline_status(case) == "none"
    with pytest.raises(DomainError):
        workflow.resume_case(actor=flow.users["department_staff"], case=case)


def test_a_voided_case_has_no_deadlines(flow, clock):
    case = flow.dispatched()
    clock.move_to(at(9, 10, 50))  # past the response warning
    assert sweep()[E.RESPONSE_WARNING] == 1
    case = sidestep(flow, case, K.VOID, persona="community_secretary", reason="重复上报", decider="street_officer_a")
    # The dispatcher asked for it, so another officer of the dispatching level decides: the street.
    assert case.state == S.VOIDED
    assert all(getattr(case, name) is None for name in CLOCKS)
    clock.move_to(at(12, 9))
    assert all(v == 0 for v in sweep().values())
    assert deadline_status(case) == "none"
    assert in_queues(flow, case) == set() and in_queues(flow, case, "community_secretary") == set()


def test_pages_say_the_clock_is_paused(flow, clock, client_as):
    case = sidestep(flow, flow.in_progress(), K.SUSPENSION)
    page = client_as("department_staff").get(f"/cases/{case.pk}/").content.decode()
    assert "14.5" in page and "paused" in page.lower()
    public = client_as(None).get(f"/cases/track/{case.tracking_code}/").content.decode()
    assert "paused" in public.lower()
    queue = client_as("department_staff").get("/cases/", {"tab": "in_progress"}).content.decode()
    assert case.tracking_number in queue and ">paused<" in queue
