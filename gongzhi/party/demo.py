"""The demo city's party organisation, as it looks after a year of use: the tree of the documents
(street working committees → community party committees → grid branches → building groups, and the
units of the area), big committees with part-time members from the district's departments and the
units, about 95 members living in each community, a year of double report-in (双报到), service,
feedback cards, linked leaders' visits and committee meetings.

    build_demo_party(size="small")   # every community of the database: 46 in the small demo
    build_demo_party(size="city")    # the 2,263 communities of 孝感市: some 200,000 members

What it builds, where the documents give numbers (one district: 4 big working committees, 49 big
party committees, 263 unit secretaries and 20 district officials as part-time members, 67 units and
4,643 members reported in):
- each street: a working committee (党工委) on a big-committee term with a secretary, deputies,
  members with their portfolios and part-time members from the district's departments; one street's
  committee was re-elected this term (the earlier term ended); a service station (服务站); a state
  enterprise and a public institution of the street registered with one of its communities;
- each district: a management centre (管理中心), its departments' branches (机关党支部) registered
  with communities across the district, its leaders linked to the streets;
- each community: a party committee (a general branch when small) on a big-committee term whose
  part-time members are the unit secretaries registered with it, the community's police officer and
  its owners' committee chair; a branch per grid or per two grids, some building groups over the
  registry's buildings, and about 8% of grids with no branch (the coverage page's gaps); the
  registry's property companies and work units with a branch of their own (most) or none (两新
  coverage gaps), registered with the community with an agreement, offers and this year's projects;
  members (a few linked to the registry's residents tagged as party members), report-ins over the
  last two periods, service over the year, the last complete quarter's feedback cards, a few
  transfers, a party-member home (党员之家), a street leader linked to it with visits and problems;
- the personas: the demo's community secretary sits as secretary of 书院社区's committee;
  `branch_secretary` (第一网格党支部), `party_member` (a member of that branch who has not reported in
  this period) and `unit_secretary` (a unit registered with 书院社区) are added.

Idempotent like the registry's population: a street, district or community that already has its
organisation is left alone, so a second run adds nothing and the city after the small demo adds only
the new places. Each place draws from a generator seeded by its code. Rows are bulk-inserted a batch
of communities at a time; the demo writes no audit rows (nobody did anything) beyond the personas'."""

import datetime as dt
import functools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from gongzhi.departments.models import Department
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.registry import crypto
from gongzhi.registry import demo_names as people_names
from gongzhi.registry.bulk import BulkInsert, concrete_fields
from gongzhi.registry.names import initials
from gongzhi.registry.validation import id_check_character

from . import demo_names as words
from . import periods
from .choices import (
    Attendance,
    CardStatus,
    ChangeKind,
    Duty,
    Evaluation,
    FacilityKind,
    Form,
    Kind,
    Line,
    MemberCategory,
    MemberState,
    MemberStatus,
    Offer,
    OrganisationStatus,
    Position,
    ProblemStatus,
    ProjectStatus,
    RegistrationStatus,
    ReportInMethod,
    Sector,
)
from .models import (
    Facility,
    FeedbackCard,
    LeaderLink,
    LeaderProblem,
    LeaderVisit,
    Meeting,
    MeetingAttendance,
    Member,
    MemberRegistration,
    Organisation,
    OrganisationChange,
    Policy,
    Project,
    Seat,
    ServiceEntry,
    Term,
    Transfer,
    UnitRegistration,
)

SIZES = {"small": 95, "city": 90}  # members living in a community, about
COMMUNITIES_PER_FLUSH = 25
SEED = "gongzhi-demo-party"
# Fictitious like the registry's 429999 (no prefecture 4299 exists), and apart from it: a member not
# linked to a resident never shares a number with one.
AREA_CODE = "429998"
PERSONA_COMMUNITY = "420902001001"  # 书院社区 (gongzhi.demo.build.PERSONA_PLACES["community_a"])
GAP_SHARE = 0.08  # grids with no branch
# (username, display name prefix, phone) of the personas this stage adds.
BRANCH_SECRETARY = ("branch_secretary", "支部书记", "13900000041")
PARTY_MEMBER = ("party_member", "党员", "13900000042")
UNIT_SECRETARY = ("unit_secretary", "单位党支部书记", "13900000043")

Progress = Callable[[str, int, int], None]

FAMILY_NAMES = [name for name, _ in people_names.FAMILY_NAMES]
FAMILY_WEIGHTS = [weight for _, weight in people_names.FAMILY_NAMES]
# The order rows are inserted in: parents before the rows that point at them.
ORDER = (Organisation, Term, Member, Seat, Facility, OrganisationChange, UnitRegistration, Project, Transfer,
         MemberRegistration, ServiceEntry, FeedbackCard, Meeting, MeetingAttendance, LeaderLink, LeaderVisit,
         LeaderProblem)
METHODS = tuple(ReportInMethod.values)
PROJECT_STATUSES = tuple(ProjectStatus.values)
ANALYZE = (Organisation, Member, MemberRegistration, ServiceEntry, FeedbackCard, Seat, Term, UnitRegistration)


@dataclass
class PartyReport:
    streets: int = 0
    communities: int = 0
    skipped: int = 0
    organisations: int = 0
    members: int = 0
    registrations: int = 0
    units: int = 0
    service_entries: int = 0
    meetings: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Periods:
    """The report-in periods (Policy: half-years by default) and the last complete feedback quarter."""

    previous: tuple[dt.date, dt.date]
    current: tuple[dt.date, dt.date]
    quarter: tuple[dt.date, dt.date]

    @classmethod
    def around(cls, today: dt.date, period_months: int = 6, feedback_months: int = 3) -> "Periods":
        current = periods.period_of(today, period_months)
        previous = periods.previous(current)
        quarter = periods.previous(periods.period_of(today, feedback_months))
        return cls(previous=(previous.start, previous.end), current=(current.start, current.end),
                   quarter=(quarter.start, quarter.end))


