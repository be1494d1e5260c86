"""The workflow over HTTP: one POST per transition. Each first finds the case in the caller's
view (404 otherwise), then lets the service decide whether this caller may do this now (403, or
400 with code "illegal_transition"). Send the `version` you saw to be refused (409) if someone
acted meanwhile."""

from django.http import Http404
from ninja import Field, File, Form, Router, Schema, UploadedFile

from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut
from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division

from .. import selectors
from ..choices import AttachmentKind, Rating
from ..models import Case
from ..permissions import CaseAction
from ..schemas import CaseDetailOut, PublicCaseOut, public
from ..services import merging, workflow
from ..uploads import prepare_uploads
from .common import OPTIONAL_AUTH_DOC, case_out, category_by_code, optional_auth

router = Router()
ANSWERS = {200: CaseDetailOut, 400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}


class Versioned(Schema):
    version: int | None = Field(None, description="the case version you acted on")
    note: str = Field("", max_length=2000)


class RegisterIn(Versioned):
    category: str | None = Field(None, description="set or correct the sub-category")


class RejectIn(Versioned):
    reason: str = Field(..., min_length=1, max_length=500)


class DispatchIn(Versioned):
    department_id: int | None = Field(None, description="a department; or")
    division_id: int | None = Field(None, description="the case's street or community office; neither: by the rule")


class VerifyIn(Versioned):
    passed: bool


class RateIn(Schema):
    rating: Rating
    comment: str = Field("", max_length=2000)
    version: int | None = None


class TokenRateIn(RateIn):
    follow_token: str = Field("", max_length=64, description="the secret of a report made without an account; "
                              "signed in, leave it out to rate as a follower")


class MergeIn(Schema):
    duplicates: list[int] = Field(..., min_length=1, max_length=50, description="ids of the cases merged in")
    reason: str = Field(..., min_length=1, max_length=2000)


def _case(request, case_id: int) -> Case:
    return selectors.case_detail(request.auth, case_id)


def _answer(request, case: Case) -> dict:
    return case_out(request.auth, selectors.case_detail(request.auth, case.pk))


@router.post("/{case_id}/register", response=ANSWERS, summary="Register a report as a case (立案)")
def register(request, case_id: int, payload: RegisterIn):
    case = workflow.register_case(actor=request.auth, case=_case(request, case_id),
                                  category=category_by_code(payload.category), note=payload.note,
                                  expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/reject", response=ANSWERS, summary="Reject a report as invalid")
def reject(request, case_id: int, payload: RejectIn):
    case = workflow.reject_case(actor=request.auth, case=_case(request, case_id), reason=payload.reason,
                                expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/dispatch", response=ANSWERS, summary="Dispatch to a handling unit (派遣)")
def dispatch(request, case_id: int, payload: DispatchIn):
    case = _case(request, case_id)
    department = division = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise Http404
    if payload.division_id is not None:
        division = Division.objects.filter(pk=payload.division_id).first()
        if division is None:
            raise Http404
    case = workflow.dispatch_case(actor=request.auth, case=case, department=department, division=division,
                                  note=payload.note, expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/accept", response=ANSWERS, summary="Accept as the handling unit (签收)")
def accept(request, case_id: int, payload: Versioned):
    case = workflow.accept_case(actor=request.auth, case=_case(request, case_id), note=payload.note,
                                expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/start", response=ANSWERS, summary="Start work")
def start(request, case_id: int, payload: Versioned):
    case = workflow.start_case(actor=request.auth, case=_case(request, case_id), note=payload.note,
                               expected_version=payload.version)
    return _answer(request, case)


class ResolveIn(Schema):
    feedback: str = Field(..., min_length=1, max_length=2000, description="what was done")
    version: int | None = None


@router.post("/{case_id}/resolve", response=ANSWERS, summary="Report it resolved, with photos after (反馈)")
def resolve(request, case_id: int, payload: Form[ResolveIn], photos: File[list[UploadedFile]] = None):
    """Multipart form: `feedback`, `version` and up to 9 `photos` taken after the work."""
    case = _case(request, case_id)
    files = prepare_uploads(list(photos or []), photo_kind=AttachmentKind.AFTER_PHOTO)
    case = workflow.resolve_case(actor=request.auth, case=case, feedback=payload.feedback, files=files,
                                 expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/verify", response=ANSWERS, summary="Check the result on the spot (核查)")
def verify(request, case_id: int, payload: VerifyIn):
    case = workflow.verify_case(actor=request.auth, case=_case(request, case_id), passed=payload.passed,
                                note=payload.note, expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/close", response=ANSWERS, summary="Close a verified case (结案)")
def close(request, case_id: int, payload: Versioned):
    case = workflow.close_case(actor=request.auth, case=_case(request, case_id), note=payload.note,
                               expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/rate", response=ANSWERS, summary="Rate the result (评价)")
def rate(request, case_id: int, payload: RateIn):
    case = workflow.rate_case(actor=request.auth, case=_case(request, case_id), value=payload.rating,
                              comment=payload.comment, expected_version=payload.version)
    return _answer(request, case)


@router.post("/track/{tracking_code}/rate", auth=optional_auth, openapi_extra=OPTIONAL_AUTH_DOC,
             response={200: PublicCaseOut, 400: ProblemsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       409: ErrorOut},
             summary="Rate a case by its tracking code: with its follow token, or as a signed-in follower")
def rate_with_token(request, tracking_code: str, payload: TokenRateIn):
    case = selectors.public_case(tracking_code)
    if case is None:
        raise Http404
    user = request.auth if getattr(request.auth, "is_authenticated", False) else None
    case = workflow.rate_case(actor=None if payload.follow_token else user, case=case, value=payload.rating,
                              comment=payload.comment, follow_token=payload.follow_token,
                              expected_version=payload.version)
    case = selectors.public_case(tracking_code)
    return public(case, selectors.timeline(case, public=True))


@router.post("/{case_id}/resume", response=ANSWERS, summary="Resume a suspended case")
def resume(request, case_id: int, payload: Versioned):
    case = workflow.resume_case(actor=request.auth, case=_case(request, case_id), note=payload.note,
                                expected_version=payload.version)
    return _answer(request, case)


@router.post("/{case_id}/merge", response=ANSWERS, summary="Merge duplicates into this case")
def merge(request, case_id: int, payload: MergeIn):
    survivor = _case(request, case_id)
    found = list(selectors.cases_for(request.auth, CaseAction.VIEW).filter(pk__in=payload.duplicates))
    if len(found) != len(set(payload.duplicates) - {survivor.pk}):
        raise Http404
    case = merging.merge_cases(actor=request.auth, survivor=survivor, duplicates=found, reason=payload.reason)
    return _answer(request, case)
