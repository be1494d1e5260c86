"""/api/v1/party/: party members — the scoped, masked list and search, one member's record, entering
and correcting members, transfers of their relation, ending a membership, and the audited reveal of
a full ID or phone number. Every id a body names is checked by the service against the caller's scope."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from ..models import Member, Transfer
from ..permissions import PartyAction
from ..selectors import members as selectors
from ..selectors.reading import as_read_by, as_read_by_one
from ..services import member_sheets
from ..services import members as services
from .reading import ReadPages

router = Router(tags=["party"])
A = PartyAction
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


# --- schemas ---------------------------------------------------------------------------------------


class PartyMemberOrganisationRef(Schema):
    id: int
    name: str
    code: str


class PartyMemberCommunityRef(Schema):
    id: int
    code: str
    name: str


class PartyMemberOut(Schema):
    id: int
    name: str
    name_initials: str
    gender: str
    birth_date: dt.date | None
    id_number: str = Field(description="masked: 420902********1234")
    phone: str = Field(description="masked: 139****0001")
    organisation: PartyMemberOrganisationRef = Field(description="the organisation holding the relation (组织关系)")
    home_community: PartyMemberCommunityRef | None = Field(description="the community lived in (where they report in)")
    status: str = Field(description="full | probationary")
    category: str = Field(description="employed | retired | mobile | student | other")
    state: str = Field(description="active | transferred_out | deceased | left")
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    workplace: str
    resident_id: int | None = Field(description="the registry resident, when linked")
    has_account: bool = Field(description="whether a platform account is linked")
    version: int

    @staticmethod
    def resolve_id_number(m: Member) -> str:
        return m.masked_id_number

    @staticmethod
    def resolve_phone(m: Member) -> str:
        return m.masked_phone

    @staticmethod
    def resolve_has_account(m: Member) -> bool:
        return m.user_id is not None


class PartyMemberSeatOut(Schema):
    organisation: PartyMemberOrganisationRef
    position: str
    duty: str
    started_on: dt.date
    ended_on: dt.date | None

    @staticmethod
    def resolve_organisation(seat) -> dict:
        org = seat.term.organisation
        return {"id": org.pk, "name": org.name, "code": org.code}


class PartyMemberDetailOut(PartyMemberOut):
    state_reason: str
    account: str | None = Field(description="the linked account's display name")
    seats: list[PartyMemberSeatOut] = Field(description="committee seats held, current first")

    @staticmethod
    def resolve_account(m: Member) -> str | None:
        return str(m.user) if m.user_id else None

    @staticmethod
    def resolve_seats(m: Member) -> list:
        return selectors.member_seats(m)


class PartyMemberTransferOut(Schema):
    id: int
    from_organisation: PartyMemberOrganisationRef | None
    to_organisation: PartyMemberOrganisationRef | None
    outside: str = Field(description="the organisation outside the platform, for a transfer out or in")
    letter_number: str = Field(description="the introduction letter's number")
    transferred_on: dt.date
    reason: str


Status_ = Literal["full", "probationary"]
Category = Literal["employed", "retired", "mobile", "student", "other"]


class PartyMemberIn(Schema):
    organisation_id: int = Field(description="the organisation holding the relation, in your scope")
    name: str = Field("", max_length=64, description="may be empty when a resident is linked")
    gender: Literal["", "male", "female"] = ""
    birth_date: dt.date | None = None
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    status: Status_ = "full"
    category: Category = "employed"
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    workplace: str = Field("", max_length=100)
    home_community_id: int | None = Field(None, description="the community they live in (any active community)")
    resident_id: int | None = Field(None, description="the registry resident they are, among those you may see")
    account: str = Field("", max_length=150, description="the phone number or username of their platform account")
    arrived_from: str = Field("", max_length=200, description="for a transfer in: the organisation outside")
    letter_number: str = Field("", max_length=40, description="the introduction letter's number")
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


class PartyMemberPatch(Schema):
    expected_version: int | None = Field(None, description="the version read; a newer one is refused (409 stale)")
    name: str | None = Field(None, min_length=1, max_length=64)
    gender: Literal["", "male", "female"] | None = None
    birth_date: dt.date | None = None
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    status: Status_ | None = None
    category: Category | None = None
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    workplace: str | None = Field(None, max_length=100)
    home_community_id: int | None = None
    resident_id: int | None = None
    account: str | None = Field(None, max_length=150, description="empty to unlink")


class PartyMemberTransferIn(Schema):
    kind: Literal["within", "out", "in"] = Field(
        description="within: to another organisation in the platform; out: to one outside it; in: back from outside")
    to_organisation_id: int | None = Field(None, description="within and in: an organisation in your scope")
    outside: str = Field("", max_length=200, description="out and in: the organisation outside the platform")
    letter_number: str = Field("", max_length=40, description="the introduction letter's number (out and in)")
    transferred_on: dt.date | None = None
    reason: str = Field("", max_length=200)
    expected_version: int | None = None


class PartyMemberEndIn(Schema):
    state: Literal["deceased", "left", "transferred_out"]
    reason: str = Field(..., min_length=1, max_length=200)
    on: dt.date | None = None
    outside: str = Field("", max_length=200, description="transferred_out: the organisation outside")
    letter_number: str = Field("", max_length=40, description="transferred_out: the introduction letter's number")
    expected_version: int | None = None


class PartyMemberRevealIn(Schema):
    field: Literal["id_number", "phone"]


class PartyMemberRevealOut(Schema):
    field: str
    value: str


class PartyMemberFilters(Schema):
    q: str | None = Field(None, max_length=40,
                          description="the start of a name, pinyin initials, a phone's last 4 digits or a whole phone")
    organisation: int | None = Field(None, description="an organisation you see: its members and those under it")
    status: Status_ | None = None
    category: Category | None = None
    state: Literal["active", "transferred_out", "deceased", "left", "all"] = "active"
    home_community: int | None = Field(None, description="a community: the members living there")


def filters_of(user, f: PartyMemberFilters) -> dict:
    """The list filters as selectors.members_for reads them; an organisation or community the
    caller cannot see answers 404."""
    community = None
    if f.home_community is not None:
        community = selectors.community_choices().filter(pk=f.home_community).first()
        if community is None:
            raise Http404
    return {
        "organisation": selectors.access_organisation(user, f.organisation) if f.organisation else None,
        "status": f.status, "category": f.category, "state": None if f.state == "all" else f.state,
        "home_community": community, "query": f.q or "",
    }


def _require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied(_("You may not see party members."))


def _detail(user, pk) -> Member:
    return selectors.access_member(user, pk)


# --- routes ----------------------------------------------------------------------------------------


@router.get("/members", response={200: list[PartyMemberOut], 403: ErrorOut, **NOT_FOUND},
            summary="Party members in your scope, masked; search and filters")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_members(request, filters: Query[PartyMemberFilters]):
    """The members whose relation is held, or who live, where your roles reach (a branch secretary:
    the branch; a community: those held there and those living there). `q` searches names, pinyin
    initials and phones. 403 for a caller who may see no member anywhere; 404 for an organisation or
    community filter that is missing or out of reach."""
    _require_may(request.auth, A.VIEW_MEMBERS)
    return selectors.members_for(request.auth, **filters_of(request.auth, filters))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PartyImportProblemOut(Schema):
    row: int
    column: str
    message: str


class PartyImportOut(Schema):
    rows: int = Field(description="data rows read")
    created: int = Field(description="members entered (0 whenever a row has a problem: all or nothing)")
    problem_count: int
    problems: list[PartyImportProblemOut] = Field(description="the first problems, by row and column")


@router.get("/members/export", response={200: None, 403: ErrorOut, **NOT_FOUND},
            summary="The members listed, as .xlsx (numbers masked; audited)")
def export_members(request, filters: Query[PartyMemberFilters]):
    """The same filters as the list, in the caller's EXPORT scope; Chinese headers."""
    from django.http import FileResponse

    _require_may(request.auth, A.EXPORT)
    export = member_sheets.export_members(actor=request.auth, filters=filters_of(request.auth, filters))
    return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=XLSX)


