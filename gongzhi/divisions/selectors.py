"""Scoped reads of the hierarchy. Views and API handlers read divisions only through here."""

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import Count, Q, QuerySet

from gongzhi.accounts.choices import Action
from gongzhi.core import scope

from .choices import LEVELS, Level, child_level
from .geo import coverage as geo
from .models import Division


def divisions_for(user, action: str = Action.VIEW) -> QuerySet[Division]:
    return scope.restrict(Division.objects.filter(is_active=True), user, action)


def grids_for(user, action: str = Action.VIEW) -> QuerySet[Division]:
    return divisions_for(user, action).filter(level=Level.GRID)


def division_for(user, pk, action: str = Action.VIEW, *, include_retired: bool = True) -> Division:
    qs = Division.objects.all() if include_retired else Division.objects.filter(is_active=True)
    return scope.get_in_scope(qs.select_related("parent"), user, action, pk=pk)


def top_divisions_for(user) -> list[Division]:
    """The roots of the user's visible forest: their covered divisions minus any nested in another."""
    if scope.is_global(user):
        return list(Division.objects.filter(is_active=True, parent__isnull=True))
    tops = {d.pk: d for d in scope.covered_divisions(user, Action.VIEW) if d.is_active}
    return sorted(
        (d for d in tops.values() if not any(scope.subtree_contains(o, d) for o in tops.values() if o.pk != d.pk)),
        key=lambda d: d.code,
    )


def children_of(user, division: Division) -> QuerySet[Division]:
    return divisions_for(user).filter(parent=division).order_by("code")


def descendant_counts(divisions: list[Division]) -> dict[int, dict[str, int]]:
    """For each division, how many active divisions of each lower level lie under it (one query per level)."""
    counts: dict[int, dict[str, int]] = {d.pk: {} for d in divisions}
    by_level: dict[str, list[int]] = {}
    for d in divisions:
        by_level.setdefault(d.level, []).append(d.pk)
    for level, ids in by_level.items():
        if level == Level.GRID:
            continue
        rows = (
            Division.objects.filter(is_active=True, **{f"{level}_id__in": ids})
            .exclude(level=level)
            .values(f"{level}_id", "level")
            .annotate(n=Count("id"))
        )
        for row in rows:
            counts[row[f"{level}_id"]][row["level"]] = row["n"]
    return counts


def ancestors(division: Division) -> list[Division]:
    """From the top down, not including the division itself (one query)."""
    ids = [getattr(division, f"{lvl}_id") for lvl in LEVELS[:-1]]
    ids = [i for i in ids if i and i != division.pk]
    if division.parent_id and division.parent_id not in ids:
        ids.append(division.parent_id)
    found = {d.pk: d for d in Division.objects.filter(pk__in=ids)}
    return sorted(found.values(), key=lambda d: LEVELS.index(d.level))


def search_divisions(user, text: str, limit: int = 20) -> QuerySet[Division]:
    text = text.strip()
    if not text:
        return Division.objects.none()
    return divisions_for(user).filter(Q(name__icontains=text) | Q(code__startswith=text)).order_by("code")[:limit]


# --- reads for the API (added; the functions above are unchanged) ---------------------------------


def subtree_for(user, roots: list[Division], depth: int) -> list[Division]:
    """The active divisions in the user's scope lying 1..`depth` levels under one of `roots`,
    ordered by code (one query, whatever the number of roots)."""
    q = Q()
    for root in roots:
        start = LEVELS.index(root.level) + 1
        below = LEVELS[start : start + depth]
        if below:
            q |= scope.subtree_q(root) & Q(level__in=below)
    if not q:
        return []
    return list(divisions_for(user).filter(q).defer("geometry").order_by("code"))


def grids_under(user, division: Division) -> QuerySet[Division]:
    """The active grids in the user's scope under `division` (or the grid itself), ordered by
    code: one indexed WHERE on the cached ancestor column, whatever the level."""
    return grids_for(user).filter(scope.subtree_q(division)).order_by("code")


def lineage_for(user, division: Division) -> tuple[list[int], list[int]]:
    """The ids of `division`'s successors and predecessors that the user may see (retired ones too)."""
    successors = scope.restrict(division.successors.all(), user, Action.VIEW).order_by("code")
    predecessors = scope.restrict(division.predecessors.all(), user, Action.VIEW).order_by("code")
    return list(successors.values_list("pk", flat=True)), list(predecessors.values_list("pk", flat=True))


def recent_changes(division: Division, limit: int = 20) -> list:
    """The division's latest history rows with their actors and related divisions (two queries)."""
    from .models import DivisionChange

    return list(
        DivisionChange.objects.filter(division=division)
        .select_related("actor")
        .prefetch_related("related")
        .order_by("-at", "-id")[:limit]
    )


