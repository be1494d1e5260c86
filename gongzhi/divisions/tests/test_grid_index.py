"""Which grid is this point in: the in-memory index, its freshness across processes, and the lookup
residents' phones use."""

import json
import math
import time

import numpy as np
import pytest
import shapely
from django.db.models import F

from gongzhi.core.errors import DomainError
from gongzhi.divisions.geo import index
from gongzhi.divisions.geo.crs import wgs84_to_gcj02
from gongzhi.divisions.geo.index import GridIndex, grid_index, mark_grids_changed, reset_grid_index
from gongzhi.divisions.geo.locate import locate_grid
from gongzhi.divisions.models import Division, GridIndexVersion
from gongzhi.divisions.services.grids import set_grid_boundary

from .grids_support import X0, Y0, box, synthetic_city


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_grid_index()
    yield
    reset_grid_index()


@pytest.fixture(scope="module")
def city_grids():
    """The 6,000 grids of the synthetic city as an index, with ids 1…n in file order."""
    fc = synthetic_city()
    grids = [f for f in fc["features"] if f["properties"].get("level") != "community"]
    shapes = shapely.from_geojson([json.dumps(f["geometry"]) for f in grids])
    return GridIndex(np.arange(1, len(grids) + 1), shapes), shapes


def naive_locate(shapes, lng, lat):
    """Every polygon in turn: the baseline the index must agree with (and beat)."""
    point = shapely.Point(lng, lat)
    for pk, shape in enumerate(shapes, start=1):
        if shape.contains(point):
            return pk
    return None


def random_points(bounds, n, seed=3):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


# --- the index on its own ------------------------------------------------------------------------


def test_every_point_goes_to_the_grid_that_contains_it(city_grids):
    grids, shapes = city_grids
    lngs, lats = random_points(shapely.total_bounds(shapes), 3000)
    expected = [naive_locate(shapes, x, y) for x, y in zip(lngs, lats, strict=True)]
    assert [grids.locate(x, y) for x, y in zip(lngs, lats, strict=True)] == expected
    assert grids.locate_many(lngs, lats).tolist() == [-1 if e is None else e for e in expected]
    assert None not in expected  # the synthetic city tiles its whole extent


def test_points_outside_every_grid_find_none():
    grids = GridIndex([7, 8], [shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)])
    assert grids.locate(1.5, 0.5) is None  # between the two, inside their overall bounds
    assert grids.locate(-5, 0.5) is None
    assert grids.locate(0.5, 0.5) == 7
    assert grids.locate_many([1.5, 2.5, 99], [0.5, 0.5, 99]).tolist() == [-1, 8, -1]


def test_a_point_on_a_shared_edge_belongs_to_one_of_the_two_grids():
    grids = GridIndex([5, 3], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    assert grids.locate(1.0, 0.5) in {3, 5}
    assert grids.locate_many([1.0], [0.5]).tolist() == [3]


def test_an_empty_index_finds_nothing():
    grids = GridIndex([], [])
    assert grids.locate(113.9, 30.9) is None
    assert grids.locate_many([113.9], [30.9]).tolist() == [-1]


def test_lookups_are_fast_enough_for_a_city(city_grids):
    """Against a linear scan measured in the same run, so a busy machine slows both alike (the
    bench measures the real figures): a regression to a scan fails. Each rate is the best of
    three interleaved rounds, so a moment's pause on a shared machine does not decide it."""
    grids, shapes = city_grids
    lngs, lats = random_points(shapely.total_bounds(shapes), 21_000, seed=9)
    pairs = list(zip(lngs.tolist(), lats.tolist(), strict=True))

    def rate(run, n: int) -> float:
        started = time.perf_counter()
        run()
        return n / (time.perf_counter() - started)

    single, naive, batch = [], [], []
    for i in range(3):
        chunk = pairs[i * 7000:(i + 1) * 7000]
        single.append(rate(lambda chunk=chunk: [grids.locate(x, y) for x, y in chunk], len(chunk)))
        few = chunk[:100]
        naive.append(rate(lambda few=few: [naive_locate(shapes, x, y) for x, y in few], len(few)))
        batch.append(rate(lambda i=i: grids.locate_many(lngs[i * 7000:(i + 1) * 7000], lats[i * 7000:(i + 1) * 7000]),
                          7000))
    assert max(single) > 30 * max(naive)
    assert max(batch) > 30 * max(naive)


# --- the process-wide index and its change counter ------------------------------------------------


def test_grid_index_covers_the_active_grids(city):
    assert grid_index().locate(X0 + 0.01, Y0 + 0.01) == city.grid_a.pk
    assert grid_index().locate(X0 + 0.05, Y0 + 0.03) == city.grid_b_2.pk
    assert len(grid_index()) == 5


def test_mark_grids_changed_creates_the_counter_and_moves_it_by_one(db):
    assert not GridIndexVersion.objects.exists()
    mark_grids_changed()
    mark_grids_changed()
    assert GridIndexVersion.objects.get().counter == 2


def test_an_edit_in_this_process_is_seen_at_once(city):
    assert grid_index().locate(X0 + 0.01, Y0 + 0.019) == city.grid_a.pk
    set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a,
                      geometry=box(X0, Y0, X0 + 0.02, Y0 + 0.015),
                      reason="The lane north of the school now belongs to grid 2")
    set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a_2,
                      geometry=box(X0, Y0 + 0.015, X0 + 0.02, Y0 + 0.04), reason="Takes over the lane")
    assert grid_index().locate(X0 + 0.01, Y0 + 0.019) == city.grid_a_2.pk


