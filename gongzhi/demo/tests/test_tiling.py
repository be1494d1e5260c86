"""Generated boundaries: Voronoi splits, bending and rounding keep a tiling a tiling."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from gongzhi.demo import tiling
from gongzhi.demo.layout import chinese_number, grid_name

# An L-shaped (concave) parent: Voronoi cells clipped to it can fall apart into two pieces.
L_SHAPE = Polygon([(0, 0), (0.04, 0), (0.04, 0.01), (0.01, 0.01), (0.01, 0.04), (0, 0.04)])


def overlap_area(polygons) -> float:
    return sum(a.intersection(b).area for i, a in enumerate(polygons) for b in polygons[i + 1:])


def test_split_tiles_a_concave_parent_with_one_piece_per_seed():
    seeds = tiling.scatter(L_SHAPE, 12, np.random.default_rng(12))
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=L_SHAPE, ordered=True)
    raw = shapely.intersection(shapely.get_parts(diagram), L_SHAPE)
    assert any(c.geom_type == "MultiPolygon" for c in raw)  # the notch cuts a cell in two

    cells = tiling.split(L_SHAPE, seeds)

    assert len(cells) == 12
    assert all(c.geom_type == "Polygon" for c in cells)
    assert shapely.union_all(cells).symmetric_difference(L_SHAPE).area < 1e-15
    assert overlap_area(cells) < 1e-15


def test_scatter_keeps_points_inside_and_apart():
    rng = np.random.default_rng(2)
    core = tiling.scatter(L_SHAPE, 3, rng, around=(0.005, 0.005), radius=0.004)
    rest = tiling.scatter(L_SHAPE, 10, rng, keep_away=core, clearance=0.008)

    assert shapely.contains_xy(L_SHAPE, *np.vstack([core, rest]).T).all()
    assert np.hypot(*(core - (0.005, 0.005)).T).max() <= 0.004
    assert min(np.hypot(*(rest - c).T).min() for c in core) >= 0.008 * 0.8**3  # relaxed at most a little


def test_snapping_rounds_to_six_decimals_and_keeps_the_tiling():
    cells = tiling.split(L_SHAPE, tiling.scatter(L_SHAPE, 20, np.random.default_rng(3)))
    snapped = tiling.snap_coverage(cells)

    coords = shapely.get_coordinates(np.array(snapped, dtype=object))
    assert np.abs(coords * 1e6 - np.round(coords * 1e6)).max() < 1e-6
    assert overlap_area(snapped) == 0
    assert tiling.union_of(snapped).symmetric_difference(tiling.union_of(cells)).area < 1e-12


def test_bending_winds_the_borders_and_keeps_the_tiling():
    cells = tiling.split(L_SHAPE, tiling.scatter(L_SHAPE, 20, np.random.default_rng(4)))
    noded = tiling.snap_coverage(cells, grid_size=1e-9)
    bent = tiling.snap_coverage(tiling.bend(noded, np.random.default_rng(5)))

    assert all(b.is_valid for b in bent)
    assert overlap_area(bent) == 0
    union = tiling.union_of(bent)
    assert union.geom_type == "Polygon"
    assert not union.interiors
    assert union.area == pytest.approx(L_SHAPE.area, rel=0.05)
    assert len(shapely.get_coordinates(union)) > 3 * len(L_SHAPE.exterior.coords)  # no longer straight


def test_geojson_is_anticlockwise_with_six_decimals():
    square = Polygon([(0, 0), (0, 1.0000004), (1, 1), (1, 0)])  # clockwise
    geojson = tiling.to_geojson(square)
    assert geojson["type"] == "Polygon"
    ring = geojson["coordinates"][0]
    assert ring[1] == [1.0, 0.0]
    assert ring[2] == [1.0, 1.0]
    assert ring[3] == [0.0, 1.0]


@pytest.mark.parametrize(("n", "text"), [
    (1, "一"), (6, "六"), (10, "十"), (12, "十二"), (20, "二十"), (25, "二十五"),
])
def test_grid_names_count_in_chinese(n, text):
    assert chinese_number(n) == text
    assert grid_name("书院社区", n) == f"书院社区第{text}网格"
