"""What the registry API says about each entity. People are always shown masked."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gongzhi.core.schemas import DivisionRef
from gongzhi.registry import permissions
from gongzhi.registry.choices import HouseholdKind, PersonalField, Relation, Residence

# The choices a request may name, spelled out in the schema (an unknown value is refused with 422).
RelationIn = Literal[tuple(Relation.values)]
ResidenceIn = Literal[tuple(Residence.values)]
HouseholdKindIn = Literal[tuple(HouseholdKind.values)]
PersonalFieldIn = Literal[tuple(PersonalField.values)]


class GridRef(Schema):
    id: int
    code: str
    name: str


class TagOut(Schema):
    code: str
    name: str
    name_en: str
    visit_interval_days: int | None
    needs_permit: bool


class ResidentTagOut(Schema):
    code: str
    name: str
    started_on: dt.date
    ended_on: dt.date | None = None
    permit_valid_from: dt.date | None = None
    permit_valid_until: dt.date | None = None

    @staticmethod
    def resolve_code(link) -> str:
        return link.tag.code

    @staticmethod
    def resolve_name(link) -> str:
        return link.tag.name


class HouseholdRef(Schema):
    id: int
    address: str


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    id_number: str = Field(description="masked: 420902********1234")
    phone: str = Field(description="masked: 139****0001")
    household: HouseholdRef
    relation: str
    residence: str
    registered_address: str
    status: str
    grid_id: int
    tags: list[ResidentTagOut]
    version: int

    @staticmethod
    def resolve_id_number(r) -> str:
        return r.masked_id_number

    @staticmethod
    def resolve_phone(r) -> str:
        return r.masked_phone

    @staticmethod
    def resolve_household(r) -> dict:
        return {"id": r.household_id, "address": r.household.address}

    @staticmethod
    def resolve_tags(r) -> list:
        return getattr(r, "live_tags", None) or []


def free_text(value: str, row, context) -> str:
    """Free text as its reader may see it: phone and ID numbers typed into it masked unless the
    reader may reveal this row's numbers (gongzhi.registry.permissions.shown_text)."""
    request = (context or {}).get("request")
    return permissions.shown_text(getattr(request, "auth", None), value, row)


class ResidentEventOut(Schema):
    kind: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    from_household_id: int | None
    to_household_id: int | None
    note: str
    grid_id: int

    @staticmethod
    def resolve_note(e, context) -> str:
        return free_text(e.note, e, context)


class ResidentDetailOut(ResidentOut):
    notes: str
    history: list[ResidentEventOut]
    past_tags: list[ResidentTagOut]

    @staticmethod
    def resolve_notes(r, context) -> str:
        return free_text(r.notes, r, context)


class ResidentIn(Schema):
    household_id: int
    name: str = Field(..., min_length=1, max_length=64)
    gender: str = ""
    birth_date: dt.date | None = None
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    relation: RelationIn = Relation.OTHER.value
    residence: ResidenceIn = Residence.BOTH.value
    registered_address: str = Field("", max_length=200)
    notes: str = ""
    tags: list[str] = Field(default_factory=list, description="tag codes")
    arrived: bool = Field(False, description="a move in (else an entry of someone already living here)")


class ResidentPatch(Schema):
    expected_version: int | None = None
    name: str | None = Field(None, min_length=1, max_length=64)
    gender: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    relation: RelationIn | None = Field(None, description="null (or left out) leaves it as it is")
    residence: ResidenceIn | None = Field(None, description="null (or left out) leaves it as it is")
    registered_address: str | None = Field(None, max_length=200)
    notes: str | None = None


class MoveIn(Schema):
    on: dt.date | None = None
    note: str = Field("", max_length=500)


class HouseholdMove(MoveIn):
    household_id: int
    relation: RelationIn = Relation.OTHER.value


class TagIn(Schema):
    tag: str = Field(..., min_length=1, description="a tag code (GET /tags)")
    started_on: dt.date | None = None
    permit_valid_from: dt.date | None = None
    permit_valid_until: dt.date | None = None


class RevealIn(Schema):
    field: PersonalFieldIn


class RevealOut(Schema):
    field: str
    value: str


class CareOut(Schema):
    resident_id: int
    name: str
    tag: str
    tag_name: str
    visit_interval_days: int
    household_id: int
    address: str
    last_visited_on: dt.date | None


# --- places --------------------------------------------------------------------------------------------


class BuildingOut(Schema):
    id: int
    address: str
    name: str
    floors: int | None
    units: int | None
    lng: float | None
    lat: float | None
    grid_id: int
    version: int


class BuildingIn(Schema):
    grid_id: int
    address: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100)
    floors: int | None = Field(None, ge=0, le=300)
    units: int | None = Field(None, ge=0, le=100)
    lng: float | None = None
    lat: float | None = None


class BuildingPatch(Schema):
    expected_version: int | None = None
    grid_id: int | None = None
    address: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, max_length=100)
    floors: int | None = Field(None, ge=0, le=300)
    units: int | None = Field(None, ge=0, le=100)
    lng: float | None = None
    lat: float | None = None


class HouseholdOut(Schema):
    id: int
    building_id: int
    address: str
    room: str
    kind: str
    last_visited_on: dt.date | None
    members: int | None = Field(None, description="residents living there")
    grid_id: int
    version: int

    @staticmethod
    def resolve_members(h) -> int | None:
        return getattr(h, "member_count", None)


class HouseholdDetailOut(HouseholdOut):
    residents: list[ResidentOut]