def _period_start(day: dt.date, months: int) -> dt.date:
    return periods.period_of(day, months).start


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class Batch:
    """Unsaved rows of several places, tied together by Python references, inserted parents first."""

    def __init__(self):
        self.rows: dict[type, list] = defaultdict(list)
        self.covers: list[tuple[Organisation, int]] = []
        self.buildings: list[tuple[Organisation, int]] = []

    def add(self, row):
        self.rows[type(row)].append(row)
        return row

    def flush(self, report: PartyReport) -> None:
        for model in ORDER:
            rows = self.rows.get(model)
            if not rows:
                continue
            _resolve(model, rows)
            BulkInsert(model, concrete_fields(model)).insert_objects(rows)
            if model is Organisation:
                _set_paths(rows)
        through = Organisation.covers.through
        through.objects.bulk_create([through(organisation_id=o.pk, division_id=d) for o, d in self.covers],
                                    batch_size=2000)
        through = Organisation.buildings.through
        through.objects.bulk_create([through(organisation_id=o.pk, building_id=b) for o, b in self.buildings],
                                    batch_size=2000)
        report.organisations += len(self.rows[Organisation])
        report.members += len(self.rows[Member])
        report.registrations += len(self.rows[MemberRegistration])
        report.units += len(self.rows[UnitRegistration])
        report.service_entries += len(self.rows[ServiceEntry])
        report.meetings += len(self.rows[Meeting])


def _resolve(model, rows) -> None:
    """Copy the keys of the rows each row points at (inserted just before) into its key columns."""
    relations = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    for row in rows:
        cache = row._state.fields_cache
        for f in relations:
            target = cache.get(f.name)
            if target is not None and getattr(row, f.attname) is None:
                setattr(row, f.attname, target.pk)


def _set_paths(organisations: list[Organisation]) -> None:
    """Paths (each ends with the row's own key) and the links to organisations inserted alongside."""
    parents = [org._state.fields_cache.get("parent") for org in organisations]  # setting a key forgets these
    _resolve(Organisation, organisations)
    for org, parent in sorted(zip(organisations, parents, strict=True), key=lambda pair: pair[0].depth):
        org.path = f"{parent.path if parent is not None else '/'}{org.pk}/"
    Organisation.objects.bulk_update(organisations, ["path", "parent", "successor"], batch_size=500)


def build_demo_party(*, size: str = "small", progress: Progress | None = None, per_community: int | None = None,
                     today: dt.date | None = None) -> PartyReport:
    """Build the party organisation of every street, district and community that has none yet."""
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    started = time.monotonic()
    report = PartyReport()
    world = World(today or timezone.localdate(), per_community or SIZES[size])
    communities = [c for c in world.communities if c.pk not in world.built_communities]
    report.skipped = len(world.communities) - len(communities)
    streets = [s for s in world.streets if s.pk not in world.street_orgs]
    if not communities and not streets:
        _derive_member_dates()
        report.seconds = time.monotonic() - started
        return report
    world.ensure_personas()
    with transaction.atomic():
        batch = Batch()
        for street in streets:
            StreetBuilder(world, street, batch).run()
        for district in world.districts:
            if district.pk not in world.built_districts:
                DistrictBuilder(world, district, batch).run()
        batch.flush(report)
    report.streets = len(streets)
    world.load_units()
    total = len(communities)
    for start in range(0, total, COMMUNITIES_PER_FLUSH):
        chunk = communities[start:start + COMMUNITIES_PER_FLUSH]
        registry = RegistryFacts(chunk, world)
        batch = Batch()
        for community in chunk:
            CommunityBuilder(world, community, registry, batch).run()
        with transaction.atomic():
            batch.flush(report)
        report.communities += len(chunk)
        if progress:
            progress("party", report.communities, total)
    _derive_member_dates()
    analyze_party()
    report.seconds = time.monotonic() - started
    return report


def _derive_member_dates() -> None:
    """The report-in and service dates kept on each member (bulk rows skip the services that keep them);
    nothing to do for members that have them."""
    from .services.registrations import backfill_first_report_ins
    from .services.service_record import keep_last_served

    backfill_first_report_ins()
    keep_last_served()


