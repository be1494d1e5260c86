"""/api/v1/party/: the double report-in (双报到) — members' report-ins and the community's decision,
units' registrations and their projects, the service record, feedback cards, the report-in rates,
and the member's own page (`me/party`). Linked leaders are in .leaders, included here."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from ..choices import Evaluation, ProjectStatus, RegistrationStatus, ReportInMethod
from ..permissions import PartyAction
from ..selectors import registrations as sel
from ..selectors.reading import as_read_by, as_read_by_one
from ..services import registrations as services
from ..services import service_record
from . import leaders
from .organisations import PartyDivisionRef, PartyOrganisationRef
from .reading import ReadPages

router = Router(tags=["party: report-in"])
router.add_router("", leaders.router)
A = PartyAction
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied(_("You may not do this."))


# --- members' report-ins -------------------------------------------------------------------------


class PartyMemberRef(Schema):
    id: int
    name: str
    organisation: PartyOrganisationRef


class PartyRegistrationOut(Schema):
    id: int
    member: PartyMemberRef
    community: PartyDivisionRef
    period_start: dt.date
    period_end: dt.date
    method: str
    status: str
    status_label: str
    reported_at: dt.datetime
    decided_at: dt.datetime | None
    decline_reason: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class PartyRegistrationFilters(Schema):
    community: int | None = Field(None, description="a community (division id)")
    status: RegistrationStatus | None = None
    period_start: dt.date | None = Field(None, description="the first day of a report-in period")
    q: str | None = Field(None, max_length=40, description="start of the member's name or initials")


@router.get("/registrations/members", response={200: list[PartyRegistrationOut], **LIST},
            summary="Members' report-ins in your scope")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_member_registrations(request, filters: Query[PartyRegistrationFilters]):
    """403 without the right to see party members anywhere; otherwise the report-ins you may see."""
    user = request.auth
    require_may(user, A.VIEW_MEMBERS)
    community = sel.dashboard_division(user, filters.community) if filters.community else None
    return sel.registrations_for(user, community=community, status=filters.status or "",
                                 period_start=filters.period_start, query=(filters.q or "").strip())


class PartyReportInIn(Schema):
    community_id: int
    method: ReportInMethod = ReportInMethod.PICKED
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


@router.post("/registrations/members", response={200: PartyRegistrationOut, 201: PartyRegistrationOut, **WRITE},
             summary="Report in to my community (the member themselves)")
def report_in(request, data: PartyReportInIn):
    """201 with the new report-in; 200 with the first one when the idempotency key repeats a
    report-in; 409 `duplicate` when this period's report-in exists; 403 for anyone but a member."""
    key = request.headers.get("Idempotency-Key", "") or data.idempotency_key
    reg, created = services.report_in(actor=request.auth, community_id=data.community_id, method=data.method,
                                      idempotency_key=key)
    return Status(201 if created else 200, reg)


class PartyDeskRegistrationIn(Schema):
    member_id: int
    community_id: int


@router.post("/registrations/members/desk", response={201: PartyRegistrationOut, **WRITE},
             summary="Register a member at the community's desk (confirmed at once)")
def register_at_desk(request, data: PartyDeskRegistrationIn):
    return Status(201, services.register_at_desk(actor=request.auth, member_id=data.member_id,
                                                 community_id=data.community_id))


@router.post("/registrations/members/{registration_id}/confirm", response={200: PartyRegistrationOut, **WRITE},
             summary="Confirm a member's report-in")
def confirm_registration(request, registration_id: int):
    """403 without the right to confirm; 404 outside your communities; 409 when already decided."""
    return services.confirm_registration(actor=request.auth, registration_id=registration_id)


class PartyDeclineIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/registrations/members/{registration_id}/decline", response={200: PartyRegistrationOut, **WRITE},
             summary="Decline a member's report-in, saying why")
def decline_registration(request, registration_id: int, data: PartyDeclineIn):
    return services.decline_registration(actor=request.auth, registration_id=registration_id, reason=data.reason)


# --- units ---------------------------------------------------------------------------------------