def ancestor_names(divisions: list[Division]) -> dict[int, list[str]]:
    """For each division, the names of its ancestors from the top down (one query for all)."""
    wanted = {getattr(d, f"{lvl}_id") for d in divisions for lvl in LEVELS[:-1]}
    wanted |= {d.parent_id for d in divisions}
    wanted.discard(None)
    names = dict(Division.objects.filter(pk__in=wanted).values_list("pk", "name"))
    out = {}
    for d in divisions:
        ids = [getattr(d, f"{lvl}_id") for lvl in LEVELS[:-1]]
        ids = [i for i in ids if i and i != d.pk]
        if d.parent_id and d.parent_id not in ids:
            ids.append(d.parent_id)
        out[d.pk] = [names[i] for i in ids if i in names]
    return out


# --- coverage of a district, a city or a province (added) ------------------------------------------
#
# Above a street, "no gaps, no overlaps" is read part by part: for each street of a district (each
# district of a city, each city of a province) how much of it the grids cover, the blank zones
# they leave, the grids claiming the same land, and what cannot be checked for lack of a boundary.
# Two queries load every community and grid of the area through the cached ancestor column; the
# geometry work is vectorised per part, so no figure costs a query of its own.

AREA_COVERAGE_LEVELS = (Level.PROVINCE, Level.CITY, Level.DISTRICT)


@dataclass
class PartCoverage:
    """One child of the checked division: a street of a district, a district of a city."""

    division: Division
    communities: int = 0
    grids: int = 0
    communities_without_grids: int = 0
    missing_boundary: int = 0
    grid_overlaps: int = 0
    blank_zones: int = 0
    blank_area_m2: float = 0.0
    covered_ratio: float | None = None

    @property
    def ok(self) -> bool:
        return not (self.communities_without_grids or self.missing_boundary or self.grid_overlaps
                    or self.blank_zones or self.covered_ratio is None)


@dataclass
class AreaCoverage:
    division: Division
    parts: list[PartCoverage] = field(default_factory=list)
    # {"division" (the part, or the checked division itself for land outside every part),
    #  "community" (the community it lies in, if any), "area_m2", "geometry" (GeoJSON)}
    blank_zones: list[dict] = field(default_factory=list)
    # {"a", "b": the two parts, "area_m2", "geometry"}: parts claiming the same land
    overlaps: list[dict] = field(default_factory=list)
    covered_ratio: float | None = None

    def total(self, name: str):
        return sum(getattr(p, name) for p in self.parts)

    @property
    def blank_area_m2(self) -> float:
        return sum(z["area_m2"] for z in self.blank_zones)

    @property
    def ok(self) -> bool:
        return not self.overlaps and all(p.ok for p in self.parts) and not self.blank_zones

    def summary(self) -> dict:
        """The figures of the page's head and table, for the API."""
        d = self.division
        return {
            "division": {"id": d.pk, "code": d.code, "name": d.name, "level": d.level},
            "ok": self.ok,
            "covered_ratio": self.covered_ratio,
            "overlaps": len(self.overlaps),
            "blank_zones": len(self.blank_zones),
            "blank_area_m2": round(self.blank_area_m2, 2),
            "parts": [{"id": p.division.pk, "code": p.division.code, "name": p.division.name,
                       "level": p.division.level, "ok": p.ok, "communities": p.communities, "grids": p.grids,
                       "communities_without_grids": p.communities_without_grids,
                       "missing_boundary": p.missing_boundary, "grid_overlaps": p.grid_overlaps,
                       "blank_zones": p.blank_zones, "blank_area_m2": round(p.blank_area_m2, 2),
                       "covered_ratio": p.covered_ratio} for p in self.parts],
        }

    def to_geojson(self) -> dict:
        """The parts' outlines, then the overlaps and blank zones on top (grids are not drawn:
        a city has thousands; each part's own page shows them)."""
        features = [_coverage_feature("community", p.division.geometry, division=p.division)
                    for p in self.parts if p.division.geometry]
        features += [_coverage_feature("overlap", o["geometry"], name=f"{o['a'].name} / {o['b'].name}",
                                       area_m2=o["area_m2"], between=[o["a"].pk, o["b"].pk])
                     for o in self.overlaps]
        features += [_coverage_feature("gap", z["geometry"], division=z["community"] or z["division"],
                                       area_m2=z["area_m2"])
                     for z in self.blank_zones]
        return {"type": "FeatureCollection", "features": features}


