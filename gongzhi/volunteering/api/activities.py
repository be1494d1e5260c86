"""/api/v1/service/activities/: list, detail, create, edit, publish, cancel, finish; sign up and
withdraw; check in (QR token or location); the roster and certification; corrections."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from ..choices import ActivityStatus, CorrectionStatus, Publisher
from ..permissions import VolunteeringAction as A
from ..selectors import activities as sel
from ..services import activities as services
from ..services import certification, signups
from .schemas import VolActivityDetailOut, VolActivityOut, VolCorrectionOut, VolHoursOut, VolRosterOut, VolSignUpOut

router = Router(tags=["volunteering"])
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def require_may(user, *actions: str) -> None:
    if not any(scope.may(user, action) for action in actions):
        raise PermissionDenied(_("You may not do this."))


class VolActivityFilters(Schema):
    status: ActivityStatus | None = None
    community: int | None = Field(None, description="a community (division id)")
    q: str | None = Field(None, max_length=40, description="words in the title")
    lat: float | None = Field(None, ge=-90, le=90, description="where I am: nearest first (with lng)")
    lng: float | None = Field(None, ge=-180, le=180)


@router.get("", response={200: list[VolActivityOut], **LIST}, summary="Activities")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_activities(request, filters: Query[VolActivityFilters]):
    """Staff: the activities in their scope (any status). A volunteer: published activities still
    to come, nearest first when `lat`/`lng` are given."""
    user = request.auth
    require_may(user, A.VIEW, A.SERVE)
    if scope.may(user, A.VIEW):
        community = sel.viewable_community(user, filters.community) if filters.community else None
        return sel.activities_for(user, status=filters.status or "", community=community,
                                  query=(filters.q or "").strip())
    return sel.open_activities(user, lat=filters.lat, lng=filters.lng)


class VolSlotIn(Schema):
    role: str = Field(..., min_length=1, max_length=64)
    capacity: int = Field(..., ge=1, le=1000)


class VolActivityIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=4000)
    place: str = Field(..., min_length=1, max_length=200)
    community_id: int
    publisher: Publisher = Publisher.COMMUNITY
    party_organisation_id: int | None = None
    organisation_id: int | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    checkin_radius_m: int = Field(300, ge=20, le=5000)
    slots: list[VolSlotIn] = Field(..., min_length=1, max_length=12)


def _data(body: VolActivityIn) -> services.ActivityData:
    values = body.dict(exclude={"idempotency_key", "expected_version"})
    values["slots"] = [(s["role"], s["capacity"]) for s in values["slots"]]
    return services.ActivityData(**values)


class VolActivityCreateIn(VolActivityIn):
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


@router.post("", response={200: VolActivityDetailOut, 201: VolActivityDetailOut, **WRITE},
             summary="Draft an activity")
def create_activity(request, data: VolActivityCreateIn):
    """201 with the draft; 200 with the first one when the idempotency key repeats."""
    key = request.headers.get("Idempotency-Key", "") or data.idempotency_key
    activity, created = services.create_activity(actor=request.auth, data=_data(data), idempotency_key=key)
    return Status(201 if created else 200, sel.activity_for(request.auth, activity.pk, A.ORGANISE))


@router.get("/{int:activity_id}", response={200: VolActivityDetailOut, **NOT_FOUND}, summary="One activity")
def activity_detail(request, activity_id: int):
    return sel.phone_activity(request.auth, activity_id)


class VolActivityUpdateIn(VolActivityIn):
    expected_version: int | None = None


@router.put("/{int:activity_id}", response={200: VolActivityDetailOut, **WRITE}, summary="Edit an activity")
def update_activity(request, activity_id: int, data: VolActivityUpdateIn):
    services.update_activity(actor=request.auth, activity_id=activity_id, data=_data(data),
                             expected_version=data.expected_version)
    return sel.activity_for(request.auth, activity_id, A.ORGANISE)


class VolVersionIn(Schema):
    expected_version: int | None = None


class VolReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    expected_version: int | None = None


@router.post("/{int:activity_id}/publish", response={200: VolActivityOut, **WRITE}, summary="Publish a draft")
def publish(request, activity_id: int, data: VolVersionIn):
    return services.publish_activity(actor=request.auth, activity_id=activity_id,
                                     expected_version=data.expected_version)


@router.post("/{int:activity_id}/cancel", response={200: VolActivityOut, **WRITE},
             summary="Cancel, saying why (everyone signed up is told)")
def cancel(request, activity_id: int, data: VolReasonIn):
    return services.cancel_activity(actor=request.auth, activity_id=activity_id, reason=data.reason,
                                    expected_version=data.expected_version)


@router.post("/{int:activity_id}/finish", response={200: VolActivityOut, **WRITE}, summary="Mark finished")
def finish(request, activity_id: int, data: VolVersionIn):
    return services.finish_activity(actor=request.auth, activity_id=activity_id,
                                    expected_version=data.expected_version)


# --- sign-ups --------------------------------------------------------------------------------------


class VolSignUpIn(Schema):
    slot_id: int | None = Field(None, description="the role; the first with room if omitted")
    group_name: str = Field("", max_length=100, description="a team signed up by its leader")
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


@router.post("/{int:activity_id}/signups", response={200: VolSignUpOut, 201: VolSignUpOut, **WRITE},
             summary="Sign up (or join the waiting list when full)")
def sign_up(request, activity_id: int, data: VolSignUpIn):
    """201 with the sign-up (`confirmed` or `waiting`); 200 when the idempotency key repeats; 409
    `duplicate` if already signed up, `conflict` when it overlaps another sign-up of yours; 403 for
    someone who is not a registered volunteer or party member."""
    key = request.headers.get("Idempotency-Key", "") or data.idempotency_key
    signup, created = signups.sign_up(actor=request.auth, activity_id=activity_id, slot_id=data.slot_id,
                                      group_name=data.group_name, idempotency_key=key)
    return Status(201 if created else 200, signup)


@router.get("/{int:activity_id}/signups", response={200: list[VolRosterOut], **LIST},
            summary="The roster, with check-ins and certified hours")
@paginate(PageNumberPagination, page_size=200)
def roster(request, activity_id: int):
    require_may(request.auth, A.VIEW, A.ORGANISE)
    return sel.roster(sel.activity_for(request.auth, activity_id, A.VIEW))


@router.post("/signups/{int:signup_id}/withdraw", response={200: VolSignUpOut, **WRITE},
             summary="Withdraw my sign-up (the next on the waiting list gets the place)")
def withdraw(request, signup_id: int):
    return signups.withdraw(actor=request.auth, signup_id=signup_id)


# --- check-in ----------------------------------------------------------------------------------------


class VolCheckInIn(Schema):
    token: str = Field(..., min_length=1, max_length=500, description="from the organiser's QR code")
    direction: str = Field("in", pattern="^(in|out)$")


@router.post("/check-in", response={200: VolSignUpOut, **WRITE}, summary="Check in or out with a QR code")
def check_in(request, data: VolCheckInIn):
    """400 for a forged or expired code (nothing changes)."""
    return signups.check_in_by_token(actor=request.auth, token=data.token, direction=data.direction)


class VolLocationIn(Schema):
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    direction: str = Field("in", pattern="^(in|out)$")


@router.post("/{int:activity_id}/check-in/location", response={200: VolSignUpOut, **WRITE},
             summary="Check in or out where the activity is")
def check_in_location(request, activity_id: int, data: VolLocationIn):
    return signups.check_in_by_location(actor=request.auth, activity_id=activity_id, lat=data.lat, lng=data.lng,
                                        direction=data.direction)


class VolCheckInCodeOut(Schema):
    url: str
    expires_in: int
    svg: str


@router.get("/{int:activity_id}/check-in-code", response={200: VolCheckInCodeOut, **LIST},
            summary="The organiser's check-in QR code (signed URL, expiring)")
def check_in_code(request, activity_id: int):
    from ..qr import check_in_code as make

    require_may(request.auth, A.ORGANISE)
    activity = sel.activity_for(request.auth, activity_id, A.ORGANISE)
    return make(request, activity)


# --- certification -------------------------------------------------------------------------------


class VolCertifyIn(Schema):
    hours: Decimal | None = Field(None, gt=0, le=24, description="default: from check-in to check-out")


@router.post("/signups/{int:signup_id}/certify", response={200: VolHoursOut, **WRITE},
             summary="Certify a participant's hours (again: the same record)")
def certify(request, signup_id: int, data: VolCertifyIn):
    return certification.certify_signup(actor=request.auth, signup_id=signup_id, hours=data.hours)


# --- corrections -------------------------------------------------------------------------------


class VolCorrectionFilters(Schema):
    status: CorrectionStatus | None = None


@router.get("/corrections", response={200: list[VolCorrectionOut], **LIST},
            summary="Correction requests for the activities I organise")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def corrections(request, filters: Query[VolCorrectionFilters]):
    require_may(request.auth, A.VIEW, A.ORGANISE)
    action = A.ORGANISE if scope.may(request.auth, A.ORGANISE) else A.VIEW
    return sel.corrections_for(request.auth, status=filters.status or "", action=action)


class VolCorrectionIn(Schema):
    hours_id: int
    reason: str = Field(..., min_length=1, max_length=500)
    proposed_hours: Decimal = Field(..., gt=0, le=24)


@router.post("/corrections", response={201: VolCorrectionOut, **WRITE}, summary="Ask to correct my hours")
def request_correction(request, data: VolCorrectionIn):
    return Status(201, certification.request_correction(actor=request.auth, hours_id=data.hours_id,
                                                        reason=data.reason, proposed_hours=data.proposed_hours))


@router.post("/corrections/{int:correction_id}/accept", response={200: VolCorrectionOut, **WRITE},
             summary="Accept: void the hours and certify the proposed ones in their place")
def accept_correction(request, correction_id: int):
    return certification.accept_correction(actor=request.auth, correction_id=correction_id)


class VolRefuseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/corrections/{int:correction_id}/refuse", response={200: VolCorrectionOut, **WRITE},
             summary="Refuse, saying why")
def refuse_correction(request, correction_id: int, data: VolRefuseIn):
    return certification.refuse_correction(actor=request.auth, correction_id=correction_id, reason=data.reason)
