"""/api/v1/squads/: squads, their rosters, readiness checks and figures."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, DivisionRef, ErrorOut, ProblemsOut

from .. import selectors as sel
from ..choices import SquadKind
from ..permissions import SquadAction
from ..services import squads as services

router = Router(tags=["squads"])
A = SquadAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def managed_squad(user, squad_id):
    """The squad if the user sees it (else 404) and manages it (else 403)."""
    squad = sel.squad_for(user, squad_id)
    if not sel.manages(user, squad):
        raise PermissionDenied(_("You may not do this."))
    return squad


class SquadOut(Schema):
    id: int
    name: str
    kind: str
    division: DivisionRef
    muster_point: str
    is_active: bool
    member_count: int = 0
    version: int

    @staticmethod
    def resolve_member_count(obj) -> int:
        return getattr(obj, "member_count", 0)


class SquadMemberOut(Schema):
    id: int
    user_id: int
    name: str
    role: str
    skills: list[str]
    phone: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.user)

    @staticmethod
    def resolve_phone(obj) -> str:
        return getattr(obj, "shown_phone", "")


class SquadDetailOut(SquadOut):
    members: list[SquadMemberOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return obj.roster_rows


@router.get("", response={200: list[SquadOut], **NOT_FOUND}, summary="Squads in your scope (a member: their own)")
@paginate(PageNumberPagination, page_size=50)
def list_squads(request):
    return sel.squads_for(request.auth)


class SquadIn(Schema):
    division_id: int = Field(description="the street or community the squad belongs to")
    name: str = Field(..., min_length=1, max_length=100)
    kind: SquadKind = SquadKind.GENERAL
    muster_point: str = Field("", max_length=200)


@router.post("", response={201: SquadOut, **WRITE}, summary="Found a squad in a street or community")
def create_squad(request, data: SquadIn):
    if not scope.may(request.auth, A.MANAGE):
        raise PermissionDenied(_("You may not do this."))
    return Status(201, services.create_squad(actor=request.auth, **data.dict()))


@router.get("/{int:squad_id}", response={200: SquadDetailOut, **NOT_FOUND}, summary="A squad and its roster")
def squad_detail(request, squad_id: int):
    squad = sel.squad_for(request.auth, squad_id)
    squad.roster_rows = sel.roster(request.auth, squad)
    squad.member_count = len(squad.roster_rows)
    return squad


class SquadUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: SquadKind
    muster_point: str = Field("", max_length=200)
    version: int | None = Field(None, description="the version read; a stale edit is refused (409)")


@router.patch("/{int:squad_id}", response={200: SquadOut, **WRITE},
              summary="Change a squad's name, kind or muster point")
def update_squad(request, squad_id: int, data: SquadUpdateIn):
    managed_squad(request.auth, squad_id)
    return services.update_squad(actor=request.auth, squad_id=squad_id, name=data.name, kind=data.kind,
                                 muster_point=data.muster_point, expected_version=data.version)


@router.get("/{int:squad_id}/members", response={200: list[SquadMemberOut], **NOT_FOUND}, summary="The roster")
def squad_members(request, squad_id: int):
    return sel.roster(request.auth, sel.squad_for(request.auth, squad_id))


class SquadMemberIn(Schema):
    user_id: int = Field(description="someone holding a role in the squad's area, or a party member living there")
    role: str = Field(..., max_length=32, description="leader, information, evacuation, patrol, medical, logistics…")
    skills: list[str] = Field(default_factory=list, max_length=20)
    phone: str = Field("", max_length=11, description="where the alert's SMS goes (default: the user's phone)")


@router.post("/{int:squad_id}/members", response={201: SquadMemberOut, **WRITE}, summary="Enrol a member")
def enrol_member(request, squad_id: int, data: SquadMemberIn):
    managed_squad(request.auth, squad_id)
    member = services.enrol_member(actor=request.auth, squad_id=squad_id, **data.dict())
    member.shown_phone = member.phone
    return Status(201, member)


class SquadMemberUpdateIn(Schema):
    role: str = Field(..., max_length=32)
    skills: list[str] = Field(default_factory=list, max_length=20)
    phone: str = Field("", max_length=11)
    version: int | None = None


def _managed_member(user, member_id):
    member = sel.member_for(user, member_id)
    if not sel.manages(user, member.squad):
        raise PermissionDenied(_("You may not do this."))
    return member


@router.patch("/members/{member_id}", response={200: SquadMemberOut, **WRITE},
              summary="Change a member's role, skills or phone")
def update_member(request, member_id: int, data: SquadMemberUpdateIn):
    _managed_member(request.auth, member_id)
    member = services.update_member(actor=request.auth, member_id=member_id, role=data.role, skills=data.skills,
                                    phone=data.phone, expected_version=data.version)
    member.shown_phone = member.phone
    return member


class SquadReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/members/{member_id}/remove", response={200: SquadMemberOut, **WRITE},
             summary="Take a member off the roster (kept, with the reason)")
def remove_member(request, member_id: int, data: SquadReasonIn):
    _managed_member(request.auth, member_id)
    member = services.remove_member(actor=request.auth, member_id=member_id, reason=data.reason)
    member.shown_phone = ""
    return member


@router.post("/{int:squad_id}/disband", response={200: SquadOut, **WRITE},
             summary="Disband a squad (kept with its roster, alerts and figures)")
def disband_squad(request, squad_id: int, data: SquadReasonIn):
    managed_squad(request.auth, squad_id)
    return services.disband_squad(actor=request.auth, squad_id=squad_id, reason=data.reason)


class SquadCheckIn(Schema):
    hours: int = Field(24, ge=1, le=168, description="how long the answers count")


class SquadCheckOut(Schema):
    id: int
    started_at: dt.datetime
    closes_at: dt.datetime
    asked: int


@router.post("/{int:squad_id}/readiness", response={201: SquadCheckOut, **WRITE}, summary="Start a readiness check")
def start_check(request, squad_id: int, data: SquadCheckIn):
    managed_squad(request.auth, squad_id)
    return Status(201, services.start_readiness_check(actor=request.auth, squad_id=squad_id, hours=data.hours))


class SquadReadinessAnswerIn(Schema):
    ready: bool
    note: str = Field("", max_length=200)


class SquadReadinessAnswerOut(Schema):
    id: int
    ready: bool
    replied_at: dt.datetime


@router.post("/readiness/{check_id}/answer", response={201: SquadReadinessAnswerOut, **WRITE},
             summary="Answer a readiness check of my squad")
def answer_check(request, check_id: int, data: SquadReadinessAnswerIn):
    return Status(201, services.answer_readiness(actor=request.auth, check_id=check_id, **data.dict()))


class SquadAlertFiguresRow(Schema):
    alert_id: int
    kind: str
    raised_at: dt.datetime
    notified: int
    first_ack_seconds: float | None
    mustered_share: float | None


class SquadFiguresOut(Schema):
    alerts: int
    drills: int
    median_first_ack_seconds: float | None
    mustered_share: float | None
    readiness_rate: float | None
    per_alert: list[SquadAlertFiguresRow]


@router.get("/{int:squad_id}/figures", response={200: SquadFiguresOut, **NOT_FOUND},
            summary="A squad's figures over the last year")
def squad_figures(request, squad_id: int):
    squad = sel.squad_for(request.auth, squad_id)
    f = sel.squad_figures(squad)
    return {"alerts": f.alerts, "drills": f.drills, "median_first_ack_seconds": f.median_first_ack_seconds,
            "mustered_share": f.mustered_share, "readiness_rate": f.readiness_rate,
            "per_alert": [{"alert_id": row.pk, "kind": row.kind, "raised_at": row.raised_at, "notified": fig.notified,
                           "first_ack_seconds": fig.first_ack_seconds, "mustered_share": fig.mustered_share}
                          for row, fig in f.per_alert]}
