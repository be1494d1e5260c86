"""Shared by the grid tests: the crafted files, boxes near the fixture city, and a synthetic city
of thousands of grids for the checks that must scale."""

import json
from pathlib import Path

import numpy as np
import shapely

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import X0, Y0, box
from gongzhi.divisions.geo.coverage import to_geojson
from gongzhi.divisions.models import Division, DivisionChange, GridIndexVersion

GRID_FILES = Path(__file__).parent / "grid_files"
COMMUNITY_A = "420902001001"

__all__ = ["COMMUNITY_A", "GRID_FILES", "X0", "Y0", "box", "feature", "feature_collection", "load",
           "state", "synthetic_city"]


def load(name: str) -> dict:
    return json.loads((GRID_FILES / name).read_text(encoding="utf-8"))


def feature(code: str, geometry: dict, name: str = "", **properties) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name or code, **properties},
            "geometry": geometry}


def feature_collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def state() -> dict:
    """Everything a grid write may touch, to show that a refused one touched nothing."""
    return {
        "divisions": list(Division.objects.order_by("pk").values_list("pk", "is_active", "version", "name",
                                                                      "geometry")),
        "changes": DivisionChange.objects.count(),
        "audit": AuditEntry.objects.count(),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("pk", "division_id", "revoked_at")),
        "counter": GridIndexVersion.objects.values_list("counter", flat=True).first(),
    }


def synthetic_city(communities: int = 120, grids_per_community: int = 50, seed: int = 7) -> dict:
    """A FeatureCollection of square communities in a lattice near the fixture city, each tiled by
    the Voronoi cells of random seed points: irregular grids that tile exactly, as real ones should."""
    rng = np.random.default_rng(seed)
    side, columns = 0.02, 12
    features = []
    for i in range(communities):
        x0, y0 = X0 + (i % columns) * side, Y0 + (i // columns) * side
        code = f"420902{i // 50 + 1:03d}{i % 50 + 1:03d}"
        outline = shapely.box(x0, y0, x0 + side, y0 + side)
        features.append(feature(code, to_geojson(outline), level="community"))
        seeds = rng.uniform([x0, y0], [x0 + side, y0 + side], size=(grids_per_community, 2))
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline))
        for n, cell in enumerate(shapely.intersection(cells, outline), start=1):
            features.append(feature(f"{code}{n:03d}", to_geojson(cell)))
    return feature_collection(*features)
