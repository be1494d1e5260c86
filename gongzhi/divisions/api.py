"""Divisions API: the visible hierarchy, one division's detail, its children, grids and search.

Every read goes through gongzhi.divisions.selectors, so a division outside the caller's scope
answers exactly like a missing one (404, {"detail", "code": "not_found"}).
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND

from . import selectors
from .choices import ChangeKind, Level
from .models import Division

router = Router(tags=["divisions"])

PAGE_SIZE = 50


# --- schemas ---------------------------------------------------------------------------------


class DivisionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str
    is_active: bool


class TreeNodeOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str
    counts: dict[str, int] = Field(description="active divisions under this one, per lower level")
    children: list["TreeNodeOut"] | None = Field(
        None, description="the next level down, ordered by code; null where the requested depth ends"
    )


TreeNodeOut.model_rebuild()


class AncestorOut(Schema):
    id: int | None = Field(description="null for an ancestor above the caller's scope: named, not reachable")
    code: str
    name: str
    level: str


class ChangeOut(Schema):
    id: int
    at: datetime
    kind: str
    kind_label: str
    actor: str | None
    reason: str
    related: list[int]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class DivisionDetailOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_label: str
    kind: str
    is_active: bool
    retired_at: datetime | None
    area_m2: float | None
    geometry: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime
    ancestors: list[AncestorOut]
    counts: dict[str, int]
    successors: list[int]
    predecessors: list[int]
    history: list[ChangeOut]


class SearchHitOut(DivisionOut):
    path: list[str] = Field(description="the names of the ancestors, from the top down")


class GridProperties(Schema):
    id: int
    code: str
    name: str
    area_m2: float | None


class GridFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: dict[str, Any] | None
    properties: GridProperties


class GridCollectionOut(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[GridFeature]


# --- operations ------------------------------------------------------------------------------


@router.get("/tree", response={200: list[TreeNodeOut], **NOT_FOUND}, summary="The caller's visible hierarchy")
def division_tree(
    request,
    root: int | None = Query(None, description="start here instead of at the caller's top divisions"),
    depth: int = Query(1, ge=1, le=3, description="how many levels under each root to include"),
):
    user = request.auth
    if root is None:
        roots = selectors.top_divisions_for(user)
    else:
        roots = [selectors.division_for(user, root, include_retired=False)]
    nodes = selectors.subtree_for(user, roots, depth)
    counts = selectors.descendant_counts([*roots, *nodes])
    return _nest(roots, nodes, counts, depth)


@router.get("/search", response={200: list[SearchHitOut], **AUTH_ERRORS},
            summary="Find divisions by name or code")
def division_search(
    request,
    q: str = Query(..., min_length=1, max_length=100, description="part of a name, or the start of a code"),
    limit: int = Query(20, ge=1, le=50),
):
    hits = list(selectors.search_divisions(request.auth, q, limit=limit))
    paths = selectors.ancestor_names(hits)
    return [{**_division(d), "path": paths[d.pk]} for d in hits]


@router.get("/{division_id}", response={200: DivisionDetailOut, **NOT_FOUND}, summary="One division")
def division_detail(request, division_id: int):
    user = request.auth
    division = selectors.division_for(user, division_id)
    successors, predecessors = selectors.lineage_for(user, division)
    return {
        **_division(division),
        "level_label": str(Level(division.level).label),
        "retired_at": division.retired_at,
        "area_m2": division.area_m2,
        "geometry": division.geometry,
        "version": division.version,
        "created_at": division.created_at,
        "updated_at": division.updated_at,
        # Ancestors above the caller's scope are named (code and name) but not linked.
        "ancestors": [
            {"id": a.pk if scope.covers(user, Action.VIEW, a) else None, "code": a.code, "name": a.name,
             "level": a.level}
            for a in selectors.ancestors(division)
        ],
        "counts": selectors.descendant_counts([division])[division.pk],
        "successors": successors,
        "predecessors": predecessors,
        "history": [_change(user, c) for c in selectors.recent_changes(division)],
    }


@router.get("/{division_id}/children", response={200: list[DivisionOut], **NOT_FOUND},
            summary="A division's active children, by code")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def division_children(request, division_id: int):
    division = selectors.division_for(request.auth, division_id)
    return selectors.children_of(request.auth, division).defer("geometry")


@router.get("/{division_id}/grids", response={200: GridCollectionOut, **NOT_FOUND},
            summary="The active grids under a division, as GeoJSON")
def division_grids(request, division_id: int):
    """A community's grids; for a street or any higher level, every grid under it (one query)."""
    division = selectors.division_for(request.auth, division_id)
    grids = selectors.grids_under(request.auth, division).only("id", "code", "name", "area_m2", "geometry")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": g.pk, "geometry": g.geometry,
             "properties": {"id": g.pk, "code": g.code, "name": g.name, "area_m2": g.area_m2}}
            for g in grids
        ],
    }


# --- shaping ---------------------------------------------------------------------------------


def _division(d: Division) -> dict:
    return {"id": d.pk, "code": d.code, "name": d.name, "level": d.level, "kind": d.kind,
            "is_active": d.is_active}


def _nest(roots: list[Division], nodes: list[Division], counts: dict, depth: int) -> list[dict]:
    """Hang `nodes` under their parents. Roots are level 0; nodes on the deepest requested level
    (and grids, which have none) get children = null."""
    by_parent: dict[int, list[Division]] = {}
    for d in nodes:
        by_parent.setdefault(d.parent_id, []).append(d)

    def node(d: Division, level: int) -> dict:
        out = {**_division(d), "counts": counts.get(d.pk, {}), "children": None}
        if level < depth and d.level != Level.GRID:
            out["children"] = [node(c, level + 1) for c in by_parent.get(d.pk, [])]
        return out

    return [node(r, 0) for r in roots]


def _change(user, change) -> dict:
    return {
        "id": change.pk,
        "at": change.at,
        "kind": change.kind,
        "kind_label": str(ChangeKind(change.kind).label) if change.kind in ChangeKind.values else change.kind,
        "actor": str(change.actor) if change.actor_id else None,
        "reason": change.reason,
        # Only the related divisions the caller could open themselves.
        "related": [r.pk for r in change.related.all() if scope.covers(user, Action.VIEW, r)],
        "before": change.before,
        "after": change.after,
    }

