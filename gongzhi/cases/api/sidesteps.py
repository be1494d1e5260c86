"""Sidesteps over HTTP: the handling unit asks, the dispatching level decides."""

from django.http import Http404
from ninja import Field, Router, Schema, Status

from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut
from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division

from .. import selectors
from ..choices import SidestepKind, SidestepStatus
from ..models import Sidestep
from ..permissions import CaseAction
from ..schemas import SidestepOut
from ..services import sidesteps as services

router = Router()
ANSWERS = {200: SidestepOut, 400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}


class SidestepIn(Schema):
    kind: SidestepKind
    reason: str = Field(..., min_length=1, max_length=2000)
    target_department_id: int | None = Field(None, description="transfer: to this department; or")
    target_division_id: int | None = Field(None, description="transfer: to the case's street or community office")
    extension_amount: int | None = Field(None, ge=1, le=240, description="extension: how much more")
    extension_unit: str = Field("days", pattern="^(hours|days)$")
    version: int | None = None


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000, description="required when denying")
    version: int | None = Field(None, description="the case version you decided on")


def _get(model, pk):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@router.get("/sidesteps/pending", response={200: list[SidestepOut], **NOT_FOUND},
            summary="Requests awaiting my approval")
def awaiting(request):
    cases = selectors.cases_for(request.auth, CaseAction.APPROVE).values("pk")
    pending = list(Sidestep.objects.filter(case__in=cases, status=SidestepStatus.PENDING)
                   .select_related("requested_by", "case").order_by("requested_at", "id")[:200])
    return selectors.as_read_by_each(request.auth, pending, lambda row: row.case)


@router.get("/{case_id}/sidesteps", response={200: list[SidestepOut], **NOT_FOUND}, summary="A case's sidesteps")
def case_sidesteps(request, case_id: int):
    case = selectors.staff_case(request.auth, case_id)
    sidesteps = selectors.sidesteps_of(case)
    selectors.as_read_by(request.auth, case, *sidesteps)
    return sidesteps


@router.post("/{case_id}/sidesteps", response={201: SidestepOut, **ANSWERS},
             summary="Ask for a return, transfer, extension, suspension or void")
def request_sidestep(request, case_id: int, payload: SidestepIn):
    case = selectors.case_detail(request.auth, case_id)
    sidestep = services.request_sidestep(
        actor=request.auth, case=case, kind=payload.kind, reason=payload.reason,
        target_department=_get(Department, payload.target_department_id),
        target_division=_get(Division, payload.target_division_id),
        extension_amount=payload.extension_amount, extension_unit=payload.extension_unit,
        expected_version=payload.version,
    )
    return Status(201, sidestep)


@router.post("/sidesteps/{sidestep_id}/decide", response=ANSWERS, summary="Approve or deny a request")
def decide(request, sidestep_id: int, payload: DecisionIn):
    sidestep = Sidestep.objects.filter(pk=sidestep_id).first()
    if sidestep is None:
        raise Http404
    selectors.case_detail(request.auth, sidestep.case_id)  # 404 unless the caller sees the case
    return services.decide_sidestep(actor=request.auth, sidestep=sidestep, approve=payload.approve,
                                    note=payload.note, expected_version=payload.version)