class PartyProjectOut(Schema):
    id: int
    registration_id: int
    year: int
    title: str
    description: str
    status: str
    progress: int
    note: str
    version: int
    updated_at: dt.datetime


class PartyUnitRegistrationOut(Schema):
    id: int
    organisation: PartyOrganisationRef
    community: PartyDivisionRef
    registered_on: dt.date
    offers: list[str]
    agreement: str
    signed_on: dt.date | None
    contact_name: str
    status: str
    ended_on: dt.date | None
    end_reason: str
    version: int


class PartyUnitFilters(Schema):
    community: int | None = Field(None, description="a community (division id)")
    active: bool = Field(False, description="only registrations still running")


@router.get("/registrations/units", response={200: list[PartyUnitRegistrationOut], **LIST},
            summary="Units' registrations with co-building communities")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_unit_registrations(request, filters: Query[PartyUnitFilters]):
    user = request.auth
    require_may(user, A.VIEW)
    community = sel.dashboard_division(user, filters.community) if filters.community else None
    return sel.unit_registrations_for(user, community=community, active_only=filters.active)


class PartyUnitRegistrationIn(Schema):
    organisation_id: int
    community_id: int
    offers: list[str] = Field(default_factory=list, description="venue, funds, people, skills")
    agreement: str = Field("", max_length=5000)
    signed_on: dt.date | None = None
    contact_name: str = Field("", max_length=64)


@router.post("/registrations/units", response={201: PartyUnitRegistrationOut, **WRITE},
             summary="Register a unit's organisation with a co-building community")
def register_unit(request, data: PartyUnitRegistrationIn):
    return Status(201, services.register_unit(actor=request.auth, **data.dict()))


@router.get("/registrations/units/{registration_id}", response={200: PartyUnitRegistrationOut, **NOT_FOUND},
            summary="One unit's registration")
def unit_registration(request, registration_id: int):
    return as_read_by_one(request.auth, sel.unit_registration(request.auth, registration_id))


class PartyEndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    expected_version: int | None = None


@router.post("/registrations/units/{registration_id}/end", response={200: PartyUnitRegistrationOut, **WRITE},
             summary="End a unit's registration, saying why")
def end_unit_registration(request, registration_id: int, data: PartyEndIn):
    return services.end_registration(actor=request.auth, registration_id=registration_id, reason=data.reason,
                                     expected_version=data.expected_version)


@router.get("/registrations/units/{registration_id}/projects", response={200: list[PartyProjectOut], **NOT_FOUND},
            summary="A registration's co-building projects")
def list_projects(request, registration_id: int):
    return as_read_by(request.auth, sel.projects_of(sel.unit_registration(request.auth, registration_id)))


class PartyProjectIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    year: int | None = None
    description: str = Field("", max_length=5000)
    status: ProjectStatus = ProjectStatus.PLANNED
    progress: int = Field(0, ge=0, le=100)


@router.post("/registrations/units/{registration_id}/projects", response={201: PartyProjectOut, **WRITE},
             summary="Add a co-building project")
def add_project(request, registration_id: int, data: PartyProjectIn):
    return Status(201, services.add_project(actor=request.auth, registration_id=registration_id, **data.dict()))


class PartyProjectPatch(Schema):
    expected_version: int
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    status: ProjectStatus | None = None
    progress: int | None = Field(None, ge=0, le=100)
    note: str | None = Field(None, max_length=500)


@router.patch("/registrations/projects/{project_id}", response={200: PartyProjectOut, **WRITE},
              summary="Update a project's status and progress")
def update_project(request, project_id: int, data: PartyProjectPatch):
    """409 `stale` when someone changed the project since `expected_version`."""
    changes = data.dict(exclude_unset=True, exclude={"expected_version"})
    return services.update_project(actor=request.auth, project_id=project_id,
                                   expected_version=data.expected_version, **changes)


# --- rates ---------------------------------------------------------------------------------------


class PartyRateRowOut(Schema):
    id: int
    name: str
    confirmed: int
    pending: int
    eligible: int
    rate: float | None
    flagged: bool

    @staticmethod
    def resolve_id(obj) -> int:
        return obj.pk