def test_an_edit_in_another_process_is_seen_within_a_second(city, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(index, "monotonic", lambda: clock[0])
    point = (X0 + 0.01, Y0 + 0.019)
    assert grid_index().locate(*point) == city.grid_a.pk
    # What another process's service leaves behind: new boundaries and a moved counter.
    Division.objects.filter(pk=city.grid_a.pk).update(geometry=box(X0, Y0, X0 + 0.02, Y0 + 0.015))
    Division.objects.filter(pk=city.grid_a_2.pk).update(geometry=box(X0, Y0 + 0.015, X0 + 0.02, Y0 + 0.04))
    GridIndexVersion.objects.get_or_create(pk=1)
    GridIndexVersion.objects.filter(pk=1).update(counter=F("counter") + 1)
    clock[0] += 0.5
    assert grid_index().locate(*point) == city.grid_a.pk  # not re-read yet: at most once a second
    clock[0] += 0.6
    assert grid_index().locate(*point) == city.grid_a_2.pk


def test_the_counter_is_read_at_most_once_a_second(city, monkeypatch, django_assert_num_queries):
    clock = [1000.0]
    monkeypatch.setattr(index, "monotonic", lambda: clock[0])
    grid_index()
    with django_assert_num_queries(0):
        for _ in range(100):
            grid_index().locate(X0 + 0.01, Y0 + 0.01)
    clock[0] += 1.5
    with django_assert_num_queries(1):  # the counter only: nothing moved, nothing rebuilt
        grid_index()


# --- locate_grid ---------------------------------------------------------------------------------


def test_locate_grid_returns_the_grid_with_its_community(city, django_assert_num_queries):
    grid_index()
    with django_assert_num_queries(1):
        grid = locate_grid(X0 + 0.01, Y0 + 0.03)
        assert grid == city.grid_a_2
        assert grid.parent == city.community_a


def test_locate_grid_converts_a_phone_s_gcj02_position(city):
    # 1 m north of the edge between grids 1 and 2 of 书院社区; GCJ-02 moves it ~280 m south, so
    # read as WGS-84 it would wrongly fall in grid 1.
    gcj = wgs84_to_gcj02(X0 + 0.01, Y0 + 0.02001)
    assert locate_grid(*gcj, crs="gcj02") == city.grid_a_2
    assert locate_grid(*gcj) == city.grid_a


def test_locate_grid_outside_every_grid_is_none(city):
    assert locate_grid(116.40, 39.90) is None


@pytest.mark.parametrize(("lng", "lat", "crs"), [(113.9, 30.9, "bd09"), (math.nan, 30.9, "wgs84"),
                                                 (113.9, math.inf, "gcj02")])
def test_locate_grid_refuses_unknown_systems_and_non_numbers(db, lng, lat, crs):
    with pytest.raises(DomainError):
        locate_grid(lng, lat, crs)


def test_a_retired_grid_is_never_the_answer_even_from_a_stale_index(city):
    grid_index()
    Division.objects.filter(pk=city.grid_a.pk).update(is_active=False)  # the index has not heard yet
    assert locate_grid(X0 + 0.01, Y0 + 0.01) is None
