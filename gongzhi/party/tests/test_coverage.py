"""The organisation coverage check on the factory tree: grid A is covered by its branch, grid A-2
has none (a gap in both organisation and work), buildings without a building group and registry
companies without their own organisation are listed; outside the user's scope: 404."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from gongzhi.party.choices import Form, Line
from gongzhi.party.selectors.coverage import coverage_of
from gongzhi.registry.services import things
from gongzhi.registry.tests.factories import build_registry

from .factories import build_party, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city):
    reg = build_registry(city)
    return city, build_party(city, reg), reg


def codes(grids):
    return [g["name"] for g in grids]


def test_grid_a_is_covered_and_grid_a_2_is_a_gap(world):
    city, _p, reg = world
    cov = coverage_of(city.users["community_secretary"], city.community_a)
    assert codes(cov.org_gap_grids) == ["书院社区第二网格"]
    assert codes(cov.work_gap_grids) == ["书院社区第二网格"]
    assert cov.total.grids == 2 and cov.total.org_gaps == 1 and cov.total.org_covered == 0.5
    # No building group anywhere: both buildings are gaps.
    assert {b.address for b in cov.building_gaps} == {reg.building_a.address, reg.building_a_2.address}
    assert [f["properties"]["name"] for f in cov.geojson()["features"]] == ["书院社区第二网格"]
    assert [part.division["name"] for part in cov.parts] == ["书院社区第一网格", "书院社区第二网格"]
    assert cov.parts[1].figures.org_gaps == 1 and cov.parts[0].figures.org_gaps == 0


def test_a_resident_tagged_as_party_member_covers_the_work_of_their_grid(world):
    city, _p, reg = world
    from gongzhi.registry.services import people
    from gongzhi.registry.tests.factories import tag

    people.assign_tag(actor=None, resident=reg.wang, tag=tag("party_member"))
    cov = coverage_of(city.users["community_secretary"], city.community_a)
    # 王芳 lives in grid A-2: its work is covered, its organisation still is not.
    assert codes(cov.work_gap_grids) == [] and codes(cov.org_gap_grids) == ["书院社区第二网格"]
    cov = coverage_of(city.users["street_officer_a"], city.street_a)
    # Per community: community A has grid A-2 uncovered; 北外社区's grid has no grid branch either.
    parts = {part.division["name"]: part.figures for part in cov.parts}
    assert parts["书院社区"].org_gaps == 1 and parts["北外社区"].org_gaps == 1
    assert cov.total.grids == 3


def test_a_building_group_and_a_units_own_organisation_close_their_gaps(world):
    city, p, reg = world
    company = things.create_organisation(actor=None, grid=city.grid_a, kind="property_company", name="槐荫物业")
    shop = things.create_organisation(actor=None, grid=city.grid_a, kind="shop", name="小卖部")
    cov = coverage_of(city.users["community_secretary"], city.community_a)
    assert [u.name for u in cov.unit_gaps] == ["槐荫物业"] and shop not in cov.unit_gaps
    group = make_organisation("1栋党小组", Form.GROUP, Line.BUILDING, city.grid_a, p.branch_a)
    group.buildings.set([reg.building_a])
    own = make_organisation("槐荫物业党支部", Form.BRANCH, Line.UNIT, city.grid_a)
    own.unit = company
    own.save(update_fields=["unit"])
    cov = coverage_of(city.users["community_secretary"], city.community_a)
    assert [b.address for b in cov.building_gaps] == [reg.building_a_2.address]
    assert list(cov.unit_gaps) == [] and cov.total.unit_gaps == 0 and cov.total.units == 1


def test_outside_the_scope_or_at_a_grid_the_check_is_404(world):
    city, _p, _reg = world
    with pytest.raises(Http404):
        coverage_of(city.users["street_officer_b"], city.community_a)
    with pytest.raises(Http404):
        coverage_of(city.users["grid_worker"], city.community_a)
    with pytest.raises(Http404):
        coverage_of(city.users["community_secretary"], city.grid_a)
    with pytest.raises(Http404):
        coverage_of(city.users["resident"], city.district.pk)


def test_the_city_wide_check_is_a_handful_of_queries(world):
    city, _p, _reg = world
    user = city.users["city_admin"]
    with CaptureQueriesContext(connection) as ctx:
        cov = coverage_of(user, city.city)
        cov.total  # noqa: B018
    assert cov.total.grids == 5 and cov.total.org_gaps == 3
    assert len(ctx.captured_queries) <= 14, [q["sql"][:80] for q in ctx.captured_queries]
