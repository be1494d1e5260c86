"""Committees (班子, 大工委/大党委): the seats of a term and their holders, and the meetings with who
attended. A seat with a user gives that user a role (gongzhi.party.access.posts_of); a seat-based
part-time member (席位制) holds the seat for a unit, so replacing the holder ends the seat and opens
a new one for the same unit. Re-election (换届) is gongzhi.party.services.organisations.reelect.

Every write is one transaction with an audit row; every id that arrives (member, department, unit's
organisation, seats) is checked against the actor's scope with the selectors the pages offer."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.departments import selectors as departments

from ..choices import Attendance, Duty, MemberState, OrganisationStatus, Position
from ..models import Meeting, MeetingAttendance, Member, Organisation, Seat, Term
from ..selectors import organisations as sel
from .organisations import lock_managed

SEAT_FIELDS = ["term", "position", "duty", "member", "user", "name", "title", "from_department",
               "from_organisation", "from_unit", "seat_based", "started_on", "ended_on"]


def _snapshot(seat: Seat) -> dict:
    out = audit.snapshot(seat, SEAT_FIELDS)
    for key in ("started_on", "ended_on"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def _current_term(term: Term, actor) -> tuple[Organisation, Term]:
    org = lock_managed(term.organisation, actor, None)
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.ended_on is not None:
        raise DomainError(_("This term has ended; re-elect or change the current term."), code="conflict")
    return org, term


def _pick(actor, everything, scoped_for, pk):
    if pk in (None, ""):
        return None
    return scope.check_id(everything if actor is None else scoped_for(actor), pk)


def open_seat(actor, term: Term, *, position: str, name: str = "", duty: str = "", member_id=None, title: str = "",
              from_department_id=None, from_organisation_id=None, from_unit: str = "", seat_based: bool = False,
              started_on: dt.date | None = None) -> Seat:
    """A new seat on `term` (inside a service's transaction, the term already checked)."""
    from gongzhi.departments.models import Department

    if position not in Position.values:
        raise DomainError(_("Unknown %(field)s: %(value)s") % {"field": _("position"), "value": position})
    if (duty or "") not in Duty.values:
        raise DomainError(_("Unknown %(field)s: %(value)s") % {"field": _("portfolio"), "value": duty})
    member = _pick(actor, Member.objects.filter(state=MemberState.ACTIVE), sel.members_in_scope, member_id)
    department = _pick(actor, Department.objects.filter(is_active=True),
                       lambda a: departments.departments_for(a), from_department_id)
    unit_org = _pick(actor, Organisation.objects.filter(status=OrganisationStatus.ACTIVE),
                     lambda a: sel.organisations_for(a), from_organisation_id)
    name = (name or "").strip() or (member.name if member else "")
    if not name:
        raise DomainError(_("%(field)s is required.") % {"field": _("Name")})
    if position == Position.PART_TIME and not term.is_big:
        raise DomainError(_("Only a big committee (大工委/大党委) takes part-time members."))
    if position == Position.SECRETARY and term.seats.filter(position=Position.SECRETARY,
                                                            ended_on__isnull=True).exists():
        raise DomainError(_("The committee already has a secretary: end that seat first."), code="conflict")
    from_unit = (from_unit or "").strip()[:100] or (department.name if department else "") or \
        (unit_org.unit_name or unit_org.name if unit_org else "")
    if seat_based and not (department or unit_org or from_unit):
        raise DomainError(_("A seat-based member holds the seat for a unit: name the unit."))
    return Seat.objects.create(term=term, position=position, duty=duty or "", member=member,
                               user=member.user if member else None, name=name[:64], title=(title or "").strip()[:100],
                               from_department=department, from_organisation=unit_org, from_unit=from_unit,
                               seat_based=seat_based, started_on=started_on or timezone.localdate())


@transaction.atomic
def add_seat(*, actor, term: Term, **spec) -> Seat:
    org, term = _current_term(term, actor)
    seat = open_seat(actor, term, **spec)
    audit.record(actor=actor, action="party.seat.add", obj=seat, division=org.division, after=_snapshot(seat))
    return seat


def _lock_seat(seat: Seat, actor) -> tuple[Organisation, Seat]:
    org, _term = _current_term(seat.term, actor)
    seat = Seat.objects.select_for_update(of=("self",)).select_related("term").get(pk=seat.pk)
    if seat.ended_on is not None:
        raise DomainError(_("This seat has already ended."), code="conflict")
    return org, seat


@transaction.atomic
def end_seat(*, actor, seat: Seat, reason: str, ended_on: dt.date | None = None) -> Seat:
    org, seat = _lock_seat(seat, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("%(field)s is required.") % {"field": _("Reason")})
    before = _snapshot(seat)
    seat.ended_on = ended_on or timezone.localdate()
    if seat.ended_on < seat.started_on:
        raise DomainError(_("A seat cannot end before it began."))
    seat.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="party.seat.end", obj=seat, division=org.division, before=before,
                 after=_snapshot(seat), reason=reason[:500])
    return seat


