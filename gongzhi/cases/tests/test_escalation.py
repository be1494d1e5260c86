"""Yellow warnings and red escalations, with the clock moved: each said once, to the right people,
and nothing lost when a sweep fails half-way."""

import datetime as dt
from unittest import mock

import pytest

from gongzhi.cases.choices import EscalationKind
from gongzhi.cases.deadline_status import deadline_status
from gongzhi.cases.models import CaseEvent, Escalation
from gongzhi.cases.services import sidesteps, workflow
from gongzhi.cases.services.escalation import sweep
from gongzhi.notifications.models import Notification

from .conftest import MONDAY, SHANGHAI

pytestmark = pytest.mark.django_db
K = EscalationKind


def told(user, verb):
    return Notification.objects.filter(recipient=user, verb=verb).count()


def test_response_warning_then_escalation_once_each(flow, clock):
    u = flow.users
    case = flow.dispatched()  # 2 working hours to accept: warned at 10:36, due at 11:00
    clock.move_to(MONDAY + dt.timedelta(minutes=90))
    assert sweep()[K.RESPONSE_WARNING] == 0
    clock.move_to(MONDAY + dt.timedelta(minutes=100))
    assert sweep()[K.RESPONSE_WARNING] == 1
    assert sweep()[K.RESPONSE_WARNING] == 0
    case.refresh_from_db()
    assert deadline_status(case) == "warning"
    assert told(u["department_staff"], "case.response_warning") == 1
    assert told(u["street_officer_a"], "case.response_warning") == 0

    clock.move_to(MONDAY + dt.timedelta(hours=2, minutes=1))
    counts = sweep()
    assert counts[K.RESPONSE_OVERDUE] == 1 and counts[K.HANDLING_OVERDUE] == 0
    assert sweep()[K.RESPONSE_OVERDUE] == 0
    escalation = Escalation.objects.get(case=case, kind=K.RESPONSE_OVERDUE)
    # Dispatched by the community: escalated to its street, whose officer is told with the unit.
    assert escalation.escalated_to == case.street and escalation.handling_department == case.handling_department
    assert told(u["department_staff"], "case.response_overdue") == 1
    assert told(u["street_officer_a"], "case.response_overdue") == 1
    assert told(u["street_officer_b"], "case.response_overdue") == 0
    assert CaseEvent.objects.filter(case=case, kind="escalated", is_public=False).count() == 1
    case.refresh_from_db()
    assert deadline_status(case) == "overdue" and case.response_escalated_at is not None


def test_accepting_stops_the_response_clock_and_handling_is_watched(flow, clock):
    case = flow.dispatched()
    workflow.accept_case(actor=flow.users["department_staff"], case=case)
    clock.move_to(MONDAY + dt.timedelta(hours=3))
    counts = sweep()
    assert counts[K.RESPONSE_OVERDUE] == counts[K.RESPONSE_WARNING] == 0
    clock.move_to(dt.datetime(2026, 3, 10, 16, 0, tzinfo=SHANGHAI))  # 80 % of 14.5 working hours used
    assert sweep()[K.HANDLING_WARNING] == 1
    clock.move_to(dt.datetime(2026, 3, 11, 8, 0, tzinfo=SHANGHAI))
    assert sweep()[K.HANDLING_OVERDUE] == 1
    clock.move_to(dt.datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI))
    assert sweep()[K.HANDLING_OVERDUE] == 0


def test_a_case_past_both_moments_is_escalated_not_warned(flow, clock):
    flow.dispatched()
    clock.move_to(MONDAY + dt.timedelta(days=5))
    counts = sweep()
    assert (counts[K.RESPONSE_OVERDUE], counts[K.RESPONSE_WARNING]) == (1, 0)
    # The handling clock runs from dispatch too.
    assert (counts[K.HANDLING_OVERDUE], counts[K.HANDLING_WARNING]) == (1, 0)
    assert sweep() == {k: 0 for k in counts}


def test_an_extended_deadline_is_watched_again(flow, clock):
    case = flow.accepted()
    clock.move_to(dt.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI))
    assert sweep()[K.HANDLING_OVERDUE] == 1
    request = sidesteps.request_sidestep(actor=flow.users["department_staff"], case=case, kind="extension",
                                         reason="材料未到", extension_amount=2, extension_unit="days")
    sidesteps.decide_sidestep(actor=flow.users["community_secretary"], sidestep=request, approve=True)
    assert sweep()[K.HANDLING_OVERDUE] == 0
    clock.move_to(dt.datetime(2026, 3, 13, 8, 0, tzinfo=SHANGHAI))
    assert sweep()[K.HANDLING_OVERDUE] == 1
    assert Escalation.objects.filter(case=case, kind=K.HANDLING_OVERDUE).count() == 2


def test_a_failed_sweep_leaves_nothing_and_the_next_one_does_it_all(flow, clock):
    case = flow.dispatched()
    clock.move_to(MONDAY + dt.timedelta(hours=3))
    with mock.patch("gongzhi.cases.services.escalation._notify", side_effect=RuntimeError("worker killed")), \
            pytest.raises(RuntimeError):
        sweep()
    case.refresh_from_db()
    assert not Escalation.objects.exists() and case.response_escalated_at is None
    assert sweep()[K.RESPONSE_OVERDUE] == 1
    assert told(flow.users["street_officer_a"], "case.response_overdue") == 1


def test_one_notice_per_person_for_many_cases(flow, clock):
    for _ in range(4):
        flow.dispatched()
    clock.move_to(MONDAY + dt.timedelta(hours=3))
    assert sweep()[K.RESPONSE_OVERDUE] == 4
    notice = Notification.objects.get(recipient=flow.users["department_staff"], verb="case.response_overdue")
    assert "4" in notice.title


def test_a_street_dispatch_escalates_to_the_district(flow, clock, city):
    case = workflow.dispatch_case(actor=flow.users["street_officer_a"], case=flow.registered())
    clock.move_to(MONDAY + dt.timedelta(hours=3))
    sweep()
    assert Escalation.objects.get(case=case).escalated_to == city.district
    assert told(city.users["district_officer"], "case.response_overdue") == 1


def test_the_warning_moment_is_configurable(workdays, settings):
    from gongzhi.cases.services.deadlines import start_clock

    limit = {"amount": 2, "unit": "hours"}
    assert start_clock(MONDAY, limit).warn_at == MONDAY + dt.timedelta(minutes=96)  # 80 % by default
    settings.GONGZHI_CASE_WARN_HOURS_BEFORE = 1  # whichever comes first
    assert start_clock(MONDAY, limit).warn_at == MONDAY + dt.timedelta(hours=1)
    settings.GONGZHI_CASE_WARN_RATIO = 0.25
    assert start_clock(MONDAY, limit).warn_at == MONDAY + dt.timedelta(minutes=30)
    days = start_clock(dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), {"amount": 1, "unit": "days"})
    assert days.due == dt.datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)  # over the National Day week