def analyze_party() -> None:
    """Fresh planner statistics after the bulk load."""
    with connection.cursor() as cursor:
        for model in ANALYZE:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class World:
    """What every place's builder shares: the divisions, the departments, the organisations already
    built, the personas, the ID numbers and organisation codes taken."""

    def __init__(self, today: dt.date, per_community: int):
        self.today = today
        self.now = timezone.now()
        self.per_community = per_community
        policy = Policy.objects.first()
        self.periods = Periods.around(today, policy.period_months if policy else 6,
                                      policy.feedback_months if policy else 3)
        divisions = Division.objects.filter(is_active=True).defer("geometry").order_by("code")
        self.districts = list(divisions.filter(level=Level.DISTRICT, pk__in=divisions.filter(
            level=Level.STREET).values("district_id")))
        self.streets = list(divisions.filter(level=Level.STREET))
        self.communities = list(divisions.filter(level=Level.COMMUNITY, street__isnull=False))
        self.grids = defaultdict(list)
        for grid in divisions.filter(level=Level.GRID, community__isnull=False):
            self.grids[grid.community_id].append(grid)
        self.communities_of_street = defaultdict(list)
        self.communities_of_district = defaultdict(list)
        for community in self.communities:
            self.communities_of_street[community.street_id].append(community)
            self.communities_of_district[community.district_id].append(community)
        self.departments = defaultdict(list)
        for department in Department.objects.filter(is_active=True).order_by("pk"):
            self.departments[department.division_id].append(department)
        self.street_orgs = {o.street_id: o for o in Organisation.objects.filter(line=Line.STREET, parent=None)}
        self.built_communities = set(Organisation.objects.filter(line=Line.COMMUNITY, community__isnull=False)
                                     .values_list("community_id", flat=True))
        self.built_districts = set(Facility.objects.filter(kind=FacilityKind.MANAGEMENT_CENTRE)
                                   .values_list("organisation__district_id", flat=True))
        self.codes = set(Organisation.objects.values_list("code", flat=True))
        self.used_ids = set(Member.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
        self.persona_community = next((c for c in self.communities if c.code == PERSONA_COMMUNITY), None)
        self.users: dict = {}
        self.units: dict[int, list[Organisation]] = defaultdict(list)  # district → units' organisations
        self.registered: dict[int, list[tuple]] = defaultdict(list)  # community → (unit org, secretary name)

    def ensure_personas(self) -> None:
        from gongzhi.accounts.models import User
        from gongzhi.demo.personas import ensure_user

        self.users = {u.username: u for u in User.objects.filter(username="community_secretary")}
        if self.persona_community is None:
            return
        for username, title, phone in (BRANCH_SECRETARY, PARTY_MEMBER, UNIT_SECRETARY):
            rng = random.Random(f"{SEED}:{username}")
            self.users[username] = ensure_user(username, f"{title} {self.person_name(rng)[0]}", phone=phone)

    @staticmethod
    def person_name(rng: random.Random, gender: str | None = None) -> tuple[str, str]:
        gender = gender or ("male" if rng.random() < 0.55 else "female")
        chars = people_names.MALE_CHARS if gender == "male" else people_names.FEMALE_CHARS
        family = rng.choices(FAMILY_NAMES, FAMILY_WEIGHTS)[0]
        return family + rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else ""), gender

    def code(self, rng: random.Random) -> str:
        while (code := f"{rng.getrandbits(48):012x}") in self.codes:
            pass
        self.codes.add(code)
        return code

    def id_number(self, rng: random.Random, birth: dt.date, gender: str) -> str:
        while True:
            sequence = rng.randrange(500) * 2 + (1 if gender == "male" else 0)
            first17 = f"{AREA_CODE}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_character(first17)
            digest = crypto.blind_index(number, crypto.ID_NUMBER)
            if digest not in self.used_ids:
                self.used_ids.add(digest)
                return number

    def load_units(self) -> None:
        """The units' organisations (members of the area hold their relation there) and the units
        registered with each community (their secretaries sit on its big committee)."""
        self.units, self.registered = defaultdict(list), defaultdict(list)
        for org in Organisation.objects.filter(line=Line.UNIT, status=OrganisationStatus.ACTIVE).order_by("pk"):
            self.units[org.district_id].append(org)
        secretaries = dict(Seat.objects.filter(position=Position.SECRETARY, ended_on=None, term__ended_on=None,
                                               term__organisation__line=Line.UNIT)
                           .values_list("term__organisation_id", "name"))
        for registration in (UnitRegistration.objects.filter(ended_on=None).select_related("organisation")
                             .order_by("pk")):
            org = registration.organisation
            self.registered[registration.community_id].append((org, secretaries.get(org.pk, "")))


class RegistryFacts:
    """What the registry holds for a batch of communities: buildings, units, the party-member
    residents and the party service centres (none of these without the registry's population)."""

    def __init__(self, communities: list[Division], world: World):
        from gongzhi.registry.choices import FacilityKind as RegistryFacility
        from gongzhi.registry.choices import OrganisationKind, ResidentStatus
        from gongzhi.registry.models import Building, ResidentTag
        from gongzhi.registry.models import Facility as RegistryFacilityRow
        from gongzhi.registry.models import Organisation as RegistryOrganisation
        from gongzhi.registry.tags import PARTY_MEMBER as TAG

        ids = [c.pk for c in communities]
        self.buildings = defaultdict(list)
        for grid_id, pk in Building.objects.filter(community_id__in=ids).order_by("pk").values_list("grid_id", "pk"):
            if len(self.buildings[grid_id]) < 4:
                self.buildings[grid_id].append(pk)
        self.units = defaultdict(list)
        kinds = (OrganisationKind.PROPERTY_COMPANY, OrganisationKind.WORK_UNIT, OrganisationKind.SOCIAL_ORGANISATION)
        for row in (RegistryOrganisation.objects.filter(community_id__in=ids, kind__in=kinds).order_by("pk")
                    .values_list("pk", "community_id", "grid_id", "kind", "name", "contact_name")):
            self.units[row[1]].append(row)
        self.centres = {}
        for row in (RegistryFacilityRow.objects.filter(community_id__in=ids,
                                                       kind=RegistryFacility.PARTY_SERVICE_CENTRE)
                    .order_by("pk").values_list("community_id", "pk", "address", "lng", "lat", "floor_area_m2")):
            self.centres.setdefault(row[0], row)
        self.residents = defaultdict(list)
        for row in (ResidentTag.objects.filter(tag__code=TAG, ended_on=None, resident__community_id__in=ids,
                                               resident__status=ResidentStatus.ACTIVE).order_by("resident_id")
                    .values_list("resident__community_id", "resident_id", "resident__grid_id", "resident__name",
                                 "resident__name_initials", "resident__gender", "resident__birth_date",
                                 "resident__id_number_sealed", "resident__id_number_hash", "resident__phone_sealed",
                                 "resident__phone_hash")):
            if row[8] not in world.used_ids:
                self.residents[row[0]].append(row[1:])


