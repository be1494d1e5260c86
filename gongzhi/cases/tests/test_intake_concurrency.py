"""Many reports at the same moment (PostgreSQL, where they really run side by side): each gets its
own tracking number, counted per day from the sequence, and the same key sent twice at once
still makes one case. SQLite lets one writer in at a time; test_intake.py covers it there."""

import re
import threading

import pytest
from django.db import connection, connections

from gongzhi.cases.models import Case, CaseFollower, Category, TrackingCounter
from gongzhi.cases.services.intake import Report, submit_case

from .conftest import IN_GRID_A

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def at_once(fn, n: int) -> list:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def report(flow, i: int, key: str = ""):
    return submit_case(actor=flow.users["resident"], report=Report(
        description=f"路边有一堆垃圾 {i if not key else ''}", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
        category=Category.objects.get(code="litter"), idempotency_key=key))


def test_reports_at_once_get_the_day_s_numbers_each_once(flow):
    first = flow.report()
    assert first.tracking_number == "2026030900001"
    intakes = at_once(lambda i: report(flow, i), 12)
    numbers = sorted(intake.case.tracking_number for intake in intakes)
    assert all(re.fullmatch(r"2026030900\d{3}", n) for n in numbers)
    assert numbers == [f"20260309{k:05d}" for k in range(2, 14)]  # none lost, none twice
    assert Case.objects.filter(tracking_number__in=numbers).count() == 12


def test_the_same_key_sent_at_once_makes_one_case(flow):
    intakes = at_once(lambda i: report(flow, i, key="double-tap"), 6)
    assert sorted(i.created for i in intakes) == [False] * 5 + [True]
    assert len({i.case.pk for i in intakes}) == 1
    assert Case.objects.count() == 1 and CaseFollower.objects.count() == 1


def test_a_day_counted_before_the_sequence_goes_on_from_its_count(flow):
    TrackingCounter.objects.create(day="2026-03-09", last=41)  # numbered by the counter row alone
    assert flow.report().tracking_number == "2026030900042"
    assert flow.report().tracking_number == "2026030900043"
