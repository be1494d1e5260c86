"""How fast "which grid is this point in?" is answered, against a naive scan of every grid.

Run from the repository root:

    .venv/bin/python bench/grid_locate.py --size small|city

Prints exactly three lines on stdout:

    locate_single_per_s N     one point at a time, through grid_index().locate as a request would
    locate_batch_per_s N      100,000 points in one locate_many call
    locate_vs_naive_ratio N   single lookups against a loop testing each grid polygon's .contains

The grids are the demo city's (`gongzhi demo --size …`), in a database of their own under
var/bench-<size>/ that later runs reuse; DATABASE_URL is ignored, so the user's own database is never
touched. Without the demo command, a synthetic tiling (Voronoi cells near 孝感) stands in.
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
POINTS = 100_000
NAIVE_SAMPLE = {"small": 2_000, "city": 200}  # the naive scan is slow: a sample is enough
SYNTHETIC_GRIDS = {"small": 100, "city": 6_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "city"), default="city")
    size = parser.parse_args().size
    set_up_django(size)

    from gongzhi.divisions.geo.index import GridIndex, grid_index

    if have_demo_city(size):
        index = grid_index()

        def lookup(lng, lat):
            return grid_index().locate(lng, lat)  # as a request does: the accessor, then the index
    else:
        geometries = synthetic_grids(SYNTHETIC_GRIDS[size])
        index = GridIndex(np.arange(1, len(geometries) + 1), geometries)
        lookup = index.locate
    polygons = naive_polygons(index)
    log(f"{len(polygons):,} grids")

    lngs, lats = random_points(shapely.total_bounds(polygons), POINTS)
    single = per_second(lambda: locate_each(lookup, lngs, lats), POINTS)
    batch = max(per_second(lambda: index.locate_many(lngs, lats), POINTS) for _ in range(3))
    sample = NAIVE_SAMPLE[size]
    naive = per_second(lambda: naive_each(polygons, lngs[:sample], lats[:sample]), sample)
    check_agreement(index, polygons, lngs[:sample], lats[:sample])

    print(f"locate_single_per_s {single:.0f}")
    print(f"locate_batch_per_s {batch:.0f}")
    print(f"locate_vs_naive_ratio {single / naive:.0f}")


def set_up_django(size: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    os.environ["GONGZHI_DATA_DIR"] = str(ROOT / "var" / f"bench-{size}")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def have_demo_city(size: str) -> bool:
    """Whether the demo city's grids are in the bench database (the demo command is idempotent:
    it adds only what is missing, so running it on every run keeps the data current)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division

    log(f"making sure the demo city (--size {size}) is there …")
    try:
        from gongzhi.demo.stages import all_but

        call_command("demo", size=size, skip=all_but(), stdout=io.StringIO())
    except CommandError as exc:  # no demo command in this checkout
        log(f"no demo city ({exc}); using a synthetic tiling")
        return False
    return Division.objects.filter(level=Level.GRID, is_active=True, geometry__isnull=False).exists()


def synthetic_grids(n: int) -> np.ndarray:
    """`n` Voronoi cells tiling a box near 孝感 (113.9 E, 30.9 N), sized like city grids."""
    side = 0.009 * np.sqrt(n)  # about 0.8 km² a grid
    outline = shapely.box(113.9, 30.9, 113.9 + side, 30.9 + side)
    seeds = np.random.default_rng(42).uniform([113.9, 30.9], [113.9 + side, 30.9 + side], size=(n, 2))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline))
    return shapely.intersection(cells, outline)


def naive_polygons(index) -> list:
    """The same grids as fresh, unprepared polygons: what a loop without an index would test."""
    return [shapely.from_geojson(json.dumps(shapely.geometry.mapping(g))) for g in index.geoms]


def locate_each(lookup, lngs: np.ndarray, lats: np.ndarray) -> None:
    for lng, lat in zip(lngs.tolist(), lats.tolist(), strict=True):
        lookup(lng, lat)


def naive_each(polygons: list, lngs: np.ndarray, lats: np.ndarray) -> None:
    for lng, lat in zip(lngs.tolist(), lats.tolist(), strict=True):
        point = shapely.Point(lng, lat)
        for polygon in polygons:
            if polygon.contains(point):
                break


def check_agreement(index, polygons: list, lngs: np.ndarray, lats: np.ndarray) -> None:
    """Every answer of the fast paths must be a grid containing the point (any of them where grids
    overlap), and none only where no grid does: a fast wrong index would be worthless."""
    single = [index.locate(x, y) for x, y in zip(lngs.tolist(), lats.tolist(), strict=True)]
    batch = index.locate_many(lngs, lats).tolist()
    overlapping = 0
    for lng, lat, one, many in zip(lngs.tolist(), lats.tolist(), single, batch, strict=True):
        point = shapely.Point(lng, lat)
        holders = {int(pk) for pk, polygon in zip(index.ids, polygons, strict=True)
                   if polygon.contains(point)}
        overlapping += len(holders) > 1
        if (one or -1) not in (holders or {-1}) or many not in (holders or {-1}):
            sys.exit(f"grid_locate: the index disagrees with the naive scan at {lng}, {lat}")
    if overlapping:
        log(f"note: {overlapping} of {len(single)} points lie in two grids at once: the data overlaps")


def random_points(bounds, n: int) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = bounds
    rng = np.random.default_rng(7)
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def per_second(work, count: int) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def log(message: str) -> None:
    print(message, file=sys.stderr)


if __name__ == "__main__":
    main()