class HouseholdIn(Schema):
    building_id: int
    room: str = Field("", max_length=32)
    kind: HouseholdKindIn = HouseholdKind.OWNER_OCCUPIED.value


class HouseholdPatch(Schema):
    expected_version: int | None = None
    room: str | None = Field(None, max_length=32)
    kind: HouseholdKindIn | None = None


class ArchiveIn(Schema):
    reason: str = Field("", max_length=500)


# --- things, facilities, organisations ----------------------------------------------------------------


class ThingOut(Schema):
    id: int
    code: str
    category: str
    kind: str
    state: str
    address: str
    owner_unit: str
    lng: float | None
    lat: float | None
    grid_id: int
    version: int


class ThingIn(Schema):
    grid_id: int
    code: str = Field(..., min_length=1, max_length=32)
    category: str
    kind: str = Field("", max_length=64)
    state: str = "good"
    address: str = Field("", max_length=200)
    owner_unit: str = Field("", max_length=100)
    lng: float | None = None
    lat: float | None = None


class ThingPatch(Schema):
    expected_version: int | None = None
    grid_id: int | None = None
    code: str | None = Field(None, min_length=1, max_length=32)
    category: str | None = None
    kind: str | None = Field(None, max_length=64)
    state: str | None = None
    address: str | None = Field(None, max_length=200)
    owner_unit: str | None = Field(None, max_length=100)
    lng: float | None = None
    lat: float | None = None


class FacilityOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    floor_area_m2: Decimal | None
    opening_hours: str
    lng: float | None
    lat: float | None
    grid_id: int
    version: int


class FacilityIn(Schema):
    grid_id: int
    kind: str
    name: str = Field(..., min_length=1, max_length=100)
    address: str = Field("", max_length=200)
    floor_area_m2: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=1)
    opening_hours: str = Field("", max_length=100)
    lng: float | None = None
    lat: float | None = None


class FacilityPatch(Schema):
    expected_version: int | None = None
    grid_id: int | None = None
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = Field(None, max_length=200)
    floor_area_m2: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=1)
    opening_hours: str | None = Field(None, max_length=100)
    lng: float | None = None
    lat: float | None = None


class PositionOut(Schema):
    id: int
    title: str
    holder_name: str
    resident_id: int | None
    started_on: dt.date
    ended_on: dt.date | None


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    credit_code: str
    contact_name: str
    contact_phone: str = Field(description="masked")
    grid_id: int
    positions: list[PositionOut]
    version: int

    @staticmethod
    def resolve_contact_phone(o) -> str:
        return o.masked_contact_phone

    @staticmethod
    def resolve_positions(o) -> list:
        return getattr(o, "current_positions", None) or []


class OrganisationIn(Schema):
    grid_id: int
    kind: str
    name: str = Field(..., min_length=1, max_length=100)
    address: str = Field("", max_length=200)
    credit_code: str = Field("", max_length=18)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=20)


class OrganisationPatch(Schema):
    expected_version: int | None = None
    grid_id: int | None = None
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = Field(None, max_length=200)
    credit_code: str | None = Field(None, max_length=18)
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=20)


class PositionIn(Schema):
    title: str = Field(..., min_length=1, max_length=64)
    holder_name: str = Field("", max_length=64)
    resident_id: int | None = None
    started_on: dt.date | None = None


class EndIn(Schema):
    ended_on: dt.date | None = None


# --- visits ------------------------------------------------------------------------------------------


class PhotoOut(Schema):
    id: int
    url: str


class VisitOut(Schema):
    id: int
    household: HouseholdRef
    visited_on: dt.date
    visitor: str
    notes: str
    follow_up_needed: bool
    follow_up: str
    follow_up_closed_at: dt.datetime | None
    photos: list[PhotoOut]
    grid_id: int

    @staticmethod
    def resolve_household(v) -> dict:
        return {"id": v.household_id, "address": v.household.address}

    @staticmethod
    def resolve_visitor(v) -> str:
        return str(v.visitor)

    @staticmethod
    def resolve_notes(v, context) -> str:
        return free_text(v.notes, v, context)

    @staticmethod
    def resolve_follow_up(v, context) -> str:
        return free_text(v.follow_up, v, context)

    @staticmethod
    def resolve_photos(v) -> list:
        return [{"id": p.pk, "url": f"/api/v1/registry/visits/{v.pk}/photos/{p.pk}"} for p in v.photos.all()]


class VisitIn(Schema):
    household_id: int
    visited_on: dt.date | None = None
    notes: str = Field("", max_length=5000)
    follow_up_needed: bool = False
    follow_up: str = Field("", max_length=2000)


class CloseIn(Schema):
    note: str = Field("", max_length=500)


# --- statistics ----------------------------------------------------------------------------------------


class RegistryFiguresOut(Schema):
    population: int
    households: int
    occupied_households: int
    visited_households: int
    visit_coverage: float | None = Field(description="visited ÷ occupied households in the window")
    floating: int
    tags: dict[str, int]
    ages: dict[str, int]


class PartOut(Schema):
    division: DivisionRef
    figures: RegistryFiguresOut


class StatisticsOut(Schema):
    division: DivisionRef
    part_level: str | None
    visit_window_days: int
    total: RegistryFiguresOut
    parts: list[PartOut]


# --- spreadsheets --------------------------------------------------------------------------------------


class ProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportJobOut(Schema):
    id: int
    entity: str
    mode: str
    status: str
    file_name: str
    total_rows: int | None
    done_rows: int
    created_rows: int
    rejected_rows: int
    message: str
    problems: list[ProblemOut]
    rejected_url: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
