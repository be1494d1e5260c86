"""Scoped reads of the squads: lists, the roster as a reader may see it, the people and places a
form may offer (the services check each id against the same selector), a member's own alerts and
tasks, and the figures."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from gongzhi.core import scope
from gongzhi.core.masking import mask_phone

from .choices import MUSTER_WINDOW_MINUTES, AlertKind, Attendance, TaskStatus
from .models import (
    Alert,
    AlertLogEntry,
    AlertResponse,
    AlertTask,
    ReadinessCheck,
    ReadinessReply,
    Squad,
    SquadMember,
)
from .permissions import SquadAction, member_squads_q

A = SquadAction
SQUAD_LEVELS = ("street", "community")


# --- squads and rosters --------------------------------------------------------------------------

def squads_for(user, action: str = A.VIEW, *, division=None, active_only: bool = True) -> QuerySet[Squad]:
    qs = Squad.objects.select_related("division")
    if active_only:
        qs = qs.filter(is_active=True)
    if division is not None:
        qs = qs.filter(scope.subtree_q(division, model=Squad))
    return (scope.restrict(qs, user, action)
            .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
            .order_by("division__code", "name", "pk"))


def my_squads(user) -> QuerySet[Squad]:
    """The squads the user serves on."""
    return (Squad.objects.filter(member_squads_q(user), is_active=True).select_related("division")
            .order_by("name", "pk"))


def squad_for(user, pk, action: str = A.VIEW) -> Squad:
    return scope.get_in_scope(Squad.objects.select_related("division"), user, action, pk=pk)


def manages(user, squad: Squad) -> bool:
    return scope.covers(user, A.MANAGE, squad.division)


def squad_divisions(user):
    """The streets and communities where `user` may found a squad."""
    from gongzhi.divisions.models import Division

    return scope.restrict(Division.objects.filter(level__in=SQUAD_LEVELS, is_active=True).defer("geometry"),
                          user, A.MANAGE).order_by("code")


def is_leader(user, squad: Squad) -> bool:
    return SquadMember.objects.filter(squad=squad, user=user, is_active=True, role="leader").exists()


def roster(reader, squad: Squad, *, active_only: bool = True) -> list[SquadMember]:
    """The squad's members, phones masked unless the reader may reveal them here or leads the squad
    (a leader must be able to ring the others)."""
    qs = SquadMember.objects.filter(squad=squad).select_related("user").order_by("-is_active", "role", "pk")
    if active_only:
        qs = qs.filter(is_active=True)
    rows = list(qs)
    reveal = scope.covers(reader, A.REVEAL, squad.division) or is_leader(reader, squad)
    for row in rows:
        phone = row.phone or row.user.phone or ""
        row.shown_phone = phone if reveal else mask_phone(phone)
    return rows


def active_members(squad: Squad) -> QuerySet[SquadMember]:
    return SquadMember.objects.filter(squad=squad, is_active=True).select_related("user").order_by("role", "pk")


def member_of(squad: Squad, member_id) -> SquadMember:
    """An active member of the squad, or NotInScope (for an id of another squad, too)."""
    return scope.check_id(SquadMember.objects.filter(squad=squad, is_active=True), member_id)


def member_for(user, pk, action: str = A.VIEW) -> SquadMember:
    return scope.get_in_scope(SquadMember.objects.select_related("squad", "squad__division", "user"), user, action,
                              pk=pk)


def members_managed(user) -> QuerySet[SquadMember]:
    """Roster places the user may change: of squads they manage."""
    return scope.restrict(SquadMember.objects.select_related("squad", "squad__division", "user"), user, A.MANAGE)


def enrollable_users(actor, squad: Squad) -> QuerySet:
    """The people a squad may enrol: those holding a role in its street or community (residents,
    grid workers, staff) and the party members living there — none for an actor who does not
    manage the squad."""
    from gongzhi.accounts.models import RoleAssignment, User
    from gongzhi.party.models import Member

    if not manages(actor, squad):
        return User.objects.none()
    d = squad.division
    live = RoleAssignment.objects.filter(Q(division=d) | Q(**{f"division__{d.level}_id": d.pk}),
                                         revoked_at__isnull=True)
    members = Member.objects.filter(**{f"home_{d.level}": d}, state="active", user__isnull=False)
    return (User.objects.filter(Q(pk__in=live.values("user_id")) | Q(pk__in=members.values("user_id")),
                                is_active=True).order_by("display_name", "username"))


# --- readiness ------------------------------------------------------------------------------------

@dataclass
class Readiness:
    check: ReadinessCheck
    ready: int
    not_ready: int

    @property
    def silent(self) -> int:
        return max(self.check.asked - self.ready - self.not_ready, 0)

    @property
    def rate(self) -> float | None:
        return self.ready / self.check.asked if self.check.asked else None


def readiness_of(squad: Squad, limit: int = 20) -> list[Readiness]:
    checks = list(ReadinessCheck.objects.filter(squad=squad).annotate(
        n_ready=Count("replies", filter=Q(replies__ready=True)),
        n_not=Count("replies", filter=Q(replies__ready=False)))[:limit])
    return [Readiness(c, c.n_ready, c.n_not) for c in checks]


def open_checks_for(user) -> list[tuple[ReadinessCheck, SquadMember]]:
    """Readiness checks still open for the user's squads that they have not answered."""
    now = timezone.now()
    places = {m.squad_id: m for m in SquadMember.objects.filter(user=user, is_active=True)}
    answered = ReadinessReply.objects.filter(member__in=places.values()).values("check_run_id")
    checks = (ReadinessCheck.objects.filter(squad_id__in=places, closes_at__gt=now).exclude(pk__in=answered)
              .select_related("squad"))
    return [(c, places[c.squad_id]) for c in checks]


