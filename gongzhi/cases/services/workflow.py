"""The main path of a case: register → dispatch → accept → work → resolve → verify → close → rate,
with rejection, reopening and resumption after a suspension.

Each function locks the case, checks the actor may and the state allows, changes the case,
writes a timeline row and an audit row, and tells whoever needs to know — all in one transaction.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import scope
from gongzhi.core.digests import secret_digest
from gongzhi.core.errors import DomainError
from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division
from gongzhi.workdays.calendar import current_calendar

from ..choices import HANDLING_CLOCK_STATES, HELD_STATES, RESPONSE_CLOCK_STATES, CaseState, EventKind, Rating
from ..models import Case, CaseFollower, CaseRating, Category
from ..permissions import CaseAction, covering_division, may, require
from ..uploads import PreparedFile, check_case_room, file_store
from . import notices
from .base import MAX_NOTE, audit_case, lock_case, log, require_state, required_text, save_case, snapshot
from .deadlines import start_clock
from .following import follows_by_token
from .routing import Unit, route

S = CaseState
A = CaseAction
CLOCK_FIELDS = ["response_due", "response_warn_at", "response_warned_at", "response_escalated_at",
                "handling_due", "handling_warn_at", "handling_warned_at", "handling_escalated_at"]


def desk_name(actor, action: str, case: Case) -> str:
    """The acting office as the public sees it: the actor's community or street, never a person."""
    division = covering_division(actor, action, case) if actor is not None else None
    return division.name if division is not None else ""


# --- registration -------------------------------------------------------------------------------


@transaction.atomic
def register_case(*, actor, case: Case, category: Category | None = None, note: str = "",
                  expected_version: int | None = None) -> Case:
    """Accept a report as a case (立案), under its category's terms as they stand now."""
    case = lock_case(case, expected_version)
    require(actor, case, A.REGISTER)
    require_state(case, {S.SUBMITTED}, _("registered"))
    if category is not None:
        if not category.is_leaf or not category.is_active:
            raise DomainError(_("Choose a sub-category of the catalogue."), code="invalid")
        case.category = category
    if case.category is None:
        raise DomainError(_("Choose the case's category before registering it."), code="invalid")
    before = snapshot(case)
    case.terms = case.category.terms()
    case.state, case.registered_at = S.REGISTERED, timezone.now()
    save_case(case, ["category", "terms", "state", "registered_at"])
    log(case, EventKind.REGISTERED, actor=actor, from_state=S.SUBMITTED, note=note,
        unit_name=desk_name(actor, A.REGISTER, case),
        public_note=_("Registered as %(category)s.") % {"category": case.category.name_zh},
        data={"category": case.category.code})
    audit_case(case, "register", actor=actor, before=before)
    notices.tell_followers(case, "case.registered")
    return case


