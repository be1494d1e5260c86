"""A synthetic population for the demo city: buildings, households, residents with realistic names and
household structures, tags at realistic rates, things, facilities, organisations and visits, for every
active grid in the database.

    build_demo_population(size="small")   # about 150 residents a grid: tens of thousands
    build_demo_population(size="city")    # about 170 a grid: a million on the 6,000 grids of 孝感市

Fictitious by construction:
- every ID number starts with the area code 429999. 湖北 is 42, but no prefecture 4299 exists
  (GB/T 2260 gives 4290 to the province-administered cities and stops there), so a number starting
  429999 is never a real person's; the birth date and sex digits are consistent and the GB 11643 check
  character is valid, so the numbers pass every check a real one does;
- phone numbers are random 11-digit mobiles: they may coincide with real ones, so never message them;
- names are drawn from the family names by census frequency and common given-name characters;
  addresses use invented road and estate names.

Idempotent: a grid that already has a building is left alone, so a second run adds nothing, and a city
run after a small one fills only the new grids. Each grid draws from its own random generator seeded
with its code, so the same grid gets the same people on any machine. Rows are bulk-created grid batch by
grid batch; the city size takes minutes. The demo writes no audit rows: nobody did anything.
"""

import datetime as dt
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from . import demo_names
from .bulk import BulkInsert, concrete_fields
from .choices import (
    EventKind,
    FacilityKind,
    Gender,
    HouseholdKind,
    OrganisationKind,
    Relation,
    Residence,
    ResidentStatus,
    ThingCategory,
    ThingState,
)
from .models import (
    PLACE_COLUMNS,
    Building,
    Facility,
    Household,
    Organisation,
    Position,
    Resident,
    ResidentEvent,
    ResidentTag,
    Tag,
    Thing,
    Visit,
    placed_values,
)
from .names import initials
from .tags import (
    DISABLED,
    ELDERLY_ALONE,
    FLOATING,
    KEY_CARE,
    LEFT_BEHIND_CHILD,
    PARTY_MEMBER,
    SUBSISTENCE,
    VETERAN,
)
from .validation import id_check_character

SIZES = {"small": 150, "city": 170}  # residents per grid, about
AREA_CODE = "429999"
GRIDS_PER_FLUSH = 40
SEED = "gongzhi-demo-population"

Progress = Callable[[str, int, int], None]

FAMILY_NAMES = [name for name, _ in demo_names.FAMILY_NAMES]
FAMILY_WEIGHTS = [weight for _, weight in demo_names.FAMILY_NAMES]
ROADS = [w + k for w in demo_names.ROAD_WORDS for k in demo_names.ROAD_KINDS]
OTHER_PROVINCES = ("河南省信阳市", "湖南省岳阳市", "江西省九江市", "安徽省安庆市", "四川省达州市", "湖北省黄冈市",
                   "湖北省随州市", "湖北省荆州市", "重庆市万州区", "河南省南阳市")
# (category, kind, code, mean count per grid)
THING_CATALOGUE = [
    (ThingCategory.PUBLIC_UTILITIES, "井盖", "01", 6), (ThingCategory.PUBLIC_UTILITIES, "路灯", "02", 5),
    (ThingCategory.PUBLIC_UTILITIES, "消防栓", "03", 2), (ThingCategory.CITY_APPEARANCE, "垃圾箱", "04", 4),
    (ThingCategory.ROADS_TRAFFIC, "公交站亭", "05", 1), (ThingCategory.ROADS_TRAFFIC, "停车场", "06", 1),
    (ThingCategory.GREENERY, "绿地", "07", 2), (ThingCategory.HOUSING_LAND, "危房", "08", 0),
]
THING_OWNERS = {
    ThingCategory.PUBLIC_UTILITIES: "市政公用事业服务中心", ThingCategory.CITY_APPEARANCE: "城市管理执法局",
    ThingCategory.ROADS_TRAFFIC: "交通运输局", ThingCategory.GREENERY: "园林局",
}


@dataclass
class PopulationReport:
    grids: int = 0
    skipped: int = 0
    buildings: int = 0
    households: int = 0
    residents: int = 0
    things: int = 0
    facilities: int = 0
    organisations: int = 0
    visits: int = 0
    seconds: float = 0.0


