"""Whistle and report-in (吹哨报到).

A street summons departments; a community summons departments, party members or volunteers.
Each summoned unit or person reports in (报到) — on time or late — and then records what it did.
Whoever has not reported in by the deadline is marked absent by the deadline sweep, so the
roll-call is stored and can be counted for assessment."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.seams import hooks
from gongzhi.divisions.choices import Level

from .. import selectors
from ..choices import WHISTLE_STATES, Attendance, CaseState, EventKind
from ..models import Case, Summons, Whistle
from ..permissions import CaseAction, covering_division
from . import notices
from .base import audit_case, lock_case, log, required_text

MAX_SUMMONED = 30


@transaction.atomic
def blow_whistle(*, actor, case: Case, reason: str, check_in_due: dt.datetime, departments=(), users=()) -> Whistle:
    reason = required_text(reason, _("the reason"))
    case = lock_case(case)
    division = covering_division(actor, CaseAction.WHISTLE, case) if actor is not None else None
    if division is None and (actor is None or scope.is_global(actor)):
        division = case.street
    if division is None:
        raise DomainError(_("You may not do this to case %(number)s.") % {"number": case.tracking_number},
                          code="forbidden")
    if division.level not in (Level.STREET, Level.COMMUNITY):
        # A district officer blows no whistle of their own: the street or community does.
        raise DomainError(_("A street or a community blows the whistle."), code="forbidden")
    if case.state not in WHISTLE_STATES:
        raise DomainError(_("Case %(number)s is %(state)s: no whistle can be blown on it.")
                          % {"number": case.tracking_number, "state": CaseState(case.state).label.lower()},
                          code="illegal_transition")
    departments = list({d.pk: d for d in departments}.values())
    users = list({u.pk: u for u in users}.values())
    if not departments and not users:
        raise DomainError(_("Summon at least one department or person."), code="invalid")
    if len(departments) + len(users) > MAX_SUMMONED:
        raise DomainError(_("Summon at most %(n)d at once.") % {"n": MAX_SUMMONED}, code="invalid")
    if users and division.level != Level.COMMUNITY:
        raise DomainError(_("Only a community summons party members and volunteers."), code="invalid")
    # Only whom the page offers (selectors.summonable_*): a summons lets its holder read the case,
    # so naming anyone else would widen who sees it. Refused like a missing id.
    scope.check_ids(selectors.summonable_departments(actor, case), departments)
    if users:
        scope.check_ids(selectors.summonable_people(actor, case), users)
    if check_in_due <= timezone.now():
        raise DomainError(_("The report-in deadline must be in the future."), code="invalid")
    whistle = Whistle.objects.create(case=case, division=division, blown_by=actor, reason=reason,
                                     check_in_due=check_in_due)
    Summons.objects.bulk_create([Summons(whistle=whistle, department=d) for d in departments]
                                + [Summons(whistle=whistle, user=u) for u in users])
    names = [d.name for d in departments]
    log(case, EventKind.WHISTLE, actor=actor, from_state=case.state, note=reason, unit_name=division.name,
        public_note=_("%(unit)s blew the whistle and summoned %(names)s.")
        % {"unit": division.name, "names": "、".join(names) if names else _("community volunteers")},
        data={"whistle": whistle.pk, "departments": [d.pk for d in departments], "users": [u.pk for u in users]})
    audit_case(case, "whistle", actor=actor, obj=whistle, reason=reason,
               extra={"departments": [d.pk for d in departments], "users": [u.pk for u in users],
                      "check_in_due": check_in_due})
    due = timezone.localtime(check_in_due).strftime("%Y-%m-%d %H:%M")
    summoned = list(users)
    for department in departments:
        summoned += notices.unit_staff(department=department)
    notices.tell_users(summoned, case, "case.whistle", gettext_lazy("%(division)s summons you: case %(number)s"),
                       gettext_lazy("Report in by %(due)s. %(reason)s"), division=division.name, due=due,
                       reason=reason)
    return whistle


def _may_answer(actor, summons: Summons) -> bool:
    if actor is None:
        return True
    if summons.user_id is not None:
        return summons.user_id == actor.pk
    return scope.is_global(actor) or any(
        a.department_id == summons.department_id for a in scope.assignments(actor) if a.department_id
    )


def _lock_summons(actor, summons: Summons) -> Summons:
    summons = (Summons.objects.select_for_update(of=("self",)).select_related("whistle", "department", "user")
               .get(pk=summons.pk))
    if not _may_answer(actor, summons):
        raise DomainError(_("This summons is for someone else."), code="forbidden")
    return summons


@transaction.atomic
def report_in(*, actor, summons: Summons, note: str = "") -> Summons:
    """Answer a summons (报到). After the deadline it still counts — as late."""
    summons = _lock_summons(actor, summons)
    if summons.checked_in_at is not None:
        raise DomainError(_("Already reported in."), code="duplicate")
    now = timezone.now()
    summons.checked_in_at, summons.checked_in_by = now, actor
    summons.attendance = Attendance.ON_TIME if now <= summons.whistle.check_in_due else Attendance.LATE
    summons.save(update_fields=["checked_in_at", "checked_in_by", "attendance"])
    case = summons.whistle.case
    who = summons.department.name if summons.department_id else str(summons.user)
    log(case, EventKind.CHECKED_IN, actor=actor, from_state=case.state, note=note, unit_name=who,
        public_note=_("%(who)s reported in.") % {"who": summons.department.name} if summons.department_id else "",
        is_public=summons.department_id is not None,
        data={"summons": summons.pk, "attendance": summons.attendance})
    audit_case(case, "check_in", actor=actor, obj=summons, extra={"attendance": summons.attendance})
    # Other apps count the answer (points for reporting in when the whistle blew), in this transaction.
    hooks.announce("cases.summons_checked_in", summons=summons)
    return summons


@transaction.atomic
def record_action(*, actor, summons: Summons, note: str) -> Summons:
    """What the summoned unit did about the case, once it reported in."""
    note = required_text(note, _("what was done"))
    summons = _lock_summons(actor, summons)
    if summons.checked_in_at is None:
        raise DomainError(_("Report in first."), code="illegal_transition")
    summons.action_note, summons.acted_at = note, timezone.now()
    summons.save(update_fields=["action_note", "acted_at"])
    case = summons.whistle.case
    who = summons.department.name if summons.department_id else str(summons.user)
    is_department = summons.department_id is not None
    log(case, EventKind.WHISTLE_ACTION, actor=actor, from_state=case.state, note=note, unit_name=who,
        public_note=note if is_department else "", is_public=is_department, data={"summons": summons.pk})
    audit_case(case, "whistle_action", actor=actor, obj=summons)
    return summons


def mark_absent(now: dt.datetime | None = None) -> int:
    """Everyone still not reported in when a deadline passed is absent (one UPDATE)."""
    now = now or timezone.now()
    return Summons.objects.filter(attendance=Attendance.PENDING, whistle__check_in_due__lt=now).update(
        attendance=Attendance.ABSENT
    )

