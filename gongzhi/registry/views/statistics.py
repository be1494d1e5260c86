"""The registry's figures for one division — population, households, floating population, tags,
ages, visit coverage — as the panel the division page loads, or as a page of their own."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gongzhi.divisions.choices import Level

from .. import selectors
from .common import is_htmx, tag_labels

VISIT_WINDOW_DAYS = 90
PARTS_TITLES = {
    Level.CITY: _("By city"), Level.DISTRICT: _("By district or county"), Level.STREET: _("By street or town"),
    Level.COMMUNITY: _("By community or village"), Level.GRID: _("By grid"),
}


@login_required
@require_GET
def division_statistics(request, pk):
    division = selectors.statistics_division(request.user, pk)
    stats = selectors.statistics(request.user, division, visit_window_days=VISIT_WINDOW_DAYS)
    context = {
        "division": division, "stats": stats, "parts_title": PARTS_TITLES.get(stats.part_level, ""),
        "tags": [(label, stats.total.tags.get(code, 0)) for code, label in tag_labels().items()],
        "ages": list(stats.total.ages.items()),
    }
    template = "registry/_statistics.html" if is_htmx(request) else "registry/statistics.html"
    return render(request, template, context)
