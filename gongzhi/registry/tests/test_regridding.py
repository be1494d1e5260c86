"""Registry rows follow their ground when grids are split, merged or replaced by an import."""

import datetime as dt

import pytest
import shapely
from django.db.models import F
from shapely.geometry import shape

from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import X0, Y0, box
from gongzhi.divisions.geo.coverage import to_geojson
from gongzhi.divisions.models import Division
from gongzhi.divisions.services.grids import import_community_grids, merge_grids, split_grid
from gongzhi.divisions.tests.grids_support import feature, feature_collection
from gongzhi.registry import selectors
from gongzhi.registry.choices import FacilityKind, OrganisationKind, ThingCategory
from gongzhi.registry.demo import build_demo_population
from gongzhi.registry.models import (
    Building,
    Facility,
    Household,
    Organisation,
    Resident,
    ResidentEvent,
    Thing,
    Visit,
    placed_values,
)
from gongzhi.registry.services import people, places, visits
from gongzhi.registry.services.regridding import ACTION

from .factories import id_number

pytestmark = pytest.mark.django_db

REASON = "网格调整"
MODELS = (Building, Household, Resident, Visit, Thing, Facility, Organisation)


def west_east_line() -> dict:
    """A north–south line through the middle of grid A (X0 … X0 + 0.02)."""
    return {"type": "LineString", "coordinates": [[X0 + 0.01, Y0 - 0.001], [X0 + 0.01, Y0 + 0.021]]}


def fresh(division: Division) -> Division:
    return Division.objects.get(pk=division.pk)


def assert_consistent_places():
    """Every row's cached columns are its grid's; households are in their building's grid, residents
    and visits in their household's."""
    grids = {g.pk: g for g in Division.objects.filter(level="grid")}
    for model in MODELS:
        for row in model.objects.all():
            grid = grids[row.grid_id]
            assert (row.community_id, row.street_id, row.district_id, row.city_id) == (
                grid.community_id, grid.street_id, grid.district_id, grid.city_id), (model, row.pk)
    assert not Household.objects.exclude(grid_id=F("building__grid_id")).exists()
    assert not Resident.objects.exclude(grid_id=F("household__grid_id")).exists()
    assert not Visit.objects.exclude(grid_id=F("household__grid_id")).exists()


def thing(city, code: str, lng, lat, *, address: str = "") -> Thing:
    return Thing.objects.create(code=code, category=ThingCategory.PUBLIC_UTILITIES, kind="路灯", lng=lng, lat=lat,
                                address=address, **placed_values(city.grid_a))


