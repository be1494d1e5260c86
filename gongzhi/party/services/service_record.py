"""The service record of reported-in members, written: what a member did in the community (voided
with a reason, never deleted), and each quarter's feedback cards (服务反馈单) sent to the organisation
holding the member's relation, acknowledged there; the cards as a spreadsheet."""

import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.registry.spreadsheets.writer import XlsxWriter

from .. import periods
from ..choices import CardStatus, Evaluation
from ..models import FeedbackCard, Member, ServiceEntry
from ..permissions import PartyAction
from ..seams.registrations import service_hours
from ..selectors import registrations as sel
from .registrations import locked, text

A = PartyAction
ENTRY_FIELDS = ["member", "community", "served_on", "activity", "hours", "voided_at", "void_reason"]
CARD_FIELDS = ["member", "community", "organisation", "period_start", "period_end", "hours", "activities",
               "evaluation", "comment", "status"]


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Hours must be a number.")) from None
    if not Decimal("0") < hours <= Decimal("24"):
        raise DomainError(_("Hours must be more than 0 and at most 24 a day."))
    return hours


def keep_last_served(member_id: int | None = None) -> None:
    """Member.last_served_on: the day of their latest entry not voided (one member, or every member
    after a bulk load)."""
    latest = (ServiceEntry.objects.filter(member=OuterRef("pk"), voided_at__isnull=True)
              .order_by("-served_on").values("served_on")[:1])
    members = Member.objects.filter(pk=member_id) if member_id else Member.objects.filter(
        last_served_on__isnull=True, pk__in=ServiceEntry.objects.values("member_id"))
    members.update(last_served_on=Subquery(latest))


@transaction.atomic
def record_service(*, actor, member_id, community_id, served_on: dt.date, activity: str, hours) -> ServiceEntry:
    """The community records what a member reported in there did (PartyAction.CONFIRM)."""
    member = scope.check_id(sel.serviceable_members(actor), member_id)
    community = scope.check_id(sel.desk_communities(actor), community_id)
    if served_on is None or served_on > timezone.localdate():
        raise DomainError(_("The date of the service cannot be in the future."))
    entry = ServiceEntry.objects.create(member=member, community=community, served_on=served_on,
                                        activity=text(activity, _("Activity")), hours=_hours(hours),
                                        recorded_by=actor)
    keep_last_served(member.pk)
    audit.record(actor=actor, action="party.service_record", obj=entry, division=community,
                 after=audit.snapshot(entry, ENTRY_FIELDS))
    return entry


