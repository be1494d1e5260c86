"""Certified service hours banked as credits (1 hour = 1 credit; only service hours arrive here,
never goods). Up to the district's caps — per day of service and per account — the hours become
the holder's credits; the rest, and every hour a group earned, goes to the community's donation
pool. Over the cap is therefore never an error: a deposit runs inside the certifier's transaction
(gongzhi.volunteering), and refusing it would refuse the certification."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.core import audit, ledger
from gongzhi.core.errors import DomainError

from .. import books
from .. import selectors as sel
from ..choices import DepositSource, DepositStatus
from ..models import Deposit
from .common import CENT, amount, text
from .members import open_member

ZERO = Decimal("0.00")


def _split(member, hours: Decimal, served_on: dt.date, by_group: bool, rules) -> tuple[Decimal, Decimal]:
    """(credited, donated): what fits under both caps is the holder's."""
    if by_group:
        return ZERO, hours
    that_day = (Deposit.objects.filter(member=member, served_on=served_on, status=DepositStatus.DEPOSITED)
                .aggregate(s=Sum("credited"))["s"] or ZERO)
    room = min(rules.daily_cap - Decimal(that_day), rules.account_cap - books.balance_of(member.user_id))
    credited = max(ZERO, min(hours, room)).quantize(CENT)
    return credited, hours - credited


@transaction.atomic
def deposit(*, actor, user, hours, served_on: dt.date, community, source: str, key: str, source_id=None,
            by_group: bool = False, hours_ref: int | None = None) -> Deposit:
    """Bank hours for `user` in `community`; idempotent by `key` (the same key returns the first
    deposit). The member's row is opened on the first deposit."""
    if source not in DepositSource.values:
        raise DomainError(_("Unknown source: %(value)s") % {"value": source})
    hours = amount(hours, _("Hours"), limit=Decimal("24"))
    existing = Deposit.objects.filter(key=key).first()
    if existing is not None:
        return existing
    member = open_member(actor=actor, user=user, community=community)
    # Racing deposits of one holder queue on the member's row: the first to hold it may have
    # banked this very key meanwhile.
    existing = Deposit.objects.filter(key=key).first()
    if existing is not None:
        return existing
    credited, donated = _split(member, hours, served_on, by_group, sel.rules_for(community))
    lines = [(books.source(), -hours)]
    if credited:
        lines.append((books.personal(user.pk), credited))
    if donated:
        lines.append((books.donations(community.pk), donated))
    txn = ledger.post(actor=actor, key=key, lines=lines, memo_code="lovebank.deposit",
                      memo_params={"hours": str(hours), "credited": str(credited), "donated": str(donated),
                                   "served_on": served_on.isoformat(), "source": source},
                      allow_negative=[lines[0][0]], division=community)
    row = Deposit.objects.create(key=key, member=member, community=community, hours=hours, credited=credited,
                                 donated=donated, served_on=served_on, source=source, source_id=source_id,
                                 hours_ref=hours_ref, by_group=by_group, transaction=txn)
    audit.record(actor=actor, action="lovebank.deposit", obj=row, division=community,
                 after={"hours": hours, "credited": credited, "donated": donated, "by_group": by_group,
                        "source": source, "source_id": source_id, "key": key})
    return row


@transaction.atomic
def reverse_deposit(*, actor, key: str, reason: str) -> Deposit | None:
    """Undo a deposit whose hours were voided. The holder may already have spent the credits: the
    void must not be refused for that (it would keep false hours certified), so the holder's
    account (and the pool) may run below zero until later deposits make it good."""
    reason = text(reason, _("Reason"), limit=500)
    row = Deposit.objects.select_for_update().filter(key=key).first()
    if row is None or row.status == DepositStatus.REVERSED:
        return row
    accounts = [books.personal(row.member.user_id), books.donations(row.community_id)]
    reversal = ledger.reverse(actor=actor, transaction_or_id=row.transaction_id, reason=reason,
                              key=f"{key}.void", allow_negative=accounts, division=row.community)
    row.status, row.reversal, row.reverse_reason = DepositStatus.REVERSED, reversal, reason
    row.save(update_fields=["status", "reversal", "reverse_reason"])
    audit.record(actor=actor, action="lovebank.deposit_reverse", obj=row, division=row.community,
                 before={"status": DepositStatus.DEPOSITED}, after={"status": DepositStatus.REVERSED},
                 reason=reason)
    return row
