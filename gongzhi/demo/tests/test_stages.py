"""The demo's later stages on the fixture city: calendar, catalogue, departments, cases."""

import pytest
from django.db.models import Count

from gongzhi.cases.models import Case, Category
from gongzhi.core.models import AuditEntry
from gongzhi.demo.build import DemoResult
from gongzhi.demo.stages import run_stages
from gongzhi.departments.models import Department
from gongzhi.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


def run(city) -> list[str]:
    result = DemoResult(size="small", report=None, counts={}, places={"district": city.district})
    said = []
    run_stages("small", result, say=said.append)
    return said


def test_the_demo_fills_every_queue_and_runs_twice_without_adding_anything(city):
    said = run(city)
    assert CalendarDay.objects.filter(date__year=2026, is_workday=True).exists()  # a swapped Saturday
    assert Category.objects.filter(parent__isnull=False).count() > 20
    water = Department.objects.get(name="孝南区水务和湖泊局")
    assert set(water.serves.all()) == {city.street_a, city.street_b}
    states = dict(Case.objects.values_list("state").annotate(n=Count("id")))
    assert sum(states.values()) == 80
    # Every stage of the loop is represented, so each queue of the workbench has something in it.
    assert {"submitted", "registered", "dispatched", "accepted", "in_progress", "resolved", "closed",
            "rated"} <= set(states)
    rated = Case.objects.filter(state="rated")
    assert rated.filter(rating="satisfied").exists()
    assert any("80" in line for line in said)

    from gongzhi.open311.models import Open311Client

    assert Open311Client.objects.filter(is_active=True).count() == 1  # the key gongzhi-demo-open311

    audit_rows, cases = AuditEntry.objects.count(), Case.objects.count()
    run(city)
    assert (AuditEntry.objects.count(), Case.objects.count()) == (audit_rows, cases)