@dataclass
class GridBatch:
    """What one grid gets, as unsaved rows tied together by Python references."""

    buildings: list = field(default_factory=list)
    households: list = field(default_factory=list)  # (household, building)
    residents: list = field(default_factory=list)  # (resident, household)
    tags: list = field(default_factory=list)  # (link, resident)
    events: list = field(default_factory=list)  # (event, resident)
    visits: list = field(default_factory=list)  # (visit, household)
    things: list = field(default_factory=list)
    facilities: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    positions: list = field(default_factory=list)  # (position, organisation)


def build_demo_population(*, size: str = "small", progress: Progress | None = None,
                          per_grid: int | None = None, today: dt.date | None = None) -> PopulationReport:
    """Fill the registry of every active grid that has none yet (see the module's docstring)."""
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    started = time.monotonic()
    people_per_grid = per_grid or SIZES[size]
    today = today or timezone.localdate()
    report = PopulationReport()
    grids = list(Division.objects.filter(level=Level.GRID, is_active=True)
                 .exclude(Exists(Building.objects.filter(grid=OuterRef("pk")))).defer("geometry").order_by("code"))
    report.skipped = Division.objects.filter(level=Level.GRID, is_active=True).count() - len(grids)
    if not grids:
        report.seconds = time.monotonic() - started
        return report
    world = World(grids, today)
    total = len(grids)
    for start in range(0, total, GRIDS_PER_FLUSH):
        chunk = grids[start:start + GRIDS_PER_FLUSH]
        batches = [Generator(world, grid, people_per_grid).run() for grid in chunk]
        with transaction.atomic():
            _flush(batches, report)
        report.grids += len(chunk)
        if progress:
            progress("registry", report.grids, total)
    analyze_registry()
    report.seconds = time.monotonic() - started
    return report


