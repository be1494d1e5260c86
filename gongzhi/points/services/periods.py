"""The half-yearly publication (公示): the district publishes each person's points, pass or fail
against the pass mark and their service hours this year against the minimum; anyone listed may
appeal within the window (working days); the district upholds (a correcting posting) or rejects
with a reason; then the period is final and feeds the member review (selectors.member_points)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.workdays.calendar import is_workday

from .. import selectors as sel
from ..choices import AppealStatus, AwardStatus, PeriodStatus
from ..models import Appeal, Award, Period, Standing
from ..permissions import PointsAction as A
from . import awards
from .common import amount, required, text, whole
from .rules import ensure_defaults

PERIOD_FIELDS = ["district", "year", "half", "status", "pass_mark", "appeal_until"]
APPEAL_FIELDS = ["status", "correction", "decision_reason"]


def add_working_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def hours_by_user(user_ids, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Service hours between `start` and `end`: a party member's from the party's provider (the
    volunteering app's certified hours once it registers, and the party's own service record);
    anyone else's from certified volunteer hours, when that app keeps them."""
    from gongzhi.party.models import Member
    from gongzhi.party.seams.registrations import service_hours

    user_ids = list(user_ids)
    members = dict(Member.objects.filter(user_id__in=user_ids).values_list("pk", "user_id"))
    out = {uid: Decimal(0) for uid in user_ids}
    for member_id, (hours, _n) in service_hours(list(members), start, end).items():
        out[members[member_id]] += Decimal(hours)
    others = [uid for uid in user_ids if uid not in set(members.values())]
    try:
        from django.db.models import Sum

        from gongzhi.volunteering.models import ServiceHours

        rows = (ServiceHours.objects.filter(person_id__in=others, status="certified", served_on__range=(start, end))
                .values_list("person_id").annotate(h=Sum("hours")).order_by())
        for uid, hours in rows:
            out[uid] += Decimal(hours or 0)
    except (ImportError, LookupError):
        pass
    return out


@transaction.atomic
def publish_period(*, actor, district_id, year: int, half: int) -> Period:
    """Publish a district's half-year once it is over: a standing for everyone awarded points in it."""
    if not scope.may(actor, A.PUBLISH):
        raise PermissionDenied(_("You may not do this."))
    district = scope.check_id(sel.districts_for(actor, A.PUBLISH), required(district_id, _("a district")))
    year, half = whole(year, _("Year")), whole(half, _("Half-year"))
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise DomainError(_("Choose a year and a half-year."))
    scheme, _n = ensure_defaults(district)
    period = Period(district=district, city_id=district.city_id, year=year, half=half, pass_mark=scheme.pass_mark,
                    service_minimum_hours=scheme.service_minimum_hours, published_by=actor)
    if period.end >= timezone.localdate():
        raise DomainError(_("A half-year can be published only after it has ended."))
    if Period.objects.filter(district=district, year=year, half=half).exists():
        raise DomainError(_("This half-year is already published."), code="duplicate")
    period.appeal_until = add_working_days(timezone.localdate(), scheme.appeal_days)
    try:
        with transaction.atomic():
            period.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("This half-year is already published."), code="duplicate") from None
    awarded = Award.objects.filter(district=district, status=AwardStatus.AWARDED,
                                   occurred_on__range=(period.start, period.end))
    totals = sel.points_between(awarded.values_list("person_id", flat=True).distinct(), period.start, period.end,
                                district_id=district.pk)
    latest = dict(awarded.values_list("person_id").annotate(last=Max("id")).order_by())
    sites = {a.person_id: a for a in Award.objects.filter(pk__in=latest.values())}
    hours = hours_by_user(totals, dt.date(year, 1, 1), period.end)
    rows = []
    for person_id, points in totals.items():
        row = Standing(period=period, person_id=person_id, points=points, hours=hours.get(person_id, 0),
                       passed=points >= period.pass_mark,
                       hours_met=hours.get(person_id, 0) >= period.service_minimum_hours)
        site = sites[person_id]
        row.city_id, row.district_id, row.street_id, row.community_id = (site.city_id, site.district_id,
                                                                         site.street_id, site.community_id)
        rows.append(row)
    Standing.objects.bulk_create(rows)
    audit.record(actor=actor, action="points.period_publish", obj=period, division=district,
                 after={**audit.snapshot(period, PERIOD_FIELDS), "standings": len(rows)})
    return period


