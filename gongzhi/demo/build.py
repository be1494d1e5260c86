"""The demo city: the real divisions of 湖北省 孝感市 with generated boundaries and grids, and the
personas, written through the same import service as a statistical division file.

`--size small` is 孝南区 with its four urban streets and their communities; `--size city` is the
whole of 孝感市. Building is idempotent: divisions already there (by active code) are left alone,
so a second run adds nothing and the city size after the small one adds only what is missing.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from gongzhi.divisions.choices import LEVELS, Level
from gongzhi.divisions.geo import measure
from gongzhi.divisions.models import Division
from gongzhi.divisions.services.importing import KEEP, DivisionRow, ImportReport, import_divisions

from . import source, tiling
from .layout import lay_out
from .personas import PERSONAS, ensure_personas

SIZES = ("small", "city")
CITY = "4209"  # 孝感市
SMALL_STREETS = ("420902001000", "420902002000", "420902003000", "420902004000")  # 书院, 新华, 广场, 车站
# The persona places of personas.py, by code.
PERSONA_PLACES = {
    "city": "420900000000",  # 孝感市
    "district": "420902000000",  # 孝南区
    "street_a": "420902001000",  # 书院街道
    "street_b": "420902002000",  # 新华街道
    "community_a": "420902001001",  # 书院社区
    "grid_a": "420902001001001",  # 书院社区第一网格
    "community_b": "420902002001",  # 府前社区
}
ACTOR_LABEL = "demo"
REASON = f"Demo city: codes and names from {source.PACKAGE} {source.VERSION}, generated boundaries and grids"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoPlan:
    size: str
    rows: list[DivisionRow]  # top down, boundaries included
    seconds: float  # spent reading the source and drawing


@dataclass
class DemoResult:
    size: str
    report: ImportReport
    counts: dict[str, int]  # level → active divisions of the demo city, province included
    personas: dict = field(default_factory=dict)  # username → User
    places: dict = field(default_factory=dict)  # persona place key → Division
    seconds: float = 0.0


def build_demo(size: str = "small", *, progress: Progress | None = None) -> DemoResult:
    return write_demo(plan_demo(size), progress=progress)


def plan_demo(size: str = "small") -> DemoPlan:
    """The rows the demo writes: real codes and names, generated boundaries (no database access)."""
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    started = time.monotonic()
    places = source.load_city(CITY)
    rows = division_rows(chosen(places, size), lay_out(tuple(places)))
    return DemoPlan(size=size, rows=rows, seconds=time.monotonic() - started)


def write_demo(plan: DemoPlan, *, progress: Progress | None = None) -> DemoResult:
    """Import the planned divisions that are not there yet, then make sure the personas exist."""
    started = time.monotonic()
    with transaction.atomic():
        report = import_divisions(actor=None, actor_label=ACTOR_LABEL, rows=plan.rows, reason=REASON,
                                  existing_names=KEEP, progress=progress)
        if report.created[Level.GRID]:
            _mark_grids_changed()
        places = _persona_places()
        personas = ensure_personas(places)
    return DemoResult(size=plan.size, report=report, counts=city_counts(), personas=personas, places=places,
                      seconds=plan.seconds + time.monotonic() - started)


def chosen(places: list[source.Place], size: str) -> list[source.Place]:
    """The places a size writes: everything for the city, else the province, the city, 孝南区, its
    four urban streets and their communities."""
    if size == "city":
        return places
    district = PERSONA_PLACES["district"]
    return [p for p in places
            if p.level in (Level.PROVINCE, Level.CITY) or p.code == district or p.code in SMALL_STREETS
            or (p.level == Level.COMMUNITY and p.parent_code in SMALL_STREETS)]


def division_rows(places: list[source.Place], layout) -> list[DivisionRow]:
    """Rows for the import service: each place with its boundary, then the grids of each community."""
    rows = []
    for place in places:
        rows.append(_row(place.code, place.name, layout.boundaries.get(place.code)))
        for grid in layout.grids.get(place.code, []):
            rows.append(_row(grid.code, grid.name, layout.boundaries[grid.code]))
    return rows


def _row(code: str, name: str, boundary) -> DivisionRow:
    if boundary is None:
        return DivisionRow(code=code, name=name)
    return DivisionRow(code=code, name=name, geometry=tiling.to_geojson(boundary),
                       area_m2=measure.area_m2(boundary))


def city_counts() -> dict[str, int]:
    """Active divisions of the demo city by level (the province above it included)."""
    city = Division.objects.filter(code=PERSONA_PLACES["city"], is_active=True).first()
    if city is None:
        return dict.fromkeys(LEVELS, 0)
    counts = Counter(dict(
        Division.objects.filter(is_active=True, city=city).values_list("level").annotate(n=Count("id"))
    ))
    counts[Level.PROVINCE] = int(city.province_id is not None)
    return {level: counts[level] for level in LEVELS}


def persona_lines(result: DemoResult) -> list[tuple[str, str, str]]:
    """(username, name, where) for each persona, as the summary shows them."""
    lines = []
    for persona in PERSONAS:
        user = result.personas[persona.username]
        assignment = user.role_assignments.filter(role=persona.role, revoked_at=None).select_related(
            "division", "department").first()
        where = (assignment.department or assignment.division) if assignment else ""
        lines.append((persona.username, user.display_name, str(where)))
    return lines


def _persona_places() -> dict[str, Division]:
    found = {d.code: d for d in Division.objects.filter(is_active=True, code__in=PERSONA_PLACES.values())}
    return {key: found[code] for key, code in PERSONA_PLACES.items()}


def _mark_grids_changed() -> None:
    """Tell every app process its in-memory grid index is stale."""
    from gongzhi.divisions.geo.index import mark_grids_changed

    mark_grids_changed()