class World:
    """What every grid's generator shares: tags, the visitor, the ID numbers and addresses taken."""

    def __init__(self, grids: list[Division], today: dt.date):
        self.today = today
        self.tags = {t.code: t for t in Tag.objects.all()}
        from gongzhi.accounts.choices import Role
        from gongzhi.accounts.models import RoleAssignment, User

        # Each grid's visits are by its own grid worker when it has one, else by the demo's grid worker.
        self.visitor = User.objects.filter(username="grid_worker").first() or User.objects.order_by("pk").first()
        self.grid_workers = dict(RoleAssignment.objects.filter(role=Role.GRID_WORKER, revoked_at=None)
                                 .exclude(division=None).order_by("-pk").values_list("division_id", "user_id"))
        self.used_ids: set[str] = set()
        if Resident.objects.exists():
            self.used_ids = set(Resident.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
        parents = {g.parent_id for g in grids}
        self.communities = {d.pk: d for d in Division.objects.filter(pk__in=parents).defer("geometry")}
        first_grids = {}
        for pk, community_id in (Division.objects.filter(level=Level.GRID, is_active=True, parent_id__in=parents)
                                 .order_by("code").values_list("pk", "parent_id")):
            first_grids.setdefault(community_id, pk)
        self.first_grid_of = first_grids
        self.addresses: dict[int, set[str]] = {}
        self.geometry = dict(Division.objects.filter(pk__in=[g.pk for g in grids]).values_list("pk", "geometry"))

    def free_address(self, district_id: int, address: str) -> bool:
        taken = self.addresses.get(district_id)
        if taken is None:
            taken = self.addresses[district_id] = set(
                Building.objects.filter(district_id=district_id).values_list("address", flat=True))
        if address in taken:
            return False
        taken.add(address)
        return True


class Generator:
    """One grid's buildings, households, people, things and visits, from a generator seeded by its code."""

    def __init__(self, world: World, grid: Division, people: int):
        self.world = world
        self.grid = grid
        self.target = max(1, round(people * (0.8 + 0.4 * random.Random(grid.code).random())))
        self.rng = random.Random(f"{SEED}:{grid.code}")
        self.place = placed_values(grid)
        self.community = world.communities[grid.parent_id]
        self.rural = self.community.kind == "村" or self.community.name.endswith("村")
        self.batch = GridBatch()
        self.points = _PointSampler(world.geometry.get(grid.pk), self.rng)

    def run(self) -> GridBatch:
        self._homes()
        self._things()
        if self.world.first_grid_of.get(self.community.pk) == self.grid.pk:
            self._facilities()
            self._organisations()
        self._shops()
        return self.batch

    # --- places and people ------------------------------------------------------------------------------

    def _homes(self) -> None:
        people = 0
        while people < self.target:
            building = self._building()
            for room in self._rooms(building):
                if people >= self.target:
                    break
                household = Household(room=room, kind=self._household_kind(), **self.place)
                self.batch.households.append((household, building))
                if household.kind != HouseholdKind.VACANT:
                    members, cared = self._family(household)
                    people += members
                    self._visits(household, cared)

    def _building(self) -> Building:
        rng, n = self.rng, len(self.batch.buildings) + 1
        district = self.grid.district_id
        if self.rural:
            group = self.grid.grid_number or 1
            number = n
            while not self.world.free_address(district, address := f"{self.community.name}{group}组{number}号"):
                number += 100
            building = Building(address=address, floors=rng.choice((1, 2, 2, 3)), units=1, **self.place)
        else:
            road = ROADS[zlib.crc32(self.community.code.encode()) % len(ROADS)]
            house = (self.grid.grid_number or 1) * 10
            while not self.world.free_address(district, address := f"{road}{house}号{n}栋"):
                house += 1
            estate = demo_names.ESTATE_WORDS[zlib.crc32(self.grid.code.encode()) % len(demo_names.ESTATE_WORDS)]
            building = Building(address=address, name=f"{estate}小区{n}栋", floors=rng.choice((6, 6, 7, 11, 18)),
                                units=rng.choice((1, 2, 2, 3)), **self.place)
        building.lng, building.lat = self.points.next()
        self.batch.buildings.append(building)
        return building

    def _rooms(self, building: Building) -> list[str]:
        if self.rural:
            return [""]
        return [f"{u}单元{f}{r:02d}" for u in range(1, building.units + 1) for f in range(1, building.floors + 1)
                for r in (1, 2)]

    def _household_kind(self) -> str:
        roll = self.rng.random()
        if self.rural:
            return HouseholdKind.VACANT if roll < 0.12 else HouseholdKind.OWNER_OCCUPIED
        if roll < 0.07:
            return HouseholdKind.VACANT
        if roll < 0.27:
            return HouseholdKind.RENTED
        if roll < 0.285:
            return HouseholdKind.COLLECTIVE
        return HouseholdKind.OWNER_OCCUPIED

    def _family(self, household: Household) -> tuple[int, bool]:
        """Members of one household: a structure drawn at realistic rates, then tags. Returns how many,
        and whether someone's tag asks for regular visits."""
        rng = self.rng
        floating = household.kind in (HouseholdKind.RENTED, HouseholdKind.COLLECTIVE)
        family = rng.choices(FAMILY_NAMES, FAMILY_WEIGHTS)[0]
        members: list[tuple[str, int, str, str]] = []  # (relation, age, gender, family name)
        if household.kind == HouseholdKind.COLLECTIVE:
            for i in range(rng.randint(4, 8)):
                members.append((Relation.HEAD if i == 0 else Relation.OTHER, rng.randint(18, 40),
                                rng.choice(Gender.values), rng.choices(FAMILY_NAMES, FAMILY_WEIGHTS)[0]))
        else:
            shape = rng.choices(("single", "couple", "nuclear", "three", "skipped"),
                                (25, 28, 30, 14, 3 if not self.rural else 9))[0]
            head_gender = Gender.MALE if rng.random() < 0.7 else Gender.FEMALE
            other = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            if shape == "single":
                age = rng.choice((rng.randint(22, 35), rng.randint(36, 64), rng.randint(65, 92)))
                members.append((Relation.HEAD, age, rng.choice(Gender.values), family))
            elif shape == "skipped":
                age = rng.randint(58, 78)
                members += [(Relation.HEAD, age, head_gender, family), (Relation.SPOUSE, age + rng.randint(-4, 3),
                                                                        other, self._family_name())]
                members += [(Relation.GRANDCHILD, rng.randint(2, 15), rng.choice(Gender.values), family)
                            for _ in range(rng.randint(1, 2))]
            else:
                age = rng.randint(24, 80) if shape == "couple" else rng.randint(28, 58)
                members += [(Relation.HEAD, age, head_gender, family),
                            (Relation.SPOUSE, max(20, age + rng.randint(-5, 3)), other, self._family_name())]
                if shape in ("nuclear", "three"):
                    for _ in range(rng.choices((1, 2, 3), (60, 35, 5))[0]):
                        child_age = max(0, age - rng.randint(23, 34))
                        members.append((Relation.CHILD, child_age, rng.choice(Gender.values), family))
                if shape == "three":
                    members.append((Relation.PARENT, min(98, age + rng.randint(22, 32)),
                                    rng.choice(Gender.values), family))
        origin = rng.choice(OTHER_PROVINCES) if floating else ""
        residents = [self._resident(household, relation, age, gender, name, floating, origin)
                     for relation, age, gender, name in members]
        tagged = len(self.batch.tags)
        self._tags(residents, household, floating)
        cared = any(link.tag.visit_interval_days for link, _ in self.batch.tags[tagged:])
        return len(residents), cared

    def _family_name(self) -> str:
        return self.rng.choices(FAMILY_NAMES, FAMILY_WEIGHTS)[0]

    def _resident(self, household, relation, age, gender, family, floating, origin) -> Resident:
        rng = self.rng
        chars = demo_names.MALE_CHARS if gender == Gender.MALE else demo_names.FEMALE_CHARS
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        name = family + given
        today = self.world.today
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        resident = Resident(name=name, name_initials=initials(name), gender=gender, birth_date=birth,
                            relation=relation, residence=Residence.LIVING_ONLY if floating else Residence.BOTH,
                            registered_address=origin or f"湖北省孝感市{self.community.name}", **self.place)
        resident.set_id_number(self._id_number(birth, gender))
        if 16 <= age <= 80 and rng.random() < 0.9:
            resident.set_phone("1" + rng.choice(("39", "38", "37", "36", "35", "50", "52", "58", "59", "86", "88",
                                                 "99", "77", "33", "89")) + f"{rng.randrange(10**8):08d}")
        roll = rng.random()
        status = (ResidentStatus.MOVED_OUT if roll < 0.015 else
                  ResidentStatus.DECEASED if roll < 0.02 and age > 60 else ResidentStatus.ACTIVE)
        resident.status = status
        registered_on = today - dt.timedelta(days=rng.randint(30, 1500))
        self.batch.residents.append((resident, household))
        self.batch.events.append((ResidentEvent(kind=EventKind.REGISTERED, occurred_on=registered_on,
                                                **self.place), resident))
        if status != ResidentStatus.ACTIVE:
            kind = EventKind.MOVED_OUT if status == ResidentStatus.MOVED_OUT else EventKind.DIED
            self.batch.events.append((ResidentEvent(kind=kind, occurred_on=registered_on + dt.timedelta(
                days=rng.randint(1, max(1, (today - registered_on).days))), **self.place), resident))
        resident.age_years = age
        return resident

    def _id_number(self, birth: dt.date, gender: str) -> str:
        """A valid number under the fictitious area code, unique in the registry."""
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{AREA_CODE}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_character(first17)
            digest = crypto.blind_index(number, crypto.ID_NUMBER)
            if digest not in self.world.used_ids:
                self.world.used_ids.add(digest)
                return number

    def _tags(self, residents: list[Resident], household: Household, floating: bool) -> None:
        rng, tags, today = self.rng, self.world.tags, self.world.today
        live = [r for r in residents if r.status == ResidentStatus.ACTIVE]

        def tag(resident, code, **dates):
            started = today - dt.timedelta(days=rng.randint(0, 900))
            self.batch.tags.append((ResidentTag(tag=tags[code], started_on=started, **dates), resident))

        if len(residents) == 1 and live and live[0].age_years >= 65:
            tag(live[0], ELDERLY_ALONE)
        if residents and live and rng.random() < 0.015:
            tag(live[0], SUBSISTENCE)
        for r in live:
            if floating:
                start = today - dt.timedelta(days=rng.randint(0, 700))
                permit = {"permit_valid_from": start, "permit_valid_until": start + dt.timedelta(days=730)} \
                    if rng.random() < 0.7 else {}
                tag(r, FLOATING, **permit)
            if r.age_years >= 18 and rng.random() < 0.08:
                tag(r, PARTY_MEMBER)
            if r.gender == Gender.MALE and r.age_years >= 25 and rng.random() < 0.03:
                tag(r, VETERAN)
            if rng.random() < 0.025:
                tag(r, DISABLED)
            if rng.random() < 0.003:
                tag(r, KEY_CARE)
            if r.relation == Relation.GRANDCHILD and r.age_years < 16 and not any(
                    m.relation == Relation.CHILD for m in residents):
                tag(r, LEFT_BEHIND_CHILD)

    def _visits(self, household: Household, cared: bool) -> None:
        """Most households were visited in the last four months; those with care tags more often."""
        if self.world.visitor is None:
            return
        rng, today = self.rng, self.world.today
        if rng.random() > (0.85 if cared else 0.55):
            return
        visitor = self.world.grid_workers.get(self.grid.pk, self.world.visitor.pk)
        for _ in range(rng.choice((1, 1, 2, 3))):
            visited = today - dt.timedelta(days=rng.randint(0, 120))
            follow_up = rng.random() < 0.08
            visit = Visit(visited_on=visited, visitor_id=visitor, notes=rng.choice(demo_names.VISIT_NOTES),
                          follow_up_needed=follow_up, follow_up=rng.choice(demo_names.FOLLOW_UPS) if follow_up else "",
                          **self.place)
            if follow_up and rng.random() < 0.6:
                visit.follow_up_closed_at = timezone.now() - dt.timedelta(days=rng.randint(0, 30))
                visit.follow_up_closed_by_id = visitor
            self.batch.visits.append((visit, household))
            if household.last_visited_on is None or visited > household.last_visited_on:
                household.last_visited_on = visited

    # --- things, facilities, organisations ---------------------------------------------------------------

    def _things(self) -> None:
        rng = self.rng
        for category, kind, code, mean in THING_CATALOGUE:
            for i in range(rng.randint(0, mean * 2) if mean else int(rng.random() < 0.1)):
                state = rng.choices(ThingState.values, (92, 5, 2, 1))[0]
                lng, lat = self.points.next()
                self.batch.things.append(Thing(code=f"{self.grid.code}{code}{i + 1:03d}", category=category, kind=kind,
                                               state=state, lng=lng, lat=lat, owner_unit=self._owner(category),
                                               **self.place))

    @staticmethod
    def _owner(category: str) -> str:
        return THING_OWNERS.get(category, "住房和城乡建设局")

    def _facilities(self) -> None:
        rng, name = self.rng, self.community.name
        wanted = [(FacilityKind.PARTY_SERVICE_CENTRE, f"{name}党群服务中心", 1.0, (600, 1000)),
                  (FacilityKind.COMMUNITY_OFFICE, f"{name}居委会办公室", 0.99, (60, 150)),
                  (FacilityKind.ONE_STOP_HALL, f"{name}一站式服务大厅", 0.7, (80, 200)),
                  (FacilityKind.ACTIVITY_ROOM, f"{name}居民活动室", 0.9, (50, 200)),
                  (FacilityKind.SQUARE, f"{name}文化广场", 0.78, (400, 2000)),
                  (FacilityKind.ELDERLY_CARE_STATION, f"{name}养老服务站", 0.6, (100, 400)),
                  (FacilityKind.CLINIC, f"{name}卫生服务站", 0.5, (80, 300))]
        for kind, title, share, (low, high) in wanted:
            if rng.random() < share:
                lng, lat = self.points.next()
                self.batch.facilities.append(Facility(
                    kind=kind, name=title, address=f"{name}{rng.randint(1, 99)}号",
                    floor_area_m2=Decimal(rng.randint(low, high)), lng=lng, lat=lat,
                    opening_hours="周一至周日 8:30-17:30" if kind != FacilityKind.SQUARE else "全天", **self.place))

    def _organisations(self) -> None:
        rng, name = self.rng, self.community.name
        committee = "村民委员会" if self.rural else "居民委员会"
        wanted = [(OrganisationKind.RESIDENTS_COMMITTEE, f"{name}{committee}", ("主任", "副主任", "委员")),
                  (OrganisationKind.SUPERVISION_COMMITTEE, f"{name}居务监督委员会", ("主任",))]
        if not self.rural:
            estate = demo_names.ESTATE_WORDS[zlib.crc32(self.grid.code.encode()) % len(demo_names.ESTATE_WORDS)]
            wanted += [(OrganisationKind.OWNERS_COMMITTEE, f"{estate}小区业主委员会", ("主任", "委员")),
                       (OrganisationKind.PROPERTY_COMPANY, f"孝感{estate}物业服务有限公司", ("项目经理",))]
        wanted += [(OrganisationKind.SOCIAL_ORGANISATION, f"{name}{rng.choice(demo_names.SOCIAL_ORGANISATIONS)}",
                    ("会长",)),
                   (OrganisationKind.VOLUNTEER_ORGANISATION, f"{name}{rng.choice(demo_names.VOLUNTEER_ORGANISATIONS)}",
                    ("队长",))]
        if rng.random() < 0.6:
            wanted.append((OrganisationKind.WORK_UNIT, f"{name.removesuffix('社区').removesuffix('村')}"
                                                        f"{rng.choice(demo_names.WORK_UNITS)}", ("负责人",)))
        for kind, title, positions in wanted:
            organisation = self._organisation(kind, title)
            for position in positions:
                holder = self._family_name() + rng.choice(demo_names.MALE_CHARS + demo_names.FEMALE_CHARS)
                self.batch.positions.append((Position(title=position, holder_name=holder,
                                                      started_on=self.world.today - dt.timedelta(
                                                          days=rng.randint(30, 1500))), organisation))

    def _shops(self) -> None:
        if self.rural and self.rng.random() < 0.5:
            return
        for _ in range(self.rng.randint(1, 5)):
            kind = self.rng.choice(demo_names.SHOP_KINDS)
            self._organisation(OrganisationKind.SHOP, f"{self._family_name()}记{kind}")

    def _organisation(self, kind: str, name: str) -> Organisation:
        rng = self.rng
        organisation = Organisation(kind=kind, name=name, address=f"{self.community.name}{rng.randint(1, 199)}号",
                                    contact_name=self._family_name() + rng.choice(("先生", "女士")), **self.place)
        organisation.set_contact_phone(f"13{rng.randint(3, 9)}{rng.randrange(10**8):08d}")
        self.batch.organisations.append(organisation)
        return organisation


class _PointSampler:
    """Random points inside a grid's boundary (None, None without one)."""

    def __init__(self, geometry: dict | None, rng: random.Random):
        self.rng = rng
        self.shape = None
        if geometry:
            from shapely.geometry import shape
            from shapely.prepared import prep

            polygon = shape(geometry)
            self.shape, self.prepared, self.bounds = polygon, prep(polygon), polygon.bounds

    def next(self) -> tuple[float | None, float | None]:
        if self.shape is None:
            return None, None
        from shapely.geometry import Point

        x0, y0, x1, y1 = self.bounds
        for _ in range(30):
            x, y = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
            if self.prepared.contains(Point(x, y)):
                return round(x, 6), round(y, 6)
        point = self.shape.representative_point()
        return round(point.x, 6), round(point.y, 6)


def _flush(batches: list[GridBatch], report: PopulationReport) -> None:
    """Bulk-insert a set of grids' rows, parents first so children get their keys."""

    def insert(model, rows):
        if rows:
            BulkInsert(model, concrete_fields(model)).insert_objects(rows)
        return len(rows)

    report.buildings += insert(Building, [b for batch in batches for b in batch.buildings])
    households = [(h, b) for batch in batches for h, b in batch.households]
    for household, building in households:
        household.building_id = building.pk
    report.households += insert(Household, [h for h, _ in households])
    residents = [(r, h) for batch in batches for r, h in batch.residents]
    for resident, household in residents:
        resident.household_id = household.pk
    report.residents += insert(Resident, [r for r, _ in residents])
    for model, attribute in ((ResidentEvent, "events"), (ResidentTag, "tags")):
        rows = []
        for batch in batches:
            for row, resident in getattr(batch, attribute):
                row.resident_id = resident.pk
                if model is ResidentEvent:
                    row.to_household_id = resident.household_id
                    for column in PLACE_COLUMNS:
                        setattr(row, column, getattr(resident, column))
                rows.append(row)
        insert(model, rows)
    visits = [(v, h) for batch in batches for v, h in batch.visits]
    for visit, household in visits:
        visit.household_id = household.pk
    report.visits += insert(Visit, [v for v, _ in visits])
    report.things += insert(Thing, [t for batch in batches for t in batch.things])
    report.facilities += insert(Facility, [f for batch in batches for f in batch.facilities])
    report.organisations += insert(Organisation, [o for batch in batches for o in batch.organisations])
    positions = [(p, o) for batch in batches for p, o in batch.positions]
    for position, organisation in positions:
        position.organisation_id = organisation.pk
    insert(Position, [p for p, _ in positions])


def analyze_registry() -> None:
    """Fresh planner statistics after a bulk load or a table rebuild (SQLite has none until asked)."""
    tables = [m._meta.db_table for m in (Building, Household, Resident, ResidentTag, Visit)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
