"""Working time summed in the database agrees, case by case, with the working calendar's own
arithmetic — across nights, weekends, a holiday on a weekday and a weekend day worked in
exchange — both inside the grouped query and by the fallback that groups by local date."""

import datetime as dt

import pytest
from django.db.models import F, FloatField, Sum

from gongzhi.assessment import worktime
from gongzhi.cases.models import Case
from gongzhi.workdays.calendar import current_calendar, forget_calendar
from gongzhi.workdays.services import set_day

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


SPANS = [
    (at(3, 9, 9), at(3, 9, 15)),  # the same morning and afternoon: 4.5 h
    (at(3, 9, 20), at(3, 10, 8)),  # overnight, nothing worked
    (at(3, 13, 16), at(3, 16, 9, 30)),  # over a weekend
    (at(3, 17, 7), at(3, 20, 12, 15)),  # over the holiday (Wednesday 18th)
    (at(3, 20, 16), at(3, 23, 10)),  # over the Saturday worked in exchange (21st)
    (at(3, 31, 23, 59), at(4, 1, 0, 1)),  # over midnight at a month's end
    (at(3, 9, 12, 30), at(3, 9, 13, 0)),  # within the lunch break
    (at(3, 2, 10), at(4, 30, 16)),  # two months
]


@pytest.fixture
def spans(flow, city):
    u = flow.users
    set_day(actor=u["city_admin"], day=dt.date(2026, 3, 18), is_workday=False, name="假", reason="测试")
    set_day(actor=u["city_admin"], day=dt.date(2026, 3, 21), is_workday=True, name="调休", reason="测试")
    forget_calendar()
    ids = []
    for start, end in SPANS:
        case = flow.dispatched()
        Case.objects.filter(pk=case.pk).update(dispatched_at=start, resolved_at=end)
        ids.append(case.pk)
    return Case.objects.filter(pk__in=ids)


def expected(calendar) -> list[float]:
    return [calendar.between(a, b).total_seconds() for a, b in SPANS]


def test_in_the_query_case_by_case(spans):
    calendar = current_calendar()
    assert worktime.native(calendar)
    seconds = worktime.handling_seconds("dispatched_at", "resolved_at", calendar, dt.date(2026, 3, 1),
                                        dt.date(2026, 5, 31))
    got = dict(spans.annotate(w=seconds).values_list("dispatched_at", "w"))
    for (start, end), want in zip(SPANS, expected(calendar), strict=True):
        assert got[start] == pytest.approx(want, abs=1e-3), (start, end)
    assert expected(calendar)[0] == 4.5 * 3600
    total = spans.aggregate(t=Sum(seconds, output_field=FloatField()))["t"]
    assert total == pytest.approx(sum(expected(calendar)), abs=1e-2)


def test_the_fallback_by_local_date(spans):
    calendar = current_calendar()
    out = worktime.working_seconds_between(spans, {"k": F("street_id")}, "dispatched_at", "resolved_at", calendar)
    [(n, total)] = out.values()
    assert n == len(SPANS)
    assert total == pytest.approx(sum(expected(calendar)), abs=1e-2)
