"""What the points services share: the person's account, texts, keys, cap windows."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError, StaleEdit

KIND = "points"
PERSON = "accounts.user"
MERCHANT = "points.merchant"
CENT = Decimal("0.01")


def person_account(person):
    return ledger.open_account(kind=KIND, owner_type=PERSON, owner_id=person.pk)


def merchant_account(merchant):
    return ledger.open_account(kind=KIND, owner_type=MERCHANT, owner_id=merchant.pk)


def text(value, label, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, details={"field": str(label)})
    if len(value) > limit:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit})
    return value


def amount(value, label, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("%(field)s must be a number.") % {"field": label}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        raise DomainError(_("%(field)s must be a number.") % {"field": label})
    if (number < 0 and not allow_negative) or (number == 0 and not allow_zero):
        raise DomainError(_("%(field)s must be more than zero.") % {"field": label})
    return number


def client_key(actor, key: str, what: str) -> str:
    """A phone's idempotency key, made the actor's own (two people may pick the same key)."""
    key = (key or "").strip()
    if not key:
        raise DomainError(_("An idempotency key is required."))
    if len(key) > 64:
        raise DomainError(_("The idempotency key is too long (at most 64 characters)."))
    return f"points.{what}.{actor.pk}.{key}"


def check_version(obj, expected) -> None:
    if expected is not None and int(expected) != obj.version:
        raise StaleEdit(_("Someone else changed this in the meantime; reload and try again."))


def cap_window(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The cap's period that contains `day`."""
    if period == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return start, end
    if period == "half_year":
        if day.month <= 6:
            return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
        return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def required(pk, label):
    """An id a form must name: none at all is refused in words (a wrong one reads as missing)."""
    if pk in (None, ""):
        raise DomainError(_("Choose %(field)s.") % {"field": label})
    return pk


def whole(value, label) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(_("%(field)s must be a whole number.") % {"field": label}) from None
