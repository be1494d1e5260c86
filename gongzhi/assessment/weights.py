"""The score weights: read them, and change them as a city administrator (validated, audited)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError, StaleEdit

from .models import WEIGHTED_RATES, ScoreWeights
from .units import may_edit_weights

MAX_LIST_SIZE = 50
AUDITED = [*WEIGHTED_RATES, "red_list_size", "black_list_size", "min_received", "version"]


def current_weights() -> ScoreWeights:
    """The deployment's weights (the defaults until an administrator changes them)."""
    weights = ScoreWeights.objects.filter(pk=1).first()
    return weights if weights is not None else ScoreWeights(pk=1)


def validate(values: dict) -> dict[str, str]:
    """Problems with a set of weights, by field (empty when they are good)."""
    problems = {}
    for name in WEIGHTED_RATES:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            problems[name] = _("A whole number of percent from 0 to 100.")
    if not problems and sum(values[name] for name in WEIGHTED_RATES) != 100:
        problems["__all__"] = _("The four weights must add up to 100%% (they add up to %(total)d%%).") % {
            "total": sum(values[name] for name in WEIGHTED_RATES)}
    for name in ("red_list_size", "black_list_size"):
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_LIST_SIZE:
            problems[name] = _("From 0 to %(n)d units.") % {"n": MAX_LIST_SIZE}
    value = values.get("min_received")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        problems["min_received"] = _("At least one case.")
    return problems


def percent_from_fraction(value) -> int:
    """0.2 → 20; refuses fractions finer than a whole percent (0.125)."""
    try:
        pct = float(value) * 100
    except (TypeError, ValueError):
        raise DomainError(_("Give each weight as a fraction such as 0.2."), code="invalid") from None
    if abs(pct - round(pct)) > 1e-6:
        raise DomainError(_("Give each weight in whole percent (0.01 steps)."), code="invalid")
    return round(pct)


@transaction.atomic
def update_weights(*, actor, reason: str = "", expected_version: int | None = None, **values) -> ScoreWeights:
    """Set the weights (whole percent, summing to 100) and the list sizes, as a city admin."""
    if actor is not None and not may_edit_weights(actor):
        raise DomainError(_("Only a city administrator sets the score weights."), code="forbidden")
    ScoreWeights.objects.get_or_create(pk=1)
    weights = ScoreWeights.objects.select_for_update().get(pk=1)
    if expected_version is not None and weights.version != expected_version:
        raise StaleEdit(_("Someone else changed the weights meanwhile. Reload and try again."))
    unknown = set(values) - set(AUDITED) - {"version"}
    if unknown:
        raise DomainError(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    merged = {name: values.get(name, getattr(weights, name)) for name in AUDITED if name != "version"}
    problems = validate(merged)
    if problems:
        raise DomainError(_("The weights are not valid."), code="invalid", details=problems)
    before = audit.snapshot(weights, AUDITED)
    changed = [name for name, value in merged.items() if getattr(weights, name) != value]
    if not changed:
        return weights
    for name, value in merged.items():
        setattr(weights, name, value)
    weights.version += 1
    weights.updated_at = timezone.now()
    weights.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    weights.save(update_fields=[*changed, "version", "updated_at", "updated_by"])
    audit.record(actor=actor, action="assessment.weights", obj=weights, before=before,
                 after=audit.snapshot(weights, AUDITED), reason=(reason or "").strip())
    return weights
