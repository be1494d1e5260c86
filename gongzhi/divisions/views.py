"""Pages of the hierarchy: the tree, one division, its grid map and coverage, and grid edits.

Views only parse input, call selectors and services, and render: every read of a division goes
through `selectors` (scoped), every write through `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from shapely.geometry import shape

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.core.seams.panels import panels_for

from . import selectors
from .choices import Level, child_level
from .forms import ImportForm, MergeForm, RenameForm, SplitForm
from .geo.coverage import coverage_report
from .seams import DETAIL_PAGE
from .services import hierarchy
from .services.grids import GeometryRejected, import_community_grids, merge_grids, split_grid

CHILDREN_PER_PAGE = 30
OPEN_TOPS = 3  # up to this many top divisions are shown opened on the tree page
MAP_EMBED_LIMIT = 1500  # beyond this many grids the map page fetches them from the API instead
MAP_FIELDS = ("id", "code", "name", "level", "area_m2", "geometry", "parent_id")


def _require_view(user) -> None:
    if not scope.may(user, Action.VIEW):
        raise PermissionDenied


def _children_page(user, division, number):
    children = selectors.children_of(user, division).defer("geometry")
    page = Paginator(children, CHILDREN_PER_PAGE).get_page(number)
    page.param = "page"
    return page


def _features(divisions, kind: str) -> list[dict]:
    return [
        {"type": "Feature", "id": d.pk, "geometry": d.geometry,
         "properties": {"id": d.pk, "code": d.code, "name": d.name, "level": d.level, "kind": kind,
                        "area_m2": d.area_m2}}
        for d in divisions if d.geometry
    ]


def _collection(*feature_lists) -> dict:
    return {"type": "FeatureCollection", "features": [f for fs in feature_lists for f in fs]}


def _where(geometry) -> dict:
    """A point inside a problem's geometry and its bounds, for the table and the map's zoom."""
    if not geometry:
        return {}
    try:
        geom = shape(geometry)
        point = geom.representative_point()
    except (ValueError, TypeError, AttributeError):
        return {}
    return {"lng": round(point.x, 6), "lat": round(point.y, 6), "bounds": list(geom.bounds)}


# --- the tree --------------------------------------------------------------------------------


@login_required
@require_GET
def tree(request):
    user = request.user
    _require_view(user)
    tops = selectors.top_divisions_for(user)
    opened = {d.pk: _children_page(user, d, 1) for d in tops[:OPEN_TOPS] if not d.is_grid} \
        if len(tops) <= OPEN_TOPS else {}
    shown = [*tops, *(c for page in opened.values() for c in page)]
    q = request.GET.get("q", "").strip()[:100]
    hits = list(selectors.search_divisions(user, q)) if q else []
    return render(request, "divisions/tree.html", {
        "tops": tops, "opened": opened, "counts": selectors.descendant_counts(shown),
        "q": q, "hits": hits, "paths": selectors.ancestor_names(hits),
    })


@login_required
@require_GET
def children(request, pk):
    """The htmx partial of one node's children: list items, and a "more" item for the next page."""
    division = selectors.division_for(request.user, pk)
    page = _children_page(request.user, division, request.GET.get("page"))
    return render(request, "divisions/_children.html", {
        "division": division, "page": page, "counts": selectors.descendant_counts(list(page)),
    })


@login_required
@require_GET
def search(request):
    """The htmx partial of search results (the tree page shows the same list without JavaScript)."""
    _require_view(request.user)
    q = request.GET.get("q", "").strip()[:100]
    hits = list(selectors.search_divisions(request.user, q)) if q else []
    return render(request, "divisions/_search_results.html",
                  {"q": q, "hits": hits, "paths": selectors.ancestor_names(hits)})


# --- one division ------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, pk):
    return _render_detail(request, selectors.division_for(request.user, pk))


