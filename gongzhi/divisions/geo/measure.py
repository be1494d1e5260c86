"""Areas and lengths in metres from WGS-84 degrees.

A local equirectangular projection around the shape's own latitude is accurate to well under
0.5 % for anything the size of a city, which is all governance needs (m² of a grid or a gap)."""

import math

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8


def to_local_metres(geom: BaseGeometry, lat0: float | None = None) -> BaseGeometry:
    if geom.is_empty:
        return geom
    if lat0 is None:
        miny, maxy = geom.bounds[1], geom.bounds[3]
        lat0 = (miny + maxy) / 2
    kx = EARTH_RADIUS_M * math.cos(math.radians(lat0)) * math.pi / 180
    ky = EARTH_RADIUS_M * math.pi / 180
    return shapely.transform(geom, lambda c: c * np.array([kx, ky]))


def area_m2(geom: BaseGeometry | dict, lat0: float | None = None) -> float:
    if isinstance(geom, dict):
        geom = shape(geom)
    return float(to_local_metres(geom, lat0).area)