class PartyReportInRatesOut(Schema):
    division: PartyDivisionRef
    period_start: dt.date
    period_end: dt.date
    unit_line_percent: int
    confirmed: int
    pending: int
    eligible: int
    rate: float | None
    served: int
    never_reported: int
    communities: list[PartyRateRowOut]
    units: list[PartyRateRowOut]


class PartyPolicyOut(Schema):
    period_months: int = Field(description="members report in again every so many months")
    feedback_months: int = Field(description="feedback cards go out every so many months")
    unit_line_percent: int = Field(description="a unit whose report-in rate is below this is flagged")
    version: int


class PartyPolicyIn(Schema):
    period_months: int = Field(ge=1, le=12)
    feedback_months: int = Field(ge=1, le=12)
    unit_line_percent: int = Field(ge=0, le=100)
    version: int | None = Field(None, description="the version you read; a stale one answers 409")


@router.get("/report-in/policy", response={200: PartyPolicyOut, 403: ErrorOut}, summary="The report-in rules")
def report_in_policy(request):
    require_may(request.auth, A.VIEW)
    return sel.current_policy()


@router.put("/report-in/policy", response={200: PartyPolicyOut, **WRITE},
            summary="Change the report-in rules (the city's party organisation department)")
def set_report_in_policy(request, data: PartyPolicyIn):
    return services.set_policy(actor=request.auth, period_months=data.period_months,
                               feedback_months=data.feedback_months, unit_line_percent=data.unit_line_percent,
                               expected_version=data.version)


@router.get("/report-in/rates", response={200: PartyReportInRatesOut, **LIST},
            summary="Report-in rates of a division, per community and per unit")
def report_in_rates(request, division: int | None = None, period_start: dt.date | None = None):
    """Confirmed ÷ active employed members (this period by default); a unit under the policy's
    line is flagged. 404 for a division outside your scope."""
    user = request.auth
    require_may(user, A.VIEW_MEMBERS)
    target = sel.dashboard_division(user, division) if division else sel.default_dashboard_division(user)
    if target is None:
        raise PermissionDenied(_("You may not do this."))
    try:
        rates = sel.report_in_rates(user, target, period_start=period_start)
    except ValueError:
        from gongzhi.core.errors import DomainError

        raise DomainError(_("No report-in period begins on %(day)s.") % {"day": period_start}) from None
    return {"division": target, "period_start": rates.period.start, "period_end": rates.period.end,
            "unit_line_percent": rates.line_percent, "confirmed": rates.confirmed, "pending": rates.pending,
            "eligible": rates.eligible, "rate": rates.rate, "served": rates.served,
            "never_reported": rates.never, "communities": rates.communities, "units": rates.units}


# --- service and cards ---------------------------------------------------------------------------


class PartyServiceEntryOut(Schema):
    id: int
    member: PartyMemberRef
    community: PartyDivisionRef
    served_on: dt.date
    activity: str
    hours: Decimal
    voided: bool
    void_reason: str

    @staticmethod
    def resolve_voided(obj) -> bool:
        return obj.voided_at is not None


@router.get("/service-entries", response={200: list[PartyServiceEntryOut], **LIST},
            summary="Service recorded for reported-in members")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_service(request, community: int | None = None):
    user = request.auth
    require_may(user, A.VIEW_MEMBERS)
    target = sel.dashboard_division(user, community) if community else None
    return sel.service_entries_for(user, community=target)


class PartyServiceIn(Schema):
    member_id: int
    community_id: int
    served_on: dt.date
    activity: str = Field(..., min_length=1, max_length=200)
    hours: Decimal = Field(..., gt=0, le=24)


@router.post("/service-entries", response={201: PartyServiceEntryOut, **WRITE},
             summary="Record what a reported-in member did")
def record_service(request, data: PartyServiceIn):
    return Status(201, service_record.record_service(actor=request.auth, **data.dict()))


class PartyVoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/service-entries/{entry_id}/void", response={200: PartyServiceEntryOut, **WRITE},
             summary="Void a service entry recorded in error")
def void_service(request, entry_id: int, data: PartyVoidIn):
    return service_record.void_service(actor=request.auth, entry_id=entry_id, reason=data.reason)


