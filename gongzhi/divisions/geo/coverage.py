"""How a layer of polygons covers a boundary: overlaps, gaps ("governance blank zones") and parts
sticking out.

The primitives work on shapely arrays, so file validation, the grid write services and the coverage
report share one definition of each problem; `coverage_report` applies them to stored divisions.
Anything smaller than settings.GRID_TOLERANCE_M2 is coordinate rounding, not a problem.
"""

import json
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gongzhi.core.errors import DomainError

from ..choices import Level
from ..models import Division
from . import measure

# DE-9IM pattern "the interiors meet": neighbours sharing only an edge or a corner do not match.
INTERIORS_MEET = "T********"


def tolerance_m2() -> float:
    return settings.GRID_TOLERANCE_M2


def to_shape(geometry: dict) -> BaseGeometry:
    return shape(geometry)


def to_geojson(geom: BaseGeometry) -> dict:
    """A plain GeoJSON dict (lists, not tuples) that JSON fields and API answers store as is."""
    return json.loads(shapely.to_geojson(geom))


def areas_m2(geoms) -> np.ndarray:
    """Vectorised `measure.area_m2`: the same local projection around each shape's own mid-latitude.

    Scaling x by kx and y by ky scales an area by kx·ky, so the degree area times that factor is
    exactly what measure computes one shape at a time."""
    geoms = np.asarray(geoms, dtype=object)
    bounds = shapely.bounds(geoms)
    lat0 = np.radians((bounds[:, 1] + bounds[:, 3]) / 2)
    k = (measure.EARTH_RADIUS_M * math.pi / 180) ** 2 * np.cos(lat0)
    return np.nan_to_num(shapely.area(geoms) * k)  # empty shapes have NaN bounds and no area


@dataclass(frozen=True)
class Overlap:
    """Layer members `a` and `b` (indexes, a < b) share `geometry`, of `area_m2`."""

    a: int
    b: int
    geometry: BaseGeometry
    area_m2: float


@dataclass(frozen=True)
class Piece:
    """A polygon of `area_m2`: a gap in a boundary, or the part of layer member `index` outside it."""

    geometry: BaseGeometry
    area_m2: float
    index: int | None = None


