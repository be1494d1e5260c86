"""Each sidestep: asked by the handling unit with a reason, decided by the dispatching level,
counted on the case."""

import datetime as dt

import pytest

from gongzhi.cases.choices import CaseState, SidestepKind, SidestepStatus
from gongzhi.cases.models import Sidestep
from gongzhi.cases.services import sidesteps, workflow
from gongzhi.core.errors import DomainError
from gongzhi.notifications.models import Notification

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
S = CaseState
K = SidestepKind


def ask(flow, case, kind, **kw):
    return sidesteps.request_sidestep(actor=flow.users["department_staff"], case=case, kind=kind,
                                      reason=kw.pop("reason", "不属于本单位职责"), **kw)


def approve(flow, sidestep, persona="community_secretary", **kw):
    return sidesteps.decide_sidestep(actor=flow.users[persona], sidestep=sidestep, approve=True, **kw)


def test_return_goes_back_to_the_dispatcher(flow):
    case = flow.accepted()
    request = ask(flow, case, K.RETURN)
    assert Notification.objects.filter(recipient=flow.users["community_secretary"],
                                       verb="case.sidestep_requested").exists()
    approve(flow, request)
    case.refresh_from_db()
    assert case.state == S.REGISTERED and case.handling_department is None and case.returns_count == 1
    assert case.handling_due is None
    # The dispatcher sends it on again.
    case = workflow.dispatch_case(actor=flow.users["community_secretary"], case=case)
    assert case.state == S.DISPATCHED


def test_transfer_restarts_the_clocks_with_the_new_unit(flow, city, clock):
    case = flow.accepted()
    clock.shift(dt.timedelta(hours=3))
    request = ask(flow, case, K.TRANSFER, target_division=city.street_a)
    approve(flow, request)
    case.refresh_from_db()
    assert case.state == S.DISPATCHED and case.handling_division == city.street_a and case.transfers_count == 1
    assert case.accepted_at is None
    assert case.handling_due == dt.datetime(2026, 3, 10, 17, 30, tzinfo=SHANGHAI)
    assert case.response_due == dt.datetime(2026, 3, 9, 15, 30, tzinfo=SHANGHAI)  # noon + lunch + 2 h
    assert workflow.accept_case(actor=flow.users["street_officer_a"], case=case).state == S.ACCEPTED


def test_transfer_needs_another_unit(flow, department):
    case = flow.accepted()
    with pytest.raises(DomainError):
        ask(flow, case, K.TRANSFER, target_department=department)
    with pytest.raises(DomainError):
        ask(flow, case, K.TRANSFER)  # no target: the routing rule picks the same department


def test_extension_moves_the_handling_deadline(flow):
    case = flow.in_progress()
    due = case.handling_due
    approve(flow, ask(flow, case, K.EXTENSION, extension_amount=2, extension_unit="days"))
    case.refresh_from_db()
    assert case.handling_due == dt.datetime(2026, 3, 12, 17, 30, tzinfo=SHANGHAI) > due
    assert case.extensions_count == 1 and case.state == S.IN_PROGRESS
    with pytest.raises(DomainError):
        ask(flow, case, K.EXTENSION, extension_amount=0)


def test_suspension_stops_the_clock_and_resuming_restarts_it(flow, clock):
    case = flow.in_progress()  # due Tuesday 17:30: 7 + 7.5 working hours left from Monday 09:00
    approve(flow, ask(flow, case, K.SUSPENSION, reason="等待业主配合"))
    case.refresh_from_db()
    assert case.state == S.SUSPENDED and case.handling_due is None and case.suspensions_count == 1
    assert case.suspended_remaining_s == int(14.5 * 3600)
    clock.move_to(dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI))  # a week later
    case = workflow.resume_case(actor=flow.users["department_staff"], case=case)
    assert case.state == S.IN_PROGRESS
    assert case.handling_due == dt.datetime(2026, 3, 17, 17, 30, tzinfo=SHANGHAI)


def test_void_ends_the_case_and_tells_the_reporter(flow):
    case = flow.dispatched()
    approve(flow, ask(flow, case, K.VOID, reason="重复上报"))
    case.refresh_from_db()
    assert case.state == S.VOIDED
    assert Notification.objects.filter(recipient=flow.users["resident"], verb="case.voided").exists()


def test_deny_keeps_the_case_and_needs_a_reason(flow):
    case = flow.accepted()
    request = ask(flow, case, K.RETURN)
    with pytest.raises(DomainError):
        sidesteps.decide_sidestep(actor=flow.users["community_secretary"], sidestep=request, approve=False)
    sidesteps.decide_sidestep(actor=flow.users["community_secretary"], sidestep=request, approve=False,
                              note="属于城管职责")
    case.refresh_from_db()
    request.refresh_from_db()
    assert request.status == SidestepStatus.DENIED and case.state == S.ACCEPTED and case.returns_count == 0
    assert Notification.objects.filter(recipient=flow.users["department_staff"],
                                       verb="case.sidestep_decided").exists()


def test_one_open_request_at_a_time_and_decided_once(flow):
    case = flow.accepted()
    request = ask(flow, case, K.EXTENSION, extension_amount=1)
    with pytest.raises(DomainError):
        ask(flow, case, K.RETURN)
    approve(flow, request)
    with pytest.raises(DomainError):
        approve(flow, request)
    assert Sidestep.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(("persona", "allowed"), [
    ("community_secretary", True),  # the community dispatched it
    ("street_officer_a", True),  # the level above may decide too
    ("street_officer_b", False), ("grid_worker", False), ("department_staff", False), ("resident", False),
])
def test_who_decides(flow, persona, allowed):
    case = flow.accepted()
    request = ask(flow, case, K.EXTENSION, extension_amount=1)
    if allowed:
        assert approve(flow, request, persona).status == SidestepStatus.APPROVED
    else:
        with pytest.raises(DomainError):
            approve(flow, request, persona)


def test_only_the_handling_unit_asks(flow):
    case = flow.accepted()
    with pytest.raises(DomainError):
        sidesteps.request_sidestep(actor=flow.users["grid_worker"], case=case, kind=K.RETURN, reason="x")
    with pytest.raises(DomainError):
        sidesteps.request_sidestep(actor=flow.users["department_staff"], case=flow.registered(), kind=K.RETURN,
                                   reason="x")


def test_a_request_overtaken_by_events_cannot_be_approved(flow):
    case = flow.in_progress()
    request = ask(flow, case, K.EXTENSION, extension_amount=1)
    workflow.resolve_case(actor=flow.users["department_staff"], case=case, feedback="已处理")
    with pytest.raises(DomainError):
        approve(flow, request)
