"""Grids API (/api/v1/grids/): list, locate a point, one grid as GeoJSON, edits, validation, coverage.

Reads narrow through gongzhi.divisions.selectors and gongzhi.core.scope (Action.VIEW); writes
fetch their grids and communities with Action.MANAGE_GRIDS, so a grid outside the caller's
divisions answers exactly like a missing one (404). `GET /locate` alone is public: residents'
phones ask it before anyone signs in.
"""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.core.schemas import ErrorOut, ProblemsOut

from . import selectors
from .choices import Level
from .geo import validate
from .geo.coverage import coverage_report
from .geo.locate import locate_grid, to_wgs84
from .models import Division
from .services import grids as grid_services

router = Router(tags=["grids"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
LOCATE_RATE = "120/m"  # per address, for callers without a token: enough for a phone, not for a scraper
READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ProblemsOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ProblemsOut}


# --- schemas ---------------------------------------------------------------------------------


class DivisionRefOut(Schema):
    id: int
    code: str
    name: str


class GridAncestorOut(DivisionRefOut):
    level: str


class GridOut(Schema):
    id: int
    code: str
    name: str
    community: DivisionRefOut | None
    street: DivisionRefOut | None
    area_m2: float | None
    geometry: dict[str, Any] | None = Field(None, description="only with ?geometry=1")


class GridPageOut(Schema):
    items: list[GridOut]
    count: int
    page: int
    page_size: int


class LocateOut(Schema):
    grid: DivisionRefOut
    ancestors: list[GridAncestorOut] = Field(description="from the province down to the grid's community")
    wgs84: list[float] = Field(description="the point as WGS-84 [lng, lat] (after conversion from GCJ-02)")


class GridFeatureOut(Schema):
    type: str = "Feature"
    id: int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class BoundaryIn(Schema):
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, WGS-84")
    reason: str = Field(..., max_length=500)
    version: int | None = Field(None, description="the version the editor saw; a newer one refuses the edit")


class BoundaryOut(Schema):
    grid: GridFeatureOut
    changed: bool
    warnings: list[dict[str, Any]] = Field(description="gaps the community is left with (not refused)")


class SplitIn(Schema):
    line: dict[str, Any] | None = Field(None, description="a GeoJSON LineString across the grid")
    parts: list[dict[str, Any]] | dict[str, Any] | None = Field(
        None, description="polygons (or a FeatureCollection) whose union is the grid")
    names: list[str] | None = None
    reason: str = Field(..., max_length=500)


class GridMergeIn(Schema):
    grids: list[int] = Field(..., min_length=2)
    name: str = Field(..., max_length=100)
    reason: str = Field(..., max_length=500)


class GridImportIn(Schema):
    community: int
    feature_collection: dict[str, Any]
    reason: str = Field(..., max_length=500)
    confirm_retire: bool = Field(False, description=(
        "needed when the file would retire all of the community's grids, or more than the configured "
        "share of them (GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE); without it such an import is refused "
        "(400, code confirm_retire) with what sits on those grids"))


class GridsOut(Schema):
    grids: list[GridOut]


class ImportOut(Schema):
    created: list[GridOut]
    redrawn: list[GridOut]
    retired: list[GridOut]
    unchanged: list[GridOut]


class ValidateOut(Schema):
    ok: bool
    problems: list[dict[str, Any]]


# --- reads -----------------------------------------------------------------------------------


@router.get("/", response={200: GridPageOut, **READ_ERRORS}, exclude_unset=True,
            summary="The grids the caller may see, by code")
def grid_list(
    request,
    community: int | None = Query(None, description="only the grids of this community (id)"),
    street: int | None = Query(None, description="only the grids under this street (id)"),
    q: str | None = Query(None, max_length=100, description="part of a name, or the start of a code"),
    geometry: bool = Query(False, description="include each grid's boundary"),
    page: int = Query(1, ge=1),
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    grids = selectors.grids_for(request.auth).select_related("community", "street").order_by("code")
    if community is not None:
        grids = grids.filter(community_id=community)
    if street is not None:
        grids = grids.filter(street_id=street)
    if q and q.strip():
        grids = grids.filter(Q(name__icontains=q.strip()) | Q(code__startswith=q.strip()))
    if not geometry:
        grids = grids.defer("geometry")
    start = (page - 1) * page_size
    items = [_grid(g, geometry=geometry) for g in grids[start:start + page_size]]
    return {"items": items, "count": grids.count(), "page": page, "page_size": page_size}


@router.get("/locate", auth=None,
            response={200: LocateOut, 400: ErrorOut, 404: ErrorOut, 422: ProblemsOut, 429: ErrorOut},
            throttle=[AnonRateThrottle(LOCATE_RATE)], summary="The grid a point lies in (public)")
def grid_locate(
    request,
    lng: float = Query(..., description="longitude"),
    lat: float = Query(..., description="latitude"),
    crs: str = Query("wgs84", description="wgs84, or gcj02 as Chinese map apps and WeChat report"),
):
    wgs84 = to_wgs84(lng, lat, crs)
    grid = locate_grid(*wgs84)
    if grid is None:
        return Status(404, {"detail": _("No grid covers this point: it lies outside our jurisdiction."),
                            "code": "outside_jurisdiction"})
    return {
        "grid": {"id": grid.pk, "code": grid.code, "name": grid.name},
        "ancestors": [{"id": a.pk, "code": a.code, "name": a.name, "level": a.level}
                      for a in selectors.ancestors(grid)],
        "wgs84": list(wgs84),
    }


@router.get("/coverage/{int:division_id}", response={200: dict[str, Any], 400: ErrorOut, **READ_ERRORS},
            summary="How the grids cover a community, a street, a district or a city, as GeoJSON")
def grid_coverage(request, division_id: int):
    """A FeatureCollection of the divisions and their overlaps, gaps and parts outside, with a
    `summary` member (counts, areas, covered ratio, ok). For a district, city or province: its
    parts' outlines, the overlaps between them and the blank zones, and a summary per part (the
    coverage page's figures)."""
    division = selectors.division_for(request.auth, division_id, include_retired=False)
    if division.level in selectors.AREA_COVERAGE_LEVELS:
        report = selectors.area_coverage(division)
    else:
        report = coverage_report(division)
    return {**report.to_geojson(), "summary": report.summary()}


@router.get("/{int:grid_id}", response={200: GridFeatureOut, **READ_ERRORS}, summary="One grid as GeoJSON")
def grid_detail(request, grid_id: int):
    grid = _grid_for(request.auth, grid_id, Action.VIEW)
    return _feature(grid, ancestors=selectors.ancestors(grid))


# --- writes ----------------------------------------------------------------------------------


@router.put("/{int:grid_id}/boundary", response={200: BoundaryOut, **WRITE_ERRORS},
            summary="Re-draw a grid's boundary")
def grid_boundary(request, grid_id: int, body: BoundaryIn):
    grid = _grid_for(request.auth, grid_id, Action.MANAGE_GRIDS, active=True)
    result = grid_services.set_grid_boundary(actor=request.auth, grid=grid, geometry=body.geometry,
                                             reason=body.reason, expected_version=body.version)
    return {"grid": _feature(result.grid), "changed": result.changed, "warnings": result.warnings}


@router.post("/{int:grid_id}/split", response={200: GridsOut, **WRITE_ERRORS},
             summary="Split a grid along a line, or into given parts")
def grid_split(request, grid_id: int, body: SplitIn):
    grid = _grid_for(request.auth, grid_id, Action.MANAGE_GRIDS, active=True)
    new = grid_services.split_grid(actor=request.auth, grid=grid, line=body.line, parts=body.parts,
                                   names=body.names, reason=body.reason)
    return {"grids": [_grid(g) for g in _with_ancestors(new)]}


@router.post("/merge", response={200: GridOut, **WRITE_ERRORS},
             summary="Merge touching grids of one community")
def grid_merge(request, body: GridMergeIn):
    grids = [_grid_for(request.auth, pk, Action.MANAGE_GRIDS, active=True)
             for pk in dict.fromkeys(body.grids)]
    merged = grid_services.merge_grids(actor=request.auth, grids=grids, name=body.name, reason=body.reason)
    return _grid(_with_ancestors([merged])[0])


@router.post("/import", response={200: ImportOut, **WRITE_ERRORS},
             summary="Replace a community's grids with a FeatureCollection (all or nothing)")
def grid_import(request, body: GridImportIn):
    community = scope.get_in_scope(Division.objects.filter(level=Level.COMMUNITY, is_active=True),
                                   request.auth, Action.MANAGE_GRIDS, pk=body.community)
    result = grid_services.import_community_grids(actor=request.auth, community=community,
                                                  feature_collection=body.feature_collection,
                                                  reason=body.reason, confirm_retire=body.confirm_retire)
    return {key: [_grid(g) for g in _with_ancestors(getattr(result, key))]
            for key in ("created", "redrawn", "retired", "unchanged")}


@router.post("/validate", response={200: ValidateOut, 401: ErrorOut, 403: ErrorOut, 422: ProblemsOut},
             summary="Every problem of a grid FeatureCollection; nothing is written")
def grid_validate(request, feature_collection: Body[dict[str, Any]]):
    """Community boundaries come from the file and otherwise from the communities the caller may
    see; a community outside the caller's divisions is as unknown as a missing one."""
    user = request.auth
    if not scope.may(user, Action.MANAGE_GRIDS):
        return Status(403, {"detail": _("You may not edit grids."), "code": "forbidden"})
    boundaries = _visible_boundaries(user, feature_collection)
    problems = validate.validate_grid_collection(feature_collection, communities=boundaries)
    return {"ok": not problems, "problems": problems}


# --- helpers ---------------------------------------------------------------------------------


def _grid_for(user, pk: int, action: str, *, active: bool = False) -> Division:
    """The grid `pk` the user may do `action` on, or 404 (missing and out of scope alike)."""
    return selectors.grid_for(user, pk, action, active=active)


def _with_ancestors(grids: list[Division]) -> list[Division]:
    return selectors.with_ancestors(grids)


def _ref(division: Division | None) -> dict | None:
    return None if division is None else {"id": division.pk, "code": division.code, "name": division.name}


def _grid(grid: Division, *, geometry: bool = False) -> dict:
    out = {"id": grid.pk, "code": grid.code, "name": grid.name, "community": _ref(grid.community),
           "street": _ref(grid.street), "area_m2": grid.area_m2}
    if geometry:
        out["geometry"] = grid.geometry
    return out


def _feature(grid: Division, ancestors: list[Division] | None = None) -> dict:
    properties = {
        "id": grid.pk, "code": grid.code, "name": grid.name, "level": grid.level, "area_m2": grid.area_m2,
        "version": grid.version, "is_active": grid.is_active,
        "retired_at": grid.retired_at.isoformat() if grid.retired_at else None,
    }
    if ancestors is not None:
        properties["ancestors"] = [{"id": a.pk, "code": a.code, "name": a.name, "level": a.level}
                                   for a in ancestors]
    return {"type": "Feature", "id": grid.pk, "geometry": grid.geometry, "properties": properties}


def _visible_boundaries(user, fc) -> dict[str, dict]:
    """Stored boundaries of the communities the file needs, among those the user may see."""
    codes = validate.missing_communities(fc)
    if not codes:
        return {}
    communities = selectors.divisions_for(user).filter(level=Level.COMMUNITY, code__in=codes,
                                                       geometry__isnull=False)
    return dict(communities.values_list("code", "geometry"))
