"""Presentation helpers for our templates: page links, counts, areas and audit diffs."""

import json

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    return number_format(float(value) * 100, int(digits)) + "%"


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def audit_diff(entry) -> list[dict]:
    """The fields of an audit row's before/after, each with both values and whether it changed."""
    before = entry.before if isinstance(entry.before, dict) else ({} if entry.before is None else {"": entry.before})
    after = entry.after if isinstance(entry.after, dict) else ({} if entry.after is None else {"": entry.after})
    rows = []
    for field in list(dict.fromkeys([*before, *after])):
        old, new = before.get(field), after.get(field)
        rows.append({
            "field": field,
            "before": _show(old) if field in before else "",
            "after": _show(new) if field in after else "",
            "changed": field not in before or field not in after or old != new,
        })
    return rows