@transaction.atomic
def file_appeal(*, actor, standing_id, reason: str) -> Appeal:
    """The person listed appeals their standing while the window is open (one open appeal each)."""
    standing = scope.check_id(Standing.objects.filter(person=actor).select_related("period"), standing_id)
    reason = text(reason, _("Reason"), limit=1000)
    period = Period.objects.select_for_update().get(pk=standing.period_id)
    if period.status != PeriodStatus.PUBLISHED or timezone.localdate() > period.appeal_until:
        raise DomainError(_("The appeal window of this publication has closed."), code="conflict")
    if Appeal.objects.filter(standing=standing, status=AppealStatus.FILED).exists():
        raise DomainError(_("You already have an appeal waiting on this result."), code="duplicate")
    appeal = Appeal(standing=standing, person=actor, reason=reason)
    appeal.city_id, appeal.district_id = standing.city_id, standing.district_id
    appeal.street_id, appeal.community_id = standing.street_id, standing.community_id
    appeal.save(force_insert=True)
    audit.record(actor=actor, action="points.appeal", obj=appeal, division=standing.community,
                 after={"standing": standing.pk, "reason": reason})
    return appeal


@transaction.atomic
def decide_appeal(*, actor, appeal_id, uphold: bool, reason: str, correction=None) -> Appeal:
    """Uphold (with a correction in points, posted to the ledger and applied to the standing) or
    reject, saying why in both cases."""
    if not scope.may(actor, A.PUBLISH):
        raise PermissionDenied(_("You may not do this."))
    seen = scope.check_id(sel.decidable_appeals(actor), appeal_id)
    appeal = (Appeal.objects.select_for_update(of=("self",)).select_related("standing", "standing__period")
              .get(pk=seen.pk))
    reason = text(reason, _("Reason"), limit=500)
    if appeal.status != AppealStatus.FILED:
        raise DomainError(_("This appeal was already decided: %(status)s.") % {"status": appeal.get_status_display()},
                          code="conflict")
    if appeal.standing.period.status != PeriodStatus.PUBLISHED:
        raise DomainError(_("This publication is final."), code="conflict")
    before = audit.snapshot(appeal, APPEAL_FIELDS)
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    appeal.decision_reason, appeal.decided_by, appeal.decided_at = reason, actor, timezone.now()
    if uphold:
        points = amount(correction, _("Correction"), allow_negative=True)
        standing = Standing.objects.select_for_update(of=("self",)).select_related("period", "person", "community").get(
            pk=appeal.standing_id)
        appeal.correction = points
        appeal.award = awards.correct(actor=actor, standing=standing, points=points, reason=reason,
                                      key=f"points.appeal.{appeal.pk}")
        standing.points += points
        standing.passed = standing.points >= standing.period.pass_mark
        standing.save(update_fields=["points", "passed"])
    appeal.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "correction", "award"])
    audit.record(actor=actor, action="points.appeal_decide", obj=appeal, division=appeal.community, before=before,
                 after=audit.snapshot(appeal, APPEAL_FIELDS), reason=reason)
    return appeal


@transaction.atomic
def finalise_period(*, actor, period_id) -> Period:
    """Close the publication once the window has passed and every appeal is decided."""
    if not scope.may(actor, A.PUBLISH):
        raise PermissionDenied(_("You may not do this."))
    seen = scope.check_id(sel.periods_for(actor).filter(pk__in=_publishable(actor)), period_id)
    period = Period.objects.select_for_update().get(pk=seen.pk)
    if period.status != PeriodStatus.PUBLISHED:
        raise DomainError(_("This publication is already final."), code="conflict")
    if timezone.localdate() <= period.appeal_until:
        raise DomainError(_("The appeal window is open until %(day)s.") % {"day": period.appeal_until},
                          code="conflict")
    if Appeal.objects.filter(standing__period=period, status=AppealStatus.FILED).exists():
        raise DomainError(_("Decide the appeals still waiting first."), code="conflict")
    period.status, period.finalised_at = PeriodStatus.FINAL, timezone.now()
    period.save(update_fields=["status", "finalised_at"])
    audit.record(actor=actor, action="points.period_final", obj=period, division=period.district,
                 before={"status": PeriodStatus.PUBLISHED}, after={"status": PeriodStatus.FINAL})
    return period


def _publishable(actor):
    return scope.restrict(Period.objects.all(), actor, A.PUBLISH).values("pk")
