"""Case fixtures on the fixed test city: the seeded catalogue, the official working calendar,
points inside its grids, and a `flow` helper that walks a case along the workflow as the
personas would."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.demo.fixture_city import X0, Y0
from gongzhi.divisions.geo.index import reset_grid_index
from gongzhi.workdays.calendar import forget_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Points inside the fixture city's square grids.
IN_GRID_A = (X0 + 0.005, Y0 + 0.005)
IN_GRID_A_2 = (X0 + 0.005, Y0 + 0.03)
IN_GRID_B = (X0 + 0.05, Y0 + 0.005)
OUTSIDE = (X0 - 0.5, Y0 - 0.5)
# A working Monday morning in 2026, far from holidays.
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    from gongzhi.cases.catalogue_cache import forget_catalogue

    forget_calendar()
    reset_grid_index()
    forget_catalogue()
    yield
    forget_calendar()
    reset_grid_index()
    forget_catalogue()


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Run enqueued tasks in the test itself (see gongzhi/notifications/tests/conftest.py)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def clock():
    """The clock, stopped at MONDAY; `clock.move_to(...)` moves it."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def workdays(db):
    from gongzhi.workdays.services import load_official_calendar

    load_official_calendar(years=[2026, 2027])


@pytest.fixture
def catalogue(db):
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue

    seed_catalogue()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def department(city):
    return city.users["department_staff"].role_assignments.get().department


@pytest.fixture
def flow(city, catalogue, workdays, clock):
    """Walk cases along the workflow as the personas; each step returns the fresh case."""
    from gongzhi.cases.services import workflow
    from gongzhi.cases.services.intake import Report, submit_case

    u = city.users

    def report(persona="resident", category="litter", point=IN_GRID_A, **extra):
        actor = u[persona] if persona else None
        category_obj = catalogue[category] if category else None
        return submit_case(actor=actor, report=Report(description=extra.pop("description", "路边有一堆垃圾"),
                                                       lng=point[0], lat=point[1], category=category_obj,
                                                       **extra)).case

    def registered(**kw):
        return workflow.register_case(actor=u["community_secretary"], case=report(**kw))

    def dispatched(**kw):
        return workflow.dispatch_case(actor=u["community_secretary"], case=registered(**kw))

    def accepted(**kw):
        return workflow.accept_case(actor=u["department_staff"], case=dispatched(**kw))

    def in_progress(**kw):
        return workflow.start_case(actor=u["department_staff"], case=accepted(**kw))

    def resolved(**kw):
        return workflow.resolve_case(actor=u["department_staff"], case=in_progress(**kw), feedback="已清运")

    def verified(**kw):
        return workflow.verify_case(actor=u["grid_worker"], case=resolved(**kw), passed=True)

    def closed(**kw):
        return workflow.close_case(actor=u["community_secretary"], case=verified(**kw))

    return SimpleNamespace(report=report, registered=registered, dispatched=dispatched, accepted=accepted,
                           in_progress=in_progress, resolved=resolved, verified=verified, closed=closed, users=u)