@router.get("/members/template", response={200: None}, summary="The import template (.xlsx)")
def import_template(request):
    """A blank spreadsheet with its headers, choices and help: no one's data."""
    from django.http import HttpResponse

    response = HttpResponse(member_sheets.template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="party-members-template.xlsx"'
    return response


@router.post("/members/import", response={200: PartyImportOut, 400: PartyImportOut, 403: ErrorOut,
                                          422: ProblemsOut},
             summary="Enter members from an .xlsx (all rows or none)")
def import_members(request, file: File[UploadedFile] = None):
    """Every row is checked first; if any has a problem nothing is entered and the answer (400) lists
    the problems by row and column, in your language."""
    _require_may(request.auth, A.EDIT_MEMBERS)
    if file is None:
        return Status(400, {"rows": 0, "created": 0, "problem_count": 1,
                            "problems": [{"row": 0, "column": "", "message": _("Choose an .xlsx file.")}]})
    try:
        result = member_sheets.import_members(actor=request.auth, source=file)
    except DomainError as exc:  # not a spreadsheet, too many rows, no header row
        return Status(400, {"rows": 0, "created": 0, "problem_count": 1,
                            "problems": [{"row": 0, "column": "", "message": str(exc.message)}]})
    body = {"rows": result.rows, "created": result.created, "problem_count": result.problem_count,
            "problems": [vars(p) for p in result.problems]}
    return Status(200 if result.imported or not result.problem_count else 400, body)


@router.get("/members/{member_id}", response={200: PartyMemberDetailOut, **NOT_FOUND},
            summary="One party member's record, masked")
def member_detail(request, member_id: int):
    """404 alike for a missing member and one outside your scope."""
    return as_read_by_one(request.auth, _detail(request.auth, member_id))


@router.post("/members", response={201: PartyMemberDetailOut, 200: PartyMemberDetailOut, **WRITE},
             summary="Enter a party member")
def add_member(request, data: PartyMemberIn):
    """201 with the new record; 200 with the first one when the idempotency key was used already.
    400 with `problems` by field; 404 for an organisation, community or resident outside your scope
    (as for a missing one); 409 for an ID number or account already recorded; 403 without the right."""
    key = request.headers.get("Idempotency-Key", "") or data.idempotency_key
    payload = data.dict(exclude={"organisation_id", "home_community_id", "resident_id", "idempotency_key"})
    member = services.add_member(actor=request.auth, organisation=data.organisation_id,
                                 home_community=data.home_community_id, resident=data.resident_id,
                                 idempotency_key=key, **payload)
    return Status(200 if getattr(member, "repeated", False) else 201, _detail(request.auth, member.pk))


@router.patch("/members/{member_id}", response={200: PartyMemberDetailOut, **WRITE},
              summary="Correct a party member's record")
def update_member(request, member_id: int, data: PartyMemberPatch):
    """Only the fields sent change. The organisation changes by a transfer and the state by ending
    the membership. 409 `stale` when `expected_version` is not the current one."""
    member = _detail(request.auth, member_id)
    changes = data.dict(exclude_unset=True, exclude={"expected_version", "home_community_id", "resident_id"})
    if "home_community_id" in data.model_fields_set:
        changes["home_community"] = data.home_community_id
    if "resident_id" in data.model_fields_set:
        changes["resident"] = data.resident_id
    for name in ("name", "gender", "id_number", "phone", "status", "category", "workplace", "account"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    services.update_member(actor=request.auth, member=member, expected_version=data.expected_version, **changes)
    return _detail(request.auth, member_id)


@router.post("/members/{member_id}/transfer", response={200: PartyMemberDetailOut, **WRITE},
             summary="Transfer the member's relation (组织关系转接)")
def transfer_member(request, member_id: int, data: PartyMemberTransferIn):
    """Within the platform to an organisation in your scope, out to one outside it (with the
    introduction letter's number), or back in from outside. A transfer row is kept for each."""
    member = _detail(request.auth, member_id)
    services.transfer_member(actor=request.auth, member=member, kind=data.kind, to_organisation=data.to_organisation_id,
                             outside=data.outside, letter_number=data.letter_number, on=data.transferred_on,
                             reason=data.reason, expected_version=data.expected_version)
    return _detail(request.auth, member_id)


@router.post("/members/{member_id}/end", response={200: PartyMemberDetailOut, **WRITE},
             summary="End a membership here: deceased, left the party, or transferred out")
def end_membership(request, member_id: int, data: PartyMemberEndIn):
    """The record stays, with the state and the reason. 409 when the relation is no longer held here."""
    member = _detail(request.auth, member_id)
    services.end_membership(actor=request.auth, member=member, state=data.state, reason=data.reason, on=data.on,
                            outside=data.outside, letter_number=data.letter_number,
                            expected_version=data.expected_version)
    return _detail(request.auth, member_id)


@router.post("/members/{member_id}/reveal", response={200: PartyMemberRevealOut, **WRITE},
             summary="See a member's full ID or phone number (audited)")
def reveal(request, member_id: int, data: PartyMemberRevealIn):
    """For those who may reveal (a branch or community secretary); the audit trail records who saw
    which number of whom. 403 for those who see the member but may not."""
    member = _detail(request.auth, member_id)
    return {"field": data.field, "value": services.reveal_member(actor=request.auth, member=member, field=data.field)}


@router.get("/members/{member_id}/transfers", response={200: list[PartyMemberTransferOut], **NOT_FOUND},
            summary="The transfers of a member's relation, newest first")
def member_transfers(request, member_id: int) -> list[Transfer]:
    return as_read_by(request.auth, selectors.member_transfers(_detail(request.auth, member_id)))
