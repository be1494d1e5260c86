"""Helpers of the assessment pages: drill-down links, rate cells, hours and trends."""

import functools
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.templatetags.gongzhi import percent

register = template.Library()


def period_params(period) -> dict:
    if period.is_month:
        return {"month": f"{period.first:%Y-%m}"}
    return {"start": period.first.isoformat(), "end": period.last.isoformat()}


@functools.lru_cache(maxsize=64)
def _cases_url(prefix: str, urlconf) -> str:
    return reverse("assessment:cases", urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def _period_query(period) -> str:
    return urlencode(period_params(period))


@register.simple_tag
def drill_url(unit_type, unit_id, metric, period) -> str:
    """The drill-down list of one count (a ranking page draws hundreds: the fixed parts are cached)."""
    base = _cases_url(get_script_prefix(), get_urlconf())
    return f"{base}?{urlencode({'type': unit_type, 'unit': unit_id, 'metric': metric})}&{_period_query(period)}"


def _count(n) -> str:
    return number_format(n, force_grouping=True)


@register.simple_tag
def drill(unit_type, unit_id, metric, period, value, label=""):
    """A count linking to the cases behind it (a zero links nowhere)."""
    if not value:
        return mark_safe('<span class="muted">0</span>')
    title = format_html(' title="{}"', label) if label else ""
    return format_html('<a class="drill" href="{}"{}>{}</a>', drill_url(unit_type, unit_id, metric, period), title,
                       _count(value))


@register.simple_tag
def rate_cell(unit_type, unit_id, period, rate, numerator, denominator, num_metric, den_metric):
    """A rate, and under it the two counts it is drawn from, each opening its cases."""
    shown = format_html('<span class="rate">{}</span>', percent(rate))
    if not denominator:
        return shown
    return format_html('{} <span class="rate-parts">{}/{}</span>', shown,
                       drill(unit_type, unit_id, num_metric, period, numerator),
                       drill(unit_type, unit_id, den_metric, period, denominator))


SIDESTEP_WORDS = {"return": gettext_lazy("Return"), "transfer": gettext_lazy("Transfer"),
                  "extension": gettext_lazy("Extension"), "suspension": gettext_lazy("Suspension"),
                  "void": gettext_lazy("Void")}
ROLL_CALL_WORDS = {"on_time": gettext_lazy("on time"), "late": gettext_lazy("late"), "absent": gettext_lazy("absent"),
                   "pending": gettext_lazy("pending")}


@register.simple_tag
def sidesteps(unit_type, unit_id, period, figures):
    """Approved sidesteps by kind, each opening its cases."""
    if not figures.sidesteps_total:
        return mark_safe('<span class="muted">0</span>')
    parts = [format_html('<span class="nowrap">{} {}</span>', SIDESTEP_WORDS[kind],
                         drill(unit_type, unit_id, f"sidestep_{kind}", period, n))
             for kind, n in figures.sidesteps.items() if n]
    return format_html('<span class="sidesteps">{}</span>', format_html_join(" ", "{}", ((p,) for p in parts)))


@register.simple_tag
def roll_call(unit_type, unit_id, period, figures):
    """The whistle roll-call: on time, late, absent (and not yet due), each opening its cases."""
    if not figures.summoned:
        return mark_safe('<span class="muted">—</span>')
    rc = figures.roll_call
    parts = [format_html('<span class="nowrap">{} {}</span>', ROLL_CALL_WORDS[name],
                         drill(unit_type, unit_id, f"summoned_{name}", period, rc[name]))
             for name in ("on_time", "late", "absent") + (("pending",) if rc.get("pending") else ())]
    return format_html('<span class="roll-call">{}</span>', format_html_join(" ", "{}", ((p,) for p in parts)))


@register.filter
def hours(value) -> str:
    if value is None:
        return "—"
    # Half up, after dropping floating-point dust: 10.25 h reads 10.3 h on every database.
    shown = Decimal(str(round(float(value), 6))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _("%(n)s h") % {"n": number_format(shown, 1)}


@register.filter
def score(value) -> str:
    return "—" if value is None else number_format(value, 2)


@register.filter
def trend(change) -> str:
    """Places gained (▲) or lost (▼) since the previous month."""
    if change is None:
        return format_html('<span class="muted" title="{}">—</span>', _("no rank last month"))
    if change > 0:
        return format_html('<span class="trend-up" title="{}">▲{}</span>', _("up %(n)d") % {"n": change}, change)
    if change < 0:
        return format_html('<span class="trend-down" title="{}">▼{}</span>', _("down %(n)d") % {"n": -change},
                           -change)
    return format_html('<span class="muted" title="{}">=</span>', _("unchanged"))


@register.simple_tag
def case_url(pk) -> str:
    """The case page (gongzhi.cases), or its conventional address while that app has no page."""
    for name in ("cases:detail", "cases:case"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return f"/cases/{pk}/"


@register.simple_tag(takes_context=True)
def with_params(context, **params) -> str:
    """The current query string with `params` set (an empty value removes the parameter)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value in ("", None):
            query.pop(key, None)
        else:
            query[key] = value
    query.pop("page", None)
    return "?" + query.urlencode()
