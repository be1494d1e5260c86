"""The organiser certifies each participant's hours (谁组织谁记录、谁记录谁证明) — from their check-in
and check-out, or as the organiser corrects them — and decides the volunteers' correction requests:
accepted, the record is voided and a new one certified in its place; refused, with a reason."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from ..choices import ActivityStatus, CorrectionStatus, HoursSource, HoursStatus, SignUpStatus
from ..models import Activity, Correction, ServiceHours, SignUp
from ..permissions import VolunteeringAction as A
from ..selectors import activities as sel
from ..selectors import hours as hours_sel
from .base import locked, require, tell, text
from .hours import certify_hours, clean_hours, void_hours

CORRECTION_FIELDS = ["hours", "activity", "requested_by", "reason", "proposed_hours", "status", "refusal_reason",
                     "replacement"]
HALF = Decimal("0.5")


def suggested_hours(signup: SignUp) -> Decimal:
    """From check-in to check-out (to the activity's end if they did not check out), to the half
    hour; the activity's length for someone the organiser saw but who never checked in."""
    activity = signup.activity
    start = signup.checked_in_at or activity.starts_at
    end = signup.checked_out_at or activity.ends_at
    start, end = max(start, activity.starts_at - dt.timedelta(minutes=30)), end
    seconds = max((end - start).total_seconds(), 0)
    hours = (Decimal(seconds) / 3600 / HALF).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF
    return min(max(hours, HALF), Decimal("24"))


def certification_key(signup: SignUp) -> str:
    return f"activity.{signup.activity_id}.signup.{signup.pk}"


@transaction.atomic
def certify_signup(*, actor, signup_id, hours=None) -> ServiceHours:
    """Certify one participant's hours; again for the same sign-up returns the same record."""
    seen = scope.check_id(sel.signups_for(actor, A.ORGANISE), signup_id)
    signup = locked(SignUp, seen.pk)
    activity = seen.activity
    if activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED):
        raise DomainError(_("Hours are certified for a published or finished activity."), code="conflict")
    if activity.starts_at > timezone.now():
        raise DomainError(_("This activity has not started yet."))
    if signup.hours_id is not None:
        return signup.hours
    if signup.status != SignUpStatus.CONFIRMED:
        raise DomainError(_("Only someone with a place is certified."), code="conflict")
    amount = clean_hours(hours) if hours not in (None, "") else suggested_hours(signup)
    record = certify_hours(actor=actor, person=signup.person, hours=amount,
                           served_on=timezone.localtime(activity.starts_at).date(), community=activity.community,
                           source=HoursSource.ACTIVITY, source_id=activity.pk, by_group=bool(signup.group_name),
                           group_name=signup.group_name, key=certification_key(signup))
    signup.hours = record
    signup.save(update_fields=["hours"])
    return record


@transaction.atomic
def certify_many(*, actor, activity_id, hours: dict) -> list[ServiceHours]:
    """The roster's certify form: {signup_id: hours} for one activity, all or nothing."""
    activity = scope.check_id(sel.activities_for(actor, action=A.ORGANISE), activity_id)
    ids = list(hours)
    scope.check_ids(activity.signups.all(), ids)
    return [certify_signup(actor=actor, signup_id=pk, hours=hours[pk]) for pk in ids]


# --- corrections ---------------------------------------------------------------------------------


@transaction.atomic
def request_correction(*, actor, hours_id, reason: str, proposed_hours) -> Correction:
    """A volunteer asks the organiser to correct hours certified for them at an activity."""
    require(actor, A.SERVE)
    record = scope.check_id(hours_sel.my_hours(actor), hours_id)
    if record.status != HoursStatus.CERTIFIED:
        raise DomainError(_("These hours were voided; there is nothing to correct."), code="conflict")
    if record.source != HoursSource.ACTIVITY or record.source_id is None:
        raise DomainError(_("Ask the community that certified these hours to correct them."))
    proposed = clean_hours(proposed_hours)
    if proposed == record.hours:
        raise DomainError(_("Propose hours other than those certified."))
    activity = Activity.objects.get(pk=record.source_id)
    correction = Correction(hours=record, activity=activity, requested_by=actor,
                            reason=text(reason, _("Reason"), max_length=500), proposed_hours=proposed)
    try:
        with transaction.atomic():
            correction.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("A correction of these hours is already waiting."), code="duplicate") from None
    audit.record(actor=actor, action="volunteering.correction_request", obj=correction, division=record.community,
                 after=audit.snapshot(correction, CORRECTION_FIELDS))
    tell([activity.organiser], verb="volunteering.correction_requested",
         title=_l("%(person)s asks to correct their hours at %(title)s"),
         values={"person": str(actor), "title": activity.title}, subject=activity,
         url=f"/volunteering/desk/corrections/{correction.pk}/")
    return correction


def _open(actor, correction_id) -> Correction:
    seen = scope.check_id(sel.corrections_for(actor, action=A.ORGANISE), correction_id)
    correction = locked(Correction, seen.pk)
    if correction.status != CorrectionStatus.OPEN:
        raise DomainError(_("This correction was already decided."), code="conflict")
    return correction


@transaction.atomic
def accept_correction(*, actor, correction_id) -> Correction:
    """Void the certified record and certify the proposed hours in its place (naming it)."""
    correction = _open(actor, correction_id)
    before = audit.snapshot(correction, CORRECTION_FIELDS)
    old = correction.hours
    void_hours(actor=actor, hours=old, reason=correction.reason)
    old.refresh_from_db()
    new = certify_hours(actor=actor, person=old.person, hours=correction.proposed_hours, served_on=old.served_on,
                        community=old.community, source=old.source, source_id=old.source_id, by_group=old.by_group,
                        group_name=old.group_name, key=f"correction.{correction.pk}", replaces=old)
    SignUp.objects.filter(hours=old).update(hours=new)
    correction.status, correction.replacement = CorrectionStatus.ACCEPTED, new
    correction.decided_by, correction.decided_at = actor, timezone.now()
    correction.save(update_fields=["status", "replacement", "decided_by", "decided_at"])
    audit.record(actor=actor, action="volunteering.correction_accept", obj=correction, division=old.community,
                 before=before, after=audit.snapshot(correction, CORRECTION_FIELDS))
    tell([correction.requested_by], verb="volunteering.correction_accepted",
         title=_l("Your hours at %(title)s were corrected to %(hours)s"),
         values={"title": correction.activity.title, "hours": new.hours}, subject=correction.activity,
         url="/volunteering/hours/")
    return correction


@transaction.atomic
def refuse_correction(*, actor, correction_id, reason: str) -> Correction:
    correction = _open(actor, correction_id)
    before = audit.snapshot(correction, CORRECTION_FIELDS)
    reason = text(reason, _("Reason"))
    correction.status, correction.refusal_reason = CorrectionStatus.REFUSED, reason
    correction.decided_by, correction.decided_at = actor, timezone.now()
    correction.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="volunteering.correction_refuse", obj=correction,
                 division=correction.activity.community, before=before,
                 after=audit.snapshot(correction, CORRECTION_FIELDS), reason=reason)
    tell([correction.requested_by], verb="volunteering.correction_refused",
         title=_l("Your correction at %(title)s was refused"), body=_l("Reason: %(reason)s"),
         values={"title": correction.activity.title, "reason": reason}, subject=correction.activity,
         url="/volunteering/hours/")
    return correction
