"""Sidesteps: a handling unit asks to leave the normal path, and the dispatching level decides.

- return (退单): wrong unit — the case goes back to the dispatcher;
- transfer (转办): to another unit, whose clocks start afresh;
- extension (延期): more handling time;
- suspension (缓办): the handling clock stops until the case is resumed;
- void (作废): the case ends without result (a dispatcher may ask for it too).

A case has at most one open request; approved ones are counted on the case, and every request
stays in the Sidestep table for the unit's record.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import DomainError
from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division
from gongzhi.workdays.choices import TimeUnit

from ..choices import HELD_STATES, CaseState, EventKind, SidestepKind, SidestepStatus
from ..models import Case, Sidestep
from ..permissions import CaseAction, may, require
from . import notices
from .base import audit_case, lock_case, log, require_state, required_text, save_case, snapshot
from .deadlines import extend_clock
from .workflow import CLOCK_FIELDS, back_to_dispatcher, chosen_unit, clear_pause, hand_to, pause_clocks

S = CaseState
K = SidestepKind
MAX_EXTENSION = {TimeUnit.HOURS: 240, TimeUnit.DAYS: 60}
COUNTERS = {K.RETURN: "returns_count", K.TRANSFER: "transfers_count", K.EXTENSION: "extensions_count",
            K.SUSPENSION: "suspensions_count"}


@transaction.atomic
def request_sidestep(
    *,
    actor,
    case: Case,
    kind: str,
    reason: str,
    target_department: Department | None = None,
    target_division: Division | None = None,
    extension_amount: int | None = None,
    extension_unit: str = TimeUnit.DAYS,
    expected_version: int | None = None,
) -> Sidestep:
    if kind not in K.values:
        raise DomainError(_("Unknown kind of sidestep."), code="invalid")
    reason = required_text(reason, _("the reason"))
    case = lock_case(case, expected_version)
    if kind == K.VOID and actor is not None and may(actor, case, CaseAction.DISPATCH):
        require_state(case, HELD_STATES | {S.REGISTERED, S.SUSPENDED}, _("voided"))
    else:
        require(actor, case, CaseAction.HANDLE)
        allowed = HELD_STATES | {S.SUSPENDED} if kind == K.VOID else HELD_STATES
        require_state(case, allowed, _("sidestepped"))
    if Sidestep.objects.filter(case=case, status=SidestepStatus.PENDING).exists():
        raise DomainError(_("Case %(number)s already has a request awaiting approval.")
                          % {"number": case.tracking_number}, code="duplicate")
    sidestep = Sidestep(case=case, kind=kind, reason=reason, requested_by=actor,
                        unit_department=case.handling_department, unit_division=case.handling_division)
    if kind == K.TRANSFER:
        unit = chosen_unit(actor, case, target_department, target_division)
        if (unit.department, unit.division) == (case.handling_department, case.handling_division):
            raise DomainError(_("Transfer to another unit than the one holding the case."), code="invalid")
        sidestep.target_department, sidestep.target_division = unit.department, unit.division
    elif kind == K.EXTENSION:
        if extension_unit not in MAX_EXTENSION or not extension_amount or extension_amount < 1 \
                or extension_amount > MAX_EXTENSION[extension_unit]:
            raise DomainError(_("Ask for an extension of 1 to %(days)d working days or %(hours)d working hours.")
                              % {"days": MAX_EXTENSION[TimeUnit.DAYS], "hours": MAX_EXTENSION[TimeUnit.HOURS]},
                              code="invalid")
        sidestep.extension_amount, sidestep.extension_unit = extension_amount, extension_unit
    sidestep.save()
    log(case, EventKind.SIDESTEP_REQUESTED, actor=actor, from_state=case.state, note=reason, is_public=False,
        unit_name=case.handling_unit_name, data={"sidestep": sidestep.pk, "kind": kind})
    audit_case(case, "sidestep_request", actor=actor, obj=sidestep, reason=reason, extra={"kind": kind})
    notices.tell_approvers(case, "case.sidestep_requested",
                           gettext_lazy("%(unit)s asks for a %(kind)s of case %(number)s"), gettext_lazy("%(reason)s"),
                           kind=K(kind).label.lower(), reason=reason)
    return sidestep


@transaction.atomic
def decide_sidestep(*, actor, sidestep: Sidestep, approve: bool, note: str = "",
                    expected_version: int | None = None) -> Sidestep:
    """Approve or deny a request, as the dispatching level (not the one who asked)."""
    case = lock_case(sidestep.case_id, expected_version)
    sidestep = Sidestep.objects.select_for_update().get(pk=sidestep.pk)
    require(actor, case, CaseAction.APPROVE)
    if sidestep.status != SidestepStatus.PENDING:
        raise DomainError(_("This request was already decided."), code="illegal_transition")
    if actor is not None and actor.pk == sidestep.requested_by_id:
        raise DomainError(_("Someone else must decide on your own request."), code="forbidden")
    if not approve:
        note = required_text(note, _("why it is denied"))
    sidestep.status = SidestepStatus.APPROVED if approve else SidestepStatus.DENIED
    sidestep.decided_by, sidestep.decided_at, sidestep.decision_note = actor, timezone.now(), note.strip()
    sidestep.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    before = snapshot(case)
    if approve and case.state not in _states_for(sidestep.kind):
        raise DomainError(_("Case %(number)s has moved on since the request; deny it instead.")
                          % {"number": case.tracking_number}, code="illegal_transition")
    log(case, EventKind.SIDESTEP_APPROVED if approve else EventKind.SIDESTEP_DENIED, actor=actor,
        from_state=case.state, note=note, is_public=False, data={"sidestep": sidestep.pk, "kind": sidestep.kind})
    if approve:
        APPLY[sidestep.kind](case, sidestep, actor)
    extra = {"sidestep": sidestep.pk, "kind": sidestep.kind}
    if approve and sidestep.kind == K.SUSPENSION:
        extra["paused_clocks"] = case.paused_clocks  # the working time each clock had left
    audit_case(case, "sidestep_approve" if approve else "sidestep_deny", actor=actor, before=before, reason=note,
               extra=extra)
    notices.tell_users([sidestep.requested_by], case, "case.sidestep_decided",
                       gettext_lazy("Your request on case %(number)s: %(decision)s"), gettext_lazy("%(note)s"),
                       decision=sidestep.get_status_display(), note=note)
    return sidestep


def _states_for(kind: str) -> set:
    return HELD_STATES | {S.SUSPENDED, S.REGISTERED} if kind == K.VOID else set(HELD_STATES)


# --- what an approval does ------------------------------------------------------------------------


def _count(case: Case, kind: str) -> list[str]:
    name = COUNTERS.get(kind)
    if name is None:
        return []
    setattr(case, name, getattr(case, name) + 1)
    return [name]


def _apply_return(case: Case, sidestep: Sidestep, actor) -> None:
    counted = _count(case, K.RETURN)
    save_case(case, counted)
    back_to_dispatcher(case, actor=actor, why=sidestep.reason, kind=EventKind.RETURNED)


def _apply_transfer(case: Case, sidestep: Sidestep, actor) -> None:
    from .routing import Unit

    from_state = case.state
    unit = Unit(department=sidestep.target_department, division=sidestep.target_division)
    fields = hand_to(case, unit, timezone.now())
    save_case(case, [*fields, *_count(case, K.TRANSFER)])
    log(case, EventKind.TRANSFERRED, actor=actor, from_state=from_state, unit_name=case.dispatcher_division.name,
        public_note=_("Transferred to %(unit)s.") % {"unit": unit.name},
        data={"transfer": sidestep.pk, "handling_due": case.handling_due.isoformat()})
    notices.tell_followers(case, "case.dispatched")
    notices.tell_unit(case, "case.dispatched", gettext_lazy("Case %(number)s transferred to you: accept it"))


def _apply_extension(case: Case, sidestep: Sidestep, actor) -> None:
    clock = extend_clock(case.dispatched_at or timezone.now(), case.handling_due or timezone.now(),
                         sidestep.extension_amount, sidestep.extension_unit)
    case.handling_due, case.handling_warn_at = clock.due, clock.warn_at
    case.handling_warned_at = case.handling_escalated_at = None
    save_case(case, ["handling_due", "handling_warn_at", "handling_warned_at", "handling_escalated_at",
                     *_count(case, K.EXTENSION)])
    due = timezone.localtime(clock.due).strftime("%Y-%m-%d %H:%M")
    log(case, EventKind.EXTENDED, actor=actor, from_state=case.state, unit_name=case.handling_unit_name,
        public_note=_("More time granted: now due %(due)s.") % {"due": due},
        data={"handling_due": clock.due.isoformat()})


def _apply_suspension(case: Case, sidestep: Sidestep, actor) -> None:
    """The clocks stop where they are (see workflow.pause_clocks); resuming restarts them."""
    from_state = case.state
    fields = pause_clocks(case, timezone.now())
    case.state = S.SUSPENDED
    save_case(case, ["state", *fields, *_count(case, K.SUSPENSION)])
    log(case, EventKind.SUSPENDED, actor=actor, from_state=from_state, unit_name=case.handling_unit_name,
        public_note=_("Suspended: %(reason)s") % {"reason": sidestep.reason})


def _apply_void(case: Case, sidestep: Sidestep, actor) -> None:
    """A voided case has no deadlines: every clock, running or paused, is gone."""
    from_state = case.state
    case.state = S.VOIDED
    for name in CLOCK_FIELDS:
        setattr(case, name, None)
    save_case(case, ["state", *CLOCK_FIELDS, *clear_pause(case)])
    log(case, EventKind.VOIDED, actor=actor, from_state=from_state,
        public_note=_("Voided: %(reason)s") % {"reason": sidestep.reason})
    notices.tell_followers(case, "case.voided", reason=sidestep.reason)


APPLY = {K.RETURN: _apply_return, K.TRANSFER: _apply_transfer, K.EXTENSION: _apply_extension,
         K.SUSPENSION: _apply_suspension, K.VOID: _apply_void}