def test_a_split_sends_each_row_to_the_part_that_holds_it(city, reg):
    east_building = places.create_building(actor=None, grid=city.grid_a, address="槐荫路9号", lng=X0 + 0.015,
                                           lat=Y0 + 0.005)
    east_home = places.create_household(actor=None, building=east_building, room="101")
    east_person = people.create_resident(actor=None, household=east_home, name="钱进",
                                         id_number=id_number(dt.date(1980, 2, 2), 9))
    visit = visits.log_visit(actor=city.grid_worker, household=east_home, visited_on=dt.date(2026, 3, 1),
                             notes="走访")
    lamp = thing(city, "L1", X0 + 0.003, Y0 + 0.01)
    bin_ = thing(city, "B1", X0 + 0.018, Y0 + 0.01)
    pointless = thing(city, "X1", None, None, address="槐荫路9号")  # at the east building
    hall = Facility.objects.create(kind=FacilityKind.ACTIVITY_ROOM, name="活动室", lng=X0 + 0.012, lat=Y0 + 0.001,
                                   **placed_values(city.grid_a))
    shop = Organisation.objects.create(kind=OrganisationKind.SHOP, name="槐荫超市", address="槐荫路9号",
                                       **placed_values(city.grid_a))
    elsewhere = Organisation.objects.create(kind=OrganisationKind.SHOP, name="无名店", address="不知道",
                                            **placed_values(city.grid_a))
    events_before = list(ResidentEvent.objects.values_list("pk", "grid_id"))
    version = Building.objects.get(pk=reg.building_a.pk).version

    west, east = split_grid(actor=city.street_officer_a, grid=city.grid_a, line=west_east_line(), reason=REASON)

    # West of the line: the factory's building (113.905) with its two households and three people.
    assert Building.objects.get(pk=reg.building_a.pk).grid_id == west.pk
    assert Building.objects.get(pk=reg.building_a.pk).version == version + 1  # an open edit form is stale now
    assert set(Household.objects.filter(grid=west).values_list("pk", flat=True)) == {
        reg.household_a.pk, reg.household_a2.pk}
    assert set(Resident.objects.filter(grid=west).values_list("pk", flat=True)) == {
        reg.zhang.pk, reg.li.pk, reg.child.pk}
    # East of it: the new building, its household, person and visit.
    assert Building.objects.get(pk=east_building.pk).grid_id == east.pk
    assert Household.objects.get(pk=east_home.pk).grid_id == east.pk
    assert Resident.objects.get(pk=east_person.pk).grid_id == east.pk
    assert Visit.objects.get(pk=visit.pk).grid_id == east.pk
    # Things and facilities by their own point; without one, by the building at their address.
    assert Thing.objects.get(pk=lamp.pk).grid_id == west.pk
    assert Thing.objects.get(pk=bin_.pk).grid_id == east.pk
    assert Thing.objects.get(pk=pointless.pk).grid_id == east.pk
    assert Facility.objects.get(pk=hall.pk).grid_id == east.pk
    assert Organisation.objects.get(pk=shop.pk).grid_id == east.pk
    largest = max((west, east), key=lambda g: (g.area_m2, -g.pk))
    assert Organisation.objects.get(pk=elsewhere.pk).grid_id == largest.pk
    # Nothing is left on the retired grid; other grids are untouched; history stays where it happened.
    assert not any(model.objects.filter(grid=city.grid_a).exists() for model in MODELS)
    assert Resident.objects.get(pk=reg.wang.pk).grid_id == city.grid_a_2.pk
    assert list(ResidentEvent.objects.values_list("pk", "grid_id")) == events_before
    assert_consistent_places()

    # One audit entry for the grid, with the counts by successor.
    (entry,) = AuditEntry.objects.filter(action=ACTION)
    assert entry.object_id == str(city.grid_a.pk) and entry.reason == REASON
    assert entry.actor_id == city.street_officer_a.pk
    assert entry.after["successors"][west.code]["residents"] == 3
    assert entry.after["successors"][east.code] == {
        "buildings": 1, "households": 1, "residents": 1, "visits": 1, "things": 2, "facilities": 1,
        "organisations": 1 + (largest == east)}
    assert entry.after["total"]["residents"] == 4


def test_a_merge_brings_every_row_to_the_merged_grid(city, reg):
    grid_a_people = Resident.objects.filter(grid__in=[city.grid_a, city.grid_a_2]).count()
    merged = merge_grids(actor=city.community_secretary, grids=[city.grid_a, city.grid_a_2], name="书院网格",
                         reason=REASON)

    assert Resident.objects.filter(grid=merged).count() == grid_a_people == 4
    assert set(Building.objects.filter(grid=merged).values_list("pk", flat=True)) == {
        reg.building_a.pk, reg.building_a_2.pk}
    assert not Resident.objects.filter(grid__in=[city.grid_a, city.grid_a_2]).exists()
    assert Resident.objects.get(pk=reg.zhao.pk).grid_id == city.grid_b.pk
    assert_consistent_places()
    entries = AuditEntry.objects.filter(action=ACTION).order_by("object_id")
    assert [e.object_id for e in entries] == sorted([str(city.grid_a.pk), str(city.grid_a_2.pk)])
    assert sum(e.after["total"]["residents"] for e in entries) == 4

    # The worker's role moved to the merged grid, and so did what their pages and the statistics list.
    worker = city.grid_worker
    assert set(selectors.residents_for(worker).values_list("pk", flat=True)) == {
        reg.zhang.pk, reg.li.pk, reg.child.pk, reg.wang.pk}
    assert selectors.households_for(worker).count() == 3
    figures = selectors.statistics(city.city_admin, fresh(city.community_a))
    parts = {grid.code: f for grid, f in figures.parts}
    assert set(parts) == {merged.code}
    assert parts[merged.code].population == 4 and parts[merged.code].households == 3
    assert figures.total.tags["elderly_alone"] == 1


