"""The organisation coverage check's page (party:coverage?division=<pk>): the figures per unit one
level down, a map of the gap grids, and the lists of gaps, paginated."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gongzhi.core import scope
from gongzhi.core.pagination import paginate

from ..permissions import PartyAction as A
from ..selectors import coverage as sel
from ..selectors.organisations import view_divisions

PER_PAGE = 25


@login_required
@require_GET
def coverage(request):
    user = request.user
    if not scope.may(user, A.VIEW):
        raise PermissionDenied
    pk = request.GET.get("division")
    if not pk:
        tops = {d.pk for d in scope.covered_divisions(user, A.VIEW) if d.level in sel.LEVELS}
        if len(tops) == 1:
            pk = tops.pop()
    if not pk:
        choices = view_divisions(user).filter(level__in=sel.LEVELS).order_by("code")[:300]
        return render(request, "party/coverage/pick.html", {"choices": choices})
    division = sel.coverage_division(user, pk)
    cov = sel.coverage_of(user, division)
    return render(request, "party/coverage/coverage.html", {
        "division": division,
        "cov": cov,
        "crumbs": sel.coverage_crumbs(user, division),
        "parts_drill": division.level != "community",
        "org_gaps": paginate(request, cov.org_gap_grids, per_page=PER_PAGE, param="org_page"),
        "work_gaps": paginate(request, cov.work_gap_grids, per_page=PER_PAGE, param="work_page"),
        "building_gaps": paginate(request, cov.building_gaps, per_page=PER_PAGE, param="building_page"),
        "unit_gaps": paginate(request, cov.unit_gaps, per_page=PER_PAGE, param="unit_page"),
        "geojson": cov.geojson(),
        "outline": cov.outline(),
    })
