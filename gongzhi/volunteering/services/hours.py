"""Certified service hours: the one place they are written (谁组织谁记录、谁记录谁证明).

`certify_hours` and `void_hours` are called by the services that know who served — an activity's
organiser (gongzhi.volunteering.services.activities), a confirmed service order (gongzhi.service) —
which have already checked the actor's scope over what they certify. Both announce what happened
inside the transaction, so the points and the love bank post to the ledger with it or not at all."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError
from gongzhi.core.seams import hooks
from gongzhi.divisions.choices import Level

from ..choices import HoursSource, HoursStatus
from ..models import ServiceHours

FIELDS = ["person", "hours", "served_on", "community", "source", "source_id", "by_group", "group_name", "status",
          "certified_by", "void_reason", "replaces"]
MAX_HOURS = Decimal("24")


def clean_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Hours must be a number.")) from None
    if not Decimal("0") < hours <= MAX_HOURS:
        raise DomainError(_("Hours must be more than 0 and at most 24 a day."))
    return hours


def certify_hours(*, actor, person, hours, served_on, community, source, source_id=None, by_group=False,
                  group_name="", key: str, replaces: ServiceHours | None = None) -> ServiceHours:
    """Certify `hours` of service by `person`; the same `key` again returns the same record and
    changes nothing."""
    if not key:
        raise ValueError("certify_hours needs an idempotency key")
    existing = ServiceHours.objects.filter(key=key).first()
    if existing is not None:
        return existing
    hours = clean_hours(hours)
    if source not in HoursSource.values:
        raise DomainError(_("Unknown source of hours."))
    if community is None or community.level != Level.COMMUNITY:
        raise DomainError(_("Hours are certified in a community."))
    if served_on is None or served_on > timezone.localdate():
        raise DomainError(_("The date of the service cannot be in the future."))
    try:
        with transaction.atomic():
            record = ServiceHours(person=person, hours=hours, served_on=served_on, source=source,
                                  source_id=source_id, by_group=bool(by_group), group_name=(group_name or "")[:100],
                                  certified_by=actor if getattr(actor, "is_authenticated", False) else None,
                                  certified_at=timezone.now(), replaces=replaces, key=key[:120])
            record.site_in(community)
            record.save(force_insert=True)
            audit.record(actor=actor, action="volunteering.hours_certify", obj=record, division=community,
                         after=audit.snapshot(record, FIELDS))
            hooks.announce("volunteering.hours_certified", hours=record)
    except IntegrityError:
        # The same key, certified at the same moment by another request: that record is the answer.
        existing = ServiceHours.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing
    return record


@transaction.atomic
def void_hours(*, actor, hours: ServiceHours, reason: str) -> ServiceHours:
    """Void a certified record, with a reason; it stays, marked voided."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."))
    record = ServiceHours.objects.select_for_update(of=("self",)).get(pk=hours.pk)
    if record.status == HoursStatus.VOIDED:
        raise DomainError(_("These hours were already voided."), code="conflict")
    before = audit.snapshot(record, FIELDS)
    record.status = HoursStatus.VOIDED
    record.void_reason = reason[:200]
    record.voided_at = timezone.now()
    record.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    record.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    audit.record(actor=actor, action="volunteering.hours_void", obj=record, division=record.community,
                 before=before, after=audit.snapshot(record, FIELDS), reason=reason)
    hooks.announce("volunteering.hours_voided", hours=record, reason=reason)
    return record
