"""`gongzhi demo --size small`: the real divisions of 孝南区's four urban streets, grids that tile
their communities, the personas, and a second run that changes nothing."""

from io import StringIO

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import translation
from shapely.geometry import shape

from gongzhi.core.models import AuditEntry
from gongzhi.demo import source
from gongzhi.demo.build import build_demo, chosen, division_rows
from gongzhi.demo.layout import grid_count, lay_out
from gongzhi.demo.personas import DEMO_PASSWORD, PERSONAS
from gongzhi.divisions.geo.coverage import areas_m2, coverage_report, overlaps_among
from gongzhi.divisions.models import Division, DivisionChange, GridIndexVersion
from gongzhi.registry import demo as registry_demo
from gongzhi.registry.models import Resident, Visit

pytestmark = pytest.mark.django_db

PEOPLE_PER_GRID = dict(registry_demo.SIZES)  # before the fixture below shrinks them
SMALL_STREETS = {"420902001000": "书院街道", "420902002000": "新华街道", "420902003000": "广场街道",
                 "420902004000": "车站街道"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


SERVING_STAGES = {"points", "lovebank", "volunteering", "service", "squads"}


@pytest.fixture(autouse=True)
def _few_residents(monkeypatch):
    """A handful of residents a grid instead of 150, and of party members a community instead of 95:
    these tests are about the divisions and the command; the populations themselves are tested in
    gongzhi/registry/tests/test_demo.py, gongzhi/party/tests/test_demo.py and test_stages.py."""
    from gongzhi.demo import stages
    from gongzhi.party import demo as party_demo

    monkeypatch.setitem(registry_demo.SIZES, "small", 4)
    monkeypatch.setitem(party_demo.SIZES, "small", 8)
    # People serving people are built by their own apps' demos, tested there (each app's test_demo).
    monkeypatch.setattr(stages, "STAGES", [s for s in stages.STAGES if s.name not in SERVING_STAGES])


@pytest.fixture
def small_demo():
    out = StringIO()
    call_command("demo", "--size", "small", stdout=out)
    return out.getvalue()


def level_counts() -> dict[str, int]:
    return {level: Division.objects.filter(level=level, is_active=True).count()
            for level in ("province", "city", "district", "street", "community", "grid")}


def expected_grids() -> int:
    places = source.load_city("4209")
    return sum(grid_count(p) for p in places if p.level == "community" and p.parent_code in SMALL_STREETS)


def test_small_demo_has_the_real_divisions_of_four_urban_streets(small_demo):
    counts = level_counts()
    assert counts == {"province": 1, "city": 1, "district": 1, "street": 4, "community": 46,
                      "grid": expected_grids()}
    assert 3 * 46 <= counts["grid"] <= 6 * 46  # urban communities: 3–6 grids each
    streets = dict(Division.objects.filter(level="street").values_list("code", "name"))
    assert streets == SMALL_STREETS
    assert Division.objects.get(code="420902000000").name == "孝南区"
    # Committee names of the statistical list become place names; the kind keeps what they are.
    community = Division.objects.get(code="420902001001")
    assert (community.name, community.kind, community.parent.name) == ("书院社区", "社区", "书院街道")
    assert Division.objects.get(code="420902002001").name == "府前社区"
    assert not Division.objects.filter(name__endswith="居委会").exists()


def test_grids_are_numbered_inside_their_community(small_demo):
    community = Division.objects.get(code="420902001001")
    grids = list(Division.objects.filter(parent=community).order_by("code"))

    assert [g.code for g in grids] == [f"420902001001{i:03d}" for i in range(1, len(grids) + 1)]
    assert grids[0].name == "书院社区第一网格"
    assert grids[1].name == "书院社区第二网格"
    assert all(g.community_id == community.pk and g.street_id == community.street_id for g in grids)


def test_every_boundary_is_valid_with_six_decimals_and_an_area(small_demo):
    for division in Division.objects.exclude(level="province"):
        geom = shape(division.geometry)
        assert geom.is_valid, division.code
        assert geom.geom_type == "Polygon", division.code
        coords = shapely.get_coordinates(geom)
        assert np.allclose(coords, np.round(coords, 6), rtol=0, atol=1e-9), division.code
        assert division.area_m2 == pytest.approx(areas_m2([geom])[0])
    # Urban grids are a few hectares to a square kilometre.
    areas = list(Division.objects.filter(level="grid").values_list("area_m2", flat=True))
    assert min(areas) > 2e4
    assert max(areas) < 3e6


def test_grids_tile_each_community_without_gaps_or_overlaps(small_demo):
    tolerance = settings.GRID_TOLERANCE_M2
    for community in Division.objects.filter(level="community"):
        grids = [shape(g.geometry) for g in Division.objects.filter(parent=community)]
        outline = shape(community.geometry)
        assert areas_m2([shapely.symmetric_difference(outline, shapely.union_all(grids))])[0] < tolerance
        pairs = [(a, b) for i, a in enumerate(grids) for b in grids[i + 1:]]
        assert all(areas_m2([a.intersection(b)])[0] < tolerance for a, b in pairs), community.name
        assert coverage_report(community).ok, community.name
    for street in Division.objects.filter(level="street"):
        assert coverage_report(street).ok, street.name


def test_streets_lie_inside_their_district_without_overlapping(small_demo):
    district = shape(Division.objects.get(level="district").geometry)
    streets = [shape(s.geometry) for s in Division.objects.filter(level="street")]
    union = shapely.union_all(streets)
    assert areas_m2([union.difference(district)])[0] < settings.GRID_TOLERANCE_M2
    assert overlaps_among(streets) == []
    # The four urban streets are the compact core of a much larger district.
    assert areas_m2([union])[0] < 0.2 * areas_m2([district])[0]


def test_personas_log_in_where_the_readme_says(small_demo):
    from gongzhi.accounts.models import RoleAssignment

    everyone = RoleAssignment.objects.select_related("user", "division", "department")
    # Beside the personas, the demo gives its departments and busy communities a worker each.
    assignments = everyone.filter(user__username__in=[p.username for p in PERSONAS])
    where = {a.user.username: str(a.division or a.department) for a in assignments}
    assert where == {
        "city_admin": "孝感市", "district_officer": "孝南区", "street_officer_a": "书院街道",
        "street_officer_b": "新华街道", "community_secretary": "书院社区", "grid_worker": "书院社区第一网格",
        "department_staff": "孝南区城市管理执法局书院街道中队", "resident": "书院社区", "auditor": "孝南区",
    }
    assert all(a.user.check_password(DEMO_PASSWORD) for a in everyone)
    assert len(PERSONAS) == len(where)


def test_command_shows_progress_and_a_summary(small_demo):
    assert "communities 46/46" in small_demo
    assert "Street / town" in small_demo
    assert "Community / village" in small_demo
    assert "city_admin" in small_demo
    assert DEMO_PASSWORD in small_demo
    assert "http://127.0.0.1:8000" in small_demo
    grids = expected_grids()
    assert f"registry {grids}/{grids}" in small_demo
    assert f"visits added to {grids} grids" in small_demo
    assert Resident.objects.filter(grid__code="420902001001001").exists()  # the grid worker's grid


def test_the_small_population_is_tens_of_thousands_and_the_city_one_about_a_million():
    places = source.load_city("4209")
    small = sum(grid_count(p) for p in places if p.level == "community" and p.parent_code in SMALL_STREETS)
    city = sum(grid_count(p) for p in places if p.level == "community")
    assert 20_000 <= small * PEOPLE_PER_GRID["small"] <= 60_000
    assert 800_000 <= city * PEOPLE_PER_GRID["city"] <= 1_200_000


def test_a_second_run_creates_and_changes_nothing(small_demo):
    def state():
        return (level_counts(), Division.objects.aggregate(Max("updated_at"), Max("version")),
                AuditEntry.objects.count(), DivisionChange.objects.count(),
                list(GridIndexVersion.objects.values_list("counter", flat=True)),
                Resident.objects.count(), Visit.objects.count())

    before = state()
    result = build_demo("small")

    assert state() == before
    assert result.report.created_total == 0
    assert result.report.unchanged == sum(before[0].values())

    out = StringIO()
    call_command("demo", "--size", "small", stdout=out)
    assert state() == before
    assert "every grid already has its population" in out.getvalue()


def test_the_small_demo_is_a_part_of_the_city_demo():
    """What the small size writes is exactly what the city size writes for the same codes, so the city
    built after the small one fits it (it also never renames or re-draws what is there)."""
    places = source.load_city("4209")
    layout = lay_out(tuple(places))
    city = {row.code: row for row in division_rows(places, layout)}
    small = division_rows(chosen(places, "small"), layout)

    assert all(city[row.code] == row for row in small)
    assert {row.code for row in small} < set(city)
    assert sum(1 for code in city if len(code) == 15) == pytest.approx(6000, rel=0.05)


def test_a_missing_division_list_says_to_run_the_set_up(settings, tmp_path):
    settings.NODE_MODULES = tmp_path
    with pytest.raises(CommandError, match="npm ci"):
        call_command("demo", stdout=StringIO())
    assert not Division.objects.exists()
