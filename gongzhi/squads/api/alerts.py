"""/api/v1/squads/alerts…: raise an alert or drill, the member's answers (acknowledge with an ETA,
check in), the desk's muster, tasks, log, stand-down and after-action report."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import log as alert_log
from .. import selectors as sel
from ..choices import AlertKind
from ..permissions import SquadAction
from ..services import alerts as services
from .squads import managed_squad

router = Router(tags=["squads: alerts"])
A = SquadAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def managed_alert(user, alert_id):
    alert = sel.alert_for(user, alert_id)
    if not sel.manages(user, alert.squad):
        raise PermissionDenied(_("You may not do this."))
    return alert


class SquadAlertOut(Schema):
    id: int
    squad_id: int
    squad_name: str
    kind: str
    source: str
    case_number: str | None
    whistle_id: int | None
    title: str
    details: str
    muster_point: str
    status: str
    raised_at: dt.datetime
    notified: int
    stood_down_at: dt.datetime | None
    report: str
    version: int

    @staticmethod
    def resolve_squad_name(obj) -> str:
        return obj.squad.name

    @staticmethod
    def resolve_case_number(obj) -> str | None:
        return obj.case.tracking_number if obj.case_id else None


class SquadAlertFiltersIn(Schema):
    squad: int | None = Field(None, description="one squad in your scope")
    kind: AlertKind | None = None


@router.get("/alerts", response={200: list[SquadAlertOut], **NOT_FOUND}, summary="Alerts and drills in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_alerts(request, filters: Query[SquadAlertFiltersIn]):
    squad = sel.squad_for(request.auth, filters.squad) if filters.squad else None
    return sel.alerts_for(request.auth, squad=squad, kind=filters.kind or "")


class SquadAlertIn(Schema):
    squad_id: int
    title: str = Field(..., min_length=1, max_length=200)
    details: str = Field("", max_length=5000)
    kind: AlertKind = AlertKind.EMERGENCY
    case_id: int | None = Field(None, description="the case the alert answers (one you see as staff)")
    whistle_id: int | None = Field(None, description="the whistle the alert answers")
    muster_point: str = Field("", max_length=200)
    key: str = Field("", max_length=64, description="idempotency key: the same key returns the same alert")


@router.post("/alerts", response={201: SquadAlertOut, **WRITE},
             summary="Raise an alert (or a drill): every active member is notified at once, in-app and by SMS")
def raise_alert(request, data: SquadAlertIn):
    if not scope.may(request.auth, A.MANAGE):
        raise PermissionDenied(_("You may not do this."))
    managed_squad(request.auth, data.squad_id)
    return Status(201, services.raise_alert(actor=request.auth, **data.dict()))


class SquadAlertCounts(Schema):
    notified: int
    acknowledged: int
    unavailable: int
    arrived: int
    first_ack_seconds: float | None
    mustered_in_window: int
    mustered_share: float | None


class SquadResponseOut(Schema):
    member_id: int
    name: str
    status: str
    acknowledged_at: dt.datetime | None
    eta_minutes: int | None
    arrived_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.user)


class SquadAlertDetailOut(SquadAlertOut):
    figures: SquadAlertCounts
    responses: list[SquadResponseOut]

    @staticmethod
    def resolve_figures(obj) -> dict:
        return obj.live_counts

    @staticmethod
    def resolve_responses(obj) -> list:
        return obj.response_rows


def _counts(alert) -> dict:
    f = sel.alert_figures(alert)
    return {**f.__dict__, "mustered_share": f.mustered_share}


@router.get("/alerts/{alert_id}", response={200: SquadAlertDetailOut, **NOT_FOUND},
            summary="An alert with its live counts and every member's answer")
def alert_detail(request, alert_id: int):
    alert = sel.alert_for(request.auth, alert_id)
    alert.live_counts, alert.response_rows = _counts(alert), sel.responses_of(alert)
    return alert


class SquadAckIn(Schema):
    coming: bool = True
    eta_minutes: int | None = Field(None, ge=0, le=600, description="minutes until I arrive (when coming)")


class SquadMyResponseOut(Schema):
    alert_id: int
    status: str
    acknowledged_at: dt.datetime | None
    eta_minutes: int | None
    arrived_at: dt.datetime | None


@router.post("/alerts/{alert_id}/ack", response={200: SquadMyResponseOut, **WRITE},
             summary="Acknowledge an alert that reached me, with my expected arrival (again: no change)")
def acknowledge(request, alert_id: int, data: SquadAckIn):
    return services.acknowledge(actor=request.auth, alert_id=alert_id, **data.dict())


@router.post("/alerts/{alert_id}/check-in", response={200: SquadMyResponseOut, **WRITE},
             summary="I am on site")
def check_in(request, alert_id: int):
    return services.check_in(actor=request.auth, alert_id=alert_id)


class SquadMusterIn(Schema):
    member_id: int = Field(description="a member of the alert's squad seen on site")


@router.post("/alerts/{alert_id}/muster", response={200: SquadMyResponseOut, **WRITE},
             summary="Headcount: mark a member on site")
def muster(request, alert_id: int, data: SquadMusterIn):
    managed_alert(request.auth, alert_id)
    return services.mark_arrived(actor=request.auth, alert_id=alert_id, member_id=data.member_id)


class SquadLogOut(Schema):
    at: dt.datetime
    code: str
    params: dict
    text: str
    actor: str | None

    @staticmethod
    def resolve_text(obj) -> str:
        return alert_log.render(obj.code, obj.params)

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


@router.get("/alerts/{alert_id}/log", response={200: list[SquadLogOut], **NOT_FOUND},
            summary="The alert's timestamped log")
@paginate(PageNumberPagination, page_size=100)
def alert_log_list(request, alert_id: int):
    return sel.log_of(sel.alert_for(request.auth, alert_id))


class SquadNoteIn(Schema):
    note: str = Field(..., min_length=1, max_length=500)


@router.post("/alerts/{alert_id}/notes", response={201: SquadLogOut, **WRITE}, summary="Add a note to the log")
def add_note(request, alert_id: int, data: SquadNoteIn):
    managed_alert(request.auth, alert_id)
    return Status(201, services.add_note(actor=request.auth, alert_id=alert_id, note=data.note))


class SquadTaskOut(Schema):
    id: int
    alert_id: int
    title: str
    member_id: int | None
    status: str
    created_at: dt.datetime
    done_at: dt.datetime | None
    note: str


@router.get("/alerts/{alert_id}/tasks", response={200: list[SquadTaskOut], **NOT_FOUND}, summary="The alert's tasks")
def list_tasks(request, alert_id: int):
    return list(sel.tasks_of(sel.alert_for(request.auth, alert_id)))


class SquadTaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    member_id: int | None = Field(None, description="a member of the alert's squad")


@router.post("/alerts/{alert_id}/tasks", response={201: SquadTaskOut, **WRITE}, summary="Set a task")
def add_task(request, alert_id: int, data: SquadTaskIn):
    managed_alert(request.auth, alert_id)
    return Status(201, services.add_task(actor=request.auth, alert_id=alert_id, **data.dict()))


def _task(user, task_id, *, own_ok: bool):
    """The task if the user sees it (else 404); 403 unless they manage its alert or (`own_ok`) it
    is their own."""
    task = sel.task_for(user, task_id)
    if not (sel.manages(user, task.alert.squad) or (own_ok and task.member_id and task.member.user_id == user.pk)):
        raise PermissionDenied(_("You may not do this."))
    return task


class SquadTaskDoneIn(Schema):
    note: str = Field("", max_length=500)


@router.post("/tasks/{task_id}/done", response={200: SquadTaskOut, **WRITE}, summary="Mark a task done")
def task_done(request, task_id: int, data: SquadTaskDoneIn):
    _task(request.auth, task_id, own_ok=True)
    return services.complete_task(actor=request.auth, task_id=task_id, note=data.note)


class SquadCancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post("/tasks/{task_id}/cancel", response={200: SquadTaskOut, **WRITE}, summary="Cancel a task")
def task_cancel(request, task_id: int, data: SquadCancelIn):
    _task(request.auth, task_id, own_ok=False)
    return services.cancel_task(actor=request.auth, task_id=task_id, reason=data.reason)


class SquadStandDownIn(Schema):
    note: str = Field(..., min_length=1, max_length=500)
    version: int | None = None


@router.post("/alerts/{alert_id}/stand-down", response={200: SquadAlertOut, **WRITE}, summary="Stand the squad down")
def stand_down(request, alert_id: int, data: SquadStandDownIn):
    managed_alert(request.auth, alert_id)
    return services.stand_down(actor=request.auth, alert_id=alert_id, note=data.note, expected_version=data.version)


class SquadReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=20000)
    version: int | None = None


@router.put("/alerts/{alert_id}/report", response={200: SquadAlertOut, **WRITE},
            summary="Write (or revise) the after-action report, after the stand-down")
def file_report(request, alert_id: int, data: SquadReportIn):
    managed_alert(request.auth, alert_id)
    return services.file_report(actor=request.auth, alert_id=alert_id, report=data.report,
                                expected_version=data.version)


class SquadMyAlertOut(SquadMyResponseOut):
    squad_name: str
    kind: str
    title: str
    muster_point: str
    alert_status: str
    raised_at: dt.datetime

    @staticmethod
    def resolve_squad_name(obj) -> str:
        return obj.alert.squad.name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.alert.kind

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.alert.title

    @staticmethod
    def resolve_muster_point(obj) -> str:
        return obj.alert.muster_point

    @staticmethod
    def resolve_alert_status(obj) -> str:
        return obj.alert.status

    @staticmethod
    def resolve_raised_at(obj) -> dt.datetime:
        return obj.alert.raised_at


@router.get("/me/alerts", response={200: list[SquadMyAlertOut], **NOT_FOUND}, summary="Alerts that reached me")
@paginate(PageNumberPagination, page_size=50)
def my_alerts(request):
    return sel.my_responses(request.auth)


@router.get("/me/tasks", response={200: list[SquadTaskOut], **NOT_FOUND}, summary="My open tasks")
@paginate(PageNumberPagination, page_size=50)
def my_tasks(request):
    return sel.my_tasks(request.auth)
