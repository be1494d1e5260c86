import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError, StaleEdit

CENT = Decimal("0.01")


def text(value, label, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, details={"field": str(label)})
    if len(value) > limit:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit})
    return value


def amount(value, label, *, limit: Decimal = Decimal("10000")) -> Decimal:
    try:
        value = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("%(field)s must be a number.") % {"field": label}) from None
    if not value.is_finite() or value <= 0:
        raise DomainError(_("%(field)s must be more than zero.") % {"field": label})
    if value != value.quantize(CENT):
        raise DomainError(_("%(field)s has at most two decimal places.") % {"field": label})
    if value > limit:
        raise DomainError(_("%(field)s is too large.") % {"field": label})
    return value.quantize(CENT)


def check_version(row, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEdit(_("Someone else changed this meanwhile. Reload and try again."))


def today() -> dt.date:
    return timezone.localdate()
