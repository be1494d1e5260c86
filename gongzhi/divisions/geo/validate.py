"""Validation of grid boundaries that names every problem, so a street office can fix a file before
it is imported instead of learning of one problem per attempt.

A problem is a dict:
    {"kind", "feature" (code, name or "#index"), "message" (translated), "location" ([lng, lat]),
     "area_m2", "geometry" (GeoJSON), "other" (the other feature of a pair)}
with None for what does not apply. Kinds, from a broken file down to a blank zone:

    malformed, not_polygon, unclosed_ring, too_few_points, self_intersection, invalid_geometry,
    outside_china, swapped_coordinates, bad_code, duplicate_code, unknown_community,
    outside_parent, overlap, gap
"""

import json
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from ..choices import CODE_DIGITS, Level
from . import coverage

# China's extent as the brief for data checks gives it (lng 73.4–135.1 E, lat 18.1–53.6 N).
CHINA_LNG = (73.4, 135.1)
CHINA_LAT = (18.1, 53.6)
GRID_DIGITS = CODE_DIGITS[Level.GRID]
COMMUNITY_DIGITS = CODE_DIGITS[Level.COMMUNITY]
NOT_POLYGON_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection"}
# GEOS's own words for why a polygon is invalid, with the location in brackets.
GEOS_REASON = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>[^\]]+)\]")


def problem(kind: str, feature: str, message: str, *, location=None, area_m2: float | None = None,
            geometry: BaseGeometry | dict | None = None, other: str | None = None) -> dict:
    if isinstance(geometry, BaseGeometry):
        if location is None and not geometry.is_empty:
            point = geometry.representative_point()
            location = [point.x, point.y]
        geometry = coverage.to_geojson(geometry)
    return {
        "kind": kind,
        "feature": feature,
        "message": str(message),
        "location": None if location is None else [float(location[0]), float(location[1])],
        "area_m2": None if area_m2 is None else round(float(area_m2), 2),
        "geometry": geometry,
        "other": other,
    }


def _m2(area: float) -> str:
    return f"{area:,.1f}"


