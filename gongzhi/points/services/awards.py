"""Awards: points posted to a person's ledger account from the points source, under a rule of the
district where the service was done, with an idempotency key; the rule's cap per person and period
enforced under a lock on the person's account; corrected only by a reversal with a reason.

A manual award over the cap is refused with the reason; an automatic one (a hook inside another
app's transaction) must not fail that transaction, so it awards what is left under the cap and
records the rest as capped."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, ledger, scope
from gongzhi.core.errors import DomainError
from gongzhi.core.models import LedgerAccount

from .. import selectors as sel
from ..choices import AwardKind, AwardStatus, Basis, Evidence, Source
from ..models import Award, Rule
from ..permissions import PointsAction as A
from .common import CENT, KIND, client_key, person_account, text

AWARD_FIELDS = ["person", "rule", "points", "capped", "occurred_on", "source", "source_id", "status", "community"]
AWARD_MEMO = "points.award"
CORRECTION_MEMO = "points.correction"


def _cap_room(rule: Rule, person, day: dt.date) -> Decimal | None:
    """How many points the rule may still award the person in the cap's period (None: no cap)."""
    if rule.cap is None:
        return None
    from .common import cap_window

    start, end = cap_window(rule.cap_period, day)
    taken = (Award.objects.filter(person=person, rule=rule, status=AwardStatus.AWARDED,
                                  occurred_on__range=(start, end)).aggregate(s=Sum("points"))["s"] or Decimal(0))
    return max(rule.cap - Decimal(taken), Decimal(0))


def _existing(key: str, person, rule) -> Award | None:
    award = Award.objects.filter(key=key).first()
    if award is not None and (award.person_id != person.pk or award.rule_id != getattr(rule, "pk", None)):
        raise DomainError(_("This key was already used for a different award."), code="conflict")
    return award


def award_points(*, actor, person, rule: Rule, occurrence_key: str, community, occurred_on: dt.date,
                 quantity: Decimal | int = 1, evidence: str = "", reason: str = "", source_id=None,
                 automatic: bool = False) -> Award:
    """Award `rule`'s points (× `quantity` hours for a rule counted per hour) to `person` for one
    occurrence. The same `occurrence_key` again returns the first award and posts nothing."""
    key = f"points.{rule.pk}.{occurrence_key}"[:100]
    try:
        with transaction.atomic():
            return _award(actor, person, rule, key, community, occurred_on, quantity, evidence, reason, source_id,
                          automatic)
    except IntegrityError:
        # A racing call with the same key won: answer with its award.
        existing = _existing(key, person, rule)
        if existing is None:
            raise
        return existing


def _award(actor, person, rule, key, community, occurred_on, quantity, evidence, reason, source_id, automatic):
    existing = _existing(key, person, rule)
    if existing is not None:
        return existing
    account = person_account(person)
    # One award at a time per person: the cap is counted and taken under this lock.
    LedgerAccount.objects.select_for_update().filter(pk=account.pk).first()
    existing = _existing(key, person, rule)
    if existing is not None:
        return existing
    if not rule.active:
        raise DomainError(_("This points item is no longer in use."))
    if community.district_id != rule.district_id:
        raise DomainError(_("This points item belongs to another district."))
    points = (rule.points * Decimal(quantity) if rule.basis == Basis.HOUR else rule.points).quantize(CENT)
    room = _cap_room(rule, person, occurred_on)
    capped = Decimal(0)
    if room is not None and points > room:
        if not automatic:
            raise DomainError(
                _("%(name)s has reached the cap of %(item)s: %(room)s of %(cap)s points are left in this period.")
                % {"name": str(person), "item": rule.name, "room": room,
                   "cap": rule.cap}, code="capped")
        capped, points = points - room, room
    award = Award(key=key, kind=AwardKind.RULE, rule=rule, person=person, points=points, capped=capped,
                  occurred_on=occurred_on, source=rule.source, source_id=source_id, evidence=evidence,
                  reason=reason, awarded_by=actor if getattr(actor, "is_authenticated", False) else None,
                  status=AwardStatus.AWARDED if points > 0 else AwardStatus.CAPPED)
    award.site(community)
    if points > 0:
        source = ledger.source_account(KIND)
        award.posting = ledger.post(
            actor=actor, key=key, lines=[(source, -points), (account, points)], memo_code=AWARD_MEMO,
            memo_params={"item": rule.name, "code": rule.code, "on": occurred_on.isoformat()},
            reason=reason, allow_negative=[source], division=community)
    award.save(force_insert=True)
    audit.record(actor=actor, action="points.award" if points > 0 else "points.capped", obj=award,
                 division=community, after=audit.snapshot(award, AWARD_FIELDS), reason=reason)
    return award