def overlaps_among(geoms, groups=None) -> list[Overlap]:
    """Pairs of polygons whose interiors share more than the tolerance.

    With `groups` (one label per polygon) only pairs in the same group count: sibling grids of one
    community, not neighbours across a community border. An STRtree finds the candidate pairs, so a
    city of thousands of grids costs about as much as its neighbouring pairs."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return []
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    if groups is not None:
        groups = np.asarray(groups, dtype=object)
        keep &= groups[left] == groups[right]
    left, right = left[keep], right[keep]
    meet = shapely.relate_pattern(geoms[left], geoms[right], INTERIORS_MEET)
    left, right = left[meet], right[meet]
    shared = shapely.intersection(geoms[left], geoms[right])
    areas = areas_m2(shared)
    big = areas > tolerance_m2()
    return [
        Overlap(int(a), int(b), g, float(area))
        for a, b, g, area in zip(left[big], right[big], shared[big], areas[big], strict=True)
    ]


def gaps_in(boundary: BaseGeometry, geoms) -> list[Piece]:
    """The parts of `boundary` no polygon of the layer covers, each larger than the tolerance."""
    covered = shapely.union_all(np.asarray(geoms, dtype=object)) if len(geoms) else None
    blank = boundary if covered is None else shapely.difference(boundary, covered)
    return _big_pieces(shapely.get_parts(blank))


def outside_of(boundary: BaseGeometry, geoms) -> list[Piece]:
    """For each polygon reaching out of `boundary` by more than the tolerance, the part outside."""
    outside = shapely.difference(np.asarray(geoms, dtype=object), boundary)
    areas = areas_m2(outside)
    return [
        Piece(outside[i], float(areas[i]), index=int(i)) for i in np.flatnonzero(areas > tolerance_m2())
    ]


def _big_pieces(parts) -> list[Piece]:
    parts = np.asarray(parts, dtype=object)
    if not len(parts):
        return []
    areas = areas_m2(parts)
    return [Piece(parts[i], float(areas[i])) for i in np.flatnonzero(areas > tolerance_m2())]


def covered_ratio(boundary: BaseGeometry, geoms) -> float:
    """The share of `boundary` that some polygon of the layer covers (0…1)."""
    whole = measure.area_m2(boundary)
    if not whole or not len(geoms):
        return 0.0
    covered = shapely.intersection(boundary, shapely.union_all(np.asarray(geoms, dtype=object)))
    return min(1.0, measure.area_m2(covered) / whole)


# --- the report on stored divisions ---------------------------------------------------------------


@dataclass
class CoverageReport:
    """How a community's grids (or a street's communities and their grids) cover its boundary.

    `overlaps` holds {"a", "b": Division, "area_m2", "geometry"}; `gaps` {"division" (where the
    blank zone lies), "area_m2", "geometry"}; `outside` {"division", "area_m2", "geometry"}.
    Geometries are GeoJSON dicts. `missing_boundary` lists divisions nothing can be checked for."""

    division: Division
    communities: list[Division] = field(default_factory=list)
    grids: list[Division] = field(default_factory=list)
    overlaps: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    outside: list[dict] = field(default_factory=list)
    missing_boundary: list[Division] = field(default_factory=list)
    covered_ratio: float | None = None

    @property
    def ok(self) -> bool:
        return not (self.overlaps or self.gaps or self.outside or self.missing_boundary)

    def summary(self) -> dict:
        return {
            "division": {"id": self.division.pk, "code": self.division.code, "name": self.division.name,
                         "level": self.division.level},
            "ok": self.ok,
            "covered_ratio": self.covered_ratio,
            "communities": len(self.communities),
            "grids": len(self.grids),
            "overlaps": len(self.overlaps),
            "overlap_area_m2": round(sum(o["area_m2"] for o in self.overlaps), 2),
            "gaps": len(self.gaps),
            "gap_area_m2": round(sum(g["area_m2"] for g in self.gaps), 2),
            "outside": len(self.outside),
            "outside_area_m2": round(sum(o["area_m2"] for o in self.outside), 2),
            "missing_boundary": [d.code for d in self.missing_boundary],
        }

    def to_geojson(self) -> dict:
        """A FeatureCollection the map draws as is: the divisions first, then the problems on top."""
        features = [_division_feature("community", d) for d in self.communities if d.geometry]
        features += [_division_feature("grid", d) for d in self.grids if d.geometry]
        features += [
            _feature("overlap", o["geometry"], code=None, name=f"{o['a'].name} / {o['b'].name}", id=None,
                     area_m2=o["area_m2"], between=[o["a"].pk, o["b"].pk])
            for o in self.overlaps
        ]
        features += [
            _feature(kind, p["geometry"], code=where.code, name=where.name, id=where.pk, area_m2=p["area_m2"])
            for kind, pieces in (("gap", self.gaps), ("outside", self.outside))
            for p in pieces
            for where in [p["division"]]
        ]
        return {"type": "FeatureCollection", "features": features}


def _feature(kind: str, geometry: dict, **properties) -> dict:
    properties["area_m2"] = None if properties.get("area_m2") is None else round(properties["area_m2"], 2)
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": kind, **properties}}


def _division_feature(kind: str, division: Division) -> dict:
    return _feature(kind, division.geometry, code=division.code, name=division.name, id=division.pk,
                    area_m2=division.area_m2)


def coverage_report(division: Division) -> CoverageReport:
    """The coverage of a community by its active grids, or of a street by its communities (and of
    each of those communities by its grids)."""
    if division.level == Level.COMMUNITY:
        grids = list(Division.objects.filter(parent=division, level=Level.GRID, is_active=True)
                     .order_by("code"))
        report = CoverageReport(division=division, grids=grids)
        _check_layer(report, division, grids)
        return report
    if division.level == Level.STREET:
        return _street_report(division)
    raise DomainError(_("Coverage is checked for a community or a street."), code="bad_level")


def _street_report(street: Division) -> CoverageReport:
    communities = list(
        Division.objects.filter(parent=street, level=Level.COMMUNITY, is_active=True).order_by("code")
    )
    grids = list(Division.objects.filter(street=street, level=Level.GRID, is_active=True).order_by("code"))
    report = CoverageReport(division=street, communities=communities, grids=grids)
    _check_layer(report, street, communities, ratio=False)
    by_community: dict[int, list[Division]] = {c.pk: [] for c in communities}
    for grid in grids:
        by_community.setdefault(grid.parent_id, []).append(grid)
    for community in communities:
        _check_layer(report, community, by_community[community.pk], ratio=False)
    if street.geometry:
        # What counts for a street is how much of it some grid covers: a community without grids
        # is as blank as ground outside every community.
        report.covered_ratio = covered_ratio(to_shape(street.geometry), _shapes(grids)[1])
    return report


def _shapes(divisions: list[Division]) -> tuple[list[Division], np.ndarray]:
    drawn = [d for d in divisions if d.geometry]
    return drawn, np.array([to_shape(d.geometry) for d in drawn], dtype=object)


def _check_layer(report: CoverageReport, parent: Division, members: list[Division], *,
                 ratio: bool = True) -> None:
    """Adds to `report` the overlaps among `members`, the gaps they leave in `parent` and the parts
    of them outside it."""
    report.missing_boundary += [d for d in [parent, *members] if not d.geometry]
    drawn, geoms = _shapes(members)
    for o in overlaps_among(geoms):
        report.overlaps.append({"a": drawn[o.a], "b": drawn[o.b], "area_m2": o.area_m2,
                                "geometry": to_geojson(o.geometry)})
    if not parent.geometry:
        return
    boundary = to_shape(parent.geometry)
    if len(geoms) == len(members):  # a member without a boundary would show up as a false gap
        report.gaps += [{"division": parent, "area_m2": p.area_m2, "geometry": to_geojson(p.geometry)}
                        for p in gaps_in(boundary, geoms)]
    report.outside += [{"division": drawn[p.index], "area_m2": p.area_m2, "geometry": to_geojson(p.geometry)}
                       for p in outside_of(boundary, geoms)]
    if ratio:
        report.covered_ratio = covered_ratio(boundary, geoms)
