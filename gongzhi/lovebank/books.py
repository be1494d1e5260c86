"""The love bank's ledger accounts (gongzhi.core.ledger, kind "lovebank") and how its memo codes
read in the reader's language."""

from decimal import Decimal

from django.utils.translation import gettext as _

from gongzhi.core import ledger
from gongzhi.core.models import LedgerAccount

KIND = "lovebank"
CENT = Decimal("0.01")


def personal(user_id: int) -> LedgerAccount:
    return ledger.open_account(kind=KIND, owner_type="accounts.user", owner_id=user_id)


def donations(community_id: int) -> LedgerAccount:
    """The community's donation pool: hours beyond the caps and hours a group earned."""
    return ledger.open_account(kind=KIND, owner_type="divisions.division", owner_id=community_id, name="donations")


def source() -> LedgerAccount:
    return ledger.source_account(KIND)


def balance_of(user_id: int) -> Decimal:
    account = LedgerAccount.objects.filter(kind=KIND, owner_type="accounts.user", owner_id=user_id,
                                           name="main").values_list("balance", flat=True).first()
    return account if account is not None else Decimal("0.00")


def memo_text(code: str, params: dict) -> str:
    """A ledger memo in the reader's language (memos are stored as codes with parameters)."""
    p = params or {}
    if code == "lovebank.deposit":
        if Decimal(str(p.get("donated", 0))) and Decimal(str(p.get("credited", 0))):
            return _("%(hours)s hours of service on %(day)s: %(credited)s credited, %(donated)s donated") % {
                "hours": p.get("hours"), "day": p.get("served_on"), "credited": p.get("credited"),
                "donated": p.get("donated")}
        if Decimal(str(p.get("credited", 0))):
            return _("%(hours)s hours of service on %(day)s") % {"hours": p.get("hours"), "day": p.get("served_on")}
        return _("%(hours)s hours of service on %(day)s, donated") % {"hours": p.get("hours"),
                                                                      "day": p.get("served_on")}
    if code == "lovebank.transfer":
        return _("Transfer from %(sender)s to %(recipient)s") % {"sender": p.get("sender", ""),
                                                               "recipient": p.get("recipient", "")}
    if code == "lovebank.exchange":
        return _("Help exchanged (exchange #%(number)s)") % {"number": p.get("exchange")}
    if code == ledger.REVERSAL_MEMO:
        return _("Reversal of an earlier entry (#%(number)s)") % {"number": p.get("transaction")}
    return code
