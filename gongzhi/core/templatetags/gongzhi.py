"""Presentation helpers for our templates: page links, counts, areas and audit diffs."""

import json

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gongzhi.core.masking import mask_numbers_in_text

register = template.Library()

LEVEL_COUNT_LABELS = {
    "city": lambda n: ngettext("%(n)s city", "%(n)s cities", n),
    "district": lambda n: ngettext("%(n)s district", "%(n)s districts", n),
    "street": lambda n: ngettext("%(n)s street", "%(n)s streets", n),
    "community": lambda n: ngettext("%(n)s community", "%(n)s communities", n),
    "grid": lambda n: ngettext("%(n)s grid", "%(n)s grids", n),
}


@register.simple_tag(takes_context=True)
def page_url(context, page, number) -> str:
    """The current URL's query string with the page's parameter set to `number`."""
    query = context["request"].GET.copy()
    query[getattr(page, "param", "page")] = number
    return "?" + query.urlencode()


@register.filter
def counts_summary(counts: dict | None) -> list[str]:
    """{"street": 2, "grid": 5} → ["2 streets", "5 grids"], from the top level down."""
    if not counts:
        return []
    return [LEVEL_COUNT_LABELS[level](n) % {"n": number_format(n, force_grouping=True)}
            for level, label in LEVEL_COUNT_LABELS.items() if (n := counts.get(level))]


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def area(value) -> str:
    """Square metres, or square kilometres from one km² up."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value >= 1_000_000:
        return _("%(n)s km²") % {"n": number_format(round(value / 1_000_000, 2), 2, force_grouping=True)}
    return _("%(n)s m²") % {"n": number_format(round(value), force_grouping=True)}


@register.filter
def percent(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    # number_format cuts digits off; round first so 99.9999…% reads 100.00%, not 99.99%.
    return number_format(round(float(value) * 100, int(digits)), int(digits)) + "%"


FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "code": gettext_lazy("code"),
    "codes": gettext_lazy("codes"),
    "kind": gettext_lazy("kind"),
    "parent": gettext_lazy("parent"),
    "is_active": gettext_lazy("active"),
    "area_m2": gettext_lazy("area"),
    "geometry": gettext_lazy("boundary"),
    "version": gettext_lazy("version"),
    "revoked_at": gettext_lazy("revoked"),
    "hint": gettext_lazy("ends in"),
    "role": gettext_lazy("role"),
    "user": gettext_lazy("user"),
    "division": gettext_lazy("division"),
}


def _show(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "geometry":
        return _("(boundary)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "area_m2" and isinstance(value, int | float):
        return area(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return "、".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _as_fields(value) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"": value}


@register.filter
def audit_diff(entry) -> list[dict]:
    """The fields of an audit row's before/after, each with both values and whether it changed."""
    before, after = _as_fields(entry.before), _as_fields(entry.after)
    rows = []
    for field in list(dict.fromkeys([*before, *after])):
        old, new = before.get(field), after.get(field)
        rows.append({
            "field": FIELD_LABELS.get(field, field),
            "before": _show(field, old) if field in before else "",
            "after": _show(field, new) if field in after else "",
            "changed": field not in before or field not in after or old != new,
        })
    return rows


@register.simple_tag
def map_strings() -> dict:
    """The words the map script shows, in the user's language (given to it with json_script)."""
    return {
        "area": _("Area"), "code": _("Code"), "open": _("Open"), "loading": _("Loading the map…"),
        "failed": _("The grids could not be loaded. Reload the page to try again."),
        "empty": _("No boundaries are recorded here yet."), "km2": _("km²"), "m2": _("m²"),
        "points": _("Points on the line: %(n)s"), "overlap": _("Overlap"), "gap": _("Gap"),
        "outside": _("Outside the community"), "problem": _("Problem"),
        "selected": _("Selected"),
    }


@register.filter
def mask_numbers(value) -> str:
    """Phone and ID numbers typed into free text, masked (lists of cases: no one needs them there)."""
    return mask_numbers_in_text(str(value or ""))
