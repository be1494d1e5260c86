"""A district's love-bank rules: caps, ages. Changed only with a reason, audited."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from .. import selectors as sel
from ..models import BankRules
from ..permissions import BankAction as A
from .common import amount, check_version, text

FIELDS = ["daily_cap", "account_cap", "redeem_age", "hardship_age", "transfer_age"]


def _age(value, label) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("%(field)s must be a whole number.") % {"field": label}) from None
    if not 0 <= value <= 120:
        raise DomainError(_("%(field)s must be between 0 and 120.") % {"field": label})
    return value


@transaction.atomic
def update_rules(*, actor, district_id, daily_cap, account_cap, redeem_age: int, hardship_age: int,
                 transfer_age: int, reason: str, expected_version: int | None = None) -> BankRules:
    district = scope.check_id(sel.districts_for(actor, A.RULES), district_id)
    reason = text(reason, _("Reason"))
    values = {
        "daily_cap": amount(daily_cap, _("Daily cap"), limit=Decimal("24")),
        "account_cap": amount(account_cap, _("Account cap"), limit=Decimal("100000")),
        "redeem_age": _age(redeem_age, _("Age to draw help")),
        "hardship_age": _age(hardship_age, _("Age to draw help in hardship")),
        "transfer_age": _age(transfer_age, _("Age to receive transfers")),
    }
    if values["hardship_age"] > values["redeem_age"]:
        raise DomainError(_("The age for hardship cannot be above the usual age."))
    rules, created = BankRules.objects.select_for_update().get_or_create(district=district)
    if not created:
        check_version(rules, expected_version)
    before = None if created else audit.snapshot(rules, FIELDS)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.version = 1 if created else rules.version + 1
    rules.updated_at, rules.updated_by = timezone.now(), actor
    rules.save()
    audit.record(actor=actor, action="lovebank.rules", obj=rules, division=district, before=before,
                 after=audit.snapshot(rules, FIELDS), reason=reason)
    return rules
