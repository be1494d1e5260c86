"""Where the demo city's divisions lie: generated, plausible, deterministic boundaries.

Only codes and names are real (see source.py). Each district or county is placed around roughly
its real position in 孝感市; streets, communities and grids are Voronoi tilings of their parent
(tiling.py). Urban divisions are drawn smaller and denser than rural ones: a county's streets (街道)
cluster around its seat with the towns spread over the countryside, and a town's communities
(社区) cluster in its centre with the villages (村) around them.

Every random choice is seeded by the code of the division being split, and the whole city is always
laid out, whatever part of it is written: the small demo's boundaries are exactly those the city demo
draws, so building the small demo and then the city adds divisions that fit the existing ones.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gongzhi.divisions.choices import Level
from gongzhi.divisions.services.importing import display_name, division_kind

from . import tiling
from .source import Place

# Centre of each district's territory (the Voronoi seed) and its seat, where the urban streets
# lie — roughly the real ones (lon, lat).
DISTRICT_POSITIONS = {
    "420902000000": ((113.95, 30.90), (113.91, 30.92)),  # 孝南区, the city proper
    "420921000000": ((114.05, 31.22), (113.98, 31.25)),  # 孝昌县, seat 花园镇
    "420922000000": ((114.20, 31.58), (114.12, 31.56)),  # 大悟县
    "420923000000": ((113.77, 31.04), (113.75, 31.02)),  # 云梦县
    "420981000000": ((113.53, 30.92), (113.57, 30.93)),  # 应城市
    "420982000000": ((113.65, 31.30), (113.69, 31.26)),  # 安陆市
    "420984000000": ((113.75, 30.62), (113.83, 30.66)),  # 汉川市
}
CITY_MARGIN = 0.17  # degrees of countryside beyond the outermost district centres
URBAN_DENSITY = 0.16  # how much narrower an urban cluster is than its members' share of the land
SEED = 2023  # with each division's code, the seed of every random choice


# The kind that marks a division as urban, by level: urban ones cluster around their parent's seat.
URBAN_KIND = {Level.STREET: "街道", Level.COMMUNITY: "社区"}
# What a seeded random stream is for, so that each choice about a division draws from its own.
SPLIT, GRID_COUNT, BEND = 0, 1, 2


@dataclass(frozen=True)
class Grid:
    code: str
    name: str
    community_code: str


@dataclass(frozen=True)
class Layout:
    """Boundaries (shapely, on the 1e-6° grid) by code, and the grids of each community."""

    boundaries: dict[str, BaseGeometry]
    grids: dict[str, list[Grid]]


def rng_for(code: str, purpose: int = SPLIT) -> np.random.Generator:
    return np.random.default_rng([SEED, int(code), purpose])


def grid_count(community: Place) -> int:
    """Urban communities are split into 3–6 grids, villages into 1–3: about 6,000 grids in 孝感市,
    the scale of the city in the domain brief (5,856 grid units)."""
    rng = rng_for(community.code, GRID_COUNT)
    if _is_urban(community):
        return int(rng.integers(3, 7))
    return int(rng.choice([1, 2, 3], p=[0.2, 0.37, 0.43]))


def grid_name(community_name: str, number: int) -> str:
    return f"{community_name}第{chinese_number(number)}网格"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (grid numbers stay below 100)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


@functools.lru_cache(maxsize=2)
def lay_out(places: tuple[Place, ...]) -> Layout:
    """Boundaries for the city, its districts, streets, communities and grids, each level tiling
    the one above exactly. A pure function of the places, hence cached."""
    children: dict[str | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_code, []).append(place)
    city = next(p for p in places if p.level == Level.CITY)
    drawing = _Drawing(children)
    for district, shape, seat in _districts(city, children.get(city.code, [])):
        drawing.split(district, shape, seat)
    codes = list(drawing.cells)
    bent = _finish(list(drawing.cells.values()), rng_for(city.code, BEND))
    boundaries = _roll_up(dict(zip(codes, bent, strict=True)), places, drawing.grids, children)
    return Layout(boundaries=boundaries, grids=drawing.grids)


class _Drawing:
    """Splits divisions down to grids, collecting the grids' (still straight, unrounded) cells."""

    def __init__(self, children: dict[str | None, list[Place]]):
        self.children = children
        self.grids: dict[str, list[Grid]] = {}
        self.cells: dict[str, BaseGeometry] = {}  # grid code → cell

    def split(self, place: Place, shape: BaseGeometry, seat: np.ndarray) -> None:
        rng = rng_for(place.code)
        if place.level == Level.COMMUNITY:
            grids = self.grids[place.code] = _grids(place)
            cells = tiling.split(shape, tiling.scatter(shape, len(grids), rng))
            self.cells.update((grid.code, cell) for grid, cell in zip(grids, cells, strict=True))
            return
        members = self.children.get(place.code, [])
        for child, child_shape, child_seat in _split_around_seat(shape, seat, members, rng):
            self.split(child, child_shape, child_seat)