class Builder:
    """What the street, district and community builders share."""

    def __init__(self, world: World, place: Division, batch: Batch, seed: str):
        self.world = world
        self.place = place
        self.batch = batch
        self.rng = random.Random(f"{SEED}:{seed}:{place.code}")
        self.today = world.today

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def name(self, gender: str | None = None) -> str:
        return self.world.person_name(self.rng, gender)[0]

    def organisation(self, name, form, line, division, parent=None, *, kind=Kind.TERRITORIAL,
                     sector=Sector.COMMUNITY, founded=None, covers=(), unit=None, unit_name="") -> Organisation:
        org = Organisation(name=name, form=form, line=line, kind=kind, sector=sector, unit_id=unit,
                           unit_name=unit_name, founded_on=founded or self.days_ago(2000, 9000),
                           code=self.world.code(self.rng), path="", created_at=self.world.now,
                           updated_at=self.world.now)
        org.site_at(division)
        org.parent = parent
        org.depth = 0 if parent is None else parent.depth + 1
        self.batch.add(org)
        for division_id in covers:
            self.batch.covers.append((org, division_id))
        self.batch.add(OrganisationChange(organisation=org, kind=ChangeKind.FOUNDED, on=org.founded_on,
                                          at=_moment(org.founded_on), after={"name": name, "form": form}))
        return org

    def term(self, org, *, big=False, number=None, elected=None, ended=None) -> Term:
        elected = elected or self.days_ago(200, 1500)
        return self.batch.add(Term(organisation=org, number=number or self.rng.randint(2, 6), elected_on=elected,
                                   due_on=_years_after(elected, 5), ended_on=ended, is_big=big))

    def seat(self, term, name, position=Position.MEMBER, **extra) -> Seat:
        return self.batch.add(Seat(term=term, position=position, name=name, started_on=term.elected_on,
                                   ended_on=term.ended_on, **extra))

    def committee(self, term, *, deputies=1, members=3) -> list[Seat]:
        """Secretary, deputies and members with their portfolios (the secretary is the caller's)."""
        seats = [self.seat(term, self.name(), Position.DEPUTY) for _ in range(deputies)]
        duties = [Duty.ORGANISATION, Duty.PUBLICITY, Duty.DISCIPLINE, Duty.YOUTH, Duty.WOMEN]
        for i in range(members):
            seats.append(self.seat(term, self.name(), Position.MEMBER, duty=duties[i] if i < len(duties) else ""))
        return seats

    def meetings(self, term, seats: list[Seat]) -> None:
        """Monthly meetings over the last year, with the attendance a committee usually has."""
        for months_ago in range(12, 0, -1):
            month = _add_months(_period_start(self.today, 1), -months_ago + 1)
            held = month + dt.timedelta(days=self.rng.randint(5, 24))
            if held > self.today or held < term.elected_on:
                continue
            meeting = self.batch.add(Meeting(term=term, held_on=held, title=words.MEETINGS[held.month - 1],
                                             created_at=_moment(held)))
            for seat in seats:
                roll = self.rng.random() + (0.12 if seat.position == Position.PART_TIME else 0)
                status = (Attendance.PRESENT if roll < 0.86 else Attendance.LEAVE if roll < 0.97
                          else Attendance.ABSENT)
                self.batch.add(_row(MeetingAttendance, meeting=meeting, seat=seat, status=status))

    def facility(self, org, kind, name, **extra) -> None:
        self.batch.add(Facility(organisation=org, kind=kind, name=name, opening_hours="周一至周五 8:30-17:30",
                                created_at=self.world.now, **extra))

    def leader(self, name, title, division, started) -> None:
        link = self.batch.add(LeaderLink(name=name, title=title, division=division, street_id=division.street_id
                                         if division.level != Level.STREET else division.pk,
                                         district_id=division.district_id,
                                         community_id=division.pk if division.level == Level.COMMUNITY else None,
                                         started_on=started))
        rng = self.rng
        for _ in range(rng.randint(3, 8)):
            visited = self.days_ago(3, 360)
            visit = self.batch.add(LeaderVisit(link=link, visited_on=visited, summary=rng.choice(words.VISIT_SUMMARIES),
                                               recorded_at=_moment(visited)))
            if rng.random() < 0.35:
                roll = rng.random()
                status = (ProblemStatus.SOLVED if roll < 0.5 else ProblemStatus.UNDER_WAY if roll < 0.8
                          else ProblemStatus.OPEN)
                solved = min(self.today, visited + dt.timedelta(days=rng.randint(7, 90)))
                self.batch.add(LeaderProblem(
                    link=link, visit=visit, title=rng.choice(words.PROBLEMS), status=status, taken_on=visited,
                    solved_on=solved if status == ProblemStatus.SOLVED else None,
                    resolution=rng.choice(words.RESOLUTIONS) if status == ProblemStatus.SOLVED else ""))

    def register_unit(self, org, community, secretary, *, pending=False) -> UnitRegistration:
        rng = self.rng
        offers = rng.sample(Offer.values, rng.randint(1, 3))
        registered = self.days_ago(120, 1100)
        registration = self.batch.add(UnitRegistration(
            organisation=org, community=community, street_id=community.street_id,
            district_id=community.district_id, registered_on=registered, offers=offers,
            agreement=words.AGREEMENT.format(unit=org.unit_name or org.name, community=community.name,
                                             offers="、".join(words.OFFER_WORDS[o] for o in offers)),
            signed_on=None if pending else registered + dt.timedelta(days=rng.randint(0, 20)),
            contact_name=secretary, status=RegistrationStatus.PENDING if pending else RegistrationStatus.CONFIRMED,
            created_at=_moment(registered)))
        if not pending:
            for title in rng.sample(words.PROJECTS, rng.randint(2, 4)):
                status = rng.choices(PROJECT_STATUSES, (20, 45, 30, 5))[0]
                progress = {"planned": 0, "under_way": rng.randrange(20, 85, 5), "done": 100,
                            "dropped": rng.randrange(10, 45, 5)}[status]
                self.batch.add(Project(registration=registration, year=self.today.year, title=title,
                                       description=f"{org.unit_name or org.name}与{community.name}共建：{title}",
                                       status=status, progress=progress, note=words.PROJECT_NOTES[status],
                                       updated_at=_moment(self.days_ago(1, 60))))
        self.world.registered[community.pk].append((org, secretary))
        return registration

    def unit(self, name, unit_name, division, parent, sector, community, *, unit=None, secretary=None,
             user=None, pending=False) -> Organisation:
        """A unit's branch with its committee, registered with its co-building community."""
        org = self.organisation(name, Form.BRANCH, Line.UNIT, division, parent, kind=Kind.UNIT, sector=sector,
                                founded=self.days_ago(700, 7000), unit=unit, unit_name=unit_name)
        term = self.term(org)
        secretary = secretary or self.name()
        self.seat(term, secretary, Position.SECRETARY, user=user, title="党支部书记")
        self.seat(term, self.name(), Position.MEMBER, duty=Duty.ORGANISATION)
        self.register_unit(org, community, secretary, pending=pending)
        self.world.units[org.district_id].append(org)
        return org