def award_by_hand(*, actor, person_id, rule_id, community_id, occurred_on: dt.date | None = None,
                  evidence: str = "", reason: str = "", idempotency_key: str) -> Award:
    """The desk awards points by hand under a manual rule of the district, to a person of one of its
    communities, with the evidence the rule asks for. Every id is checked against the actor's scope."""
    if not scope.may(actor, A.AWARD):
        raise PermissionDenied(_("You may not do this."))
    key = client_key(actor, idempotency_key, "manual")
    community = scope.check_id(sel.communities_for(actor, A.AWARD), community_id)
    rule = scope.check_id(sel.rules_for(actor, A.AWARD, district=community.district, active=True)
                          .filter(source=Source.MANUAL), rule_id)
    person = scope.check_id(sel.awardable_people(actor, community), person_id)
    if rule.awarders and not _holds_awarder_role(actor, rule, community):
        raise PermissionDenied(_("Your role may not award this item."))
    reason = text(reason, _("Reason"), required=False)
    evidence = text(evidence, _("Evidence"), required=rule.evidence != Evidence.NONE, limit=1000)
    day = occurred_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."))
    return award_points(actor=actor, person=person, rule=rule, occurrence_key=key, community=community,
                        occurred_on=day, evidence=evidence, reason=reason)


def _holds_awarder_role(actor, rule, community) -> bool:
    if scope.is_global(actor):
        return True
    for assignment in scope.assignments(actor):
        if (assignment.role in rule.awarders and scope.holds(assignment, A.AWARD)
                and any(scope.subtree_contains(top, community) for top in scope.anchors(assignment))):
            return True
    return False


def reverse_award(*, actor, award_id, reason: str, allow_debt: bool = False) -> Award:
    """Undo an award with a reversal on the ledger (the award stays, marked reversed, with why)."""
    if actor is not None and not scope.may(actor, A.AWARD):
        raise PermissionDenied(_("You may not do this."))
    with transaction.atomic():
        if actor is not None:
            seen = scope.check_id(sel.awards_for(actor, A.AWARD), award_id)
        else:
            seen = Award.objects.get(pk=award_id)
        reason = text(reason, _("Reason"))
        award = Award.objects.select_for_update().get(pk=seen.pk)
        return _reverse(actor, award, reason, allow_debt)


def _reverse(actor, award: Award, reason: str, allow_debt: bool) -> Award:
    if award.status != AwardStatus.AWARDED or award.posting_id is None:
        raise DomainError(_("Only an award that posted points can be reversed (this one is: %(status)s).")
                          % {"status": award.get_status_display()}, code="conflict")
    account = person_account(award.person)
    allow = [ledger.source_account(KIND)] + ([account] if allow_debt else [])
    try:
        award.reversal = ledger.reverse(actor=actor, transaction_or_id=award.posting_id, reason=reason,
                                        key=f"points.reverse.{award.pk}", allow_negative=allow,
                                        division=award.community)
    except DomainError as exc:
        if exc.code == "insufficient":
            raise DomainError(_("The person has already spent these points; the award cannot be reversed "
                                "without a negative balance."), code="insufficient") from None
        raise
    before = audit.snapshot(award, AWARD_FIELDS)
    award.status, award.reverse_reason = AwardStatus.REVERSED, reason
    award.save(update_fields=["status", "reverse_reason", "reversal"])
    audit.record(actor=actor, action="points.award_reverse", obj=award, division=award.community, before=before,
                 after=audit.snapshot(award, AWARD_FIELDS), reason=reason)
    return award


def correct(*, actor, standing, points: Decimal, reason: str, key: str) -> Award:
    """A correcting award after an upheld appeal: positive adds, negative takes back."""
    community = standing.community
    account = person_account(standing.person)
    source = ledger.source_account(KIND)
    award = Award(key=key, kind=AwardKind.CORRECTION, person=standing.person, points=points,
                  occurred_on=standing.period.end, source=Source.MANUAL, reason=reason[:200],
                  awarded_by=actor, status=AwardStatus.AWARDED)
    award.city_id, award.district_id = standing.city_id, standing.district_id
    award.street_id, award.community_id = standing.street_id, standing.community_id
    award.posting = ledger.post(actor=actor, key=key, lines=[(source, -points), (account, points)],
                                memo_code=CORRECTION_MEMO, memo_params={"period": str(standing.period)},
                                reason=reason, allow_negative=[source, account], division=community)
    award.save(force_insert=True)
    audit.record(actor=actor, action="points.correction", obj=award, division=community,
                 after=audit.snapshot(award, AWARD_FIELDS), reason=reason)
    return award
