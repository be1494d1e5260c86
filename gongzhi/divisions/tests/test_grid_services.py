"""Grid writes: re-draw, import, split, merge — each audited, nothing deleted, roles following the
ground, and a refused write changing nothing at all."""

import pytest
from shapely.geometry import shape

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core import scope
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.models import AuditEntry
from gongzhi.divisions.choices import ChangeKind
from gongzhi.divisions.geo import measure
from gongzhi.divisions.geo.index import reset_grid_index
from gongzhi.divisions.geo.locate import locate_grid
from gongzhi.divisions.models import Division, GridIndexVersion
from gongzhi.divisions.selectors import grids_for
from gongzhi.divisions.services.grids import (
    GeometryRejected,
    import_community_grids,
    merge_grids,
    set_grid_boundary,
    split_grid,
)

from .grids_support import COMMUNITY_A, X0, Y0, box, feature, feature_collection, state

pytestmark = pytest.mark.django_db
REASON = "2024 re-drawing of 书院社区 after the new road opened"


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_grid_index()
    yield
    reset_grid_index()


def rect(y0: float, y1: float, x0: float = 0.0, x1: float = 0.02) -> dict:
    """A box in 书院社区, by offsets (degrees) from its south-west corner."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def live_grids_of(user) -> set[str]:
    """The grids the user sees on their next request (assignments are cached per request)."""
    scope.forget_assignments(user)
    return set(grids_for(user).values_list("code", flat=True))


def refused(call, exception=GeometryRejected):
    before = state()
    with pytest.raises(exception) as caught:
        call()
    assert state() == before
    return caught.value


# --- set_grid_boundary ---------------------------------------------------------------------------


def test_redrawing_a_shared_edge_moves_ground_between_neighbours(city):
    officer = city.street_officer_a
    counter_before = GridIndexVersion.objects.get().counter
    first = set_grid_boundary(actor=officer, grid=city.grid_a, geometry=rect(0, 0.015), reason=REASON,
                              expected_version=1)
    # Grid 1 gave up a strip that grid 2 has not taken yet: a warning, not a refusal.
    assert first.changed
    [gap] = first.warnings
    assert gap["kind"] == "gap"
    assert gap["area_m2"] == pytest.approx(measure.area_m2(rect(0.015, 0.02)), rel=1e-6)

    second = set_grid_boundary(actor=officer, grid=city.grid_a_2, geometry=rect(0.015, 0.04), reason=REASON)
    assert second.warnings == []
    assert locate_grid(X0 + 0.01, Y0 + 0.017) == city.grid_a_2

    grid = Division.objects.get(pk=city.grid_a.pk)
    assert grid.version == 2
    assert grid.area_m2 == pytest.approx(measure.area_m2(rect(0, 0.015)))
    change = grid.changes.get(kind=ChangeKind.REDRAWN)
    assert change.reason == REASON
    assert change.actor == officer
    assert shape(change.before["geometry"]).equals(shape(city.grid_a.geometry))
    assert shape(change.after["geometry"]).equals(shape(grid.geometry))
    entry = AuditEntry.objects.get(action="grid.redraw", object_id=str(grid.pk))
    assert entry.actor == officer
    assert entry.before["version"] == 1
    assert entry.after["version"] == 2
    assert GridIndexVersion.objects.get().counter == counter_before + 2  # one move per edit


def test_an_unchanged_boundary_writes_nothing(city):
    before = state()
    result = set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a, geometry=city.grid_a.geometry,
                               reason=REASON)
    assert not result.changed
    assert state() == before


def test_overlapping_a_sibling_is_refused_with_the_overlap(city):
    error = refused(lambda: set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a,
                                              geometry=rect(0, 0.025), reason=REASON))
    [problem] = error.details
    assert problem["kind"] == "overlap"
    assert (problem["feature"], problem["other"]) == (city.grid_a.code, city.grid_a_2.code)
    assert problem["area_m2"] > 1_000_000


def test_reaching_out_of_the_community_is_refused(city):
    error = refused(lambda: set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a,
                                              geometry=rect(0, 0.02, x0=-0.001), reason=REASON))
    assert [p["kind"] for p in error.details] == ["outside_parent"]


def test_a_self_intersecting_boundary_is_refused(city):
    bow_tie = {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 0.02, Y0 + 0.02], [X0 + 0.02, Y0],
                                                   [X0, Y0 + 0.02], [X0, Y0]]]}
    error = refused(lambda: set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a, geometry=bow_tie,
                                              reason=REASON))
    assert [p["kind"] for p in error.details] == ["self_intersection"]


def test_a_stale_edit_is_refused(city):
    set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a, geometry=rect(0, 0.015), reason=REASON)
    refused(lambda: set_grid_boundary(actor=city.community_secretary, grid=city.grid_a,
                                      geometry=rect(0, 0.01), reason=REASON, expected_version=1), StaleEdit)


def test_a_reason_is_required(city):
    error = refused(lambda: set_grid_boundary(actor=city.street_officer_a, grid=city.grid_a,
                                              geometry=rect(0, 0.015), reason="  "), DomainError)
    assert error.code == "reason_required"


# --- import_community_grids ----------------------------------------------------------------------


def new_layer(**replace) -> dict:
    """书院社区 re-drawn: grid 2 unchanged, grid 1 replaced by west and east halves (003, 004)."""
    grids = {"002": rect(0.02, 0.04), "003": rect(0, 0.02, x1=0.01), "004": rect(0, 0.02, x0=0.01), **replace}
    return feature_collection(*(feature(COMMUNITY_A + number, geometry, name=f"书院社区{number}网格")
                                for number, geometry in grids.items() if geometry))


def test_import_replaces_the_community_layer_and_retires_what_the_file_drops(city):
    worker = city.grid_worker
    result = import_community_grids(actor=city.street_officer_a, community=city.community_a,
                                    feature_collection=new_layer(), reason=REASON)
    assert [g.code for g in result.created] == [COMMUNITY_A + "003", COMMUNITY_A + "004"]
    assert [g.code for g in result.redrawn] == [city.grid_a_2.code]  # renamed by the file
    assert [g.code for g in result.retired] == [city.grid_a.code]

    old = Division.objects.get(pk=city.grid_a.pk)
    assert not old.is_active
    assert old.retired_at is not None
    assert set(old.successors.values_list("code", flat=True)) == {COMMUNITY_A + "003", COMMUNITY_A + "004"}
    assert Division.objects.get(pk=city.grid_a_2.pk).name == "书院社区002网格"
    # The grid worker of the retired grid now covers both grids on its ground.
    assert live_grids_of(worker) == {COMMUNITY_A + "003", COMMUNITY_A + "004"}
    assert AuditEntry.objects.filter(action="grids.import", object_id=str(city.community_a.pk)).count() == 1
    assert AuditEntry.objects.filter(action="role.grant", actor=city.street_officer_a).count() == 2
    assert locate_grid(X0 + 0.015, Y0 + 0.01).code == COMMUNITY_A + "004"


def test_import_with_a_gap_is_refused_whole(city):
    without_004 = new_layer(**{"004": None})
    error = refused(lambda: import_community_grids(actor=city.street_officer_a, community=city.community_a,
                                                   feature_collection=without_004, reason=REASON))
    [gap] = error.details
    assert gap["kind"] == "gap"
    assert shape(gap["geometry"]).equals(shape(rect(0, 0.02, x0=0.01)))


def test_import_refuses_grids_of_another_community(city):
    foreign = new_layer(**{"004": None})
    foreign["features"].append(feature("420902001002004", rect(0, 0.02, x0=0.01)))
    error = refused(lambda: import_community_grids(actor=city.street_officer_a, community=city.community_a,
                                                   feature_collection=foreign, reason=REASON))
    assert "bad_code" in [p["kind"] for p in error.details]


def test_import_refuses_to_give_a_retired_grid_s_code_to_new_ground(city):
    split_grid(actor=city.street_officer_a, grid=city.grid_a, line=vertical_line(X0 + 0.01), reason=REASON)
    layer = feature_collection(feature(city.grid_a.code, rect(0, 0.02)),
                               feature(city.grid_a_2.code, rect(0.02, 0.04)))
    error = refused(lambda: import_community_grids(actor=city.street_officer_a, community=city.community_a,
                                                   feature_collection=layer, reason=REASON))
    assert [(p["kind"], p["feature"]) for p in error.details] == [("bad_code", city.grid_a.code)]


# --- split_grid ----------------------------------------------------------------------------------


def vertical_line(x: float) -> dict:
    return {"type": "LineString", "coordinates": [[x, Y0 - 0.001], [x, Y0 + 0.021]]}


def test_split_along_a_line_makes_new_grids_and_moves_the_grid_worker(city):
    worker = city.grid_worker
    assert live_grids_of(worker) == {city.grid_a.code}
    west, east = split_grid(actor=city.street_officer_a, grid=city.grid_a, line=vertical_line(X0 + 0.01),
                            names=["书院西网格", "书院东网格"], reason=REASON)

    assert (west.code, west.name) == (COMMUNITY_A + "003", "书院西网格")
    assert (east.code, east.name) == (COMMUNITY_A + "004", "书院东网格")
    assert shape(west.geometry).equals(shape(rect(0, 0.02, x1=0.01)))
    assert west.area_m2 + east.area_m2 == pytest.approx(city.grid_a.area_m2)
    old = Division.objects.get(pk=city.grid_a.pk)
    assert not old.is_active
    assert set(old.successors.all()) == {west, east}
    assert set(old.changes.get(kind=ChangeKind.SPLIT).related.all()) == {west, east}
    assert list(west.changes.get(kind=ChangeKind.SPLIT_FROM).related.all()) == [old]

    assert live_grids_of(worker) == {west.code, east.code}
    revoked = RoleAssignment.objects.get(user=worker, division=old)
    assert revoked.revoked_at is not None
    assert AuditEntry.objects.filter(action="role.revoke", object_id=str(revoked.pk)).exists()
    assert AuditEntry.objects.filter(action="grid.split", object_id=str(old.pk), reason=REASON).exists()
    assert locate_grid(X0 + 0.015, Y0 + 0.01) == east


def test_split_by_parts_uses_their_order_and_default_names(city):
    parts = [rect(0.01, 0.02), rect(0, 0.01)]
    north, south = split_grid(actor=city.community_secretary, grid=city.grid_a, parts=parts, reason=REASON)
    assert shape(north.geometry).equals(shape(parts[0]))
    assert shape(south.geometry).equals(shape(parts[1]))
    assert city.community_a.name in north.name


def test_split_by_a_feature_collection_takes_the_features_names(city):
    parts = feature_collection(feature("", rect(0, 0.02, x1=0.01), name="西"),
                               feature("", rect(0, 0.02, x0=0.01), name="东"))
    new = split_grid(actor=city.community_secretary, grid=city.grid_a, parts=parts, reason=REASON)
    assert [g.name for g in new] == ["西", "东"]


def test_parts_that_do_not_tile_the_grid_are_refused(city):
    short = [rect(0, 0.02, x1=0.01), rect(0, 0.019, x0=0.01)]
    error = refused(lambda: split_grid(actor=city.street_officer_a, grid=city.grid_a, parts=short,
                                       reason=REASON))
    assert [p["kind"] for p in error.details] == ["gap"]
    overlapping = [rect(0, 0.02, x1=0.012), rect(0, 0.02, x0=0.01)]
    error = refused(lambda: split_grid(actor=city.street_officer_a, grid=city.grid_a, parts=overlapping,
                                       reason=REASON))
    assert [p["kind"] for p in error.details] == ["overlap"]


def test_a_line_that_misses_the_grid_is_refused(city):
    error = refused(lambda: split_grid(actor=city.street_officer_a, grid=city.grid_a,
                                       line=vertical_line(X0 + 0.03), reason=REASON), DomainError)
    assert error.code == "bad_line"


def test_new_grids_never_take_a_retired_grid_s_number(city):
    west, east = split_grid(actor=city.street_officer_a, grid=city.grid_a, line=vertical_line(X0 + 0.01),
                            reason=REASON)
    merged = merge_grids(actor=city.street_officer_a, grids=[west, east], name="书院南网格", reason=REASON)
    assert merged.code == COMMUNITY_A + "005"  # 001 is retired, 003 and 004 too


# --- merge_grids ---------------------------------------------------------------------------------


def test_merge_makes_one_grid_of_two_neighbours(city):
    worker = city.grid_worker
    RoleAssignment.objects.create(user=worker, role="grid_worker", division=city.grid_a_2)
    merged = merge_grids(actor=city.street_officer_a, grids=[city.grid_a, city.grid_a_2], name="书院社区网格",
                         reason=REASON)
    assert merged.code == COMMUNITY_A + "003"
    assert shape(merged.geometry).equals(shape(city.community_a.geometry))
    for old in (city.grid_a, city.grid_a_2):
        old = Division.objects.get(pk=old.pk)
        assert not old.is_active
        assert list(old.successors.all()) == [merged]
    assert set(merged.changes.get(kind=ChangeKind.MERGED_FROM).related.all()) == {city.grid_a, city.grid_a_2}
    # The worker held both grids; they now hold the merged one, once.
    assert RoleAssignment.objects.filter(user=worker, revoked_at__isnull=True).count() == 1
    assert live_grids_of(worker) == {merged.code}


def test_grids_of_two_communities_cannot_be_merged(city):
    refused(lambda: merge_grids(actor=city.street_officer_a, grids=[city.grid_a, city.grid_a2], name="x",
                                reason=REASON), DomainError)


def test_grids_that_do_not_touch_cannot_be_merged(city):
    strips = [rect(0, 0.02, x1=0.005), rect(0, 0.02, x0=0.005, x1=0.015), rect(0, 0.02, x0=0.015)]
    officer = city.street_officer_a
    west, _middle, east = split_grid(actor=officer, grid=city.grid_a, parts=strips, reason=REASON)
    error = refused(lambda: merge_grids(actor=officer, grids=[west, east], name="x", reason=REASON),
                    DomainError)
    assert error.code == "not_adjacent"


def test_a_retired_grid_cannot_be_merged_again(city):
    merge_grids(actor=city.street_officer_a, grids=[city.grid_a, city.grid_a_2], name="一", reason=REASON)
    refused(lambda: merge_grids(actor=city.street_officer_a, grids=[city.grid_a, city.grid_a_2], name="二",
                                reason=REASON), DomainError)
