"""Generated boundaries that tile exactly, from any set of seed points.

A parent is split among its children by the Voronoi cells of one seed point per child, each cell
clipped to the parent (`split`): cells of a Voronoi diagram never overlap and together cover the
plane, so the clipped cells tile the parent. Only floating-point noise is left, and rounding would
turn it into slivers wherever a polygon has a vertex on its neighbour's edge that the neighbour
lacks. `snap_coverage` therefore rounds a whole coverage at once: every boundary is noded onto a
1e-6° grid (about 0.1 m) together, the faces are rebuilt from that one set of lines, and each
polygon becomes the union of its faces, so neighbours share every vertex exactly. `bend` turns the
straight Voronoi edges into winding borders without breaking the tiling.
"""

import math

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

GRID_SIZE = 1e-6  # degrees: the 6 decimals boundaries are stored with


def rough_outline(points: np.ndarray, margin: float, rng: np.random.Generator, *,
                  roughness: float = 0.1, vertices: int = 96) -> Polygon:
    """An irregular, natural-looking polygon around `points`, at least `margin` × (1 - roughness)
    away from each of them.

    The buffered convex hull is convex, so moving its vertices along rays from its centre keeps the
    ring simple; the factor along each ray is a few seeded sine waves, which bends the border
    smoothly like a river or a ridge rather than jaggedly."""
    hull = MultiPoint(points).convex_hull.buffer(margin, quad_segs=32)
    centre = np.array(hull.centroid.coords[0])
    ring = shapely.line_interpolate_point(hull.exterior, np.linspace(0, 1, vertices, endpoint=False),
                                          normalized=True)
    xy = shapely.get_coordinates(ring) - centre
    angle = np.arctan2(xy[:, 1], xy[:, 0])
    wave = np.zeros_like(angle)
    for k in range(2, 8):
        wave += rng.uniform(0.3, 1.0) / k * np.sin(k * angle + rng.uniform(0, 2 * math.pi))
    wave /= np.abs(wave).max()
    return Polygon(centre + xy * (1 + roughness * wave)[:, None])


def scatter(region: BaseGeometry, n: int, rng: np.random.Generator, *, around=None, radius: float = 0.0,
            keep_away: np.ndarray | None = None, clearance: float = 0.0) -> np.ndarray:
    """`n` seed points inside `region`, evenly spread (no two closer than a spacing that follows
    from the area), either over the whole region or, with `around` and `radius`, in a disc there.

    Points also stay `clearance` away from `keep_away` (seeds placed before), which is how rural
    towns leave room for a cluster of urban streets."""
    if n == 0:
        return np.empty((0, 2))
    spread_area = math.pi * radius**2 if around is not None else region.area
    spacing = 0.7 * math.sqrt(spread_area / n)
    away = np.empty((0, 2)) if keep_away is None else np.asarray(keep_away, dtype=float).reshape(-1, 2)
    chosen = np.empty((0, 2))
    shapely.prepare(region)
    minx, miny, maxx, maxy = region.bounds
    misses = 0
    while len(chosen) < n:
        if around is not None:
            r = radius * np.sqrt(rng.uniform(size=64))
            t = rng.uniform(0, 2 * math.pi, size=64)
            candidates = np.column_stack([around[0] + r * np.cos(t), around[1] + r * np.sin(t)])
        else:
            candidates = rng.uniform([minx, miny], [maxx, maxy], size=(64, 2))
        candidates = candidates[shapely.contains_xy(region, candidates[:, 0], candidates[:, 1])]
        for point in candidates:
            if _nearest(chosen, point) < spacing or _nearest(away, point) < clearance:
                misses += 1
                continue
            chosen = np.vstack([chosen, point])
            if len(chosen) == n:
                break
        if not len(candidates):
            misses += 8  # the disc barely reaches into the region
        if misses > 200:  # crowded: relax rather than loop for ever
            spacing, clearance, radius, misses = spacing * 0.8, clearance * 0.8, radius * 1.25, 0
    return chosen


def _nearest(points: np.ndarray, point: np.ndarray) -> float:
    return float(np.min(np.hypot(*(points - point).T))) if len(points) else math.inf