@login_required
@require_POST
def rename(request, pk):
    # Without MANAGE_DIVISIONS over it the division does not exist for this user (404).
    division = selectors.division_for(request.user, pk, Action.MANAGE_DIVISIONS, include_retired=False)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            hierarchy.rename_division(actor=request.user, division=division, name=form.cleaned_data["name"],
                                      reason=form.cleaned_data["reason"],
                                      expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The division has been renamed."))
            return redirect("divisions:detail", pk=division.pk)
    return _render_detail(request, division, rename_form=form)


def _render_detail(request, division, *, rename_form=None):
    user = request.user
    level = division.level
    children = selectors.children_of(user, division).defer("geometry")
    page = paginate(request, children, per_page=CHILDREN_PER_PAGE)
    counts = selectors.descendant_counts([division, *page])
    history = [
        {"change": c, "related": [r for r in c.related.all() if scope.covers(user, Action.VIEW, r)]}
        for c in selectors.recent_changes(division, limit=30)
    ]
    can_rename = division.is_active and scope.covers(user, Action.MANAGE_DIVISIONS, division)
    if can_rename and rename_form is None:
        rename_form = RenameForm(initial={"name": division.name, "version": division.version})
    may_grids = division.is_active and scope.covers(user, Action.MANAGE_GRIDS, division)
    map_children = selectors.children_of(user, division).only(*MAP_FIELDS)[:MAP_EMBED_LIMIT]
    return render(request, "divisions/detail.html", {
        "division": division,
        "crumbs": [{"division": a, "link": scope.covers(user, Action.VIEW, a)}
                   for a in selectors.ancestors(division)],
        "counts": counts,
        "page": page,
        "history": history,
        "successors": [d for d in division.successors.all() if scope.covers(user, Action.VIEW, d)],
        "predecessors": [d for d in division.predecessors.all() if scope.covers(user, Action.VIEW, d)],
        "rename_form": rename_form if can_rename else None,
        "may_split": may_grids and level == Level.GRID,
        "may_edit_grids": may_grids and level == Level.COMMUNITY,
        "has_coverage": level in COVERAGE_LEVELS,
        "map_data": _collection(_features([division], "self"), _features(map_children, "child")),
        # Other apps' panels on this page (the registry's figures), each shown only where it lets the user.
        "panels": panels_for(DETAIL_PAGE, user, division),
    })


# --- maps ----------------------------------------------------------------------------------------


@login_required
@require_GET
def grid_map(request, pk):
    division = selectors.division_for(request.user, pk)
    grids = selectors.grids_under(request.user, division)
    count = grids.count()
    embedded = None
    if count <= MAP_EMBED_LIMIT:
        embedded = _collection(_features(grids.only(*MAP_FIELDS), "grid"))
    return render(request, "divisions/map.html", {
        "division": division,
        "count": count,
        "embedded": embedded,
        "outline": _collection(_features([division], "outline")) if not division.is_grid else None,
        "api_url": reverse("api:division_grids", kwargs={"division_id": division.pk}),
        "has_coverage": division.level in COVERAGE_LEVELS,
    })


COVERAGE_LEVELS = (*selectors.AREA_COVERAGE_LEVELS, Level.STREET, Level.COMMUNITY)
COVERAGE_PARTS_PER_PAGE = 30
BLANK_ZONES_PER_PAGE = 25


@login_required
@require_GET
def coverage(request, pk):
    user = request.user
    division = selectors.division_for(user, pk)
    if division.level not in COVERAGE_LEVELS:
        raise Http404
    if division.level in selectors.AREA_COVERAGE_LEVELS:
        return _area_coverage(request, division)
    report = coverage_report(division)

    def named(d):
        return {"division": d, "link": scope.covers(user, Action.VIEW, d)}

    overlaps = [{"a": named(o["a"]), "b": named(o["b"]), "area_m2": o["area_m2"], **_where(o.get("geometry"))}
                for o in report.overlaps]
    gaps = [{"part": named(g["division"]), "area_m2": g["area_m2"], **_where(g.get("geometry"))}
            for g in report.gaps]
    outside = [{"part": named(o["division"]), "area_m2": o["area_m2"], **_where(o.get("geometry"))}
               for o in report.outside]
    return render(request, "divisions/coverage.html", {
        "division": division, "report": report, "overlaps": overlaps, "gaps": gaps, "outside": outside,
        "missing": [named(d) for d in {d.pk: d for d in report.missing_boundary}.values()],
        "geojson": report.to_geojson(),
        "outline": _collection(_features([division], "outline")),
        "may_edit_grids": division.level == Level.COMMUNITY and division.is_active
        and scope.covers(user, Action.MANAGE_GRIDS, division),
    })


def _area_coverage(request, division):
    """A district, city or province: a summary per part (street, district, city) with links to
    each part's own check, the parts' overlaps and the blank zones, both lists paginated."""
    user = request.user
    report = selectors.area_coverage(division)

    def named(d):
        return {"division": d, "link": d is not None and scope.covers(user, Action.VIEW, d)}

    parts = paginate(request, report.parts, per_page=COVERAGE_PARTS_PER_PAGE)
    zones = paginate(request, report.blank_zones, per_page=BLANK_ZONES_PER_PAGE, param="zones")
    zone_rows = [{"part": named(z["division"]), "community": named(z["community"]) if z["community"] else None,
                  "area_m2": z["area_m2"], **_where(z["geometry"])} for z in zones]
    overlaps = [{"a": named(o["a"]), "b": named(o["b"]), "area_m2": o["area_m2"], **_where(o["geometry"])}
                for o in report.overlaps]
    return render(request, "divisions/coverage_area.html", {
        "division": division, "report": report, "parts": parts, "zones": zones, "zone_rows": zone_rows,
        "zone_offset": zones.start_index() - 1 if zone_rows else 0,
        "overlaps": overlaps, "part_level": child_level(division.level),
        "totals": {name: report.total(name) for name in (
            "communities", "grids", "communities_without_grids", "missing_boundary", "grid_overlaps")},
        "geojson": report.to_geojson(),
        "outline": _collection(_features([division], "outline")),
    })


# --- grid edits ----------------------------------------------------------------------------------


def _managed(request, pk, level: str):
    """The active division `pk` of `level` the user may manage grids in, or 404."""
    division = selectors.division_for(request.user, pk, Action.MANAGE_GRIDS, include_retired=False)
    if division.level != level:
        raise Http404
    return division


def _problems(exc) -> tuple[list[dict], list[dict]]:
    """A GeometryRejected's problems for the list, and the map's share of them (JSON-safe)."""
    rows, shapes = [], []
    for p in exc.details or []:
        if not isinstance(p, dict):
            p = {"message": str(p)}
        rows.append(p)
        location = p.get("location")
        shapes.append({"message": str(p.get("message", "")), "kind": str(p.get("kind", "")),
                       "geometry": p.get("geometry") if isinstance(p.get("geometry"), dict) else None,
                       "location": list(location) if location else None})
    return rows, shapes


def _grid_edit(request, form, call):
    """Run a grid service with the form's data; a refusal lands in the form and its problems."""
    problems, shapes = [], []
    try:
        result = call()
    except GeometryRejected as exc:
        form.add_error(None, str(exc.message))
        problems, shapes = _problems(exc)
        result = None
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        result = None
    return result, problems, shapes


@login_required
@require_http_methods(["GET", "POST"])
def split(request, pk):
    grid = _managed(request, pk, Level.GRID)
    form = SplitForm(request.POST or None, request.FILES or None)
    problems = shapes = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parts, problems, shapes = _grid_edit(request, form, lambda: split_grid(
            actor=request.user, grid=grid, line=data["line"], parts=data["parts_file"], names=data["names"],
            reason=data["reason"]))
        if parts:
            messages.success(request, _("%(name)s has been split into %(n)s grids: %(names)s.") % {
                "name": grid.name, "n": len(parts), "names": "、".join(p.name for p in parts)})
            return redirect("divisions:detail", pk=grid.community_id)
    siblings = selectors.grids_under(request.user, grid.parent).exclude(pk=grid.pk).only(*MAP_FIELDS)
    return render(request, "divisions/split.html", {
        "grid": grid, "division": grid, "form": form, "problems": problems,
        "map_data": _collection(_features([grid], "target"), _features(siblings, "context")),
        "problem_shapes": shapes,
    })


@login_required
@require_http_methods(["GET", "POST"])
def merge(request, pk):
    community = _managed(request, pk, Level.COMMUNITY)
    grids = (selectors.grids_for(request.user, Action.MANAGE_GRIDS)
             .filter(scope.subtree_q(community)).order_by("code"))
    form = MergeForm(request.POST or None, grids=grids)
    problems = shapes = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        merged, problems, shapes = _grid_edit(request, form, lambda: merge_grids(
            actor=request.user, grids=list(data["grids"]), name=data["name"], reason=data["reason"]))
        if merged:
            messages.success(request, _("The grids have been merged into %(name)s.") % {"name": merged.name})
            return redirect("divisions:detail", pk=merged.pk)
    return render(request, "divisions/merge.html", {
        "community": community, "division": community, "form": form, "problems": problems,
        "map_data": _collection(_features(grids.only(*MAP_FIELDS), "grid")), "problem_shapes": shapes,
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_grids(request, pk):
    community = _managed(request, pk, Level.COMMUNITY)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = shapes = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result, problems, shapes = _grid_edit(request, form, lambda: import_community_grids(
            actor=request.user, community=community, feature_collection=data["file"], reason=data["reason"],
            confirm_retire=data["confirm_retire"]))
        if result is not None:
            messages.success(request, _("The grid boundaries of %(name)s have been imported.")
                             % {"name": community.name})
            return redirect("divisions:coverage", pk=community.pk)
    current = selectors.grids_under(request.user, community).only(*MAP_FIELDS)
    return render(request, "divisions/import.html", {
        "community": community, "division": community, "form": form, "problems": problems,
        "map_data": _collection(_features([community], "outline"), _features(current, "grid")),
        "problem_shapes": shapes,
    })
