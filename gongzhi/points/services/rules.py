"""A district's rules table and scheme: the defaults seeded on first use, and every change by
district or city staff, audited with before and after."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.accounts.choices import Role
from gongzhi.core import audit, roles, scope
from gongzhi.core.errors import DomainError

from .. import selectors as sel
from ..choices import Basis, CapPeriod, Evidence, Source
from ..models import Rule, Scheme
from ..permissions import PointsAction as A
from .common import amount, check_version, required, text, whole

RULE_FIELDS = ["code", "name", "points", "basis", "cap", "cap_period", "awarders", "evidence", "source", "active"]
SCHEME_FIELDS = ["pass_mark", "conduct_base", "review_points", "service_minimum_hours", "appeal_days"]
DESKS = [Role.COMMUNITY_SECRETARY, Role.STREET_OFFICER]

# The defaults a district starts from (its own rules replace them): code, name, points, basis, cap,
# cap period, evidence, source, who may award.
DEFAULTS = [
    ("daily_conduct", gettext_noop("Daily conduct"), 80, Basis.OCCURRENCE, 80, CapPeriod.YEAR, Evidence.TEXT,
     Source.MANUAL, DESKS),
    ("annual_review", gettext_noop("Annual member review"), 20, Basis.OCCURRENCE, 20, CapPeriod.YEAR,
     Evidence.TEXT, Source.MANUAL, DESKS),
    ("order_hours", gettext_noop("Service order hours"), 1, Basis.HOUR, 30, CapPeriod.HALF_YEAR, Evidence.NONE,
     Source.ORDER, []),
    ("order_rated", gettext_noop("Service order rated by the resident"), 2, Basis.OCCURRENCE, 20,
     CapPeriod.HALF_YEAR, Evidence.NONE, Source.ORDER, []),
    ("activity_hours", gettext_noop("Volunteer activity hours"), 1, Basis.HOUR, 30, CapPeriod.HALF_YEAR,
     Evidence.NONE, Source.ACTIVITY, []),
    ("report_in", gettext_noop("Double report-in confirmed"), 5, Basis.OCCURRENCE, 5, CapPeriod.HALF_YEAR,
     Evidence.NONE, Source.REPORT_IN, []),
    ("whistle_check_in", gettext_noop("Checked in when the community blew the whistle"), 2, Basis.OCCURRENCE, 10,
     CapPeriod.MONTH, Evidence.NONE, Source.WHISTLE, []),
    ("good_deed", gettext_noop("Good deed"), 5, Basis.OCCURRENCE, 20, CapPeriod.HALF_YEAR, Evidence.PHOTO,
     Source.MANUAL, DESKS),
    ("hazard_report", gettext_noop("Hazard reported on the spot"), 2, Basis.OCCURRENCE, 10, CapPeriod.MONTH,
     Evidence.PHOTO, Source.MANUAL, DESKS),
]


def ensure_defaults(district) -> tuple[Scheme, int]:
    """The district's scheme, and its rules table seeded with the defaults when it has none (names
    in the deployment's language: staff edit them as the district's own words). Idempotent."""
    with transaction.atomic():
        scheme, _created = Scheme.objects.get_or_create(district=district)
        if Rule.objects.filter(district=district).exists():
            return scheme, 0
        with translation.override(settings.LANGUAGE_CODE):
            rows = [Rule(district=district, code=code, name=_(name), points=Decimal(points), basis=basis,
                         cap=Decimal(cap) if cap is not None else None, cap_period=period, evidence=evidence,
                         source=source, awarders=[str(r) for r in awarders])
                    for code, name, points, basis, cap, period, evidence, source, awarders in DEFAULTS]
        Rule.objects.bulk_create(rows, ignore_conflicts=True)
        audit.record(actor=None, action="points.rules_seeded", obj=scheme, division=district,
                     after={"rules": [r.code for r in rows]})
        return scheme, len(rows)


def _clean(values: dict, rule: Rule | None) -> dict:
    out = {}
    if "name" in values:
        out["name"] = text(values["name"], _("Item"), limit=100)
    if "code" in values and rule is None:
        out["code"] = text(values["code"], _("Code"), limit=40)
    if "points" in values:
        out["points"] = amount(values["points"], _("Points"))
    if "cap" in values:
        out["cap"] = None if values["cap"] in (None, "") else amount(values["cap"], _("Cap"))
    for name, choices in (("basis", Basis), ("cap_period", CapPeriod), ("evidence", Evidence), ("source", Source)):
        if name in values:
            if values[name] not in choices.values:
                raise DomainError(_("Unknown value: %(value)s") % {"value": values[name]})
            out[name] = values[name]
    if "awarders" in values:
        known = {r.code for r in roles.all_roles()}
        awarders = list(dict.fromkeys(values["awarders"] or []))
        if any(code not in known for code in awarders):
            raise DomainError(_("Unknown role among who may award."))
        out["awarders"] = awarders
    if "active" in values:
        out["active"] = bool(values["active"])
    return out


@transaction.atomic
def create_rule(*, actor, district_id, **values) -> Rule:
    if not scope.may(actor, A.RULES):
        raise PermissionDenied(_("You may not do this."))
    district = scope.check_id(sel.districts_for(actor, A.RULES), required(district_id, _("a district")))
    ensure_defaults(district)
    clean = _clean({"basis": Basis.OCCURRENCE, "cap_period": CapPeriod.YEAR, "evidence": Evidence.NONE,
                    "source": Source.MANUAL, **values}, None)
    for field in ("code", "name", "points"):
        if field not in clean:
            raise DomainError(_("%(field)s is required.") % {"field": field})
    if Rule.objects.filter(district=district, code=clean["code"]).exists():
        raise DomainError(_("The district already has an item with this code."), code="duplicate")
    rule = Rule.objects.create(district=district, **clean)
    audit.record(actor=actor, action="points.rule_create", obj=rule, division=district,
                 after=audit.snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def update_rule(*, actor, rule_id, expected_version=None, **changes) -> Rule:
    if not scope.may(actor, A.RULES):
        raise PermissionDenied(_("You may not do this."))
    seen = scope.check_id(sel.rules_for(actor, A.RULES), rule_id)
    rule = Rule.objects.select_for_update().get(pk=seen.pk)
    if not changes:
        raise DomainError(_("Nothing to change."))
    check_version(rule, expected_version)
    clean = _clean(changes, rule)
    before = audit.snapshot(rule, RULE_FIELDS)
    for name, value in clean.items():
        setattr(rule, name, value)
    rule.version += 1
    rule.updated_at = timezone.now()
    rule.save(update_fields=[*clean, "version", "updated_at"])
    audit.record(actor=actor, action="points.rule_update", obj=rule, division=rule.district, before=before,
                 after=audit.snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def update_scheme(*, actor, district_id, expected_version=None, **changes) -> Scheme:
    if not scope.may(actor, A.RULES):
        raise PermissionDenied(_("You may not do this."))
    district = scope.check_id(sel.districts_for(actor, A.RULES), district_id)
    ensure_defaults(district)
    scheme = Scheme.objects.select_for_update().get(district=district)
    if not changes:
        raise DomainError(_("Nothing to change."))
    check_version(scheme, expected_version)
    before = audit.snapshot(scheme, SCHEME_FIELDS)
    fields = []
    for name in ("pass_mark", "conduct_base", "review_points", "service_minimum_hours"):
        if name in changes:
            setattr(scheme, name, amount(changes[name], scheme._meta.get_field(name).verbose_name, allow_zero=True))
            fields.append(name)
    if "appeal_days" in changes:
        days = whole(changes["appeal_days"], _("Appeal window"))
        if not 1 <= days <= 30:
            raise DomainError(_("The appeal window is 1 to 30 working days."))
        scheme.appeal_days = days
        fields.append("appeal_days")
    scheme.version += 1
    scheme.updated_at = timezone.now()
    scheme.save(update_fields=[*fields, "version", "updated_at"])
    audit.record(actor=actor, action="points.scheme_update", obj=scheme, division=district, before=before,
                 after=audit.snapshot(scheme, SCHEME_FIELDS))
    return scheme