def test_a_grid_without_registry_rows_writes_no_regrid_entry(city):
    split_grid(actor=city.street_officer_a, grid=city.grid_a_2, line=west_east_line_for_a_2(), reason=REASON)
    assert not AuditEntry.objects.filter(action=ACTION).exists()


def west_east_line_for_a_2() -> dict:
    return {"type": "LineString", "coordinates": [[X0 + 0.01, Y0 + 0.019], [X0 + 0.01, Y0 + 0.041]]}


def test_a_grid_layer_import_moves_the_rows_of_the_grids_it_retires(city, reg):
    # Grid A is replaced by two new grids (south-west quarter and the rest of its ground).
    community = fresh(city.community_a)
    layer = feature_collection(
        feature("420902001001003", box(X0, Y0, X0 + 0.01, Y0 + 0.01), "西南网格"),
        feature("420902001001004", to_geojson(
            shapely.box(X0, Y0, X0 + 0.02, Y0 + 0.02).difference(shapely.box(X0, Y0, X0 + 0.01, Y0 + 0.01))),
            "东北网格"),
        feature("420902001001002", city.grid_a_2.geometry, city.grid_a_2.name),
    )
    result = import_community_grids(actor=city.community_secretary, community=community, feature_collection=layer,
                                    reason=REASON)
    assert [g.code for g in result.retired] == [city.grid_a.code]
    south_west = Division.objects.get(code="420902001001003", is_active=True)
    assert shape(south_west.geometry).contains(shapely.Point(113.905, 30.905))
    assert Resident.objects.filter(grid=south_west).count() == 3
    assert_consistent_places()


def test_a_split_of_a_populated_grid_is_a_few_statements_and_every_row_lands_inside(city,
                                                                                   django_assert_max_num_queries):
    build_demo_population(size="small", per_grid=1500)
    old = fresh(city.grid_a)
    people = Resident.objects.filter(grid=old).count()
    assert people > 1000
    with django_assert_max_num_queries(120):
        west, east = split_grid(actor=city.street_officer_a, grid=old, line=west_east_line(), reason=REASON)

    assert not any(model.objects.filter(grid=old).exists() for model in MODELS)
    assert Resident.objects.filter(grid__in=[west, east]).count() == people
    assert Resident.objects.filter(grid=west).exists() and Resident.objects.filter(grid=east).exists()
    for grid in (west, east):
        outline = shape(grid.geometry)
        for lng, lat in Building.objects.filter(grid=grid).values_list("lng", "lat"):
            assert outline.intersects(shapely.Point(lng, lat))
        for lng, lat in Thing.objects.filter(grid=grid).values_list("lng", "lat"):
            assert outline.intersects(shapely.Point(lng, lat))
    assert_consistent_places()
    # The worker of the old grid now sees the people of both parts, and each part's statistics count them.
    assert selectors.residents_for(city.grid_worker, status=None).count() == people
    figures = selectors.statistics(city.city_admin, fresh(city.community_a))
    parts = {grid.code: f.population for grid, f in figures.parts}
    assert old.code not in parts
    assert parts[west.code] + parts[east.code] == Resident.objects.filter(grid__in=[west, east],
                                                                        status="active").count()
