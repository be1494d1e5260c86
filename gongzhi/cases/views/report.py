"""Reporting pages: the resident's phone page (anonymous or signed in, and a grid worker's patrol
report), the staff desk for phone calls, visits and letters, and the small htmx answers the
report page asks for while the user types and picks the place."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.divisions.geo.locate import locate_grid, to_wgs84

from .. import selectors
from ..api.common import AnonymousThrottle
from ..api.intake import ANONYMOUS_REPORTS
from ..forms import PointForm, ReportForm, category_by_code
from ..permissions import CaseAction, may_anywhere
from ..services.intake import submit_case
from ..uploads import MAX_AUDIO_SECONDS, MAX_PHOTOS, prepare_uploads
from .common import follow_token, is_htmx, report_mode, set_follow_cookie

NEARBY_SHOWN = 5


@require_http_methods(["GET", "POST"])
def report(request):
    """The resident's phone page; a grid worker gets the patrol fields."""
    return _intake(request, report_mode(request.user), "cases/report.html")


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request):
    """Staff take down a phone call, a visit or a letter."""
    if not may_anywhere(request.user, CaseAction.REPORT):
        raise PermissionDenied
    return _intake(request, "desk", "cases/new.html")


def _intake(request, mode: str, template: str):
    classes = selectors.catalogue()
    form = ReportForm(request.POST or None, request.FILES or None, mode=mode, classes=classes,
                      initial={"idempotency_key": uuid.uuid4().hex, "crs": "wgs84"})
    status = 200
    if request.method == "POST":
        if mode == "anonymous" and not AnonymousThrottle(ANONYMOUS_REPORTS).allow_request(request):
            # The same budget as the API's reports without an account, per client address.
            form.is_valid()
            form.add_error(None, _("Too many reports from this network in the last hour. Please try again later, "
                                   "or log in."))
            status = 429
        elif form.is_valid():
            try:
                files = prepare_uploads(form.cleaned_data["photos"], form.cleaned_data.get("audio"))
                intake = submit_case(actor=request.user, report=form.report(files))
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                return _submitted(request, intake, mode)
        if is_htmx(request):
            # The page keeps its photos and pin; only the problems are shown, by the send button.
            return render(request, "cases/_report_errors.html", {"form": form})
        status = max(status, 400)
    return render(request, template, {
        "form": form, "mode": mode, "focus": _focus(request.user), "max_photos": MAX_PHOTOS,
        "max_audio_seconds": MAX_AUDIO_SECONDS,
    }, status=status)


def _submitted(request, intake, mode: str):
    case = intake.case
    if mode in ("desk", "patrol"):
        if intake.created:
            messages.success(request, _("Case %(number)s has been filed.") % {"number": case.tracking_number})
        else:
            messages.info(request, _("This report was already filed as case %(number)s.")
                          % {"number": case.tracking_number})
        url = reverse("cases:detail", args=[case.pk])
    else:
        url = reverse("cases:sent", args=[case.tracking_code])
        if not intake.created:
            messages.info(request, _("This report was already sent; here it is again."))
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
    else:
        response = redirect(url)
    if intake.follow_token:
        set_follow_cookie(response, case.tracking_code, intake.follow_token)
    return response


def _focus(user) -> list[float] | None:
    """Where the map opens: the bounds of the user's own community or grid, if they have one."""
    import shapely.geometry

    for a in scope.assignments(user):
        if a.division is not None and a.division.geometry and a.division.level in ("community", "grid"):
            try:
                return list(shapely.geometry.shape(a.division.geometry).bounds)
            except (ValueError, TypeError, AttributeError):
                continue
    return None


@require_GET
def sent(request, code):
    """The tracking code, big, and how to follow it. The secret link shows only in the
    browser that sent the report (it holds the follow cookie)."""
    case = selectors.public_case(code)
    if case is None:
        raise Http404
    token = follow_token(request, case.tracking_code)
    if not selectors.follows_by_token(case, token):
        token = ""
    secret_url = request.build_absolute_uri(reverse("cases:track", args=[case.tracking_code]) + f"?token={token}") \
        if token else ""
    return render(request, "cases/sent.html", {
        "case": case, "secret_url": secret_url,
        "is_follower": selectors.is_follower(request.user, case),
    })


# --- htmx answers while the report is written ----------------------------------------------------


@require_GET
def suggest(request):
    """Categories matching what the user is typing."""
    text = (request.GET.get("description") or "")[:2000]
    return render(request, "cases/_suggestions.html", {"suggestions": selectors.suggest_categories(text)})


def _point(request):
    form = PointForm(request.GET)
    if not form.is_valid():
        return None, None, form
    d = form.cleaned_data
    try:
        lng, lat = to_wgs84(d["lng"], d["lat"], d.get("crs") or "wgs84")
    except DomainError:
        return None, None, form
    return lng, lat, form


@require_GET
def where(request):
    """Which grid, community and street the picked point is in — or that it is outside them all."""
    lng, lat, _form = _point(request)
    grid = locate_grid(lng, lat) if lng is not None else None
    return render(request, "cases/_where.html", {"picked": lng is not None, "grid": grid,
                                                 "street": grid.street if grid else None})


@require_GET
def nearby(request):
    """The same problem reported nearby lately: follow it instead?"""
    lng, lat, form = _point(request)
    found = []
    if lng is not None:
        category = category_by_code(form.cleaned_data.get("category") or "")
        found = selectors.nearby_duplicates(lng, lat, category, limit=NEARBY_SHOWN)
    return render(request, "cases/_nearby.html", {"nearby": found})


@require_GET
@cache_control(public=True, max_age=600)
def areas(request):
    """The jurisdiction's outlines for the report map (GeoJSON)."""
    return JsonResponse(selectors.report_map())