@transaction.atomic
def replace_holder(*, actor, seat: Seat, name: str = "", member_id=None, title: str = "", reason: str = "",
                   on: dt.date | None = None) -> Seat:
    """The unit (or the committee) sends someone else: the seat ends and a new one opens for the
    same position, portfolio and unit."""
    org, seat = _lock_seat(seat, actor)
    on = on or timezone.localdate()
    before = _snapshot(seat)
    seat.ended_on = on
    seat.save(update_fields=["ended_on"])
    member = _pick(actor, Member.objects.filter(state=MemberState.ACTIVE), sel.members_in_scope, member_id)
    name = (name or "").strip() or (member.name if member else "")
    if not name:
        raise DomainError(_("%(field)s is required.") % {"field": _("Name")})
    new = Seat.objects.create(term=seat.term, position=seat.position, duty=seat.duty, member=member,
                              user=member.user if member else None, name=name[:64], title=(title or "").strip()[:100],
                              from_department_id=seat.from_department_id,
                              from_organisation_id=seat.from_organisation_id, from_unit=seat.from_unit,
                              seat_based=seat.seat_based, started_on=on)
    audit.record(actor=actor, action="party.seat.replace", obj=new, division=org.division, before=before,
                 after=_snapshot(new), reason=(reason or "")[:500])
    return new


@transaction.atomic
def record_meeting(*, actor, term: Term, held_on: dt.date, title: str, attendance: dict,
                   source: str = "", source_id: int | None = None) -> Meeting:
    """A committee meeting with attendance per current seat (`attendance`: seat id → present / leave /
    absent; a current seat left out was absent). The same meeting twice is refused."""
    org, term = _current_term(term, actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("%(field)s is required.") % {"field": _("Subject")})
    if held_on > timezone.localdate():
        raise DomainError(_("A meeting cannot be recorded before it is held."))
    if held_on < term.elected_on:
        raise DomainError(_("The meeting was held before this term began."))
    current = term.seats.filter(ended_on__isnull=True)
    seats = scope.check_ids(current, list(attendance))
    for status in attendance.values():
        if status not in Attendance.values:
            raise DomainError(_("Unknown %(field)s: %(value)s") % {"field": _("attendance"), "value": status})
    if Meeting.objects.filter(term=term, held_on=held_on, title=title[:200]).exists():
        raise DomainError(_("This meeting has already been recorded."), code="duplicate")
    meeting = Meeting.objects.create(term=term, held_on=held_on, title=title[:200], source=source[:40],
                                     source_id=source_id)
    given = {s.pk: attendance.get(s.pk, attendance.get(str(s.pk))) for s in seats}
    rows = [MeetingAttendance(meeting=meeting, seat=s, status=given.get(s.pk) or Attendance.ABSENT)
            for s in current]
    MeetingAttendance.objects.bulk_create(rows)
    audit.record(actor=actor, action="party.meeting.record", obj=meeting, division=org.division,
                 after={"term": term.pk, "held_on": held_on.isoformat(), "title": meeting.title,
                        "attendance": {str(r.seat_id): r.status for r in rows}})
    return meeting