def _coverage_feature(kind: str, geometry: dict, *, division=None, name: str = "", area_m2=None, **extra) -> dict:
    properties = {"kind": kind, "id": getattr(division, "pk", None), "code": getattr(division, "code", None),
                  "name": division.name if division is not None else name,
                  "area_m2": None if area_m2 is None else round(area_m2, 2), **extra}
    if area_m2 is None and division is not None and division.area_m2 is not None:
        properties["area_m2"] = round(division.area_m2, 2)
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def area_coverage(division: Division) -> AreaCoverage:
    """How the grids cover `division` (a district, city or province), part by part. The caller
    has checked that the user covers `division`; everything read lies in its subtree."""
    part_level = child_level(division.level)
    column = f"{part_level}_id"
    under = {f"{division.level}_id": division.pk, "is_active": True}
    parts = list(Division.objects.filter(parent=division, level=part_level, is_active=True)
                 .only("id", "code", "name", "level", "geometry", "area_m2", "parent_id").order_by("code"))
    communities = list(Division.objects.filter(level=Level.COMMUNITY, **under)
                       .only("id", "code", "name", "level", "geometry", column).order_by("code"))
    grids = list(Division.objects.filter(level=Level.GRID, **under).only("id", "geometry", "community_id", column))

    report = AreaCoverage(division=division)
    rows = {p.pk: PartCoverage(division=p, missing_boundary=0 if p.geometry else 1) for p in parts}
    with_grids = {g.community_id for g in grids}
    for c in communities:
        row = rows.get(getattr(c, column))
        if row is None:
            continue  # filed under a retired part: not this map's to judge
        row.communities += 1
        row.communities_without_grids += c.pk not in with_grids
        row.missing_boundary += not c.geometry
    shapes_by_part: dict[int, list] = {pk: [] for pk in rows}
    groups_by_part: dict[int, list] = {pk: [] for pk in rows}
    for g in grids:
        row = rows.get(getattr(g, column))
        if row is None:
            continue
        row.grids += 1
        if g.geometry:
            shapes_by_part[row.division.pk].append(geo.to_shape(g.geometry))
            groups_by_part[row.division.pk].append(g.community_id)
        else:
            row.missing_boundary += 1

    # Which community a blank zone lies in, by a point inside it.
    drawn_communities = [c for c in communities if c.geometry]
    community_tree = shapely.STRtree([geo.to_shape(c.geometry) for c in drawn_communities]) \
        if drawn_communities else None

    def community_of(piece):
        if community_tree is None:
            return None
        hits = community_tree.query(piece.representative_point(), predicate="within")
        return drawn_communities[int(hits[0])] if len(hits) else None

    unions = []
    for pk, row in rows.items():
        shapes = np.array(shapes_by_part[pk], dtype=object)
        row.grid_overlaps = len(geo.overlaps_among(shapes, groups=groups_by_part[pk]))
        covered = shapely.union_all(shapes) if len(shapes) else None
        if covered is not None:
            unions.append(covered)
        if not row.division.geometry:
            continue
        boundary = geo.to_shape(row.division.geometry)
        layer = [covered] if covered is not None else []
        row.covered_ratio = geo.covered_ratio(boundary, layer)
        pieces = geo.gaps_in(boundary, layer)
        row.blank_zones = len(pieces)
        row.blank_area_m2 = sum(p.area_m2 for p in pieces)
        report.blank_zones += [{"division": row.division, "community": community_of(p.geometry),
                                "area_m2": p.area_m2, "geometry": geo.to_geojson(p.geometry)} for p in pieces]
    report.parts = list(rows.values())

    drawn_parts = [p for p in parts if p.geometry]
    part_shapes = np.array([geo.to_shape(p.geometry) for p in drawn_parts], dtype=object)
    report.overlaps = [{"a": drawn_parts[o.a], "b": drawn_parts[o.b], "area_m2": o.area_m2,
                        "geometry": geo.to_geojson(o.geometry)} for o in geo.overlaps_among(part_shapes)]
    if division.geometry:
        boundary = geo.to_shape(division.geometry)
        report.covered_ratio = geo.covered_ratio(boundary, unions)
        if len(drawn_parts) == len(parts):  # a part without a boundary would show up as a false gap
            report.blank_zones += [{"division": division, "community": None, "area_m2": p.area_m2,
                                    "geometry": geo.to_geojson(p.geometry)}
                                   for p in geo.gaps_in(boundary, part_shapes)]
    report.blank_zones.sort(key=lambda z: -z["area_m2"])
    return report


def grid_for(user, pk, action: str, *, active: bool = False) -> Division:
    """The grid `pk` the user may do `action` on, or 404 (missing and out of scope alike)."""
    grids = Division.objects.filter(level=Level.GRID).select_related("parent", "community", "street")
    if active:
        grids = grids.filter(is_active=True)
    return scope.get_in_scope(grids, user, action, pk=pk)


def with_ancestors(grids: list[Division]) -> list[Division]:
    """The same grids (already read in scope) re-read with their community and street, in one query."""
    by_pk = Division.objects.select_related("community", "street").in_bulk([g.pk for g in grids])
    return [by_pk[g.pk] for g in grids]