def _finish(cells: list, rng) -> list:
    """Bend the straight Voronoi edges into winding borders, then round to 6 decimals. Noding first
    gives neighbours the same vertices, which is what keeps the bent cells a tiling."""
    noded = tiling.snap_coverage(cells, grid_size=tiling.GRID_SIZE / 1000)
    return tiling.snap_coverage(tiling.bend(noded, rng))


def _districts(city: Place, districts: list[Place]):
    """The city outline around the districts' real positions, split among them: yields (district,
    its shape, its seat)."""
    unknown = [d.name for d in districts if d.code not in DISTRICT_POSITIONS]
    if unknown:
        raise ValueError(f"no position for {', '.join(unknown)}: add it to DISTRICT_POSITIONS")
    centres = np.array([DISTRICT_POSITIONS[d.code][0] for d in districts])
    outline = tiling.rough_outline(centres, CITY_MARGIN, rng_for(city.code))
    for district, cell in zip(districts, tiling.split(outline, centres), strict=True):
        seat = np.array(DISTRICT_POSITIONS[district.code][1])
        if not cell.contains(shapely.Point(seat)):
            raise ValueError(f"the seat of {district.name} lies outside its drawn territory")
        yield district, cell, seat


def _split_around_seat(region, seat, members: list[Place], rng):
    """Split `region` among `members`: the urban ones in a cluster around `seat`, the rest spread
    over the remaining land. With no urban member, the first (the seat town: 城关镇, 花园镇 …) sits at
    the seat; if all are urban they spread over everything.

    Yields (member, its shape, its seed: where its own urban children will cluster)."""
    if not members:
        return
    is_urban = [_is_urban(m) for m in members]
    if all(is_urban):
        is_urban = [False] * len(members)
    elif not any(is_urban):
        is_urban[0] = True
    core = [m for m, urban in zip(members, is_urban, strict=True) if urban]
    rest = [m for m, urban in zip(members, is_urban, strict=True) if not urban]
    # The urban members crowd into a disc URBAN_DENSITY times as wide as their share of the land,
    # and the others keep clear of it by twice its radius: urban divisions come out several times
    # smaller than rural ones, as a county seat's streets are beside its towns.
    radius = URBAN_DENSITY * math.sqrt(region.area * len(core) / len(members) / math.pi)
    core_seeds = tiling.scatter(region, len(core), rng, around=seat, radius=radius)
    rest_seeds = tiling.scatter(region, len(rest), rng, keep_away=core_seeds, clearance=2 * radius)
    seeds = np.vstack([core_seeds, rest_seeds])
    yield from zip(core + rest, tiling.split(region, seeds), seeds, strict=True)


def _is_urban(place: Place) -> bool:
    urban = URBAN_KIND.get(place.level)
    return urban is not None and division_kind(place.level, display_name(place.level, place.name)) == urban


def _grids(community: Place) -> list[Grid]:
    name = display_name(Level.COMMUNITY, community.name)
    return [
        Grid(code=f"{community.code}{i:03d}", name=grid_name(name, i), community_code=community.code)
        for i in range(1, grid_count(community) + 1)
    ]


def _roll_up(grid_shapes: dict, places, grids: dict[str, list[Grid]], children: dict) -> dict:
    """Every division's boundary is the union of its children's, from the grids up, so each level
    shares its vertices with the level below. The province gets none: only its one city is drawn."""
    boundaries = dict(grid_shapes)
    for place in reversed(places):  # places come top down
        if place.level == Level.PROVINCE:
            continue
        below = grids.get(place.code, []) if place.level == Level.COMMUNITY else children.get(place.code, [])
        parts = [boundaries[c.code] for c in below if c.code in boundaries]
        if parts:
            boundaries[place.code] = tiling.union_of(parts)
    return boundaries