class PartyCardOut(Schema):
    id: int
    member: PartyMemberRef
    community: PartyDivisionRef
    organisation: PartyOrganisationRef
    period_start: dt.date
    period_end: dt.date
    hours: Decimal
    activities: int
    evaluation: str
    comment: str
    status: str
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None


class PartyCardFilters(Schema):
    community: int | None = None
    period_start: dt.date | None = None
    status: str | None = Field(None, pattern="^(sent|acknowledged)$")


@router.get("/feedback-cards", response={200: list[PartyCardOut], **LIST}, summary="Service feedback cards")
@paginate(ReadPages, page_size=PAGE_SIZE)
def list_cards(request, filters: Query[PartyCardFilters]):
    """The cards of your communities, and those sent to your organisation."""
    user = request.auth
    require_may(user, A.VIEW_MEMBERS)
    community = sel.dashboard_division(user, filters.community) if filters.community else None
    return sel.feedback_cards_for(user, community=community, period_start=filters.period_start,
                                  status=filters.status or "")


class PartyCardsIssueIn(Schema):
    community_id: int
    period_start: dt.date | None = Field(None, description="the first day of a feedback period; "
                                                           "default: the last complete one")
    evaluations: dict[int, Evaluation] = Field(default_factory=dict, description="member id → evaluation")
    comments: dict[int, str] = Field(default_factory=dict, description="member id → comment")


class PartyCardsIssuedOut(Schema):
    issued: int
    cards: list[PartyCardOut]


@router.post("/feedback-cards/issue", response={201: PartyCardsIssuedOut, **WRITE},
             summary="Send the period's feedback cards of a community")
def issue_cards(request, data: PartyCardsIssueIn):
    """One card per member confirmed in the community that period with none yet; 409 when every
    one has a card."""
    cards = service_record.issue_feedback_cards(actor=request.auth, **data.dict())
    return Status(201, {"issued": len(cards), "cards": cards})


@router.post("/feedback-cards/{card_id}/acknowledge", response={200: PartyCardOut, **WRITE},
             summary="Acknowledge a card sent to my organisation")
def acknowledge_card(request, card_id: int):
    return service_record.acknowledge_card(actor=request.auth, card_id=card_id)


# --- the member's own ----------------------------------------------------------------------------


class PartyMyRegistrationOut(Schema):
    id: int
    community: PartyDivisionRef
    period_start: dt.date
    period_end: dt.date
    status: str
    decline_reason: str


class PartyMyServiceOut(Schema):
    served_on: dt.date
    activity: str
    hours: Decimal
    community: PartyDivisionRef


class PartyMyCardOut(Schema):
    period_start: dt.date
    period_end: dt.date
    hours: Decimal
    activities: int
    evaluation: str
    community: PartyDivisionRef


class PartyMeOut(Schema):
    name: str
    organisation: PartyOrganisationRef
    home_community: PartyDivisionRef | None
    period_start: dt.date
    period_end: dt.date
    this_period: PartyMyRegistrationOut | None
    registrations: list[PartyMyRegistrationOut]
    hours_this_year: Decimal
    service: list[PartyMyServiceOut]
    cards: list[PartyMyCardOut]


@router.get("/me/party", response={200: PartyMeOut, 403: ErrorOut, 401: ErrorOut},
            summary="My branch, my report-ins and my service (a party member's phone page)")
def me(request):
    """403 for anyone who is not a party member with a record here."""
    user = request.auth
    member = sel.my_member(user) if scope.may(user, A.REPORT_IN) else None
    if member is None:
        raise PermissionDenied(_("Only a party member has this page."))
    period = sel.member_period()
    year = dt.date(sel.today().year, 1, 1)
    service = list(sel.my_service(member)[:50])
    hours = sum((e.hours for e in sel.my_service(member).filter(served_on__gte=year)), Decimal("0"))
    return {"name": member.name, "organisation": member.organisation, "home_community": member.home_community,
            "period_start": period.start, "period_end": period.end,
            "this_period": sel.live_registration(member, period),
            "registrations": list(sel.my_registrations(member)[:20]), "hours_this_year": hours,
            "service": service, "cards": list(sel.my_cards(member)[:20])}
