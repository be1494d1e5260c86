"""Points that other apps' announcements earn (gongzhi.core.seams.hooks). Each handler runs inside
the announcer's transaction: it never refuses (an item over its cap awards what is left and records
the rest as capped; a district without a matching active rule awards nothing), and its idempotency
key comes from the announced row, so an announcement made twice posts once."""

import logging

from django.utils import timezone

from gongzhi.core.seams import hooks

from .choices import AwardStatus, Basis, Source
from .models import Award, Rule
from .services import awards
from .services.rules import ensure_defaults

log = logging.getLogger(__name__)


def _rule(community, source: str, basis: str | None = None) -> Rule | None:
    if community is None or not community.district_id:
        return None
    from gongzhi.divisions.models import Division

    ensure_defaults(Division.objects.get(pk=community.district_id))
    rules = Rule.objects.filter(district_id=community.district_id, source=source, active=True)
    if basis is not None:
        rules = rules.filter(basis=basis)
    return rules.order_by("code").first()


def hours_certified(hours, **_payload):
    """Certified volunteer hours of an order or an activity earn the district's per-hour item."""
    if hours.source not in (Source.ORDER, Source.ACTIVITY):
        return None
    rule = _rule(hours.community, hours.source, Basis.HOUR)
    if rule is None:
        return None
    return awards.award_points(actor=None, person=hours.person, rule=rule, occurrence_key=f"hours.{hours.pk}",
                               community=hours.community, occurred_on=hours.served_on, quantity=hours.hours,
                               source_id=hours.pk, automatic=True)


def hours_voided(hours, reason="", **_payload):
    """Voided hours take their points back (a reversal, even into a negative balance: the points
    were never earned)."""
    for award in Award.objects.select_for_update().filter(source_id=hours.pk, key__endswith=f".hours.{hours.pk}",
                                                          status=AwardStatus.AWARDED):
        awards._reverse(None, award, (reason or "hours voided")[:200], allow_debt=True)


def order_closed(order, **_payload):
    """A confirmed and rated order earns each taker the district's per-order item."""
    if getattr(order, "rating", None) in (None, "", 0):
        return None
    rule = _rule(order.community, Source.ORDER, Basis.OCCURRENCE)
    if rule is None:
        return None
    day = timezone.localdate()
    return [awards.award_points(actor=None, person=user, rule=rule, occurrence_key=f"order.{order.pk}.{user.pk}",
                                community=order.community, occurred_on=day, source_id=order.pk, automatic=True)
            for user in list(order.takers)]


def member_registration_confirmed(registration, **_payload):
    """A member's confirmed report-in (双报到) earns the district's report-in item."""
    user = registration.member.user
    if user is None:
        return None
    rule = _rule(registration.community, Source.REPORT_IN)
    if rule is None:
        return None
    day = registration.decided_at.date() if registration.decided_at else timezone.localdate()
    return awards.award_points(actor=None, person=user, rule=rule, occurrence_key=f"report_in.{registration.pk}",
                               community=registration.community, occurred_on=day, source_id=registration.pk,
                               automatic=True)


def summons_checked_in(summons, **_payload):
    """Reporting in on time when the whistle blew (吹哨报到) earns whoever reported in the district's
    whistle item, in the case's community; a late answer earns nothing."""
    from gongzhi.cases.choices import Attendance

    if summons.attendance != Attendance.ON_TIME or summons.checked_in_by_id is None:
        return None
    community = summons.whistle.case.community
    rule = _rule(community, Source.WHISTLE)
    if rule is None:
        return None
    return awards.award_points(actor=None, person=summons.checked_in_by, rule=rule,
                               occurrence_key=f"whistle.{summons.pk}", community=community,
                               occurred_on=timezone.localdate(), source_id=summons.pk, automatic=True)


def connect() -> None:
    hooks.connect("volunteering.hours_certified", hours_certified, key="points.hours_certified")
    hooks.connect("volunteering.hours_voided", hours_voided, key="points.hours_voided")
    hooks.connect("service.order_closed", order_closed, key="points.order_closed")
    hooks.connect("party.member_registration_confirmed", member_registration_confirmed,
                  key="points.member_registration_confirmed")
    hooks.connect("cases.summons_checked_in", summons_checked_in, key="points.summons_checked_in")
