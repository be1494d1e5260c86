"""Shapes of the cases API (a public module: another app's API may reuse them). Three views of
a case: the staff's (everything they may see, masked contact), the follower's (their own report
and the public timeline) and the public's (no personal data: what the problem is, who holds it,
what they did, when it is due)."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gongzhi.core.masking import mask_numbers_in_text, mask_phone
from gongzhi.core.schemas import DivisionRef

from .choices import HANDLING_CLOCK_STATES, CaseState, EventKind
from .deadline_status import deadline_status
from .models import Case, CaseAttachment, CaseEvent, Category, Sidestep, Summons

# --- catalogue ----------------------------------------------------------------------------------


class LimitOut(Schema):
    amount: int
    unit: str


class CategoryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    case_class: str
    parent: str | None = Field(None, description="the class's code")
    keywords: str
    response_limit: LimitOut | None
    handling_limit: LimitOut | None
    close_criteria: str
    routing: str
    department_kind: str
    department_level: str
    owner_department_id: int | None
    is_active: bool
    version: int

    @staticmethod
    def resolve_parent(c: Category) -> str | None:
        return c.parent.code if c.parent_id else None

    @staticmethod
    def resolve_response_limit(c: Category):
        return {"amount": c.response_limit, "unit": c.response_unit} if c.response_limit is not None else None

    @staticmethod
    def resolve_handling_limit(c: Category):
        return {"amount": c.handling_limit, "unit": c.handling_unit} if c.handling_limit is not None else None


class CategoryClassOut(Schema):
    code: str
    name_zh: str
    name_en: str
    case_class: str
    children: list[CategoryOut]

    @staticmethod
    def resolve_children(c: Category):
        return list(c.children.all())


class CategoryRef(Schema):
    code: str
    name_zh: str
    name_en: str


# --- pieces of a case ---------------------------------------------------------------------------


class UnitOut(Schema):
    type: Literal["department", "division"]
    id: int
    name: str


def unit_of(case: Case) -> dict | None:
    if case.handling_department_id:
        return {"type": "department", "id": case.handling_department_id, "name": case.handling_department.name}
    if case.handling_division_id:
        return {"type": "division", "id": case.handling_division_id, "name": case.handling_division.name}
    return None


class AttachmentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    duration_s: float | None
    url: str

    @staticmethod
    def resolve_url(a: CaseAttachment) -> str:
        return f"/api/v1/cases/{a.case_id}/attachments/{a.pk}"


class EventOut(Schema):
    """A timeline row as staff see it."""

    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    actor: str = Field(description="the person (or 'system')")
    unit: str
    from_state: str
    to_state: str
    note: str
    public_note: str
    is_public: bool
    data: dict
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_kind_label(e: CaseEvent) -> str:
        return str(EventKind(e.kind).label)

    @staticmethod
    def resolve_actor(e: CaseEvent) -> str:
        return str(e.actor) if e.actor_id else e.actor_label

    @staticmethod
    def resolve_unit(e: CaseEvent) -> str:
        return e.unit_name

    @staticmethod
    def resolve_attachments(e: CaseEvent):
        return list(e.attachments.all())


class PublicEventOut(Schema):
    """A timeline row as residents and the public see it: the unit, never a person."""

    at: dt.datetime
    kind: str
    kind_label: str
    unit: str
    to_state: str
    note: str

    @staticmethod
    def resolve_kind_label(e: CaseEvent) -> str:
        return str(EventKind(e.kind).label)

    @staticmethod
    def resolve_unit(e: CaseEvent) -> str:
        return e.unit_name

    @staticmethod
    def resolve_note(e: CaseEvent) -> str:
        return e.public_note


class CountersOut(Schema):
    returns: int
    transfers: int
    extensions: int
    suspensions: int
    reopens: int


class ReporterOut(Schema):
    name: str
    phone: str = Field(description="masked")


class SidestepOut(Schema):
    id: int
    case_id: int
    kind: str
    status: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    target_department_id: int | None
    target_division_id: int | None
    extension_amount: int | None
    extension_unit: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_requested_by(s: Sidestep) -> str:
        return str(s.requested_by)

    @staticmethod
    def resolve_decided_by(s: Sidestep) -> str | None:
        return str(s.decided_by) if s.decided_by_id else None


class SummonsOut(Schema):
    id: int
    whistle_id: int
    case_id: int
    tracking_number: str
    department: str | None
    user: str | None
    attendance: str = Field(description="pending | on_time | late | absent (as of now)")
    check_in_due: dt.datetime
    checked_in_at: dt.datetime | None
    action_note: str
    acted_at: dt.datetime | None

    @staticmethod
    def resolve_case_id(s: Summons) -> int:
        return s.whistle.case_id

    @staticmethod
    def resolve_tracking_number(s: Summons) -> str:
        return s.whistle.case.tracking_number

    @staticmethod
    def resolve_department(s: Summons) -> str | None:
        return s.department.name if s.department_id else None

    @staticmethod
    def resolve_user(s: Summons) -> str | None:
        return str(s.user) if s.user_id else None

    @staticmethod
    def resolve_check_in_due(s: Summons) -> dt.datetime:
        return s.whistle.check_in_due

    @staticmethod
    def resolve_attendance(s: Summons) -> str:
        return getattr(s, "current_attendance", s.attendance)


class WhistleOut(Schema):
    id: int
    case_id: int
    division: DivisionRef
    blown_by: str
    reason: str
    check_in_due: dt.datetime
    created_at: dt.datetime
    roll_call: list[SummonsOut]


# --- a case -------------------------------------------------------------------------------------


class _CaseCore(Schema):
    id: int
    tracking_number: str
    state: str
    state_label: str
    channel: str
    category: CategoryRef | None
    summary: str
    community: DivisionRef
    grid: DivisionRef
    handling_unit: UnitOut | None
    submitted_at: dt.datetime
    response_due: dt.datetime | None
    handling_due: dt.datetime | None
    deadline_status: str
    version: int


class CaseListOut(_CaseCore):
    """A case in a list or queue."""

    @staticmethod
    def resolve_state_label(c: Case) -> str:
        return str(CaseState(c.state).label)

    @staticmethod
    def resolve_summary(c: Case) -> str:
        # A list never needs a phone or ID number: masked for everyone (the case page decides who
        # reads them whole).
        return mask_numbers_in_text(c.description)[:120]

    @staticmethod
    def resolve_handling_unit(c: Case):
        return unit_of(c)

    @staticmethod
    def resolve_deadline_status(c: Case) -> str:
        return deadline_status(c)


class _CaseDetail(_CaseCore):
    description: str
    address: str
    lng: float
    lat: float
    street: DivisionRef
    is_anonymous: bool
    registered_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    rated_at: dt.datetime | None
    close_criteria: str
    resolution: str
    rejection_reason: str
    rating: str
    rating_comment: str
    counters: CountersOut
    merged_into: str | None = Field(None, description="tracking number of the case followed instead")
    attachments: list[AttachmentOut]


class StaffCaseOut(_CaseDetail):
    """A case as staff see it: the whole timeline with notes, the reporter (masked, unless
    anonymous), sidesteps and whistles."""

    view: Literal["staff"]
    reporter: ReporterOut | None
    timeline: list[EventOut]
    sidesteps: list[SidestepOut]
    whistles: list[WhistleOut]


class FollowerCaseOut(_CaseDetail):
    """A case as its reporter sees it: their report and the public timeline."""

    view: Literal["follower"]
    timeline: list[PublicEventOut]


CaseDetailOut = Annotated[StaffCaseOut | FollowerCaseOut, Field(discriminator="view")]


def detail(case: Case, *, staff: bool, events, files, sidesteps=(), whistles=()) -> dict:
    reporter = None
    if staff and not case.is_anonymous:
        name = case.contact_name or (str(case.reporter) if case.reporter_id else "")
        phone = case.contact_phone or (case.reporter.phone if case.reporter_id and case.reporter.phone else "")
        if name or phone:
            reporter = {"name": name, "phone": mask_phone(phone) if phone else ""}
    return {
        **{f: getattr(case, f) for f in (
            "id", "tracking_number", "state", "channel", "category", "community", "grid", "street", "submitted_at",
            "response_due", "handling_due", "version", "description", "address", "lng", "lat", "is_anonymous",
            "registered_at", "dispatched_at", "accepted_at", "resolved_at", "verified_at", "closed_at", "rated_at",
            "resolution", "rejection_reason", "rating", "rating_comment")},
        "view": "staff" if staff else "follower",
        "state_label": str(CaseState(case.state).label),
        "summary": case.description[:120],
        "handling_unit": unit_of(case),
        "deadline_status": deadline_status(case),
        "reporter": reporter,
        "close_criteria": (case.terms or {}).get("close_criteria", ""),
        "counters": {"returns": case.returns_count, "transfers": case.transfers_count,
                     "extensions": case.extensions_count, "suspensions": case.suspensions_count,
                     "reopens": case.reopen_count},
        "merged_into": case.merged_into.tracking_number if case.merged_into_id else None,
        "attachments": files,
        "timeline": list(events),
        "sidesteps": list(sidesteps),
        "whistles": list(whistles),
    }


class PublicCaseOut(Schema):
    """What anyone with the tracking code sees: no description, no address, no person."""

    tracking_number: str
    tracking_code: str = Field(description="what the case is followed by (the /track/ paths)")
    state: str
    state_label: str
    category: CategoryRef | None
    community: str
    street: str
    handling_unit: str = Field(description="the unit holding the case now, if any")
    submitted_at: dt.datetime
    due: dt.datetime | None = Field(description="when the unit must have handled it")
    deadline_status: str
    merged_into: str | None
    merged_into_code: str | None = Field(description="the tracking code to follow it by instead")
    rating: str
    timeline: list[PublicEventOut]


def public(case: Case, events) -> dict:
    running = case.state in HANDLING_CLOCK_STATES
    return {
        "tracking_number": case.tracking_number, "tracking_code": case.tracking_code, "state": case.state,
        "state_label": str(CaseState(case.state).label), "category": case.category, "community": case.community.name,
        "street": case.street.name,
        "handling_unit": case.handling_unit_name, "submitted_at": case.submitted_at,
        "due": case.handling_due if running else None, "deadline_status": deadline_status(case),
        "merged_into": case.merged_into.tracking_number if case.merged_into_id else None,
        "merged_into_code": case.merged_into.tracking_code if case.merged_into_id else None,
        "rating": case.rating, "timeline": list(events),
    }


class NearbyOut(Schema):
    tracking_number: str
    tracking_code: str = Field(description="to follow it by (the /track/ paths) instead of reporting it again")
    state: str
    state_label: str
    category: CategoryRef | None
    distance_m: float
    submitted_at: dt.datetime
