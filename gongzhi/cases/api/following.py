"""Following a case over HTTP: follow or stop following someone else's report ("someone already
reported this — follow it instead?"), and check its result with the follow secret of a report
made without an account (rating with it: POST /track/{code}/rate)."""

from django.http import Http404
from ninja import Field, Router, Schema

from gongzhi.core.schemas import ErrorOut, ProblemsOut

from .. import selectors
from ..schemas import PublicCaseOut, public
from ..services import following, workflow
from .common import OPTIONAL_AUTH_DOC, optional_auth

router = Router()
REFUSALS = {400: ProblemsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FollowOut(Schema):
    tracking_number: str
    tracking_code: str
    following: bool
    how: str = Field(description="reporter | merged (reported a duplicate merged in) | follower | '' (not following)")


class TokenVerifyIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000, description="required when it is not fixed")
    follow_token: str = Field("", max_length=64, description="the secret of a report made without an account")
    version: int | None = None


def _case(tracking_code: str):
    case = selectors.public_case(tracking_code)
    if case is None:
        raise Http404
    return case


def _state(user, case) -> dict:
    how = following.follow_kind(user, case)
    return {"tracking_number": case.tracking_number, "tracking_code": case.tracking_code, "following": bool(how),
            "how": how}


@router.get("/track/{tracking_code}/follow", response={200: FollowOut, **REFUSALS},
            summary="Whether I follow a case")
def follow_state(request, tracking_code: str):
    return _state(request.auth, _case(tracking_code))


@router.post("/track/{tracking_code}/follow", response={200: FollowOut, **REFUSALS},
             summary="Follow a case someone else reported, instead of reporting it again")
def follow(request, tracking_code: str):
    """Idempotent. Live cases only; not for staff who work on the case. A follower is told what the
    reporter is told, sees the case among their own (`/mine`) and rates it when it closes."""
    case = _case(tracking_code)
    following.follow_case(actor=request.auth, case=case)
    return _state(request.auth, case)


@router.delete("/track/{tracking_code}/follow", response={200: FollowOut, **REFUSALS},
               summary="Stop following a case")
def unfollow(request, tracking_code: str):
    """Idempotent. A reporter (or a merged duplicate's) follows their case to its end (403)."""
    case = _case(tracking_code)
    following.unfollow_case(actor=request.auth, case=case)
    return _state(request.auth, case)


@router.post("/track/{tracking_code}/verify", auth=optional_auth, openapi_extra=OPTIONAL_AUTH_DOC,
             response={200: PublicCaseOut, **REFUSALS},
             summary="Check the result as its reporter: signed in, or with the report's follow token")
def verify(request, tracking_code: str, payload: TokenVerifyIn):
    case = _case(tracking_code)
    user = request.auth if getattr(request.auth, "is_authenticated", False) else None
    if payload.follow_token or user is None:
        workflow.verify_case(actor=None, case=case, passed=payload.passed, note=payload.note,
                             follow_token=payload.follow_token, expected_version=payload.version)
    else:
        # Signed in: as its reporter or the grid worker (a resident who chose to follow rates, and
        # does not verify: refused like anyone else without the right).
        workflow.verify_case(actor=user, case=case, passed=payload.passed, note=payload.note,
                             expected_version=payload.version)
    case = _case(tracking_code)
    return public(case, selectors.timeline(case, public=True))