def _deg(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def overlap_problem(a: str, b: str, overlap: coverage.Overlap) -> dict:
    return problem("overlap", a, _("Grids %(a)s and %(b)s overlap by %(area)s m².")
                   % {"a": a, "b": b, "area": _m2(overlap.area_m2)},
                   area_m2=overlap.area_m2, geometry=overlap.geometry, other=b)


def gap_problem(where: str, piece: coverage.Piece) -> dict:
    return problem("gap", where, _("%(area)s m² of %(where)s belong to no grid.")
                   % {"area": _m2(piece.area_m2), "where": where},
                   area_m2=piece.area_m2, geometry=piece.geometry)


def outside_problem(feature: str, parent: str, piece: coverage.Piece) -> dict:
    return problem("outside_parent", feature, _("%(area)s m² of %(feature)s lie outside %(parent)s.")
                   % {"area": _m2(piece.area_m2), "feature": feature, "parent": parent},
                   area_m2=piece.area_m2, geometry=piece.geometry, other=parent)


# --- one geometry ---------------------------------------------------------------------------------


def check_geometry(geometry: dict, feature: str) -> list[dict]:
    """Every problem of one boundary on its own (no neighbours): what a single edit must pass."""
    shape, problems = parse_geometry(geometry, feature)
    if shape is not None:
        problems += validity_problems([shape], [feature])
    return problems


def parse_geometry(geometry, feature: str) -> tuple[BaseGeometry | None, list[dict]]:
    """The shape, or None with the reasons it cannot be built (structure, rings, coordinates).

    Validity (self-intersections …) is checked apart, for many shapes at once."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        return None, [problem("malformed", feature, _("The feature has no geometry."))]
    kind = geometry["type"]
    if kind in NOT_POLYGON_TYPES:
        message = _("A grid boundary must be a Polygon or MultiPolygon, not a %(type)s.") % {"type": kind}
        return None, [problem("not_polygon", feature, message,
                              location=_first_position(geometry.get("coordinates")))]
    if kind not in ("Polygon", "MultiPolygon"):
        message = _("%(type)s is not a GeoJSON geometry type.") % {"type": kind}
        return None, [problem("malformed", feature, message)]
    polygons = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [polygons]
    rings = _rings(polygons)
    if rings is None:
        message = _("The coordinates are not lists of [longitude, latitude].")
        return None, [problem("malformed", feature, message)]
    problems = [p for ring in rings for p in _ring_problems(ring, feature)]
    problems += _position_problems(np.concatenate(rings), feature)
    if problems:
        return None, problems
    return coverage.to_shape({"type": kind, "coordinates": geometry["coordinates"]}), []


def _rings(polygons) -> list[np.ndarray] | None:
    """Each ring as an (n, 2) float array, or None when the nesting or the numbers are wrong."""
    if not isinstance(polygons, list) or not polygons:
        return None
    rings = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None
        for ring in polygon:
            try:
                positions = np.asarray(ring, dtype=float)
            except (TypeError, ValueError):
                return None
            if positions.ndim != 2 or positions.shape[1] < 2 or not len(positions):
                return None
            if not np.isfinite(positions).all():
                return None
            rings.append(positions[:, :2])  # an altitude, which GeoJSON allows, plays no part
    return rings


def _ring_problems(ring: np.ndarray, feature: str) -> list[dict]:
    closed = (ring[0] == ring[-1]).all()
    corners = len({tuple(position) for position in ring.tolist()})
    problems = []
    if not closed:
        problems.append(problem("unclosed_ring", feature, _("A ring does not end where it starts."),
                                location=ring[-1]))
    if corners < 3:
        message = _("A ring needs at least 3 distinct corners; this one has %(n)d.") % {"n": corners}
        problems.append(problem("too_few_points", feature, message, location=ring[0]))
    return problems


def _position_problems(positions: np.ndarray, feature: str) -> list[dict]:
    """Coordinates outside China; reported as swapped when every one of them reads as a point in
    China the other way round, the usual mistake of a latitude-first export."""
    lng, lat = positions[:, 0], positions[:, 1]
    inside = _in_china(lng, lat)
    if inside.all():
        return []
    first = positions[np.flatnonzero(~inside)[0]]
    if _in_china(lat, lng).all():
        return [problem("swapped_coordinates", feature,
                        _("Longitude and latitude look swapped: (%(x)s, %(y)s) lies in China only when read "
                          "the other way round.") % {"x": _deg(first[0]), "y": _deg(first[1])},
                        location=first)]
    return [problem("outside_china", feature,
                    _("The point (%(x)s, %(y)s) lies outside China. Coordinates must be WGS-84 longitude, "
                      "latitude.") % {"x": _deg(first[0]), "y": _deg(first[1])},
                    location=first)]


def _in_china(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (CHINA_LNG[0] <= lng) & (lng <= CHINA_LNG[1]) & (CHINA_LAT[0] <= lat) & (lat <= CHINA_LAT[1])


def _first_position(coordinates):
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if isinstance(coordinates, list) and len(coordinates) >= 2:
        try:
            return [float(coordinates[0]), float(coordinates[1])]
        except (TypeError, ValueError):
            return None
    return None


def validity_problems(shapes, features: list[str]) -> list[dict]:
    """Self-intersections and other invalid polygons, with GEOS's location, for many shapes at once."""
    shapes = np.asarray(shapes, dtype=object)
    invalid = np.flatnonzero(~shapely.is_valid(shapes))
    reasons = shapely.is_valid_reason(shapes[invalid])
    return [_validity_problem(reason, features[i]) for i, reason in zip(invalid, reasons, strict=True)]


def _validity_problem(reason: str, feature: str) -> dict:
    match = GEOS_REASON.match(reason)
    name = match["reason"].strip() if match else reason
    location = [float(match["x"]), float(match["y"])] if match else None
    if "Self-intersection" in name:
        return problem("self_intersection", feature, _("The boundary crosses itself."), location=location)
    messages = {
        "Hole lies outside shell": _("A hole lies outside the outer ring."),
        "Nested shells": _("One part of the boundary lies inside another."),
        "Nested holes": _("One hole lies inside another."),
        "Interior is disconnected": _("Holes cut the inside of the boundary in two."),
        "Duplicate Rings": _("A ring is repeated."),
    }
    message = messages.get(name) or _("The boundary is not a valid polygon (%(reason)s).") % {"reason": name}
    return problem("invalid_geometry", feature, message, location=location)


# --- a file of grids ------------------------------------------------------------------------------


@dataclass
class _Feature:
    label: str
    level: str
    code: str
    name: str
    claimed_community: str = ""  # properties.community, when the file names it
    shape: BaseGeometry | None = None

    @property
    def community_code(self) -> str:
        return self.code[:COMMUNITY_DIGITS]


def load_json(text: str | bytes) -> tuple[object, list[dict]]:
    """The decoded content of a file, or None with a `malformed` problem saying why it is not JSON."""
    try:
        return json.loads(text), []
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [problem("malformed", _("file"), _("The file is not JSON: %(error)s") % {"error": exc})]


def validate_grid_json(text: str | bytes, *, communities: dict[str, dict] | None = None,
                       community_code: str | None = None) -> list[dict]:
    """`validate_grid_collection` for the raw content of a file: text that is not JSON is a problem too."""
    data, problems = load_json(text)
    if problems:
        return problems
    return validate_grid_collection(data, communities=communities, community_code=community_code)


def validate_grid_collection(fc: dict, *, communities: dict[str, dict] | None = None,
                             community_code: str | None = None) -> list[dict]:
    """Every problem of a FeatureCollection of grids (an empty list when there is none).

    Community boundaries come from `communities` (12-digit code → GeoJSON) and otherwise from the
    file's own community features (properties.level == "community"). With `community_code`, every
    grid must belong to that community (an import replaces one community's grid layer)."""
    if not is_feature_collection(fc):
        return [problem("malformed", _("file"), _("The file is not a GeoJSON FeatureCollection."))]
    features, problems = _read_features(fc["features"])
    if not any(f.level == Level.GRID for f in features):
        # Imported, a file without grids would retire every grid of the community: it is never valid.
        problems.insert(0, problem("no_grids", _("file"), _("There are no grids in the file.")))
    problems += _code_problems(features, community_code)
    shaped = [f for f in features if f.shape is not None]
    problems += validity_problems([f.shape for f in shaped], [f.label for f in shaped])
    broken = {f.label for f in features if f.shape is None} | {p["feature"] for p in problems}
    usable = [f for f in features if f.shape is not None and f.label not in broken]
    boundaries = {f.code: f.shape for f in usable if f.level == Level.COMMUNITY}
    boundaries.update({code: coverage.to_shape(g) for code, g in (communities or {}).items() if g})
    grids = [f for f in usable if f.level == Level.GRID and _is_grid_code(f.code)]
    reported = {f.code for f in features if f.label in broken}
    problems += _parent_problems(grids, boundaries, unknown_ok=reported)
    problems += _overlap_problems(grids)
    problems += _gap_problems(features, grids, boundaries, broken)
    return problems


def is_feature_collection(data) -> bool:
    return (isinstance(data, dict) and data.get("type") == "FeatureCollection"
            and isinstance(data.get("features"), list))


def missing_communities(fc) -> set[str]:
    """Codes of the communities the file's grids belong to but whose boundary the file lacks: the
    caller looks them up (in the database, within the user's scope)."""
    if not is_feature_collection(fc):
        return set()
    features, _problems = _read_features(fc["features"], shapes=False)
    carried = {f.code for f in features if f.level == Level.COMMUNITY}
    return {f.community_code for f in features if f.level == Level.GRID and _is_grid_code(f.code)} - carried


def _read_features(raw: list, *, shapes: bool = True) -> tuple[list[_Feature], list[dict]]:
    features, problems = [], []
    for index, item in enumerate(raw):
        props = item.get("properties") if isinstance(item, dict) else None
        props = props if isinstance(props, dict) else {}
        code = str(props.get("code") or "").strip()
        name = str(props.get("name") or "").strip()
        label = code or name or f"#{index}"
        level = Level.COMMUNITY if props.get("level") == Level.COMMUNITY else Level.GRID
        claimed = str(props.get("community") or "").strip()
        feature = _Feature(label=label, level=level, code=code, name=name, claimed_community=claimed)
        features.append(feature)
        if not isinstance(item, dict) or item.get("type") != "Feature":
            problems.append(problem("malformed", label, _("The item is not a GeoJSON Feature.")))
            continue
        if not item.get("geometry"):
            problems.append(problem("malformed", label, _("The feature has no geometry.")))
            continue
        if shapes:
            feature.shape, found = parse_geometry(item["geometry"], label)
            problems += found
    return features, problems


def _is_grid_code(code: str) -> bool:
    return len(code) == GRID_DIGITS and code.isdigit()


def _code_problems(features: list[_Feature], community_code: str | None) -> list[dict]:
    problems = [problem("bad_code", f.label, message, location=_where(f))
                for f in features if (message := _code_mistake(f, community_code))]
    counts = Counter(f.code for f in features if f.code)
    for code, n in sorted(counts.items()):
        if n > 1:
            first = next(f for f in features if f.code == code)
            message = _("Code %(code)s is used by %(n)d features.") % {"code": code, "n": n}
            problems.append(problem("duplicate_code", code, message, location=_where(first)))
    return problems


def _code_mistake(f: _Feature, community_code: str | None) -> str | None:
    """What is wrong with a feature's code, or None."""
    if f.level == Level.COMMUNITY:
        if len(f.code) == COMMUNITY_DIGITS and f.code.isdigit():
            return None
        return _("A community code has 12 digits: %(code)s") % {"code": f.code or "—"}
    if not f.code:
        return _("The grid has no code.")
    if not _is_grid_code(f.code):
        return _("A grid code has 15 digits: %(code)s") % {"code": f.code}
    expected = community_code or f.claimed_community
    if expected and f.community_code != expected:
        return _("Grid code %(code)s does not start with its community's code %(community)s.") % {
            "code": f.code, "community": expected}
    return None


def _where(f: _Feature) -> list[float] | None:
    """A point inside the feature, to find it on a map."""
    if f.shape is None or f.shape.is_empty:
        return None
    point = f.shape.representative_point()
    return [point.x, point.y]


def _parent_problems(grids: list[_Feature], boundaries: dict, unknown_ok: set[str]) -> list[dict]:
    """Grids whose community has no known boundary, and the parts of grids outside their community."""
    problems = []
    by_community: dict[str, list[_Feature]] = {}
    for g in grids:
        by_community.setdefault(g.community_code, []).append(g)
    for code, members in sorted(by_community.items()):
        boundary = boundaries.get(code)
        if boundary is None:
            if code not in unknown_ok:  # a community feature that was itself broken is reported already
                message = _("No boundary is known for community %(code)s.") % {"code": code}
                problems += [problem("unknown_community", g.label, message, location=_where(g))
                             for g in members]
            continue
        for piece in coverage.outside_of(boundary, [g.shape for g in members]):
            problems.append(outside_problem(members[piece.index].label, code, piece))
    return problems


def _overlap_problems(grids: list[_Feature]) -> list[dict]:
    found = coverage.overlaps_among([g.shape for g in grids], groups=[g.community_code for g in grids])
    return [overlap_problem(grids[o.a].label, grids[o.b].label, o) for o in found]


def _gap_problems(features: list[_Feature], grids: list[_Feature], boundaries: dict,
                  broken: set[str]) -> list[dict]:
    """Blank zones of every community the file speaks of (by a community feature or a grid).

    A community with a broken grid is skipped: the hole that grid leaves is not a real gap."""
    members: dict[str, list[BaseGeometry]] = {f.code: [] for f in features if f.level == Level.COMMUNITY}
    for g in grids:
        members.setdefault(g.community_code, []).append(g.shape)
    unsure = {f.community_code for f in features if f.level == Level.GRID and f.label in broken}
    problems = []
    for code, shapes in sorted(members.items()):
        if code in unsure or code not in boundaries:
            continue
        problems += [gap_problem(code, piece) for piece in coverage.gaps_in(boundaries[code], shapes)]
    return problems
