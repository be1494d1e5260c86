"""Alerts, written: raise one (by hand, from a case or from a whistle; a drill the same way) and
reach every active member at once — their response rows, in-app notices and SMS, each written in
one statement, the SMS leaving after commit through the notifications outbox; a member's
acknowledgement with an expected arrival and check-in on site; the desk's headcount, tasks and
notes; stand-down; the after-action report. Every step writes a line of the alert's log."""

from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.notifications.services import notify

from .. import selectors as sel
from ..choices import AlertKind, AlertSource, AlertStatus, Attendance, TaskStatus
from ..models import Alert, AlertLogEntry, AlertResponse, AlertTask, SquadMember
from ..permissions import SquadAction
from .squads import locked, text

A = SquadAction
ALERT_FIELDS = ["squad", "kind", "source", "case", "whistle", "title", "status", "notified", "report"]
MAX_ETA = 600
MY_ALERTS_PATH = "/squads/my/alerts/{pk}/"


@contextmanager
def site_text():
    """Texts written for other people are in the site's language, not the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _log(alert: Alert, code: str, actor=None, **params) -> AlertLogEntry:
    return AlertLogEntry.objects.create(alert=alert, code=code, params=params,
                                        actor=actor if getattr(actor, "is_authenticated", False) else None)


def _name(user) -> str:
    return user.display_name or user.username


def _managed(actor, alert_id) -> Alert:
    alert = scope.check_id(sel.alerts_for(actor, A.MANAGE), alert_id)
    return locked(Alert, alert.pk)


def _active(alert: Alert) -> None:
    if alert.status != AlertStatus.ACTIVE:
        raise DomainError(_("This alert has been stood down."), code="conflict")


@transaction.atomic
def raise_alert(*, actor, squad_id, title: str, details: str = "", kind: str = AlertKind.EMERGENCY,
                case_id=None, whistle_id=None, muster_point: str = "", key: str = "") -> Alert:
    """Call the squad out. `key` makes a repeated submission (a phone retrying) return the alert
    already raised instead of a second one."""
    key = (key or "").strip()[:64]
    if key:
        earlier = Alert.objects.filter(raised_by=actor, idempotency_key=key).first()
        if earlier is not None:
            return earlier
    squad = scope.check_id(sel.squads_for(actor, A.MANAGE), squad_id)
    squad = locked(type(squad), squad.pk)  # one alert raised at a time per squad
    if kind not in AlertKind.values:
        raise DomainError(_("Unknown kind of alert: %(value)s") % {"value": kind})
    case = whistle = None
    source = AlertSource.MANUAL
    if whistle_id:
        whistle = scope.check_id(sel.whistles_for_alert(actor), whistle_id)
        case, source = whistle.case, AlertSource.WHISTLE
    elif case_id:
        case, source = scope.check_id(sel.cases_for_alert(actor), case_id), AlertSource.CASE
    if kind == AlertKind.DRILL and case is not None:
        raise DomainError(_("A drill is not raised from a case."))
    if Alert.objects.filter(squad=squad, status=AlertStatus.ACTIVE).exists():
        raise DomainError(_("This squad is already out on an alert. Stand it down first."), code="conflict")
    members = list(SquadMember.objects.filter(squad=squad, is_active=True, user__is_active=True)
                   .select_related("user").only("id", "phone", "user__id", "user__phone", "user__is_active",
                                                "user__email"))
    if not members:
        raise DomainError(_("The squad has no members to call out."))
    now = timezone.now()
    alert = Alert(squad=squad, kind=kind, source=source, case=case, whistle=whistle,
                  title=text(title, _("What is happening")), details=text(details, _("Details"), required=False,
                                                                          limit=5000),
                  muster_point=text(muster_point, _("Muster point"), required=False) or squad.muster_point,
                  raised_by=actor, raised_at=now, notified=len(members), idempotency_key=key)
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:  # the same key, raised a moment ago by another request
        return Alert.objects.get(raised_by=actor, idempotency_key=key)
    AlertResponse.objects.bulk_create(
        [AlertResponse(alert=alert, member=m, user_id=m.user_id) for m in members], batch_size=1000)
    params = {"kind": kind, "title": alert.title, "notified": len(members)}
    if case is not None:
        _log(alert, "raised_from_case", actor, case=case.tracking_number, **params)
    else:
        _log(alert, "raised", actor, **params)
    audit.record(actor=actor, action="squads.alert_raise", obj=alert, division=squad.division,
                 after=audit.snapshot(alert, ALERT_FIELDS))
    _tell_members(alert, members)
    return alert


def _tell_members(alert: Alert, members: list[SquadMember]) -> None:
    """One in-app notice per member and one SMS per phone, each batch one statement; the SMS go
    out after commit (gongzhi.notifications)."""
    with site_text():
        prefix = _("[Drill] ") if alert.kind == AlertKind.DRILL else ""
        title = prefix + _("%(squad)s called out: %(title)s") % {"squad": alert.squad.name, "title": alert.title}
        body = _("Muster at %(place)s. Answer with your expected arrival.") % {
            "place": alert.muster_point or _("the place you are told")}
        phones = {m.phone or m.user.phone for m in members} - {"", None}
        notify(users=[m.user for m in members], phones=sorted(phones), verb="squads.alert", title=title, body=body,
               subject=alert, url=MY_ALERTS_PATH.format(pk=alert.pk), email=False, sms=False)


def call_out_newcomer(*, actor, member: SquadMember) -> Alert | None:
    """A member enrolled while the squad is out is called out at once, as if there when it was
    raised: a response row, the notice and the SMS, a line of the log. Runs inside the enrolment's
    transaction (gongzhi.squads.services.squads.enrol_member)."""
    alert = Alert.objects.select_for_update(of=("self",)).filter(squad_id=member.squad_id,
                                                                 status=AlertStatus.ACTIVE).first()
    if alert is None or AlertResponse.objects.filter(alert=alert, user_id=member.user_id).exists():
        return None  # nothing on, or a member who left and came back: already called out
    AlertResponse.objects.create(alert=alert, member=member, user_id=member.user_id)
    alert.notified += 1
    alert.save(update_fields=["notified"])
    _log(alert, "called_out_late", actor, member=_name(member.user))
    _tell_members(alert, [member])
    return alert


def _mine(actor, alert_id) -> AlertResponse:
    response = sel.my_response(actor, alert_id)
    return locked(AlertResponse, response.pk)


@transaction.atomic
def acknowledge(*, actor, alert_id, eta_minutes: int | None = None, coming: bool = True) -> AlertResponse:
    """The member's answer: on the way (with minutes to arrive) or cannot come. Sending the same
    answer again changes nothing (the first acknowledgement's time stands)."""
    response = _mine(actor, alert_id)
    alert = response.alert
    _active(alert)
    if response.status == Attendance.ARRIVED:
        if coming:
            return response
        raise DomainError(_("You are already on site."), code="conflict")
    now = timezone.now()
    before = {"status": response.status, "eta_minutes": response.eta_minutes}
    if coming:
        if eta_minutes is None or not 0 <= int(eta_minutes) <= MAX_ETA:
            raise DomainError(_("Give your expected arrival in minutes (0 to %(max)d).") % {"max": MAX_ETA})
        if response.status == Attendance.ACKNOWLEDGED:
            return response
        response.status, response.eta_minutes = Attendance.ACKNOWLEDGED, int(eta_minutes)
        response.acknowledged_at = response.acknowledged_at or now
        _log(alert, "acknowledged", actor, member=_name(actor), eta=response.eta_minutes)
    else:
        if response.status == Attendance.UNAVAILABLE:
            return response
        response.status, response.eta_minutes = Attendance.UNAVAILABLE, None
        response.acknowledged_at = response.acknowledged_at or now
        _log(alert, "unavailable", actor, member=_name(actor))
    response.save(update_fields=["status", "eta_minutes", "acknowledged_at"])
    audit.record(actor=actor, action="squads.alert_ack", obj=alert, division=alert.squad.division, before=before,
                 after={"member": response.member_id, "status": response.status,
                        "eta_minutes": response.eta_minutes})
    return response


def _arrive(response: AlertResponse) -> None:
    now = timezone.now()
    response.status, response.arrived_at = Attendance.ARRIVED, now
    # Turning up is the clearest acknowledgement of all.
    response.acknowledged_at = response.acknowledged_at or now
    response.save(update_fields=["status", "arrived_at", "acknowledged_at"])


@transaction.atomic
def check_in(*, actor, alert_id) -> AlertResponse:
    """"I'm here": the member is on site. Again changes nothing."""
    response = _mine(actor, alert_id)
    alert = response.alert
    _active(alert)
    if response.status == Attendance.ARRIVED:
        return response
    _arrive(response)
    _log(alert, "arrived", actor, member=_name(actor))
    audit.record(actor=actor, action="squads.alert_check_in", obj=alert, division=alert.squad.division,
                 after={"member": response.member_id, "arrived_at": response.arrived_at.isoformat()})
    return response


@transaction.atomic
def mark_arrived(*, actor, alert_id, member_id) -> AlertResponse:
    """The desk's headcount: a member seen on site who did not check in themselves."""
    alert = _managed(actor, alert_id)
    _active(alert)
    seen = scope.check_id(AlertResponse.objects.filter(alert=alert), _response_of(alert, member_id))
    response = locked(AlertResponse, seen.pk)
    if response.status == Attendance.ARRIVED:
        return response
    _arrive(response)
    _log(alert, "arrived_marked", actor, member=_name(response.member.user))
    audit.record(actor=actor, action="squads.alert_mark_arrived", obj=alert, division=alert.squad.division,
                 after={"member": response.member_id, "arrived_at": response.arrived_at.isoformat()})
    return response


def _response_of(alert: Alert, member_id):
    member = sel.member_of(alert.squad, member_id)
    pk = AlertResponse.objects.filter(alert=alert, member=member).values_list("pk", flat=True).first()
    if pk is None:
        raise scope.NotInScope()
    return pk


@transaction.atomic
def add_task(*, actor, alert_id, title: str, member_id=None) -> AlertTask:
    alert = _managed(actor, alert_id)
    _active(alert)
    member = sel.member_of(alert.squad, member_id) if member_id else None
    task = AlertTask.objects.create(alert=alert, title=text(title, _("Task")), member=member, created_by=actor)
    _log(alert, "task", actor, title=task.title, member=_name(member.user) if member else "—")
    audit.record(actor=actor, action="squads.task_add", obj=alert, division=alert.squad.division,
                 after={"task": task.pk, "title": task.title, "member": member.pk if member else None})
    if member is not None:
        with site_text():
            notify(users=[member.user], verb="squads.task", email=False, subject=alert,
                   title=_("Task: %(title)s") % {"title": task.title}, url="/squads/my/tasks/")
    return task


def _task_for(actor, task_id) -> AlertTask:
    """A task the actor may close: one of an alert they manage, or their own."""
    from django.db.models import Q

    managed = sel.alerts_for(actor, A.MANAGE).values("pk")
    task = scope.check_id(AlertTask.objects.filter(Q(alert__in=managed) | Q(member__user=actor,
                                                                            member__is_active=True)), task_id)
    return locked(AlertTask, task.pk)


@transaction.atomic
def complete_task(*, actor, task_id, note: str = "") -> AlertTask:
    task = _task_for(actor, task_id)
    if task.status != TaskStatus.OPEN:
        raise DomainError(_("This task is no longer open."), code="conflict")
    task.status, task.done_at = TaskStatus.DONE, timezone.now()
    task.note = text(note, _("Note"), required=False, limit=500)
    task.save(update_fields=["status", "done_at", "note"])
    _log(task.alert, "task_done", actor, title=task.title)
    audit.record(actor=actor, action="squads.task_done", obj=task.alert, division=task.alert.squad.division,
                 after={"task": task.pk, "status": task.status})
    return task


@transaction.atomic
def cancel_task(*, actor, task_id, reason: str) -> AlertTask:
    task = locked(AlertTask, scope.check_id(AlertTask.objects.filter(
        alert__in=sel.alerts_for(actor, A.MANAGE).values("pk")), task_id).pk)
    if task.status != TaskStatus.OPEN:
        raise DomainError(_("This task is no longer open."), code="conflict")
    task.status, task.note = TaskStatus.CANCELLED, text(reason, _("Reason"), limit=500)
    task.save(update_fields=["status", "note"])
    _log(task.alert, "task_cancelled", actor, title=task.title)
    audit.record(actor=actor, action="squads.task_cancel", obj=task.alert, division=task.alert.squad.division,
                 after={"task": task.pk, "status": task.status}, reason=task.note)
    return task


@transaction.atomic
def add_note(*, actor, alert_id, note: str) -> AlertLogEntry:
    alert = _managed(actor, alert_id)
    _active(alert)
    entry = _log(alert, "note", actor, text=text(note, _("Note"), limit=500))
    audit.record(actor=actor, action="squads.alert_note", obj=alert, division=alert.squad.division,
                 after={"log": entry.pk})
    return entry


@transaction.atomic
def stand_down(*, actor, alert_id, note: str, expected_version: int | None = None) -> Alert:
    """End the alert: the open tasks are cancelled, the members told."""
    alert = _managed(actor, alert_id)
    if expected_version is not None and alert.version != expected_version:
        raise StaleEdit(_("Someone else changed this alert meanwhile. Reload and try again."))
    _active(alert)
    note = text(note, _("Note"), limit=500)
    before = audit.snapshot(alert, ALERT_FIELDS)
    alert.status, alert.stood_down_at, alert.stood_down_by = AlertStatus.STOOD_DOWN, timezone.now(), actor
    alert.stand_down_note = note
    alert.version += 1
    alert.save(update_fields=["status", "stood_down_at", "stood_down_by", "stand_down_note", "version"])
    AlertTask.objects.filter(alert=alert, status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    _log(alert, "stood_down", actor, note=note)
    audit.record(actor=actor, action="squads.alert_stand_down", obj=alert, division=alert.squad.division,
                 before=before, after=audit.snapshot(alert, ALERT_FIELDS), reason=note)
    users = [r.user for r in AlertResponse.objects.filter(alert=alert).select_related("user")]
    with site_text():
        notify(users=users, verb="squads.stand_down", email=False, subject=alert,
               title=_("%(squad)s stood down: %(title)s") % {"squad": alert.squad.name, "title": alert.title},
               url=MY_ALERTS_PATH.format(pk=alert.pk))
    return alert


@transaction.atomic
def file_report(*, actor, alert_id, report: str, expected_version: int | None = None) -> Alert:
    """The after-action report: after stand-down; revised with the version it was read at."""
    alert = _managed(actor, alert_id)
    if alert.status != AlertStatus.STOOD_DOWN:
        raise DomainError(_("The report is written after the stand-down."), code="conflict")
    if expected_version is not None and alert.version != expected_version:
        raise StaleEdit(_("Someone else changed this alert meanwhile. Reload and try again."))
    before = audit.snapshot(alert, ALERT_FIELDS)
    figures = sel.alert_figures(alert)
    alert.report = text(report, _("Report"), limit=20000)
    alert.reported_at = timezone.now()
    alert.version += 1
    alert.save(update_fields=["report", "reported_at", "version"])
    _log(alert, "report", actor)
    audit.record(actor=actor, action="squads.alert_report", obj=alert, division=alert.squad.division,
                 before=before, after={**audit.snapshot(alert, ALERT_FIELDS), "figures": {
                     "notified": figures.notified, "arrived": figures.arrived,
                     "first_ack_seconds": figures.first_ack_seconds,
                     "mustered_in_window": figures.mustered_in_window}})
    return alert
