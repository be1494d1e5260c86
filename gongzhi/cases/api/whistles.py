"""Whistle and report-in over HTTP."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from gongzhi.accounts.models import User
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut
from gongzhi.departments.models import Department

from .. import selectors
from ..models import Summons
from ..schemas import SummonsOut, WhistleOut
from ..services import whistle as services
from .common import whistles_out

router = Router()


class WhistleIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    check_in_due: dt.datetime | None = Field(None, description="report in by; default: in check_in_hours")
    check_in_hours: float = Field(2, gt=0, le=72)
    department_ids: list[int] = Field([], max_length=30)
    user_ids: list[int] = Field([], max_length=30, description="party members or volunteers (a community's whistle)")


class AnswerIn(Schema):
    note: str = Field("", max_length=2000)


@router.get("/summonses", response={200: list[SummonsOut], **NOT_FOUND},
            summary="Whistles awaiting my (or my department's) report-in")
def my_summonses(request):
    summonses = list(selectors.summonses_for(request.auth)[:200])
    selectors.as_read_by_each(request.auth, [*summonses, *(s.whistle for s in summonses)],
                              lambda row: row.case if hasattr(row, "case") else row.whistle.case)
    return summonses


@router.post("/{case_id}/whistles", response={201: WhistleOut, 400: ProblemsOut, 403: ErrorOut, **NOT_FOUND},
             summary="Blow the whistle: summon departments or members (吹哨)")
def blow(request, case_id: int, payload: WhistleIn):
    case = selectors.case_detail(request.auth, case_id)
    departments = list(Department.objects.filter(pk__in=payload.department_ids))
    users = list(User.objects.filter(pk__in=payload.user_ids, is_active=True))
    if len(departments) != len(set(payload.department_ids)) or len(users) != len(set(payload.user_ids)):
        raise Http404
    due = payload.check_in_due or timezone.now() + dt.timedelta(hours=payload.check_in_hours)
    whistle = services.blow_whistle(actor=request.auth, case=case, reason=payload.reason, check_in_due=due,
                                    departments=departments, users=users)
    return Status(201, next(w for w in whistles_out(request.auth, case) if w["id"] == whistle.pk))


@router.get("/{case_id}/whistles", response={200: list[WhistleOut], **NOT_FOUND},
            summary="A case's whistles with their roll-call")
def case_whistles(request, case_id: int):
    return whistles_out(request.auth, selectors.staff_case(request.auth, case_id))


def _summons(request, summons_id: int) -> Summons:
    summons = selectors.summonses_for(request.auth, pending_only=False).filter(pk=summons_id).first()
    if summons is None:
        raise Http404
    return summons


@router.post("/summonses/{summons_id}/check-in", response={200: SummonsOut, 400: ProblemsOut, 403: ErrorOut,
                                                           409: ErrorOut, **NOT_FOUND}, summary="Report in (报到)")
def check_in(request, summons_id: int, payload: AnswerIn):
    services.report_in(actor=request.auth, summons=_summons(request, summons_id), note=payload.note)
    return _summons(request, summons_id)


@router.post("/summonses/{summons_id}/action", response={200: SummonsOut, 400: ProblemsOut, 403: ErrorOut,
                                                         **NOT_FOUND}, summary="Record what was done")
def action(request, summons_id: int, payload: AnswerIn):
    services.record_action(actor=request.auth, summons=_summons(request, summons_id), note=payload.note)
    return _summons(request, summons_id)