@transaction.atomic
def void_service(*, actor, entry_id, reason: str) -> ServiceEntry:
    """An entry recorded in error is voided with a reason (it stays in the record)."""
    seen = scope.check_id(sel.service_entries_for(actor, include_voided=True), entry_id)
    if not sel.desk_communities(actor).filter(pk=seen.community_id).exists():
        raise PermissionDenied(_("You may not do this here."))
    entry = locked(ServiceEntry, seen.pk)
    if entry.voided_at is not None:
        raise DomainError(_("This entry was already voided."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(entry, ENTRY_FIELDS)
    entry.voided_at, entry.void_reason = timezone.now(), reason
    entry.save(update_fields=["voided_at", "void_reason"])
    keep_last_served(entry.member_id)
    audit.record(actor=actor, action="party.service_void", obj=entry, division=entry.community, before=before,
                 after=audit.snapshot(entry, ENTRY_FIELDS), reason=reason)
    return entry


def default_evaluation(hours: Decimal, activities: int) -> str:
    """The evaluation a card gets unless the community chooses one: by the hours served in the
    quarter."""
    if hours >= 12:
        return Evaluation.EXCELLENT
    if hours >= 6:
        return Evaluation.GOOD
    if hours > 0 or activities:
        return Evaluation.FAIR
    return Evaluation.POOR


@transaction.atomic
def issue_feedback_cards(*, actor, community_id, period_start: dt.date | None = None,
                         evaluations: dict | None = None, comments: dict | None = None) -> list[FeedbackCard]:
    """One card per member confirmed in the community in the period (the last complete feedback
    period by default) who has none yet: hours and activities from the service record, the
    evaluation the community chose for the member (by member id) or the default from the hours;
    sent to the organisation holding the member's relation."""
    community = scope.check_id(sel.desk_communities(actor), community_id)
    policy = sel.current_policy()
    try:
        period = (periods.period_starting(period_start, policy.feedback_months) if period_start
                  else sel.feedback_period_due(policy=policy))
    except ValueError:
        raise DomainError(_("No feedback period begins on %(day)s.") % {"day": period_start}) from None
    if period.start > timezone.localdate():
        raise DomainError(_("Cards are sent for a period that has begun."))
    evaluations = {int(k): v for k, v in (evaluations or {}).items()}
    comments = {int(k): v for k, v in (comments or {}).items()}
    for value in evaluations.values():
        if value and value not in Evaluation.values:
            raise DomainError(_("Unknown evaluation: %(value)s") % {"value": value})
    members = sel.cards_due(actor, community, period)
    if not members:
        raise DomainError(_("Every member confirmed here in this period already has a card."), code="conflict")
    figures = service_hours([m.pk for m in members], period.start, period.end)
    now = timezone.now()
    cards = []
    for m in members:
        hours, activities = figures.get(m.pk, (Decimal("0"), 0))
        cards.append(FeedbackCard(
            member=m, community=community, organisation_id=m.organisation_id, period_start=period.start,
            period_end=period.end, hours=hours, activities=activities,
            evaluation=evaluations.get(m.pk) or default_evaluation(hours, activities),
            comment=text(comments.get(m.pk, ""), _("Comment"), required=False, limit=500),
            issued_at=now, issued_by=actor))
    try:
        with transaction.atomic():
            FeedbackCard.objects.bulk_create(cards)
    except IntegrityError:
        raise DomainError(_("Someone else sent these cards meanwhile. Reload and try again."), code="stale") from None
    audit.record(actor=actor, action="party.cards_issue", obj=community, division=community,
                 after={"period_start": period.start.isoformat(), "cards": len(cards),
                        "members": [m.pk for m in members]})
    return cards


@transaction.atomic
def acknowledge_card(*, actor, card_id) -> FeedbackCard:
    """The organisation a card was sent to acknowledges it (its secretary, or a unit's)."""
    seen = scope.check_id(sel.feedback_cards_for(actor), card_id)
    if not sel.acknowledgeable_cards(actor).filter(pk=seen.pk).exists():
        raise PermissionDenied(_("Only the organisation the card was sent to acknowledges it."))
    card = locked(FeedbackCard, seen.pk)
    if card.status == CardStatus.ACKNOWLEDGED:
        raise DomainError(_("This card was already acknowledged."), code="conflict")
    before = audit.snapshot(card, CARD_FIELDS)
    card.status, card.acknowledged_at = CardStatus.ACKNOWLEDGED, timezone.now()
    card.save(update_fields=["status", "acknowledged_at"])
    audit.record(actor=actor, action="party.card_acknowledge", obj=card, division=card.community, before=before,
                 after=audit.snapshot(card, CARD_FIELDS))
    return card


CARD_HEADERS = ["党员姓名", "所在党组织", "报到社区", "期间起", "期间止", "服务时长（小时）", "参加活动（次）", "评价",
                "社区意见", "状态", "发送时间"]
EVALUATION_ZH = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
STATUS_ZH = {"sent": "已发送", "acknowledged": "已签收"}


def export_cards(*, actor, cards) -> bytes:
    """The cards (already read in the actor's scope) as an .xlsx sheet with Chinese headers; the
    export is audited (it names members)."""
    if not scope.may(actor, A.EXPORT):
        raise PermissionDenied(_("You may not export party members."))
    from ..selectors.reading import as_read_by

    out = io.BytesIO()
    rows = as_read_by(actor, cards)
    with XlsxWriter(out, "服务反馈单", [12, 26, 14, 12, 12, 14, 14, 8, 30, 8, 18]) as sheet:
        sheet.header(CARD_HEADERS)
        for c in rows:
            sheet.append([c.member.name, c.organisation.name, c.community.name, c.period_start, c.period_end,
                          float(c.hours), c.activities, EVALUATION_ZH.get(c.evaluation, c.evaluation), c.comment,
                          STATUS_ZH.get(c.status, c.status),
                          timezone.localtime(c.issued_at).strftime("%Y-%m-%d %H:%M")])
    with transaction.atomic():
        audit.record(actor=actor, action="party.cards_export", obj=actor, after={"cards": len(rows)})
    return out.getvalue()
