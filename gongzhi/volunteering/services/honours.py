"""The honour list (光荣榜): a community's volunteers of a year by certified hours, published on
notice (公示) for some working days before it is final; withdrawn with a reason, never deleted.
Certificates of a person's hours, each with a verification number."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.workdays.calendar import add_working_time

from .. import conf
from ..models import Certificate, HonourEntry, HonourList
from ..permissions import VolunteeringAction as A
from ..selectors import honours as honour_sel
from ..selectors import hours as hours_sel
from ..selectors import volunteers as vol_sel
from .base import locked, require, text

FIELDS = ["community", "year", "notice_ends_on", "withdrawn_at", "withdraw_reason"]
MAX_ENTRIES = 200


def notice_end(start: dt.datetime) -> dt.date:
    """The last working day of the notice period that starts the working day after `start`."""
    return add_working_time(start, conf.honour_notice_days(), "days").date()


@transaction.atomic
def publish_honour_list(*, actor, community_id, year, top: int = 50) -> HonourList:
    require(actor, A.MANAGE)
    community = scope.check_id(vol_sel.managed_communities(actor), community_id)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("Give a year.")) from None
    if not 2000 <= year <= timezone.localdate().year:
        raise DomainError(_("An honour list is for a year that has begun."))
    top = max(1, min(int(top or 50), MAX_ENTRIES))
    totals = hours_sel.year_totals(community, year)[:top]
    if not totals:
        raise DomainError(_("No hours were certified in this community that year."))
    now = timezone.now()
    honour = HonourList(year=year, published_at=now, published_by=actor, notice_ends_on=notice_end(now))
    honour.site_in(community)
    try:
        with transaction.atomic():
            honour.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("This community's honour list for that year is already published."),
                          code="duplicate") from None
    HonourEntry.objects.bulk_create(
        HonourEntry(honour_list=honour, person_id=row["person_id"], rank=i,
                    name=row["person__display_name"] or row["person__username"], hours=row["hours"],
                    stars=hours_sel.total_of(row["person_id"]).stars)
        for i, row in enumerate(totals, start=1))
    audit.record(actor=actor, action="volunteering.honour_publish", obj=honour, division=community,
                 after={**audit.snapshot(honour, FIELDS), "entries": len(totals)})
    return honour


@transaction.atomic
def withdraw_honour_list(*, actor, honour_list_id, reason: str) -> HonourList:
    """Take a list back (an objection during the notice upheld): it stays, marked withdrawn; a
    corrected list can then be published."""
    seen = scope.check_id(honour_sel.honour_lists_for(actor, action=A.MANAGE), honour_list_id)
    honour = locked(HonourList, seen.pk)
    if honour.withdrawn_at is not None:
        raise DomainError(_("This honour list was already withdrawn."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(honour, FIELDS)
    honour.withdrawn_at, honour.withdraw_reason = timezone.now(), reason
    honour.save(update_fields=["withdrawn_at", "withdraw_reason"])
    audit.record(actor=actor, action="volunteering.honour_withdraw", obj=honour, division=honour.community,
                 before=before, after=audit.snapshot(honour, FIELDS), reason=reason)
    return honour


@transaction.atomic
def issue_certificate(*, actor) -> Certificate:
    """A certificate of the actor's certified hours. Asked again with nothing new certified, the
    same certificate (and number) comes back."""
    require(actor, A.SERVE)
    standing = hours_sel.total_of(actor)
    if standing.hours <= 0:
        raise DomainError(_("No hours are certified for you yet."))
    last = Certificate.objects.filter(person=actor).order_by("-issued_at", "-id").first()
    if last is not None and last.hours == standing.hours and last.records == standing.records:
        return last
    cert = Certificate(number=f"ZY{timezone.localdate():%Y}{secrets.token_hex(5).upper()}", person=actor,
                       name=str(actor), hours=standing.hours, records=standing.records, stars=standing.stars)
    cert.save(force_insert=True)
    audit.record(actor=actor, action="volunteering.certificate_issue", obj=cert,
                 after={"number": cert.number, "hours": str(cert.hours), "records": cert.records})
    return cert
