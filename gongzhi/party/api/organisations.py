"""/api/v1/party/: the party tree — organisations (scoped list, detail with the current committee,
found, change, move, merge, dissolve, re-elect, history), committee seats and meetings, positions
(阵地), and the organisation coverage check of a division. Every id a body names is checked by the
service against the caller's scope; out of scope and missing answer alike (404)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut
from gongzhi.divisions.choices import child_level

from ..choices import Kind, Sector
from ..permissions import PartyAction
from ..selectors import coverage as coverage_selectors
from ..selectors import organisations as sel
from ..services import committees
from ..services import organisations as svc
from .reading import ReadPages

router = Router(tags=["party"])
A = PartyAction
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def _require_view(user) -> None:
    if not scope.may(user, A.VIEW):
        raise PermissionDenied(_("You may not see the party organisations."))


# --- schemas ---------------------------------------------------------------------------------------


class PartyOrganisationRef(Schema):
    id: int
    name: str


class PartyDivisionRef(Schema):
    id: int
    code: str
    name: str
    level: str


class PartyOrganisationOut(Schema):
    id: int
    code: str = Field(description="8 characters; the report-in QR code names the organisation by it")
    name: str
    short_name: str
    form: str = Field(description="working_committee | committee | general_branch | branch | group")
    line: str = Field(description="street | community | grid | building | unit")
    kind: str
    sector: str
    parent: PartyOrganisationRef | None
    depth: int
    division: PartyDivisionRef = Field(description="where it is sited")
    covers: list[PartyDivisionRef] = Field(description="the divisions (grids, a community) it covers")
    unit_id: int | None = Field(description="the unit's registry organisation, for a unit's organisation")
    unit_name: str
    founded_on: dt.date
    status: str = Field(description="active | merged | dissolved")
    ended_on: dt.date | None
    successor_id: int | None
    version: int

    @staticmethod
    def resolve_parent(org):
        return {"id": org.parent_id, "name": org.parent.name} if org.parent_id else None

    @staticmethod
    def resolve_covers(org):
        return list(org.covers.all())


class PartySeatOut(Schema):
    id: int
    position: str = Field(description="secretary | deputy | member | part_time")
    duty: str
    name: str
    title: str
    member_id: int | None
    has_account: bool
    from_department_id: int | None
    from_organisation_id: int | None
    from_unit: str
    seat_based: bool
    started_on: dt.date
    ended_on: dt.date | None
    attendance_rate: float | None = Field(None, description="present / meetings recorded, this term")

    @staticmethod
    def resolve_has_account(seat) -> bool:
        return seat.user_id is not None


class PartyTermOut(Schema):
    id: int
    number: int
    elected_on: dt.date
    due_on: dt.date
    ended_on: dt.date | None
    is_big: bool


class PartyFacilityOut(Schema):
    id: int
    organisation_id: int
    kind: str = Field(description="member_home | service_station | management_centre | service_centre")
    name: str
    address: str
    lng: float | None
    lat: float | None
    area_m2: int | None
    opening_hours: str
    registry_facility_id: int | None
    archived_at: dt.datetime | None


class PartyOrganisationDetailOut(PartyOrganisationOut):
    term: PartyTermOut | None
    seats: list[PartySeatOut]
    facilities: list[PartyFacilityOut]
    members: int = Field(description="active members whose relation it holds")
    children: int = Field(description="active organisations directly under it")

    # The handler reads these once (gongzhi.party.api.organisations._detail) and leaves them on the row.
    @staticmethod
    def resolve_term(org):
        return org.party_detail["term"]

    @staticmethod
    def resolve_seats(org):
        return org.party_detail["seats"]

    @staticmethod
    def resolve_facilities(org):
        return org.party_detail["facilities"]

    @staticmethod
    def resolve_members(org) -> int:
        return org.party_detail["members"]

    @staticmethod
    def resolve_children(org) -> int:
        return org.party_detail["children"]


class PartyChangeOut(Schema):
    id: int
    kind: str = Field(description="founded | renamed | edited | moved | coverage | merged | dissolved | reelected")
    kind_label: str = Field(description="in the caller's language")
    at: dt.datetime
    on: dt.date
    actor: str | None
    reason: str
    related: PartyOrganisationRef | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def resolve_kind_label(change) -> str:
        return str(change.get_kind_display())

    @staticmethod
    def resolve_actor(change) -> str | None:
        return change.actor.username if change.actor_id else None

    @staticmethod
    def resolve_related(change):
        return {"id": change.related_id, "name": change.related.name} if change.related_id else None


class PartyMeetingOut(Schema):
    id: int
    term_id: int
    held_on: dt.date
    title: str
    attendance: dict[str, str] = Field(description="seat id → present | leave | absent")

    @staticmethod
    def resolve_attendance(meeting) -> dict:
        return {str(a.seat_id): a.status for a in meeting.attendance.all()}


class PartyOrganisationFilters(Schema):
    division: int | None = Field(None, description="a division in your scope: the organisations sited under it")
    q: str | None = Field(None, max_length=64, description="part of the name, short name or unit")
    status: str | None = Field("active", description="active | merged | dissolved | all")
    line: str | None = None
    form: str | None = None
    kind: str | None = None
    sector: str | None = None
    parent: int | None = Field(None, description="only the organisations directly under this one")


class PartyOrganisationIn(Schema):
    name: str = Field(max_length=100)
    short_name: str = Field("", max_length=40)
    form: str
    line: str
    kind: str = Kind.TERRITORIAL
    sector: str = Sector.COMMUNITY
    division_id: int = Field(description="where it is sited: a division you manage")
    parent_id: int | None = Field(None, description="the superior organisation, one you manage")
    covers: list[int] | None = Field(None, description="division ids; its own division if omitted")
    buildings: list[int] | None = Field(None, description="registry building ids (a building group)")
    unit_id: int | None = Field(None, description="the unit's registry organisation")
    unit_name: str = Field("", max_length=100)
    founded_on: dt.date | None = None
    reason: str = Field("", max_length=500)


class PartyOrganisationPatch(Schema):
    expected_version: int | None = Field(None, description="refused with 409 'stale' if it changed meanwhile")
    name: str | None = Field(None, max_length=100)
    short_name: str | None = Field(None, max_length=40)
    form: str | None = None
    kind: str | None = None
    sector: str | None = None
    unit_name: str | None = Field(None, max_length=100)
    founded_on: dt.date | None = None
    unit_id: int | None = None
    covers: list[int] | None = None
    buildings: list[int] | None = None
    reason: str = Field("", max_length=500)


class PartyMoveIn(Schema):
    parent_id: int | None = Field(description="the new superior organisation (null: the root, for the city)")
    expected_version: int | None = None
    reason: str = Field(max_length=500)


class PartyMergeIn(Schema):
    successor_id: int
    expected_version: int | None = None
    reason: str = Field(max_length=500)
    on: dt.date | None = None


class PartyDissolveIn(Schema):
    reason: str = Field(max_length=500)
    expected_version: int | None = None
    on: dt.date | None = None


class PartySeatIn(Schema):
    position: str
    duty: str = ""
    name: str = Field("", max_length=64, description="needed when no member is named")
    member_id: int | None = Field(None, description="a party member you may see; their account gets the post")
    title: str = Field("", max_length=100)
    from_department_id: int | None = None
    from_organisation_id: int | None = None
    from_unit: str = Field("", max_length=100)
    seat_based: bool = False


class PartyReelectIn(Schema):
    elected_on: dt.date
    due_on: dt.date | None = Field(None, description="5 years for a committee, 3 for a branch, if omitted")
    is_big: bool | None = None
    seats: list[PartySeatIn] | None = Field(None, description="the new committee; if omitted, the outgoing one "
                                                              "is re-seated")
    expected_version: int | None = None
    reason: str = Field("", max_length=500)


class PartySeatEndIn(Schema):
    reason: str = Field(max_length=500)
    ended_on: dt.date | None = None


class PartySeatReplaceIn(Schema):
    name: str = Field("", max_length=64)
    member_id: int | None = None
    title: str = Field("", max_length=100)
    reason: str = Field("", max_length=500)


class PartyMeetingIn(Schema):
    held_on: dt.date
    title: str = Field(max_length=200)
    attendance: dict[int, str] = Field(description="seat id → present | leave | absent; a seat left out was absent")


class PartyFacilityIn(Schema):
    kind: str
    name: str = Field(max_length=100)
    address: str = Field("", max_length=200)
    lng: float | None = None
    lat: float | None = None
    area_m2: int | None = Field(None, ge=0)
    opening_hours: str = Field("", max_length=100)
    registry_facility_id: int | None = None


class PartyFacilityPatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    lng: float | None = None
    lat: float | None = None
    area_m2: int | None = Field(None, ge=0)
    opening_hours: str | None = Field(None, max_length=100)
    registry_facility_id: int | None = None


class PartyArchiveIn(Schema):
    reason: str = Field(max_length=500)


class PartyCoverageFiguresOut(Schema):
    grids: int
    org_gaps: int = Field(description="grids no active grid or building organisation covers")
    work_gaps: int = Field(description="grids with no active party member at work")
    buildings: int
    building_gaps: int = Field(description="registry buildings with no building organisation")
    units: int = Field(description="registry companies, social organisations and property companies")
    unit_gaps: int = Field(description="of those, the ones without a party organisation of their own")
    org_covered: float | None
    work_covered: float | None


class PartyCoveragePartOut(Schema):
    division: PartyDivisionRef
    figures: PartyCoverageFiguresOut


class PartyGapGridOut(Schema):
    id: int
    code: str
    name: str


class PartyGapBuildingOut(Schema):
    id: int
    address: str
    grid_id: int


class PartyGapUnitOut(Schema):
    id: int
    name: str
    kind: str
    grid_id: int


class PartyCoverageOut(Schema):
    division: PartyDivisionRef
    total: PartyCoverageFiguresOut
    parts: list[PartyCoveragePartOut] = Field(description="per unit one level down")
    org_gap_grids: list[PartyGapGridOut]
    work_gap_grids: list[PartyGapGridOut]
    building_gaps: list[PartyGapBuildingOut] = Field(description="the first 500 in your registry scope")
    unit_gaps: list[PartyGapUnitOut] = Field(description="the first 500 in your registry scope")
    unit_gaps_by_kind: dict[str, int]
    geojson: dict[str, Any] = Field(description="FeatureCollection of the gap grids (properties.gap)")


# --- helpers ---------------------------------------------------------------------------------------


def _org(user, pk):
    return sel.organisation_for(user, pk)


def _detail(org):
    term = sel.current_term(org)
    rates = sel.attendance_rates(term)
    seats = sel.current_seats(term)
    for s in seats:
        s.attendance_rate = (rates.get(s.pk) or {}).get("rate")
    org.party_detail = {"term": term, "seats": seats, "facilities": sel.facilities_of(org),
                        "members": sel.member_counts([org.pk]).get(org.pk, 0),
                        "children": sel.child_counts([org.pk]).get(org.pk, 0)}
    return org


# --- organisations ---------------------------------------------------------------------------------


@router.get("/organisations", response={200: list[PartyOrganisationOut], **LIST},
            summary="Party organisations in your scope, in tree order")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_organisations(request, filters: Query[PartyOrganisationFilters]):
    user = request.auth
    _require_view(user)
    parent = _org(user, filters.parent) if filters.parent is not None else None
    status = None if filters.status == "all" else (filters.status or None)
    return sel.organisations_for(user, division=sel.division_param(user, filters.division), q=filters.q or "",
                                 status=status, line=filters.line or "", form=filters.form or "",
                                 kind=filters.kind or "", sector=filters.sector or "",
                                 parent=parent).prefetch_related("covers")


@router.get("/organisations/{organisation_id}", response={200: PartyOrganisationDetailOut, **NOT_FOUND},
            summary="One organisation, with its current committee and positions")
def organisation_detail(request, organisation_id: int):
    return _detail(_org(request.auth, organisation_id))


@router.post("/organisations", response={201: PartyOrganisationOut, **WRITE}, summary="Found an organisation")
def found_organisation(request, data: PartyOrganisationIn):
    return Status(201, svc.found_organisation(actor=request.auth, **data.dict()))


@router.patch("/organisations/{organisation_id}", response={200: PartyOrganisationOut, **WRITE},
              summary="Rename or change an organisation (form, kind, sector, unit, coverage)")
def change_organisation(request, organisation_id: int, data: PartyOrganisationPatch):
    user = request.auth
    org = _org(user, organisation_id)
    if not sel.may_manage(user, org):
        raise PermissionDenied(_("You may not manage this party organisation."))
    changes = data.dict(exclude_unset=True)
    version = changes.pop("expected_version", None)
    reason = changes.pop("reason", "")
    name, short_name = changes.pop("name", None), changes.pop("short_name", None)
    if name is not None or short_name is not None:
        org = svc.rename_organisation(actor=user, organisation=org, name=name or org.name, short_name=short_name,
                                      expected_version=version, reason=reason)
        version = org.version
    if changes:
        extra = {k: changes.pop(k) for k in ("covers", "buildings") if k in changes}
        if "unit_id" in changes:
            extra["unit_id"] = changes.pop("unit_id")
        changes = {k: v for k, v in changes.items() if v is not None}
        org = svc.edit_organisation(actor=user, organisation=org, expected_version=version, reason=reason,
                                    **extra, **changes)
    return org


@router.post("/organisations/{organisation_id}/move", response={200: PartyOrganisationOut, **WRITE},
             summary="Move an organisation (and everything under it) under another")
def move_organisation(request, organisation_id: int, data: PartyMoveIn):
    org = _org(request.auth, organisation_id)
    return svc.move_organisation(actor=request.auth, organisation=org, **data.dict())


@router.post("/organisations/{organisation_id}/merge", response={200: PartyOrganisationOut, **WRITE},
             summary="Merge an organisation into a successor (children and members move to it)")
def merge_organisation(request, organisation_id: int, data: PartyMergeIn):
    org = _org(request.auth, organisation_id)
    return svc.merge_organisation(actor=request.auth, organisation=org, **data.dict())


@router.post("/organisations/{organisation_id}/dissolve", response={200: PartyOrganisationOut, **WRITE},
             summary="Dissolve an organisation with no members and no active organisation under it")
def dissolve_organisation(request, organisation_id: int, data: PartyDissolveIn):
    org = _org(request.auth, organisation_id)
    return svc.dissolve_organisation(actor=request.auth, organisation=org, **data.dict())


@router.post("/organisations/{organisation_id}/reelect", response={201: PartyTermOut, **WRITE},
             summary="Re-elect the committee (换届): end the current term, open the next")
def reelect(request, organisation_id: int, data: PartyReelectIn):
    org = _org(request.auth, organisation_id)
    values = data.dict()
    if data.seats is not None:
        values["seats"] = [s.dict() for s in data.seats]
    return Status(201, svc.reelect(actor=request.auth, organisation=org, **values))


@router.get("/organisations/{organisation_id}/history", response={200: list[PartyChangeOut], **NOT_FOUND},
            summary="An organisation's history, newest first")
@paginate(ReadPages, page_size=PAGE_SIZE)
def organisation_history(request, organisation_id: int):
    return sel.history_of(_org(request.auth, organisation_id))


# --- committees ------------------------------------------------------------------------------------


def _current_term(org):
    term = sel.current_term(org)
    if term is None:
        raise DomainError(_("No committee is recorded yet: re-elect to open the first term."), code="conflict")
    return term


@router.post("/organisations/{organisation_id}/seats", response={201: PartySeatOut, **WRITE},
             summary="Add a seat to the current committee")
def add_seat(request, organisation_id: int, data: PartySeatIn):
    org = _org(request.auth, organisation_id)
    if not sel.may_manage(request.auth, org):
        raise PermissionDenied(_("You may not manage this party organisation."))
    return Status(201, committees.add_seat(actor=request.auth, term=_current_term(org), **data.dict()))


@router.post("/seats/{seat_id}/end", response={200: PartySeatOut, **WRITE}, summary="End a seat")
def end_seat(request, seat_id: int, data: PartySeatEndIn):
    seat = sel.seat_for(request.auth, seat_id)
    return committees.end_seat(actor=request.auth, seat=seat, **data.dict())


@router.post("/seats/{seat_id}/replace", response={201: PartySeatOut, **WRITE},
             summary="Replace a seat's holder (a seat-based seat stays with its unit)")
def replace_holder(request, seat_id: int, data: PartySeatReplaceIn):
    seat = sel.seat_for(request.auth, seat_id)
    return Status(201, committees.replace_holder(actor=request.auth, seat=seat, **data.dict()))


@router.post("/organisations/{organisation_id}/meetings", response={201: PartyMeetingOut, **WRITE},
             summary="Record a committee meeting with attendance per seat")
def record_meeting(request, organisation_id: int, data: PartyMeetingIn):
    org = _org(request.auth, organisation_id)
    if not sel.may_manage(request.auth, org):
        raise PermissionDenied(_("You may not manage this party organisation."))
    return Status(201, committees.record_meeting(actor=request.auth, term=_current_term(org), **data.dict()))


# --- positions (阵地) --------------------------------------------------------------------------------


@router.post("/organisations/{organisation_id}/facilities", response={201: PartyFacilityOut, **WRITE},
             summary="Add a position (党员之家, 服务站, 管理中心, 党群服务中心)")
def create_facility(request, organisation_id: int, data: PartyFacilityIn):
    org = _org(request.auth, organisation_id)
    return Status(201, svc.create_facility(actor=request.auth, organisation=org, **data.dict()))


@router.patch("/facilities/{facility_id}", response={200: PartyFacilityOut, **WRITE}, summary="Change a position")
def edit_facility(request, facility_id: int, data: PartyFacilityPatch):
    facility = sel.facility_for(request.auth, facility_id)
    return svc.edit_facility(actor=request.auth, facility=facility, **data.dict(exclude_unset=True))


@router.post("/facilities/{facility_id}/archive", response={200: PartyFacilityOut, **WRITE},
             summary="Archive a position")
def archive_facility(request, facility_id: int, data: PartyArchiveIn):
    facility = sel.facility_for(request.auth, facility_id)
    return svc.archive_facility(actor=request.auth, facility=facility, reason=data.reason)


# --- coverage --------------------------------------------------------------------------------------


def _figures(x) -> dict:
    return {**vars(x), "org_covered": x.org_covered, "work_covered": x.work_covered}


@router.get("/coverage/{division_id}", response={200: PartyCoverageOut, **LIST},
            summary="The organisation coverage check of a community, street, district or city")
def coverage(request, division_id: int):
    user = request.auth
    _require_view(user)
    cov = coverage_selectors.coverage_of(user, coverage_selectors.coverage_division(user, division_id))
    d = cov.division
    return {
        "division": d, "total": _figures(cov.total),
        "parts": [{"division": {**p.division, "level": child_level(d.level)}, "figures": _figures(p.figures)}
                  for p in cov.parts],
        "org_gap_grids": cov.org_gap_grids, "work_gap_grids": cov.work_gap_grids,
        "building_gaps": list(cov.building_gaps[:500]), "unit_gaps": list(cov.unit_gaps[:500]),
        "unit_gaps_by_kind": cov.unit_gaps_by_kind, "geojson": cov.geojson(),
    }