class StreetBuilder(Builder):
    def __init__(self, world, street, batch):
        super().__init__(world, street, batch, "street")

    def run(self) -> None:
        world, street, rng = self.world, self.place, self.rng
        org = self.organisation(f"{street.name}党工委", Form.WORKING_COMMITTEE, Line.STREET, street,
                                founded=dt.date(rng.randint(1985, 2005), rng.randint(1, 12), 1),
                                covers=[street.pk])
        world.street_orgs[street.pk] = org
        reelected = world.persona_community is not None and world.persona_community.street_id == street.pk
        elected = self.days_ago(150, 330) if reelected else self.days_ago(400, 1400)
        number = rng.randint(3, 6)
        if reelected:  # 换届: the earlier committee ended the day this one was elected
            old = self.term(org, big=True, number=number - 1, elected=_years_after(elected, -5), ended=elected)
            self.seat(old, self.name(), Position.SECRETARY)
            self.committee(old, deputies=2, members=4)
            self.batch.add(OrganisationChange(organisation=org, kind=ChangeKind.REELECTED, on=elected,
                                              at=_moment(elected), reason="任期届满，召开党员代表大会换届选举",
                                              before={"term": number - 1}, after={"term": number}))
        term = self.term(org, big=True, number=number, elected=elected)
        seats = [self.seat(term, self.name(), Position.SECRETARY)]
        seats += self.committee(term, deputies=2, members=rng.randint(4, 5))
        departments = world.departments.get(street.district_id, [])
        for department in rng.sample(departments, min(len(departments), 5)):
            seats.append(self.seat(term, self.name(), Position.PART_TIME, from_department=department,
                                   from_unit=department.name, title=rng.choice(words.PART_TIME_TITLES),
                                   seat_based=rng.random() < 0.5))
        self.meetings(term, seats)
        self.facility(org, FacilityKind.SERVICE_STATION, f"{street.name}党群服务站", address=f"{street.name}办事处一楼",
                      area_m2=rng.randint(300, 800))
        district = next((d for d in world.districts if d.pk == street.district_id), None)
        if district is not None:
            leaders = district_leaders(district)
            index = world.streets.index(street) if street in world.streets else 0
            name, title = leaders[index % len(leaders)]
            self.leader(name, title, street, self.days_ago(300, 1000))
        self._units()

    def _units(self) -> None:
        """A state enterprise or public institution of the street registered with one of its communities
        (the persona community's comes with the `unit_secretary` persona)."""
        communities = self.world.communities_of_street.get(self.place.pk, [])
        if not communities:
            return
        short = self.place.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        persona = self.world.persona_community
        for i, (pattern, sector) in enumerate(((self.rng.choice(words.STATE_UNITS), Sector.STATE_ENTERPRISE),
                                               (self.rng.choice(words.INSTITUTION_UNITS), Sector.INSTITUTION))):
            if i and self.rng.random() < 0.4:
                continue
            community = communities[(i * 7 + self.rng.randrange(len(communities))) % len(communities)]
            user = None
            if i == 0 and persona is not None and persona.street_id == self.place.pk:
                community, user = persona, self.world.users.get(UNIT_SECRETARY[0])
            unit_name = pattern.format(street=short)
            secretary = user.display_name.split()[-1] if user else None
            self.unit(f"{unit_name}党支部", unit_name, community, None, sector, community, secretary=secretary,
                      user=user)


