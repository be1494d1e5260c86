"""Reporting: a resident, a grid worker or staff file a report (multipart, with photos and a
voice recording); anyone may look for the same problem reported nearby first.

The search for the same problem nearby is its own call (`GET /nearby`), made while the report is
written — as the report page does, so a resident can follow an existing case instead of filing
another — and again after, through the `nearby_url` the answer gives. Filing a report does not
search: it answers with the tracking number as fast as it can."""

import datetime as dt
from urllib.parse import quote

from ninja import Field, File, Form, Query, Router, Status, UploadedFile
from pydantic import BaseModel

from gongzhi.core.schemas import ErrorOut, ProblemsOut

from .. import selectors
from ..catalogue_cache import catalogue
from ..choices import CaseState, Channel
from ..schemas import NearbyOut
from ..services.intake import Report, submit_case
from ..services.notices import track_url
from ..uploads import prepare_uploads
from .common import OPTIONAL_AUTH_DOC, AnonymousThrottle, category_by_code, optional_auth

router = Router()
ANONYMOUS_REPORTS = "30/h"  # per client address; a signed-in reporter is not limited here


# Plain pydantic models: the form's fields and the answer are plain values, so ninja's Schema
# (which reads ORM objects through a getter on every field) would only add its cost to every report.
class SubmitIn(BaseModel):
    description: str = Field(..., min_length=1, max_length=2000, description="what happened, as typed")
    lng: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)
    crs: str = Field("wgs84", description="wgs84, or gcj02 as most phone map SDKs in China report")
    address: str = Field("", max_length=200)
    category: str | None = Field(None, description="a sub-category code (see /categories/suggest)")
    channel: Channel = Channel.RESIDENT_APP
    anonymous: bool = Field(False, description="hide who reported it from the handling units")
    description_public: bool = Field(False, description="let the public read the description (Open311 lists); "
                                                        "by default only the reporter and staff do")
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", pattern=r"^(1[3-9]\d{9})?$")
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


class SubmittedOut(BaseModel):
    id: int
    tracking_number: str
    tracking_code: str = Field(description="what the reporter follows the case by: track_url, the /track/ paths")
    state: str
    created: bool = Field(description="false when this repeats an earlier submission (same idempotency key)")
    track_url: str
    follow_token: str = Field(description="for a report without an account: the secret to follow and rate it; "
                                          "shown once")
    nearby_url: str = Field(description="GET it for the same problem reported nearby lately (this case left "
                                        "out): follow one of those instead?")


@router.post("", auth=optional_auth, openapi_extra=OPTIONAL_AUTH_DOC, throttle=[AnonymousThrottle(ANONYMOUS_REPORTS)],
             response={200: SubmittedOut, 201: SubmittedOut, 400: ProblemsOut, 401: ErrorOut, 403: ErrorOut,
                       404: ErrorOut, 409: ErrorOut, 422: ProblemsOut, 429: ErrorOut},
             summary="Report a problem")
def submit(request, payload: Form[SubmitIn], photos: File[list[UploadedFile]] = None,
           audio: File[UploadedFile] = None):
    """Multipart form: the fields below, up to 9 `photos` (JPEG, PNG, WebP) and one `audio`
    recording (WebM, Ogg, M4A, MP3, WAV). Without an account only the resident channel is open.
    Sending the same report again with the same idempotency key answers 200 with the first case.
    Ask `GET /nearby` before sending (and `nearby_url` after) for the same problem reported nearby.
    A token that is not valid answers 401 (the report is not filed as anonymous); a `category` that
    is no active sub-category answers 404; without an account, more than 30 reports an hour from
    one address answer 429."""
    files = prepare_uploads(list(photos or []), audio)  # refuses bad files before anything is written
    key = request.headers.get("Idempotency-Key", "") or payload.idempotency_key
    category = _category(payload.category)
    intake = submit_case(actor=request.auth, report=Report(
        description=payload.description, lng=payload.lng, lat=payload.lat, crs=payload.crs, address=payload.address,
        category=category, channel=payload.channel, is_anonymous=payload.anonymous,
        description_public=payload.description_public,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone, idempotency_key=key, files=files,
    ))
    case = intake.case
    return Status(201 if intake.created else 200, {
        "id": case.pk, "tracking_number": case.tracking_number, "tracking_code": case.tracking_code,
        "state": case.state, "created": intake.created,
        "track_url": track_url(case), "follow_token": intake.follow_token, "nearby_url": nearby_url(case),
    })


def nearby_url(case) -> str:
    """Where to ask for possible duplicates of `case` (same place and category, the case left out)."""
    query = f"lng={case.lng:.6f}&lat={case.lat:.6f}&exclude={quote(case.tracking_number)}"
    if case.category_id is not None:
        query += f"&category={quote(case.category.code)}"
    return f"{NEARBY_PATH}?{query}"


NEARBY_PATH = "/api/v1/cases/nearby"


def _category(code: str | None):
    """The active category with this code, from this process's copy of the catalogue (the table is
    asked only about a code the copy does not know, e.g. one added a moment ago elsewhere)."""
    if not code:
        return None
    return catalogue().active(code) or category_by_code(code)


def _nearby(n) -> dict:
    c = n.case
    return {"tracking_number": c.tracking_number, "tracking_code": c.tracking_code, "state": c.state,
            "state_label": str(CaseState(c.state).label),
            "category": c.category, "distance_m": round(n.distance_m, 1), "submitted_at": c.submitted_at}


@router.get("/nearby", auth=None, response={200: list[NearbyOut], 404: ErrorOut},
            summary="The same problem reported nearby lately")
def nearby(
    request,
    lng: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
    category: str | None = Query(None),
    radius_m: float = Query(100, gt=0, le=1000),
    days: int = Query(7, ge=1, le=90),
    exclude: str | None = Query(None, max_length=20, description="a tracking number to leave out (your own report)"),
):
    """Public fields only, so a resident can follow an existing case instead of filing another."""
    found = selectors.nearby_duplicates(lng, lat, _category(category), radius_m, dt.timedelta(days=days),
                                        exclude_number=exclude or None)
    return [_nearby(n) for n in found]
