"""Which grid is this point in? The question behind every resident's report and patrol check-in."""

import math

from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from ..choices import Level
from ..models import Division
from . import crs as coordinate_systems
from .index import grid_index, recheck_grid_index

CRS_NAMES = ("wgs84", "gcj02")


def to_wgs84(lng: float, lat: float, crs: str = "wgs84") -> tuple[float, float]:
    """The WGS-84 point for a position reported in `crs` (phones in China mostly report GCJ-02)."""
    if crs not in CRS_NAMES:
        raise DomainError(_("Unknown coordinate system %(crs)s: use wgs84 or gcj02.") % {"crs": crs},
                          code="bad_crs")
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise DomainError(_("Longitude and latitude must be numbers."), code="bad_position")
    if crs == "gcj02":
        return coordinate_systems.gcj02_to_wgs84(lng, lat)
    return float(lng), float(lat)


def locate_grid(lng: float, lat: float, crs: str = "wgs84") -> Division | None:
    """The active grid the point lies in (with its community as `parent`), or None."""
    lng, lat = to_wgs84(lng, lat, crs)
    grid = _active_grid(grid_index().locate(lng, lat))
    if grid is None:
        # The index may trail a change made in another process by up to a second (a retired grid,
        # or a point in a grid drawn since): look again with the counter read now.
        recheck_grid_index()
        grid = _active_grid(grid_index().locate(lng, lat))
    return grid


def _active_grid(pk: int | None) -> Division | None:
    if pk is None:
        return None
    return Division.objects.select_related("parent").filter(pk=pk, level=Level.GRID, is_active=True).first()