class DistrictBuilder(Builder):
    def __init__(self, world, district, batch):
        super().__init__(world, district, batch, "district")

    def run(self) -> None:
        world, district, rng = self.world, self.place, self.rng
        streets = [s for s in world.streets if s.district_id == district.pk]
        first = world.street_orgs.get(streets[0].pk) if streets else None
        if first is None:
            return
        # The district's management centre is run by the working committee of its central street.
        self.facility(first, FacilityKind.MANAGEMENT_CENTRE, f"{district.name}党员教育管理中心",
                      address=f"{district.name}党群服务中心三楼", area_m2=rng.randint(800, 1500))
        communities = world.communities_of_district.get(district.pk, [])
        departments = world.departments.get(district.pk, [])
        for i, department in enumerate(departments):
            if not communities:
                break
            community = communities[(i * len(communities)) // len(departments)]
            self.unit(f"{department.name}机关党支部", department.name, district, None, Sector.ORGAN, community,
                      pending=rng.random() < 0.1)


class CommunityBuilder(Builder):
    def __init__(self, world, community, registry: RegistryFacts, batch):
        super().__init__(world, community, batch, "community")
        self.registry = registry
        self.grids = world.grids.get(community.pk, [])
        self.persona = community.code == PERSONA_COMMUNITY
        self.branches: list[tuple[Organisation, list[int]]] = []  # (branch, grid ids)
        self.members: list[Member] = []
        self.held: dict[int, list[Member]] = defaultdict(list)  # id(org) → its members

    def run(self) -> None:
        world, community, rng = self.world, self.place, self.rng
        small = len(self.grids) <= 2 and rng.random() < 0.5
        form = Form.GENERAL_BRANCH if small or rng.random() < 0.1 else Form.COMMITTEE
        parent = world.street_orgs.get(community.street_id)
        self.committee_org = self.organisation(
            f"{community.name}{'党总支' if form == Form.GENERAL_BRANCH else '党委'}", form, Line.COMMUNITY,
            community, parent, founded=self.days_ago(3000, 9000), covers=[community.pk])
        self._branches()
        self._units()
        self._members()
        self._committee()
        self._branch_committees()
        self._history()
        self._report_in()
        self._positions_and_leaders()

    # --- the tree -------------------------------------------------------------------------------------

    def _branches(self) -> None:
        """A branch per grid or per two grids; about 8% of grids left without one; building groups."""
        rng, community = self.rng, self.place
        grids = list(self.grids)
        gaps = []
        if len(grids) >= 2 and (self.persona or rng.random() < GAP_SHARE * len(grids)):
            gaps.append(grids.pop())
        i = 0
        while i < len(grids):
            pair = (not (self.persona and i == 0) and i + 1 < len(grids) and rng.random() < 0.25)
            covered = grids[i:i + 2] if pair else grids[i:i + 1]
            i += len(covered)
            labels = [g.name.removeprefix(community.name) for g in covered]
            name = (f"{community.name}{'、'.join(labels)}联合党支部" if pair else f"{covered[0].name}党支部")
            branch = self.organisation(name, Form.BRANCH, Line.GRID, covered[0], self.committee_org,
                                       founded=self.days_ago(700, 3000), covers=[g.pk for g in covered])
            self.branches.append((branch, [g.pk for g in covered]))
            for grid in covered:
                buildings = self.registry.buildings.get(grid.pk, [])
                if buildings and rng.random() < 0.45:
                    chosen = buildings[:rng.randint(1, min(2, len(buildings)))]
                    group = self.organisation(f"{grid.name}楼栋党小组", Form.GROUP,
                                              Line.BUILDING, grid, branch, kind=Kind.BUILDING,
                                              founded=self.days_ago(100, 1200), covers=[grid.pk])
                    self.batch.buildings.extend((group, b) for b in chosen)

    def _units(self) -> None:
        """The registry's property companies and work units: most with a branch of their own."""
        rng, community = self.rng, self.place
        shares = {"property_company": 0.7, "work_unit": 0.65, "social_organisation": 0.35}
        for pk, _, grid_id, kind, name, contact in self.registry.units.get(community.pk, []):
            if rng.random() >= shares[kind]:
                continue  # a 两新 organisation with no party organisation: the coverage check finds it
            grid = next((g for g in self.grids if g.pk == grid_id), None) or community
            sector = _sector(kind, name)
            parent = self.committee_org if sector in (Sector.PROPERTY_COMPANY, Sector.PRIVATE_ENTERPRISE,
                                                      Sector.SOCIAL_ORGANISATION) else None
            self.unit(f"{name}党支部", name, grid, parent, sector, community, unit=pk,
                      secretary=(contact[:1] + self.name()[1:]) if contact else None, pending=rng.random() < 0.05)

    # --- members --------------------------------------------------------------------------------------

    def _members(self) -> None:
        world, rng, community = self.world, self.rng, self.place
        target = max(8, round(world.per_community * (0.93 + 0.14 * rng.random())))
        residents = list(self.registry.residents.get(community.pk, []))
        rng.shuffle(residents)
        units = [u for u in world.units.get(community.district_id, [])]
        branch_of_grid = {g: b for b, grids in self.branches for g in grids}
        # The community's own workers hold their relation in its committee.
        for _ in range(rng.randint(5, 7)):
            self._member(self.committee_org, MemberCategory.EMPLOYED, workplace=f"{community.name}居民委员会")
        while len(self.members) < target:
            category = rng.choices((MemberCategory.EMPLOYED, MemberCategory.RETIRED, MemberCategory.MOBILE,
                                    MemberCategory.STUDENT, MemberCategory.OTHER), (45, 40, 8, 3, 4))[0]
            resident = residents.pop() if residents and rng.random() < 0.4 else None
            org = None
            if resident is not None:
                org = branch_of_grid.get(resident[1])
            if category == MemberCategory.EMPLOYED and units and rng.random() < 0.55:
                org = rng.choice(units)
            org = org or (rng.choice(self.branches)[0] if self.branches else self.committee_org)
            workplace = org.unit_name if org.line == Line.UNIT else (
                f"孝感{rng.choice(people_names.ESTATE_WORDS)}{rng.choice(('商贸', '科技', '建设', '物流'))}有限公司"
                if category == MemberCategory.EMPLOYED else "")
            self._member(org, category, resident=resident, workplace=workplace)

    def _member(self, org, category, *, resident=None, workplace="", user=None, name=None, full=False) -> Member:
        world, rng, today = self.world, self.rng, self.today
        ages = {MemberCategory.EMPLOYED: (25, 59), MemberCategory.RETIRED: (60, 92), MemberCategory.MOBILE: (22, 50),
                MemberCategory.STUDENT: (18, 24), MemberCategory.OTHER: (30, 70)}[category]
        if resident is not None:
            _, _, name, letters, gender, birth, id_sealed, id_hash, phone_sealed, phone_hash = resident
            age = max(18, (today - birth).days // 365) if birth else rng.randint(*ages)
            birth = birth or today - dt.timedelta(days=age * 365)
        else:
            name, gender = (name, rng.choice(("male", "female"))) if name else world.person_name(rng)
            letters = initials(name)
            age = rng.randint(*ages)
            birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        probationary = not full and rng.random() < (0.07 if age < 50 else 0.01)  # about 4%
        if probationary:
            joined = self.days_ago(20, 360)
        else:
            joined = min(birth + dt.timedelta(days=365 * rng.randint(18, max(19, min(age - 1, 45)))
                                              + rng.randint(0, 364)), today - dt.timedelta(days=400))
        member = _row(Member, name=name, name_initials=letters, gender=gender, birth_date=birth, user=user,
                      status=MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL, category=category,
                      joined_on=joined, confirmed_on=None if probationary else _years_after(joined, 1),
                      workplace=workplace, created_at=_moment(self.days_ago(330, 365)), updated_at=world.now)
        member.organisation = org
        for column in ("division_id", "grid_id", "community_id", "street_id", "district_id", "city_id"):
            setattr(member, column, getattr(org, column))
        member.live_in(self.place)
        if resident is not None:
            member.resident_id = resident[0]
            number = crypto.unseal(id_sealed) if id_sealed else ""
            member.id_number_sealed, member.id_number_hash, member.id_last4 = id_sealed, id_hash, number[-4:]
            phone = crypto.unseal(phone_sealed) if phone_sealed else ""
            member.phone_sealed, member.phone_hash, member.phone_last4 = phone_sealed, phone_hash, phone[-4:]
            if id_hash:
                world.used_ids.add(id_hash)
        else:
            member.set_id_number(world.id_number(rng, birth, gender))
            member.set_phone("1" + rng.choice(("39", "38", "37", "36", "35", "50", "52", "58", "59", "86", "88",
                                               "99", "77", "33", "89")) + f"{rng.randrange(10**8):08d}")
        self.batch.add(member)
        self.members.append(member)
        self.held[id(org)].append(member)
        return member

    # --- committees -----------------------------------------------------------------------------------

    def _committee(self) -> None:
        """The big committee: the secretary (the demo's community secretary in 书院社区), deputies,
        members from the committee's own members, and part-time members from the area's units."""
        world, rng, community = self.world, self.rng, self.place
        term = self.term(self.committee_org, big=True)
        own = self.held[id(self.committee_org)]
        user = world.users.get("community_secretary") if self.persona else None
        secretary = own[0]
        if user is not None:
            secretary.name = user.display_name.split()[-1]
            secretary.name_initials = initials(secretary.name)
        seats = [self.seat(term, secretary.name, Position.SECRETARY, member=secretary, user=user)]
        duties = [Duty.NONE, Duty.ORGANISATION, Duty.PUBLICITY, Duty.DISCIPLINE, Duty.WOMEN, Duty.YOUTH]
        for i, member in enumerate(own[1:]):
            seats.append(self.seat(term, member.name, Position.DEPUTY if i == 0 else Position.MEMBER,
                                   member=member, duty=duties[i] if i < len(duties) else ""))
        for org, name in world.registered.get(community.pk, [])[:6]:
            seats.append(self.seat(term, name or self.name(), Position.PART_TIME, from_organisation=org,
                                   from_unit=org.unit_name, title="党支部书记", seat_based=rng.random() < 0.4))
        street = community.name[:2]
        seats.append(self.seat(term, self.name(), Position.PART_TIME, title="社区民警",
                               from_unit=f"孝感市公安局{street}派出所", seat_based=True))
        if rng.random() < 0.7:
            seats.append(self.seat(term, self.name(), Position.PART_TIME, title="业主委员会主任",
                                   from_unit=f"{community.name}业主委员会"))
        if rng.random() < 0.6:
            seats.append(self.seat(term, self.name(), Position.PART_TIME, title="物业服务项目经理",
                                   from_unit=f"{community.name}物业服务中心"))
        self.meetings(term, seats)

    def _branch_committees(self) -> None:
        for i, (branch, _) in enumerate(self.branches):
            term = self.term(branch, number=self.rng.randint(1, 3))
            user = self.world.users.get(BRANCH_SECRETARY[0]) if self.persona and i == 0 else None
            if user is not None:  # the persona: a retired cadre living in the community
                self._member(branch, MemberCategory.RETIRED, name=user.display_name.split()[-1], full=True)
                members = self.held[id(branch)]
                members.insert(0, members.pop())
            members = self.held[id(branch)]
            if not members:
                self.seat(term, self.name(), Position.SECRETARY)
                continue
            secretary = members[0]
            self.seat(term, secretary.name, Position.SECRETARY, member=secretary, user=user)
            for member, duty in zip(members[1:3], (Duty.ORGANISATION, Duty.PUBLICITY), strict=False):
                if len(members) >= 7:
                    self.seat(term, member.name, Position.MEMBER, member=member, duty=duty)

    # --- history --------------------------------------------------------------------------------------

    def _history(self) -> None:
        """A few renamed branches, transfers over the year; in 书院社区 a branch merged into the first."""
        rng, community = self.rng, self.place
        for branch, _ in self.branches:
            if rng.random() < 0.06:
                old = branch.name.replace("网格", "片区")
                on = self.days_ago(30, 330)
                self.batch.add(OrganisationChange(organisation=branch, kind=ChangeKind.RENAMED, on=on, at=_moment(on),
                                                  reason=rng.choice(words.RENAMED_REASONS),
                                                  before={"name": old}, after={"name": branch.name}))
        if self.persona and self.branches:
            into = self.branches[0][0]
            merged = self.organisation(f"{community.name}老干部党支部", Form.BRANCH, Line.COMMUNITY, community,
                                       self.committee_org, kind=Kind.FUNCTION, founded=self.days_ago(3000, 5000))
            ended = self.days_ago(90, 200)
            merged.status, merged.ended_on, merged.successor = OrganisationStatus.MERGED, ended, into
            self.batch.add(OrganisationChange(organisation=merged, kind=ChangeKind.MERGED, on=ended,
                                              at=_moment(ended), related=into, reason="党员人数少，按网格合并",
                                              before={"status": "active"}, after={"status": "merged"}))
        outsiders = [m for m in self.members if not m.user_id and m.organisation.line != Line.UNIT]
        for member in rng.sample(outsiders, min(len(outsiders), rng.randint(1, 3))):
            on = self.days_ago(10, 350)
            letter = f"鄂组转字〔{on.year}〕{rng.randint(10, 999)}号"
            if rng.random() < 0.3:
                member.state, member.state_reason = MemberState.TRANSFERRED_OUT, rng.choice(words.TRANSFER_REASONS)
                self.batch.add(Transfer(member=member, from_organisation=member.organisation,
                                        outside=rng.choice(words.TRANSFER_OUTSIDE), letter_number=letter,
                                        transferred_on=on, reason=member.state_reason, at=_moment(on)))
            else:
                self.batch.add(Transfer(member=member, to_organisation=member.organisation,
                                        outside=rng.choice(words.TRANSFER_OUTSIDE), letter_number=letter,
                                        transferred_on=on, reason=rng.choice(words.TRANSFER_REASONS), at=_moment(on)))

    # --- double report-in -----------------------------------------------------------------------------

    def _report_in(self) -> None:
        """Employed members report in where they live: most confirmed in both periods, some waiting this
        period, a few declined, about 6% never; service over the year; last quarter's cards."""
        world, rng, community = self.world, self.rng, self.place
        span = world.periods
        employed = [m for m in self.members if m.category == MemberCategory.EMPLOYED and m.state == MemberState.ACTIVE]
        persona_member = None
        if self.persona and self.branches:
            branch = self.branches[0][0]
            persona_member = self._persona_member(branch)
            employed.append(persona_member)
        for member in employed:
            if rng.random() < 0.06 and member is not persona_member:
                continue  # never reported in
            confirmed = []
            previous = "confirmed" if rng.random() < 0.95 else "declined"
            if member is persona_member:
                previous, current = "confirmed", None
            else:
                current = rng.choices(("confirmed", "pending", "declined", None), (72, 16, 2, 10))[0]
            for period, status in ((span.previous, previous), (span.current, current)):
                if status is None:
                    continue
                end = min(period[1], self.today)
                reported = period[0] + dt.timedelta(days=rng.randint(0, min(60, (end - period[0]).days)))
                decided = min(end, reported + dt.timedelta(days=rng.randint(1, 10)))
                self.batch.add(_row(
                    MemberRegistration, member=member, community_id=community.pk, street_id=community.street_id,
                    district_id=community.district_id, period_start=period[0], period_end=period[1],
                    method=rng.choices(METHODS, (60, 30, 10))[0], status=status,
                    reported_at=_moment(reported), decided_at=None if status == "pending" else _moment(decided),
                    decline_reason=rng.choice(words.DECLINE_REASONS) if status == "declined" else ""))
                if status == "confirmed":
                    confirmed.append((period[0], end))
            if confirmed:
                self._service(member, confirmed)

    def _persona_member(self, branch) -> Member:
        user = self.world.users.get(PARTY_MEMBER[0])
        name = user.display_name.split()[-1] if user else None
        member = self._member(branch, MemberCategory.EMPLOYED, user=user, name=name, full=True,
                              workplace="孝感市书院科技有限公司")
        if user is not None:
            member.set_phone(PARTY_MEMBER[2])
        return member

    def _service(self, member: Member, confirmed: list[tuple[dt.date, dt.date]]) -> None:
        rng, community = self.rng, self.place
        quarter = self.world.periods.quarter
        start = max(confirmed[0][0], self.today - dt.timedelta(days=365))
        end = confirmed[-1][1]
        served = []
        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            on = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
            activity, hours = rng.choice(words.ACTIVITIES)
            hours = Decimal(str(max(0.5, hours + rng.choice((-0.5, 0, 0, 0.5, 1.0)))))
            self.batch.add(_row(ServiceEntry, member=member, community_id=community.pk, served_on=on,
                                activity=activity, hours=hours, recorded_at=_moment(on)))
            served.append((on, hours))
        if any(p[0] <= quarter[0] and quarter[1] <= p[1] for p in confirmed):
            in_quarter = [h for on, h in served if quarter[0] <= on <= quarter[1]]
            total = sum(in_quarter, Decimal(0))
            evaluation = (Evaluation.EXCELLENT if total >= 6 else Evaluation.GOOD if total >= 3
                          else Evaluation.FAIR if total > 0 else Evaluation.POOR)
            issued = min(self.world.now, _moment(quarter[1] + dt.timedelta(days=rng.randint(3, 15))))
            acknowledged = rng.random() < 0.55
            self.batch.add(_row(
                FeedbackCard, member=member, community_id=community.pk, organisation=member.organisation,
                period_start=quarter[0], period_end=quarter[1], hours=total, activities=len(in_quarter),
                evaluation=evaluation, comment="积极参加社区志愿服务" if total else "本季度未参加社区服务",
                status=CardStatus.ACKNOWLEDGED if acknowledged else CardStatus.SENT, issued_at=issued,
                acknowledged_at=min(self.world.now, issued + dt.timedelta(days=rng.randint(1, 20)))
                if acknowledged else None))

    # --- positions and leaders ------------------------------------------------------------------------

    def _positions_and_leaders(self) -> None:
        rng, community = self.rng, self.place
        centre = self.registry.centres.get(community.pk)
        extra = {"address": f"{community.name}党群服务中心二楼", "area_m2": rng.randint(80, 300)}
        if centre is not None:
            _, pk, address, lng, lat, area = centre
            extra = {"registry_facility_id": pk, "address": address, "lng": lng, "lat": lat,
                     "area_m2": int(area) if area else None}
        self.facility(self.committee_org, FacilityKind.MEMBER_HOME, f"{community.name}党员之家", **extra)
        street = next((s for s in self.world.streets if s.pk == community.street_id), None)
        if street is not None:
            leaders = street_leaders(street)
            index = self.world.communities_of_street[street.pk].index(community)
            name, title = leaders[index % len(leaders)]
            self.leader(name, title, community, self.days_ago(200, 900))


def district_leaders(district: Division) -> list[tuple[str, str]]:
    rng = random.Random(f"{SEED}:leaders:{district.code}")
    return [(World.person_name(rng)[0], title) for title in words.DISTRICT_LEADER_TITLES]


def street_leaders(street: Division) -> list[tuple[str, str]]:
    """The street's leaders who are each linked to some of its communities (about 7 a street)."""
    rng = random.Random(f"{SEED}:leaders:{street.code}")
    return [(World.person_name(rng)[0], title) for title in words.STREET_LEADER_TITLES]


def _sector(kind: str, name: str) -> str:
    if kind == "property_company":
        return Sector.PROPERTY_COMPANY
    if kind == "social_organisation":
        return Sector.SOCIAL_ORGANISATION
    if name.endswith(("小学", "中学", "幼儿园", "卫生院")):
        return Sector.INSTITUTION
    if name.endswith(("供电所", "邮政支局", "银行网点")):
        return Sector.STATE_ENTERPRISE
    if name.endswith("派出所"):
        return Sector.ORGAN
    return Sector.PRIVATE_ENTERPRISE


def _row(model, **values):
    """An unsaved row for a bulk insert, like `model(**values)` at a tenth of the cost: the fields'
    defaults and `values` go straight into the instance (related objects through their descriptors,
    their keys resolved at flush). For the hundreds of thousands of rows of the city size; nothing
    but BulkInsert reads them."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    row = model.__new__(model)
    row._state = ModelState()
    row.__dict__.update(defaults)
    for name, value in values.items():
        if isinstance(value, models.Model):
            row._state.fields_cache[name] = value
            row.__dict__[_ATTNAMES[model][name]] = value.pk
        else:
            row.__dict__[_ATTNAMES[model].get(name, name)] = value
    return row


_DEFAULTS: dict = {}
_ATTNAMES = defaultdict(lambda: {}, {
    model: {f.name: f.attname for f in model._meta.concrete_fields}
    for model in (Member, MemberRegistration, ServiceEntry, FeedbackCard, MeetingAttendance)})


@functools.lru_cache(maxsize=4096)
def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
