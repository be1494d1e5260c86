"""Validation names every problem of a grid file: what, which feature, where, and how big."""

import copy
import json
import time

import pytest
import shapely
from shapely.geometry import shape

from gongzhi.divisions.geo import measure
from gongzhi.divisions.geo.validate import check_geometry, validate_grid_collection, validate_grid_json

from .grids_support import (
    COMMUNITY_A,
    GRID_FILES,
    X0,
    Y0,
    box,
    feature,
    feature_collection,
    load,
    synthetic_city,
)

GRID_1, GRID_2 = f"{COMMUNITY_A}001", f"{COMMUNITY_A}002"
PROBLEM_KEYS = {"kind", "feature", "message", "location", "area_m2", "geometry", "other"}


def problems_in(name: str, **kwargs) -> list[dict]:
    return validate_grid_json((GRID_FILES / name).read_bytes(), **kwargs)


@pytest.mark.parametrize(("name", "kinds"), [
    ("clean.geojson", []),
    ("rounding_noise.geojson", []),
    ("malformed_not_json.geojson", ["malformed"]),
    ("malformed_not_collection.geojson", ["malformed"]),
    ("malformed_no_geometry.geojson", ["malformed"]),
    ("not_polygon.geojson", ["not_polygon"]),
    ("unclosed_ring.geojson", ["unclosed_ring"]),
    ("too_few_points.geojson", ["too_few_points"]),
    ("self_intersection.geojson", ["self_intersection"]),
    ("hole_outside_shell.geojson", ["invalid_geometry"]),
    ("outside_china.geojson", ["outside_china"]),
    ("swapped_coordinates.geojson", ["swapped_coordinates"]),
    ("bad_code.geojson", ["bad_code", "bad_code"]),
    ("duplicate_code.geojson", ["duplicate_code"]),
    ("unknown_community.geojson", ["unknown_community"]),
    ("outside_parent.geojson", ["outside_parent"]),
    ("overlap.geojson", ["overlap"]),
    ("gap.geojson", ["gap"]),
])
def test_each_crafted_file_shows_exactly_its_problem(name, kinds):
    problems = problems_in(name)
    assert [p["kind"] for p in problems] == kinds
    for p in problems:
        assert set(p) == PROBLEM_KEYS
        assert p["message"]
    json.dumps(problems)  # the API and the pages send them as they are


def test_a_broken_grid_names_the_feature_and_leaves_no_false_gap():
    # The missing geometry must not show up again as a blank zone where the grid should be.
    [problem] = problems_in("malformed_no_geometry.geojson")
    assert problem["feature"] == GRID_2


def test_not_polygon_names_the_type_it_got():
    [problem] = problems_in("not_polygon.geojson")
    assert problem["feature"] == GRID_2
    assert "LineString" in problem["message"]


def test_unclosed_ring_points_at_the_loose_end():
    [problem] = problems_in("unclosed_ring.geojson")
    assert problem["location"] == pytest.approx([X0, Y0 + 0.04])


def test_self_intersection_gives_the_crossing_point():
    [problem] = problems_in("self_intersection.geojson")
    assert problem["feature"] == GRID_2
    assert problem["location"] == pytest.approx([X0 + 0.01, Y0 + 0.03])


def test_hole_outside_shell_is_an_invalid_geometry_with_a_location():
    [problem] = problems_in("hole_outside_shell.geojson")
    assert problem["location"] == pytest.approx([X0 + 0.05, Y0 + 0.05])
    assert "hole" in problem["message"].lower()


def test_points_outside_china_are_reported_with_the_first_such_point():
    [problem] = problems_in("outside_china.geojson")
    assert problem["location"] == pytest.approx([13.40, 52.50])


def test_latitude_first_coordinates_are_recognised_as_swapped():
    [problem] = problems_in("swapped_coordinates.geojson")
    assert problem["kind"] == "swapped_coordinates"
    assert problem["location"] == pytest.approx([Y0 + 0.02, X0])
    assert "swapped" in problem["message"]


def test_bad_codes_name_both_mistakes():
    problems = problems_in("bad_code.geojson")
    assert [p["feature"] for p in problems] == ["42090200100101", GRID_2]
    assert "15 digits" in problems[0]["message"]
    assert "420902001002" in problems[1]["message"]  # the community the grid claims but is not under


def test_duplicate_code_is_reported_once_with_the_count():
    [problem] = problems_in("duplicate_code.geojson")
    assert problem["feature"] == GRID_1
    assert "2" in problem["message"]


def test_grid_of_a_community_without_boundary_is_unknown_community():
    [problem] = problems_in("unknown_community.geojson")
    assert problem["feature"] == "420902001099001"
    assert "420902001099" in problem["message"]


def test_outside_parent_reports_the_part_outside_and_its_area():
    [problem] = problems_in("outside_parent.geojson")
    outside = box(X0, Y0 + 0.04, X0 + 0.02, Y0 + 0.045)
    assert problem["feature"] == GRID_2
    assert problem["other"] == COMMUNITY_A
    assert problem["area_m2"] == pytest.approx(measure.area_m2(outside), rel=1e-6)
    assert shape(problem["geometry"]).equals(shape(outside))


