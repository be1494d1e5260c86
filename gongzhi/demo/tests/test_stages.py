"""The demo's later stages on the fixture city: calendar, catalogue, departments, registry, cases."""

import pytest
from django.db.models import Count

from gongzhi.cases.models import Case, Category
from gongzhi.core.models import AuditEntry
from gongzhi.demo.build import DemoResult
from gongzhi.demo.stages import run_stages
from gongzhi.departments.models import Department
from gongzhi.registry.models import Household, Resident, ResidentTag, Visit
from gongzhi.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _serving_built_elsewhere(monkeypatch):
    """People serving people are built by their own apps' demos, tested there (each app's test_demo)."""
    from gongzhi.demo import stages

    from .test_demo import SERVING_STAGES

    monkeypatch.setattr(stages, "STAGES", [s for s in stages.STAGES if s.name not in SERVING_STAGES])


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
    residents, visits = Resident.objects.count(), Visit.objects.count()
    said = run(city)
    assert (AuditEntry.objects.count(), Case.objects.count()) == (audit_rows, cases)
    assert (Resident.objects.count(), Visit.objects.count()) == (residents, visits)
    assert any("every grid already has its population (5 grids)" in line for line in said)


def test_the_grid_workers_grid_has_people_tags_and_visits_for_the_phone_pages(city):
    said = run(city)
    assert any(line.startswith("registry: ") and "5 grids" in line for line in said)
    # Every grid of the fixture city gets its population: tens of households, about 150 people.
    for grid in (city.grid_a, city.grid_a_2, city.grid_a2, city.grid_b, city.grid_b_2):
        assert 100 <= Resident.objects.filter(grid=grid).count() <= 200
    mine = Household.objects.filter(grid=city.grid_a)
    assert mine.count() >= 30
    assert ResidentTag.objects.filter(resident__grid=city.grid_a).values("tag").distinct().count() >= 3
    # The grid worker's own visits, some recent and some households never visited or long ago.
    visits = Visit.objects.filter(grid=city.grid_a)
    assert visits.exists() and set(visits.values_list("visitor", flat=True)) == {city.grid_worker.pk}
    assert mine.filter(last_visited_on=None).exists() and mine.exclude(last_visited_on=None).exists()
    # Other grids are visited by the demo grid worker too (they have no worker of their own).
    assert Visit.objects.filter(grid=city.grid_b).exists()


def test_a_skipped_stage_adds_nothing_and_the_others_still_run(city):
    result = DemoResult(size="small", report=None, counts={}, places={"district": city.district})
    said = []
    run_stages("small", result, say=said.append, skip=frozenset({"registry"}))
    assert not Resident.objects.exists() and not Visit.objects.exists()
    assert not any(line.startswith("registry: ") for line in said)
    assert Case.objects.count() == 80  # the cases stage ran without the registry