@transaction.atomic
def reject_case(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """Refuse a report as invalid (not a matter for us, a prank, a duplicate of a closed case)."""
    reason = required_text(reason, _("the reason"))
    case = lock_case(case, expected_version)
    require(actor, case, A.REGISTER)
    require_state(case, {S.SUBMITTED}, _("rejected"))
    before = snapshot(case)
    case.state, case.rejection_reason = S.REJECTED, reason[:500]
    save_case(case, ["state", "rejection_reason"])
    log(case, EventKind.REJECTED, actor=actor, from_state=S.SUBMITTED, public_note=reason,
        unit_name=desk_name(actor, A.REGISTER, case))
    audit_case(case, "reject", actor=actor, before=before, reason=reason)
    notices.tell_followers(case, "case.rejected", reason=reason)
    return case


# --- dispatch -----------------------------------------------------------------------------------


def chosen_unit(actor, case: Case, department: Department | None, division: Division | None) -> Unit:
    """The unit a dispatcher (or a unit asking for a transfer) named, if the case may go there
    (gongzhi.cases.selectors.dispatch_targets: what the page offers); or the routing rule's. A
    unit outside that answer is refused like a missing one."""
    from .. import selectors

    if department is not None and division is not None:
        raise DomainError(_("Dispatch to a department or to an office, not both."), code="invalid")
    if department is None and division is None:
        return route(case)
    departments, offices = selectors.dispatch_targets(actor, case)
    if department is not None:
        return Unit(department=scope.check_id(departments, department))
    return Unit(division=scope.check_id(offices, division))


def hand_to(case: Case, unit: Unit, now) -> list[str]:
    """Give the case to `unit` and start both clocks afresh (dispatch and transfer)."""
    case.handling_department, case.handling_division = unit.department, unit.division
    case.state, case.dispatched_at, case.accepted_at = S.DISPATCHED, now, None
    response = start_clock(now, case.terms["response"])
    handling = start_clock(now, case.terms["handling"])
    case.response_due, case.response_warn_at = response.due, response.warn_at
    case.handling_due, case.handling_warn_at = handling.due, handling.warn_at
    case.response_warned_at = case.response_escalated_at = None
    case.handling_warned_at = case.handling_escalated_at = None
    return ["handling_department", "handling_division", "state", "dispatched_at", "accepted_at", *CLOCK_FIELDS]


@transaction.atomic
def dispatch_case(*, actor, case: Case, department: Department | None = None, division: Division | None = None,
                  note: str = "", expected_version: int | None = None) -> Case:
    """Send a registered case to its handling unit (派遣): the one named, or the routing rule's."""
    case = lock_case(case, expected_version)
    require(actor, case, A.DISPATCH)
    require_state(case, {S.REGISTERED}, _("dispatched"))
    before = snapshot(case)
    unit = chosen_unit(actor, case, department, division)
    dispatcher = covering_division(actor, A.DISPATCH, case) if actor is not None else None
    if dispatcher is None or dispatcher.level not in ("community", "street", "district"):
        dispatcher = case.street
    case.dispatcher_division, case.dispatcher_level = dispatcher, dispatcher.level
    fields = hand_to(case, unit, timezone.now())
    save_case(case, [*fields, "dispatcher_division", "dispatcher_level"])
    log(case, EventKind.DISPATCHED, actor=actor, from_state=before["state"], note=note, unit_name=dispatcher.name,
        public_note=_("Sent to %(unit)s.") % {"unit": unit.name},
        data={"department": unit.department and unit.department.pk, "division": unit.division and unit.division.pk,
              "response_due": case.response_due.isoformat(), "handling_due": case.handling_due.isoformat()})
    audit_case(case, "dispatch", actor=actor, before=before)
    notices.tell_followers(case, "case.dispatched")
    notices.tell_unit(case, "case.dispatched", gettext_lazy("New case %(number)s to accept"),
                      gettext_lazy("%(description)s"), description=case.description[:200])
    return case


# --- the handling unit --------------------------------------------------------------------------


@transaction.atomic
def accept_case(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """The handling unit takes the case (签收); this stops the response clock."""
    case = lock_case(case, expected_version)
    require(actor, case, A.HANDLE)
    require_state(case, {S.DISPATCHED}, _("accepted"))
    before = snapshot(case)
    case.state, case.accepted_at = S.ACCEPTED, timezone.now()
    save_case(case, ["state", "accepted_at"])
    log(case, EventKind.ACCEPTED, actor=actor, from_state=S.DISPATCHED, note=note, unit_name=case.handling_unit_name,
        public_note=_("%(unit)s took the case.") % {"unit": case.handling_unit_name})
    audit_case(case, "accept", actor=actor, before=before)
    return case


@transaction.atomic
def start_case(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    case = lock_case(case, expected_version)
    require(actor, case, A.HANDLE)
    require_state(case, {S.ACCEPTED}, _("started"))
    before = snapshot(case)
    case.state = S.IN_PROGRESS
    save_case(case, ["state"])
    log(case, EventKind.STARTED, actor=actor, from_state=S.ACCEPTED, note=note, unit_name=case.handling_unit_name,
        public_note=_("%(unit)s is working on it.") % {"unit": case.handling_unit_name})
    audit_case(case, "start", actor=actor, before=before)
    return case


def resolve_case(*, actor, case: Case, feedback: str, files: list[PreparedFile] = (),
                 expected_version: int | None = None) -> Case:
    """The unit reports what it did (反馈), with photos after; the grid worker and the reporter
    are asked to verify."""
    feedback = required_text(feedback, _("what was done"))
    with file_store() as store, transaction.atomic():
        case = lock_case(case, expected_version)
        require(actor, case, A.HANDLE)
        require_state(case, {S.ACCEPTED, S.IN_PROGRESS}, _("resolved"))
        check_case_room(case, list(files))
        before = snapshot(case)
        case.state, case.resolved_at, case.resolution = S.RESOLVED, timezone.now(), feedback
        save_case(case, ["state", "resolved_at", "resolution"])
        event = log(case, EventKind.RESOLVED, actor=actor, from_state=before["state"], public_note=feedback,
                    unit_name=case.handling_unit_name, data={"files": len(files)})
        store.save(case, list(files), event=event, user=actor)
        audit_case(case, "resolve", actor=actor, before=before)
        notices.tell_followers(case, "case.resolved", reason=feedback)
        notices.tell_users(notices.officers([case.grid_id], A.VERIFY), case, "case.verify",
                           gettext_lazy("Case %(number)s resolved: please verify"))
    return case


# --- verification, closing, rating --------------------------------------------------------------


@transaction.atomic
def verify_case(*, actor, case: Case, passed: bool, note: str = "", follow_token: str = "",
                expected_version: int | None = None) -> Case:
    """The grid worker or the reporter checks the result (核查). A failure reopens the case to the
    same unit once; a second failure sends it back to the dispatcher. A reporter without an
    account checks with the follow secret of their report (`follow_token`)."""
    case = lock_case(case, expected_version)
    by_link = _by_follow_link(actor, case, follow_token,
                              _("This link does not allow checking the case."))
    if by_link:
        actor = None
    else:
        require(actor, case, A.VERIFY)
    require_state(case, {S.RESOLVED}, _("verified"))
    before = snapshot(case)
    now = timezone.now()
    label = LINK_LABEL if by_link else ""
    if passed:
        case.state, case.verified_at = S.VERIFIED, now
        save_case(case, ["state", "verified_at"])
        log(case, EventKind.VERIFIED, actor=actor, from_state=S.RESOLVED, note=note, actor_label=label,
            public_note=_("The reporter checked the result.") if by_link
            else _("The result was checked on the spot."))
        _audit(case, "verify", actor=actor, by_link=by_link, before=before)
        notices.tell_users(notices.officers([case.dispatcher_division_id], A.CLOSE), case, "case.verified",
                           gettext_lazy("Case %(number)s verified: it can be closed"))
        return case
    note = required_text(note, _("what is still wrong"))
    log(case, EventKind.VERIFICATION_FAILED, actor=actor, from_state=S.RESOLVED, note=note, public_note=note,
        actor_label=label)
    if not case.reopened_on_verification:
        case.reopened_on_verification = True
        reopen(case, actor=actor, now=now, why=note, extra_fields=["reopened_on_verification"])
    else:
        back_to_dispatcher(case, actor=actor, why=note)
    _audit(case, "verification_failed", actor=actor, by_link=by_link, before=before, reason=note)
    return case


# Who acted, in the timeline and the audit trail, when a reporter without an account used their link.
LINK_LABEL = "reporter (follow link)"


def _by_follow_link(actor, case: Case, follow_token: str, refusal) -> bool:
    """Whether the step is taken with a follow secret rather than by `actor`'s rights; a secret
    that does not fit the case is refused, changing nothing."""
    if getattr(actor, "is_authenticated", False) and not follow_token:
        return False
    if actor is None and not follow_token:
        return False  # the system itself (commands, the task worker, the demo)
    if not follows_by_token(case, follow_token):
        raise DomainError(refusal, code="forbidden")
    return True


def _audit(case: Case, action: str, *, actor, by_link: bool, before: dict, reason: str = "",
           extra: dict | None = None) -> None:
    if not by_link:
        audit_case(case, action, actor=actor, before=before, reason=reason, extra=extra)
        return
    from gongzhi.core import audit

    after = snapshot(case)
    after.update(extra or {})
    audit.record(actor=None, actor_label=LINK_LABEL, action=f"case.{action}", obj=case, division=case.grid,
                 before=before, after=after, reason=reason)


@transaction.atomic
def close_case(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """Close a verified case (结案) and ask its followers to rate it."""
    case = lock_case(case, expected_version)
    require(actor, case, A.CLOSE)
    require_state(case, {S.VERIFIED}, _("closed"))
    before = snapshot(case)
    case.state, case.closed_at = S.CLOSED, timezone.now()
    save_case(case, ["state", "closed_at"])
    log(case, EventKind.CLOSED, actor=actor, from_state=S.VERIFIED, note=note,
        unit_name=desk_name(actor, A.CLOSE, case), public_note=_("Case closed."))
    audit_case(case, "close", actor=actor, before=before)
    notices.tell_followers(case, "case.rating_wanted")
    return case


@transaction.atomic
def rate_case(*, actor, case: Case, value: str, comment: str = "", follow_token: str = "",
              expected_version: int | None = None) -> Case:
    """A follower rates the result (评价), by one rule for all of them — the reporter, the reporters
    of merged duplicates, residents who chose to follow, and whoever holds the follow secret of a
    report made without an account: each rates once per closing; the first rating after a
    closing is the case's, and a dissatisfied one reopens it to the same unit, once. Later
    ratings of the same closing are kept (and counted) without changing the case."""
    if value not in Rating.values:
        raise DomainError(_("Rate satisfied, basically satisfied or dissatisfied."), code="invalid")
    comment = (comment or "").strip()[:MAX_NOTE]
    case = lock_case(case, expected_version)
    user = actor if getattr(actor, "is_authenticated", False) else None
    digest = ""
    if user is None or follow_token:
        if not follows_by_token(case, follow_token):
            raise DomainError(_("This link does not allow rating the case."), code="forbidden")
        user, digest = None, secret_digest(follow_token)
    elif not CaseFollower.objects.filter(case=case, user=user).exists():
        # Not even an administrator: satisfaction is the word of those who reported or follow it.
        raise DomainError(_("Only the people who reported a case rate it."), code="forbidden")
    require_state(case, {S.CLOSED, S.RATED}, _("rated"))
    round_ = case.reopen_count + 1
    already = CaseRating.objects.filter(case=case, round=round_)
    if user is not None:
        mine = already.filter(rater=user)
    else:
        mine = already.filter(token_hash=digest)
        if digest == case.follow_token_hash:
            mine = mine | already.filter(rater__isnull=True, token_hash="")  # rated before secrets were kept
    if mine.exists():
        raise DomainError(_("You have already rated this case."), code="duplicate")
    CaseRating.objects.create(case=case, rater=user, token_hash=digest, round=round_, value=value, comment=comment)
    before = snapshot(case)
    label = LINK_LABEL if digest else ""
    if case.state == S.RATED:
        # Another follower rating after the first: recorded, the case stays as it is.
        log(case, EventKind.RATED, actor=user, from_state=S.RATED, public_note=Rating(value).label,
            actor_label=label, data={"rating": value, "first": False})
        return case
    case.state, case.rating, case.rating_comment, case.rated_at = S.RATED, value, comment, timezone.now()
    save_case(case, ["state", "rating", "rating_comment", "rated_at"])
    log(case, EventKind.RATED, actor=user, from_state=S.CLOSED, note=comment, public_note=Rating(value).label,
        actor_label=label, data={"rating": value, "first": True})
    if value == Rating.DISSATISFIED and not case.reopened_on_rating:
        case.reopened_on_rating = True
        reopen(case, actor=user, now=timezone.now(), why=comment or Rating(value).label,
               extra_fields=["reopened_on_rating"])
    _audit(case, "rate", actor=user, by_link=bool(digest), before=before, extra={"rating": value})
    return case


# --- reopening and resuming ---------------------------------------------------------------------


def reopen(case: Case, *, actor, now, why: str, extra_fields: list[str]) -> None:
    """Back to the same unit, in progress, with a fresh handling clock (inside a transition)."""
    from_state = case.state
    handling = start_clock(now, case.terms["handling"])
    case.state = S.IN_PROGRESS
    case.reopen_count += 1
    case.handling_due, case.handling_warn_at = handling.due, handling.warn_at
    case.handling_warned_at = case.handling_escalated_at = None
    case.resolved_at = case.verified_at = case.closed_at = case.rated_at = None
    case.rating, case.rating_comment = "", ""
    save_case(case, ["state", "reopen_count", "handling_due", "handling_warn_at", "handling_warned_at",
                     "handling_escalated_at", "resolved_at", "verified_at", "closed_at", "rated_at", "rating",
                     "rating_comment", *extra_fields])
    log(case, EventKind.REOPENED, actor=actor, from_state=from_state, note=why, unit_name=case.handling_unit_name,
        public_note=_("Reopened: %(unit)s handles it again.") % {"unit": case.handling_unit_name},
        data={"handling_due": case.handling_due.isoformat()})
    notices.tell_unit(case, "case.reopened", gettext_lazy("Case %(number)s reopened"), gettext_lazy("%(why)s"),
                      why=why)


def back_to_dispatcher(case: Case, *, actor, why: str, kind: str = EventKind.REOPENED) -> None:
    """The unit is relieved of the case; the dispatcher decides again (returns, repeated failures)."""
    from_state = case.state
    old_unit = case.handling_unit_name
    case.state = S.REGISTERED
    case.handling_department = case.handling_division = None
    case.accepted_at = case.resolved_at = None
    for name in CLOCK_FIELDS:
        setattr(case, name, None)
    save_case(case, ["state", "handling_department", "handling_division", "accepted_at", "resolved_at",
                     *CLOCK_FIELDS])
    log(case, kind, actor=actor, from_state=from_state, note=why,
        public_note=_("Back with the dispatcher, to be sent on again."), data={"from_unit": old_unit})
    notices.tell_approvers(case, "case.redispatch", gettext_lazy("Case %(number)s needs dispatching again"),
                           gettext_lazy("%(why)s"), why=why)


# --- suspension: the clocks paused and restarted ------------------------------------------------

PAUSABLE = (("response", RESPONSE_CLOCK_STATES), ("handling", HANDLING_CLOCK_STATES))


def pause_clocks(case: Case, now) -> list[str]:
    """Stop the clocks of a case being suspended (inside the transition). For each clock running
    in its state it keeps the working time left to the warning and to the deadline, and when it
    was warned or escalated; then clears the clock, so no sweep, queue or colour sees it while the
    case waits. Returns the fields changed."""
    calendar = current_calendar()
    paused = {}
    for name, states in PAUSABLE:
        due = getattr(case, f"{name}_due")
        if case.state not in states or due is None:
            continue
        warn_at = getattr(case, f"{name}_warn_at") or due
        paused[name] = {
            "due_s": max(0, int(calendar.between(now, due).total_seconds())),
            "warn_s": max(0, int(calendar.between(now, warn_at).total_seconds())),
            "warned_at": _iso(getattr(case, f"{name}_warned_at")),
            "escalated_at": _iso(getattr(case, f"{name}_escalated_at")),
        }
    case.suspended_from, case.paused_clocks = case.state, paused
    case.suspended_remaining_s = paused["handling"]["due_s"] if "handling" in paused else None
    for name in CLOCK_FIELDS:
        setattr(case, name, None)
    return ["suspended_from", "paused_clocks", "suspended_remaining_s", *CLOCK_FIELDS]


def resume_clocks(case: Case, now) -> list[str]:
    """Restart the paused clocks from `now` with the working time they had left; a warning or
    escalation already sent stays sent (the same deadline, only later: nobody is told twice)."""
    calendar = current_calendar()
    paused = dict(case.paused_clocks or {})
    if not paused and case.suspended_remaining_s is not None:
        # Suspended before whole clocks were kept: only the handling time left is known.
        clock = start_clock(now, {"amount": case.suspended_remaining_s / 3600, "unit": "hours"})
        paused["handling"] = {"due_s": case.suspended_remaining_s,
                              "warn_s": int(calendar.between(now, clock.warn_at).total_seconds())}
    for name in CLOCK_FIELDS:
        setattr(case, name, None)
    for name, clock in paused.items():
        setattr(case, f"{name}_due", calendar.add_hours(now, clock["due_s"] / 3600))
        setattr(case, f"{name}_warn_at", calendar.add_hours(now, min(clock["warn_s"], clock["due_s"]) / 3600))
        setattr(case, f"{name}_warned_at", _from_iso(clock.get("warned_at")))
        setattr(case, f"{name}_escalated_at", _from_iso(clock.get("escalated_at")))
    case.suspended_from, case.paused_clocks, case.suspended_remaining_s = "", {}, None
    return ["suspended_from", "paused_clocks", "suspended_remaining_s", *CLOCK_FIELDS]


def clear_pause(case: Case) -> list[str]:
    """Forget a suspension's paused clocks (a suspended case voided)."""
    case.suspended_from, case.paused_clocks, case.suspended_remaining_s = "", {}, None
    return ["suspended_from", "paused_clocks", "suspended_remaining_s"]


def paused_hours(case: Case) -> dict[str, float]:
    """Working hours left on each paused clock of a suspended case, for the pages."""
    if case.state != S.SUSPENDED:
        return {}
    paused = case.paused_clocks or {}
    if not paused and case.suspended_remaining_s is not None:
        return {"handling": round(case.suspended_remaining_s / 3600, 1)}
    return {name: round(clock["due_s"] / 3600, 1) for name, clock in paused.items()}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value):
    return dt.datetime.fromisoformat(value) if value else None


@transaction.atomic
def resume_case(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """End a suspension: the case goes back to the state it left, and its clocks run again with
    the working time they had left."""
    case = lock_case(case, expected_version)
    if actor is not None and not (may(actor, case, A.HANDLE) or may(actor, case, A.APPROVE)):
        require(actor, case, A.HANDLE)
    require_state(case, {S.SUSPENDED}, _("resumed"))
    before = snapshot(case)
    back_to = case.suspended_from if case.suspended_from in HELD_STATES else S.IN_PROGRESS
    paused = dict(case.paused_clocks or {})
    fields = resume_clocks(case, timezone.now())
    case.state = back_to
    save_case(case, ["state", *fields])
    data = {name: getattr(case, name).isoformat() for name in ("response_due", "handling_due")
            if getattr(case, name) is not None}
    log(case, EventKind.RESUMED, actor=actor, from_state=S.SUSPENDED, note=note, unit_name=case.handling_unit_name,
        public_note=_("Work resumed."), data=data)
    audit_case(case, "resume", actor=actor, before=before, extra={"paused_clocks": paused})
    return case