def test_overlap_names_the_pair_the_polygon_and_its_area():
    [problem] = problems_in("overlap.geojson")
    shared = box(X0, Y0 + 0.02, X0 + 0.02, Y0 + 0.025)
    assert (problem["feature"], problem["other"]) == (GRID_1, GRID_2)
    assert shape(problem["geometry"]).equals(shape(shared))
    assert problem["area_m2"] == pytest.approx(measure.area_m2(shared), rel=1e-6)
    assert problem["area_m2"] > 1_000_000  # about 556 m × 1,910 m
    assert shapely.Point(problem["location"]).within(shape(shared))


def test_gap_is_the_blank_zone_no_grid_covers():
    [problem] = problems_in("gap.geojson")
    blank = box(X0, Y0 + 0.015, X0 + 0.02, Y0 + 0.02)
    assert problem["feature"] == COMMUNITY_A
    assert shape(problem["geometry"]).equals(shape(blank))
    assert problem["area_m2"] == pytest.approx(measure.area_m2(blank), rel=1e-6)


def test_each_separate_gap_is_its_own_problem():
    fc = feature_collection(
        feature(COMMUNITY_A, box(X0, Y0, X0 + 0.02, Y0 + 0.04), level="community"),
        feature(GRID_1, box(X0, Y0 + 0.001, X0 + 0.02, Y0 + 0.02)),
        feature(GRID_2, box(X0, Y0 + 0.02, X0 + 0.02, Y0 + 0.039)),
    )
    gaps = validate_grid_collection(fc)
    assert [p["kind"] for p in gaps] == ["gap", "gap"]
    assert {round(p["location"][1], 4) for p in gaps} == {round(Y0 + 0.0005, 4), round(Y0 + 0.0395, 4)}


def test_rounding_noise_below_the_tolerance_is_ignored_but_counts_when_the_tolerance_is_finer(settings):
    assert problems_in("rounding_noise.geojson") == []
    settings.GRID_TOLERANCE_M2 = 0.01
    assert {p["kind"] for p in problems_in("rounding_noise.geojson")} == {"overlap", "gap"}


def test_boundaries_can_come_from_the_caller():
    assert [p["kind"] for p in problems_in("clean_grids_only.geojson")] == ["unknown_community"] * 2
    known = {COMMUNITY_A: box(X0, Y0, X0 + 0.02, Y0 + 0.04)}
    assert problems_in("clean_grids_only.geojson", communities=known) == []


def test_an_import_for_one_community_refuses_grids_of_another():
    fc = load("clean.geojson")
    problems = validate_grid_collection(fc, community_code="420902001002")
    assert [p["kind"] for p in problems] == ["bad_code", "bad_code"]


def test_features_without_codes_are_named_by_name_or_position():
    fc = feature_collection(
        {"type": "Feature", "properties": {"name": "东区"}, "geometry": box(X0, Y0, X0 + 0.01, Y0 + 0.01)},
        {"type": "Feature", "properties": {}, "geometry": None},
    )
    problems = validate_grid_collection(fc)
    assert [(p["kind"], p["feature"]) for p in problems] == [("malformed", "#1"), ("bad_code", "东区"),
                                                            ("bad_code", "#1")]


def test_check_geometry_judges_one_boundary_on_its_own():
    assert check_geometry(box(X0, Y0, X0 + 0.01, Y0 + 0.01), "x") == []
    bow_tie = {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 0.01, Y0 + 0.01], [X0 + 0.01, Y0],
                                                   [X0, Y0 + 0.01], [X0, Y0]]]}
    [crossing] = check_geometry(bow_tie, "x")
    assert crossing["kind"] == "self_intersection"
    assert crossing["location"] == pytest.approx([X0 + 0.005, Y0 + 0.005])
    point = {"type": "Point", "coordinates": [X0, Y0]}
    assert [p["kind"] for p in check_geometry(point, "x")] == ["not_polygon"]
    assert [p["kind"] for p in check_geometry({"coordinates": []}, "x")] == ["malformed"]
    text_coordinates = {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}
    assert [p["kind"] for p in check_geometry(text_coordinates, "x")] == ["malformed"]


def test_a_multipolygon_grid_is_accepted():
    parts = [box(X0, Y0, X0 + 0.01, Y0 + 0.01), box(X0 + 0.02, Y0, X0 + 0.03, Y0 + 0.01)]
    two_parts = {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in parts]}
    assert check_geometry(two_parts, "x") == []


def test_a_city_of_six_thousand_grids_is_checked_in_seconds_and_every_fault_found():
    fc = synthetic_city()
    started = time.perf_counter()
    assert validate_grid_collection(fc) == []
    assert time.perf_counter() - started < 10

    broken = copy.deepcopy(fc)
    grids = [f for f in broken["features"] if f["properties"].get("level") != "community"]
    grids[10]["geometry"] = shapely.geometry.mapping(shape(grids[10]["geometry"]).buffer(0.0005))
    grids[3000]["geometry"] = shapely.geometry.mapping(shape(grids[3000]["geometry"]).buffer(-0.0003))
    kinds = {p["kind"] for p in validate_grid_collection(json.loads(json.dumps(broken)))}
    assert {"overlap", "gap"} <= kinds