def split(region: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """The Voronoi cells of `seeds` clipped to `region`, in the order of the seeds; they tile it."""
    if len(seeds) == 1:
        return [region]
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    cells = shapely.intersection(shapely.get_parts(diagram), region)
    return _whole_cells(list(cells), seeds)


def _whole_cells(cells: list[BaseGeometry], seeds: np.ndarray) -> list[BaseGeometry]:
    """Where a concave border cuts a cell in two, the piece away from the cell's seed joins the
    neighbour it borders most, so every child is one piece of land."""
    strays = []
    for i, cell in enumerate(cells):
        if cell.geom_type == "Polygon":
            continue
        parts = [p for p in shapely.get_parts(cell) if p.geom_type == "Polygon"]
        home = max(parts, key=lambda p: (p.contains(shapely.Point(seeds[i])), p.area))
        cells[i] = home
        strays += [(i, p) for p in parts if p is not home]
    for i, piece in strays:
        touch = piece.buffer(GRID_SIZE)
        shares = [cell.intersection(touch).area if j != i else -1.0 for j, cell in enumerate(cells)]
        j = int(np.argmax(shares))
        cells[j] = shapely.union(cells[j], piece)
    return cells


def snap_coverage(polygons: list[BaseGeometry], grid_size: float = GRID_SIZE) -> list[BaseGeometry]:
    """The same polygons with every coordinate on a `grid_size` grid and every shared edge identical
    on both sides, so the coverage has no gaps or overlaps beyond floating-point dust."""
    polygons = np.asarray(polygons, dtype=object)
    lines = shapely.union_all(shapely.boundary(polygons), grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    owner = _owners(faces, polygons)
    snapped = []
    for i in range(len(polygons)):
        mine = faces[owner == i]
        if not len(mine):
            raise ValueError(f"polygon {i} vanished when snapped to the grid")
        snapped.append(mine[0] if len(mine) == 1 else shapely.coverage_union_all(mine))
    return snapped


# (wavelength, amplitude) in degrees: borders wind over tens of kilometres, kilometres and hundreds
# of metres. The slopes 2π·amplitude/wavelength add up to 0.63 < 1/√2, which keeps the bend one-to-one.
WAVES = ((0.25, 0.016), (0.06, 0.0012), (0.015, 0.00024))


def bend(polygons: list[BaseGeometry], rng: np.random.Generator, *, waves=WAVES,
         step: float = 0.002) -> list[BaseGeometry]:
    """The coverage drawn on a gently bent sheet, so straight Voronoi edges become the winding
    borders real divisions have, large ones over kilometres and small ones over a few hundred metres.

    The bend moves every point by a smooth field of sine waves; while their slopes stay small the
    map is one-to-one, so a tiling stays a tiling — provided neighbours share their vertices first
    (`snap_coverage` with a fine grid), so that cutting edges into pieces of at most `step` degrees
    puts the same points on both sides of every border."""
    terms = []
    for wavelength, amplitude in waves:
        for axis in (0, 1):
            for _ in range(2):
                direction = rng.uniform(0, 2 * math.pi)
                terms.append((axis, amplitude / 2, 2 * math.pi / wavelength * np.array(
                    [math.cos(direction), math.sin(direction)]), rng.uniform(0, 2 * math.pi)))

    def move(xy: np.ndarray) -> np.ndarray:
        out = xy.copy()
        for axis, amplitude, k, phase in terms:
            out[:, axis] += amplitude * np.sin(xy @ k + phase)
        return out

    return list(shapely.transform(shapely.segmentize(np.asarray(polygons, dtype=object), step), move))


def _owners(faces: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """For each face, the index of the polygon it lies in (a point inside the face decides)."""
    points = shapely.point_on_surface(faces)
    tree = shapely.STRtree(polygons)
    owner = np.full(len(faces), -1)
    face_i, polygon_i = tree.query(points, predicate="within")
    owner[face_i] = polygon_i
    lost = np.flatnonzero(owner < 0)  # a face thinner than the float noise between two cells
    if len(lost):
        owner[lost] = tree.query_nearest(points[lost], all_matches=False)[1]
    return owner


def union_of(parts: list[BaseGeometry]) -> BaseGeometry:
    """The outline of snapped polygons that tile it (shared edges are identical, so this is exact)."""
    if len(parts) == 1:
        return parts[0]
    return shapely.coverage_union_all(np.asarray(parts, dtype=object))


def to_geojson(geom: BaseGeometry) -> dict:
    """GeoJSON with the outer ring anticlockwise (RFC 7946) and coordinates to 6 decimals."""
    geom = shapely.orient_polygons(geom)
    mapping = shapely.geometry.mapping(geom)
    return {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"])}


def _rounded(coordinates):
    if isinstance(coordinates[0], float | int):
        return [round(c, 6) for c in coordinates]
    return [_rounded(c) for c in coordinates]
