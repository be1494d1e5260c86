"""Exchanges (兑换服务): help drawn with credits.

requested ─offer→ offered ─done→ done ─both confirm→ completed
    │                │            │
    └─cancel→ cancelled ←─────────┘ (requester, before done)   offered/done ─dispute→ disputed
                                                                disputed ─resolve (staff)→ completed | cancelled

Credits move once, when the exchange completes: the requester pays `credits` from their account
to the provider's. The provider's payment IS their reward for this help — an exchange is never
also certified as volunteer hours (gongzhi.volunteering), so the same hour is not banked twice.
Every transition names the version it was read at; a stale or illegal one is refused."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, ledger, scope
from gongzhi.core.errors import DomainError

from .. import books
from .. import selectors as sel
from ..choices import ExchangeStatus as S
from ..choices import Resolution, ServiceKind
from ..models import BankMember, Exchange
from ..permissions import BankAction as A
from .common import amount, check_version, text, today
from .relations import _holder

FIELDS = ["status", "provider", "requester_confirmed_at", "provider_confirmed_at", "resolution", "version"]


def eligible(member: BankMember, rules, day: dt.date) -> bool:
    age = member.age_on(day)
    if age is None:
        return False
    return age >= rules.redeem_age or (member.hardship and age >= rules.hardship_age)


def _refuse_age(member, rules):
    if member.birth_date is None:
        raise DomainError(_("Your birth date is not known to the bank: ask your community to record it."),
                          code="forbidden")
    raise DomainError(_("Help can be drawn from the age of %(age)d (%(hardship)d in hardship).")
                      % {"age": rules.redeem_age, "hardship": rules.hardship_age}, code="forbidden")


@transaction.atomic
def request_help(*, actor, service_kind: str, credits, wanted_on: dt.date, description: str = "",
                 key: str) -> tuple[Exchange, bool]:
    """(the request, whether it is new): the same key from the same holder answers with the first."""
    member = _holder(actor)
    key = text(key, _("Idempotency key"), limit=64)
    full_key = f"lovebank.exchange.{actor.pk}.{key}"
    existing = Exchange.objects.filter(key=full_key).first()
    if existing is not None:
        return existing, False
    rules = sel.rules_for(member.community)
    if not eligible(member, rules, today()):
        _refuse_age(member, rules)
    if service_kind not in ServiceKind.values:
        raise DomainError(_("Unknown kind of help: %(value)s") % {"value": service_kind})
    description = text(description, _("What is needed"), required=service_kind == ServiceKind.OTHER, limit=500)
    credits = amount(credits, _("Credits"), limit=Decimal("24"))
    if wanted_on is None or wanted_on < today():
        raise DomainError(_("Choose a day from today on."))
    if books.balance_of(member.user_id) < credits:
        raise DomainError(_("Your credits are not enough for this request."), code="insufficient")
    row = Exchange(requester=member, service_kind=service_kind, description=description, credits=credits,
                   wanted_on=wanted_on, key=full_key)
    row.site_in(member.community)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return Exchange.objects.get(key=full_key), False
    audit.record(actor=actor, action="lovebank.exchange_request", obj=row, division=row.community,
                 after={**audit.snapshot(row, FIELDS), "credits": credits, "service_kind": service_kind})
    return row, True


def _locked(exchange_id, choices, expected_version) -> Exchange:
    row = scope.check_id(choices, exchange_id)
    row = Exchange.objects.select_for_update(of=("self",)).select_related("community").get(pk=row.pk)
    check_version(row, expected_version)
    return row


def _illegal():
    return DomainError(_("This exchange cannot do that in its present state."), code="conflict")


def _save(actor, row, before, action, fields, reason=""):
    row.version += 1
    row.save(update_fields=[*fields, "version"])
    audit.record(actor=actor, action=f"lovebank.exchange_{action}", obj=row, division=row.community,
                 before=before, after=audit.snapshot(row, FIELDS), reason=reason)
    return row


def _side(actor, row) -> str:
    if row.requester.user_id == actor.pk:
        return "requester"
    if row.provider_id and row.provider.user_id == actor.pk:
        return "provider"
    raise PermissionDenied(_("Only the two sides of the exchange may do this."))


@transaction.atomic
def offer(*, actor, exchange_id, expected_version: int | None = None) -> Exchange:
    row = _locked(exchange_id, sel.exchanges_visible(actor), expected_version)
    member = _holder(actor)
    if row.requester_id == member.pk:
        raise DomainError(_("You cannot offer help to your own request."), code="forbidden")
    if row.status != S.REQUESTED or row.community_id != member.community_id:
        raise _illegal()
    before = audit.snapshot(row, FIELDS)
    row.provider, row.status, row.offered_at = member, S.OFFERED, timezone.now()
    return _save(actor, row, before, "offer", ["provider", "status", "offered_at"])


@transaction.atomic
def mark_done(*, actor, exchange_id, expected_version: int | None = None) -> Exchange:
    row = _locked(exchange_id, sel.exchanges_visible(actor), expected_version)
    if _side(actor, row) != "provider":
        raise PermissionDenied(_("Only the helper marks the help as done."))
    if row.status != S.OFFERED:
        raise _illegal()
    before = audit.snapshot(row, FIELDS)
    row.status, row.done_at = S.DONE, timezone.now()
    return _save(actor, row, before, "done", ["status", "done_at"])


def _pay(actor, row) -> None:
    row.transaction = ledger.post(
        actor=actor, key=f"lovebank.exchange.{row.pk}.pay", memo_code="lovebank.exchange",
        lines=[(books.personal(row.requester.user_id), -row.credits), (books.personal(row.provider.user_id),
                                                                        row.credits)],
        memo_params={"exchange": row.pk, "service_kind": row.service_kind}, division=row.community)
    row.status, row.closed_at = S.COMPLETED, timezone.now()


@transaction.atomic
def confirm(*, actor, exchange_id, expected_version: int | None = None) -> Exchange:
    """One side confirms the help was given; the second confirmation moves the credits."""
    row = _locked(exchange_id, sel.exchanges_visible(actor), expected_version)
    side = _side(actor, row)
    if row.status != S.DONE:
        raise _illegal()
    field = f"{side}_confirmed_at"
    if getattr(row, field) is not None:
        raise DomainError(_("You have already confirmed; waiting for the other side."), code="conflict")
    before = audit.snapshot(row, FIELDS)
    setattr(row, field, timezone.now())
    fields = [field]
    if row.requester_confirmed_at and row.provider_confirmed_at:
        _pay(actor, row)
        fields += ["transaction", "status", "closed_at"]
    return _save(actor, row, before, "confirm", fields)


@transaction.atomic
def cancel(*, actor, exchange_id, reason: str, expected_version: int | None = None) -> Exchange:
    """The requester withdraws before the help is done."""
    row = _locked(exchange_id, sel.exchanges_visible(actor), expected_version)
    if _side(actor, row) != "requester":
        raise PermissionDenied(_("Only the requester withdraws a request."))
    if row.status not in (S.REQUESTED, S.OFFERED):
        raise _illegal()
    reason = text(reason, _("Reason"), limit=500)
    before = audit.snapshot(row, FIELDS)
    row.status, row.cancel_reason, row.closed_at = S.CANCELLED, reason, timezone.now()
    return _save(actor, row, before, "cancel", ["status", "cancel_reason", "closed_at"], reason)


@transaction.atomic
def dispute(*, actor, exchange_id, reason: str, expected_version: int | None = None) -> Exchange:
    row = _locked(exchange_id, sel.exchanges_visible(actor), expected_version)
    _side(actor, row)
    if row.status not in (S.OFFERED, S.DONE):
        raise _illegal()
    reason = text(reason, _("Reason"), limit=500)
    before = audit.snapshot(row, FIELDS)
    row.disputed_from, row.status = row.status, S.DISPUTED
    row.disputed_by, row.dispute_reason = actor, reason
    return _save(actor, row, before, "dispute", ["disputed_from", "status", "disputed_by", "dispute_reason"], reason)


@transaction.atomic
def resolve(*, actor, exchange_id, outcome: str, reason: str, expected_version: int | None = None) -> Exchange:
    """Staff settle a dispute: complete (the credits move) or cancel (nothing moves)."""
    row = _locked(exchange_id, sel.exchanges_for(actor, A.MANAGE), expected_version)
    if row.status != S.DISPUTED:
        raise _illegal()
    if outcome not in Resolution.values:
        raise DomainError(_("Unknown outcome: %(value)s") % {"value": outcome})
    reason = text(reason, _("Reason"), limit=500)
    before = audit.snapshot(row, FIELDS)
    row.resolution, row.resolution_reason, row.resolved_by = outcome, reason, actor
    fields = ["resolution", "resolution_reason", "resolved_by"]
    if outcome == Resolution.COMPLETE:
        _pay(actor, row)
        fields += ["transaction", "status", "closed_at"]
    else:
        row.status, row.closed_at = S.CANCELLED, timezone.now()
        fields += ["status", "closed_at"]
    return _save(actor, row, before, "resolve", fields, reason)
