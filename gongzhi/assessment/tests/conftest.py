"""The cases fixtures (fixed city, catalogue, working calendar, stopped clock, the `flow` helper)
reused for assessments, and a second department serving street A to transfer cases to."""

import datetime as dt

import pytest

from gongzhi.cases.choices import Rating
from gongzhi.cases.services import workflow
from gongzhi.cases.tests.conftest import (  # noqa: F401  (fixtures)
    IN_GRID_A,
    IN_GRID_A_2,
    IN_GRID_B,
    MONDAY,
    SHANGHAI,
    _fresh_process_caches,
    _tasks_run_at_once,
    catalogue,
    clock,
    department,
    flow,
    workdays,
)


@pytest.fixture(autouse=True)
def _live_figures_not_shared(settings):
    """Each computation sees the cases as the test left them (sharing has a test of its own)."""
    settings.GONGZHI_ASSESSMENT_LIVE_SECONDS = 0


@pytest.fixture
def housing(city):
    """A second department serving street A (housing), with no staff."""
    from gongzhi.departments.models import Department, DepartmentKind

    dept = Department.objects.create(division=city.district, name="孝南区住建局书院中队", kind=DepartmentKind.HOUSING)
    dept.serves.add(city.street_a)
    return dept


@pytest.fixture
def street_b_department(city):
    """Urban management serving street B only."""
    from gongzhi.departments.models import Department, DepartmentKind

    dept = Department.objects.create(division=city.district, name="孝南区城管局新华中队",
                                     kind=DepartmentKind.CITY_MANAGEMENT)
    dept.serves.add(city.street_b)
    return dept


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def finish(steps, case, *, rating=Rating.SATISFIED):
    """Verify, close and rate a resolved case as the personas."""
    u = steps.users
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    case = workflow.close_case(actor=u["community_secretary"], case=case)
    if rating:
        case = workflow.rate_case(actor=u["resident"], case=case, value=rating)
    return case


@pytest.fixture
def week(flow, clock):  # noqa: F811  (the fixtures imported above)
    """Monday 9:00, five reports in street A (litter: 2 working hours to accept, 1 working day
    to handle, so due Monday 11:00 and Tuesday 17:30), one in street B; by Wednesday 10:00:
    A accepted in time and resolved Monday 15:00; B accepted late and resolved Wednesday 10:00;
    C never accepted; D accepted in time, still in progress; E rejected as invalid."""
    u = flow.users
    staff = u["department_staff"]
    a, b, c, d = (flow.dispatched() for _ in range(4))
    e = workflow.reject_case(actor=u["community_secretary"], case=flow.report(), reason="不属于受理范围")
    other = flow.report(point=IN_GRID_B)
    clock.move_to(at(9, 10))
    a = workflow.accept_case(actor=staff, case=a)
    d = workflow.accept_case(actor=staff, case=d)
    clock.move_to(at(9, 11, 30))
    b = workflow.accept_case(actor=staff, case=b)
    clock.move_to(at(9, 15))
    a = workflow.resolve_case(actor=staff, case=a, feedback="已清运")
    a = finish(flow, a)
    clock.move_to(at(11, 10))
    b = workflow.resolve_case(actor=staff, case=b, feedback="已清运")
    b = finish(flow, b, rating=Rating.BASICALLY_SATISFIED)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "other": other}