def check_for_member(user, check_id) -> tuple[ReadinessCheck, SquadMember]:
    wanted = _id(check_id)
    for check, member in open_checks_for(user):
        if check.pk == wanted:
            return check, member
    raise scope.NotInScope()


# --- alerts ---------------------------------------------------------------------------------------

def alerts_for(user, action: str = A.VIEW, *, squad: Squad | None = None, kind: str = "") -> QuerySet[Alert]:
    qs = Alert.objects.select_related("squad", "squad__division", "case")
    if squad is not None:
        qs = qs.filter(squad=squad)
    if kind:
        qs = qs.filter(kind=kind)
    return scope.restrict(qs, user, action).order_by("-raised_at", "-pk")


def alert_for(user, pk, action: str = A.VIEW) -> Alert:
    return scope.get_in_scope(Alert.objects.select_related("squad", "squad__division", "case", "whistle"),
                              user, action, pk=pk)


def my_responses(user) -> QuerySet[AlertResponse]:
    """The user's answers to alerts (every alert that reached them), newest first."""
    return (AlertResponse.objects.filter(user=user).select_related("alert", "alert__squad", "member")
            .order_by("-alert__raised_at", "-pk"))


def _id(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise scope.NotInScope() from None
    if not scope.BIGINT[0] <= value <= scope.BIGINT[1]:
        raise scope.NotInScope()
    return value


def my_response(user, alert_id) -> AlertResponse:
    """The user's own response row to an alert (one that reached them while on the roster), or
    NotInScope — the same for someone else's alert and a missing one."""
    row = (AlertResponse.objects.filter(user=user, member__is_active=True, alert_id=_id(alert_id))
           .select_related("alert", "alert__squad", "member").first())
    if row is None:
        raise scope.NotInScope()
    return row


def my_tasks(user, *, open_only: bool = True) -> QuerySet[AlertTask]:
    qs = AlertTask.objects.filter(member__user=user).select_related("alert", "alert__squad")
    if open_only:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("-created_at", "-pk")


def responses_of(alert: Alert) -> list[AlertResponse]:
    return list(AlertResponse.objects.filter(alert=alert).select_related("member", "user").order_by("pk"))


def tasks_of(alert: Alert) -> QuerySet[AlertTask]:
    return AlertTask.objects.filter(alert=alert).select_related("member", "member__user").order_by("pk")


def task_for(user, pk, action: str = A.VIEW) -> AlertTask:
    """A task of an alert the user sees (as staff, or as a member of its squad), or 404."""
    return scope.get_in_scope(AlertTask.objects.select_related("alert", "alert__squad", "alert__squad__division",
                                                               "member"), user, action, pk=pk)


def task_of(alert: Alert, task_id) -> AlertTask:
    return scope.check_id(AlertTask.objects.filter(alert=alert), task_id)


def log_of(alert: Alert) -> QuerySet[AlertLogEntry]:
    return AlertLogEntry.objects.filter(alert=alert).select_related("actor").order_by("at", "pk")


# --- figures --------------------------------------------------------------------------------------

@dataclass
class AlertFigures:
    notified: int
    acknowledged: int
    unavailable: int
    arrived: int
    first_ack_seconds: float | None
    mustered_in_window: int

    @property
    def arriving(self) -> int:
        return self.acknowledged

    @property
    def mustered_share(self) -> float | None:
        return self.mustered_in_window / self.notified if self.notified else None


def _counts(alerts: QuerySet) -> QuerySet:
    window = dt.timedelta(minutes=MUSTER_WINDOW_MINUTES)
    from django.db.models import F

    return alerts.annotate(
        n_ack=Count("responses", filter=Q(responses__status=Attendance.ACKNOWLEDGED)),
        n_unavailable=Count("responses", filter=Q(responses__status=Attendance.UNAVAILABLE)),
        n_arrived=Count("responses", filter=Q(responses__status=Attendance.ARRIVED)),
        n_in_window=Count("responses", filter=Q(responses__arrived_at__lte=F("raised_at") + window)),
        first_ack=Min("responses__acknowledged_at"),
    )


def _figures(row) -> AlertFigures:
    first = (row.first_ack - row.raised_at).total_seconds() if row.first_ack else None
    return AlertFigures(notified=row.notified, acknowledged=row.n_ack, unavailable=row.n_unavailable,
                        arrived=row.n_arrived, first_ack_seconds=first, mustered_in_window=row.n_in_window)


def alert_figures(alert: Alert) -> AlertFigures:
    return _figures(_counts(Alert.objects.filter(pk=alert.pk)).get())


@dataclass
class SquadFigures:
    alerts: int
    drills: int
    median_first_ack_seconds: float | None
    mustered_share: float | None
    readiness_rate: float | None
    per_alert: list


def squad_figures(squad: Squad, *, days: int = 365) -> SquadFigures:
    """Over the last `days`: alerts and drills, the median time to the first acknowledgement, the
    share of those notified on site within the muster window, and the readiness rate (members
    who said ready over members asked)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = list(_counts(Alert.objects.filter(squad=squad, raised_at__gte=since)).order_by("-raised_at", "-pk"))
    per_alert = [(row, _figures(row)) for row in rows]
    firsts = sorted(f.first_ack_seconds for _, f in per_alert if f.first_ack_seconds is not None)
    median = None
    if firsts:
        mid = len(firsts) // 2
        median = firsts[mid] if len(firsts) % 2 else (firsts[mid - 1] + firsts[mid]) / 2
    notified = sum(f.notified for _, f in per_alert)
    mustered = sum(f.mustered_in_window for _, f in per_alert)
    checks = ReadinessCheck.objects.filter(squad=squad, started_at__gte=since)
    asked = sum(checks.values_list("asked", flat=True))
    ready = ReadinessReply.objects.filter(check_run__in=checks, ready=True).count()
    return SquadFigures(
        alerts=sum(1 for row, _ in per_alert if row.kind == AlertKind.EMERGENCY),
        drills=sum(1 for row, _ in per_alert if row.kind == AlertKind.DRILL),
        median_first_ack_seconds=median, mustered_share=mustered / notified if notified else None,
        readiness_rate=ready / asked if asked else None, per_alert=per_alert)


# --- where an alert may come from ---------------------------------------------------------------

def cases_for_alert(actor) -> QuerySet:
    """The cases `actor` sees as staff: an alert may be raised from any of them."""
    from gongzhi.cases.models import Case
    from gongzhi.cases.permissions import CaseAction, case_scope_q

    return Case.objects.filter(case_scope_q(actor, CaseAction.VIEW, as_follower=False))


def whistles_for_alert(actor) -> QuerySet:
    from gongzhi.cases.models import Whistle

    return Whistle.objects.filter(case__in=cases_for_alert(actor)).select_related("case")


def whistle_of(actor, case):
    """The latest whistle blown on `case` that `actor` may raise an alert from, or None."""
    return whistles_for_alert(actor).filter(case=case).order_by("-created_at", "-pk").first()


def case_by_number(actor, number: str):
    """A case the actor sees as staff, by its tracking number; None for an empty number."""
    from django.utils.translation import gettext as _

    from gongzhi.core.errors import DomainError

    number = (number or "").strip()
    if not number:
        return None
    case = cases_for_alert(actor).filter(tracking_number=number).first()
    if case is None:
        raise DomainError(_("No case with the tracking number %(number)s is in your scope.") % {"number": number},
                          details={"case": number})
    return case
