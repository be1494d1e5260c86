"""Assessment pages: the monthly ranking (red and black lists), one unit over twelve months, the
cases behind any number, exports, and the score weights.

Views parse input, call selectors and services, and render. Every unit goes through
`units.access_unit` or `units.visible_ids` (404 alike for missing and out of scope) and every
case list through `drilldown.drilldown_cases` (gongzhi.cases.permissions.restrict_cases)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from . import exports, units
from .choices import RANKED_TYPES, Standing, UnitType
from .drilldown import METRICS, drilldown_cases
from .forms import WeightsForm
from .models import WEIGHTED_RATES
from .periods import Period, current_month, parse_month, parse_period, recent_months
from .ranking import month_ranking, unit_history
from .rates import unit_figures
from .weights import current_weights, update_weights

HISTORY_MONTHS = 12
CASES_PER_PAGE = 25
RANKING_PER_PAGE = 50
CHART_ENDS = 20  # beyond twice this many units the chart shows the top and bottom ones


def _require_viewer(user) -> None:
    if not units.may_view(user):
        raise PermissionDenied


def _month(request):
    try:
        return parse_month(request.GET.get("month"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return current_month()


def _period(request) -> Period:
    try:
        return parse_period(request.GET.get("start"), request.GET.get("end"), request.GET.get("month"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return Period.month(current_month())


def _city(request, cities):
    wanted = request.GET.get("city", "")
    return next((c for c in cities if str(c.pk) == wanted), cities[0] if cities else None)


def _row_labels() -> dict:
    """The table's labels, translated once per page rather than once per row."""
    return {
        "rank": _("Rank"), "unit": _("Unit"), "score": _("Score"), "received": _("Received"),
        "response_rate": _("Response rate"), "on_time_rate": _("On-time rate"),
        "resolution_rate": _("Resolution rate"), "satisfaction_rate": _("Satisfaction rate"),
        "average_handling": _("Average handling"), "sidesteps": _("Sidesteps"), "reopened": _("Reopened"),
        "escalated": _("Escalated"), "roll_call": _("Roll-call"), "not_ranked": _("Not ranked: too few cases"),
        "red": _("Red list"), "black": _("Black list"),
    }


def _ranking_view_data(request) -> dict:
    user = request.user
    unit_type = request.GET.get("type", "")
    if unit_type not in RANKED_TYPES:
        # Department staff see no street: their own department's ranking is what they came for.
        sees_streets = units.visible_ids(user, UnitType.STREET) != set()
        unit_type = UnitType.STREET if sees_streets else UnitType.DEPARTMENT
    month = _month(request)
    cities = units.cities_for(user)
    city = _city(request, cities)
    ranking = month_ranking(unit_type, month)
    rows = ranking.only(units.visible_ids(user, unit_type), city.pk if city else None)
    return {"unit_type": unit_type, "month": month, "cities": cities, "city": city, "ranking": ranking, "rows": rows}


# --- the ranking ----------------------------------------------------------------------------------


@login_required
@require_GET
def ranking(request):
    _require_viewer(request.user)
    data = _ranking_view_data(request)
    rows = data["rows"]
    scored = [r for r in rows if r.score is not None]
    cut = CHART_ENDS if len(scored) > 2 * CHART_ENDS else None
    if cut:
        scored = scored[:cut] + scored[-cut:]
    chart = {"names": [r.name for r in scored], "scores": [r.score for r in scored],
             "standings": [r.standing for r in scored], "label": _("Score"), "cut": cut}
    weights = data["ranking"].weights
    return render(request, "assessment/ranking.html", {
        **data,
        "period": Period.month(data["month"]),
        "page": paginate(request, rows, per_page=RANKING_PER_PAGE),
        "labels": _row_labels(),
        "tabs": [(t, UnitType(t).label) for t in RANKED_TYPES],
        "chart": chart,
        "weights": [(name, weights.get(name, 0)) for name in WEIGHTED_RATES],
        "weights_meta": weights,
        "may_edit_weights": units.may_edit_weights(request.user),
        "red": [r for r in rows if r.standing == Standing.RED],
        "black": [r for r in rows if r.standing == Standing.BLACK],
        "months": list(reversed(recent_months(HISTORY_MONTHS * 2))),
    })


@login_required
@require_GET
def ranking_export(request):
    _require_viewer(request.user)
    data = _ranking_view_data(request)
    exported = exports.export_ranking(actor=request.user, ranking=data["ranking"], rows=data["rows"],
                                      city=data["city"], language=exports.export_language())
    return FileResponse(exported.file, as_attachment=True, filename=exported.filename)


# --- one unit ---------------------------------------------------------------------------------------


@login_required
@require_GET
def unit(request, unit_type: str, pk: int):
    _require_viewer(request.user)
    found = units.access_unit(request.user, unit_type, pk)
    period = _period(request)
    figures = unit_figures(unit_type, found.pk, period)
    history = unit_history(unit_type, found.pk, recent_months(HISTORY_MONTHS))
    chart = {
        "months": [f"{p.month:%Y-%m}" for p in history],
        "series": [
            {"name": str(label), "data": [_pct(getattr(p.figures, f"{key}_rate")) for p in history]}
            for key, label in (("response", _("Response rate")), ("on_time", _("On-time rate")),
                               ("resolution", _("Resolution rate")), ("satisfaction", _("Satisfaction rate")))
        ] + [{"name": _("Score"), "data": [p.score for p in history]}],
    }
    return render(request, "assessment/unit.html", {
        "unit": found, "unit_type": unit_type, "period": period, "figures": figures,
        "history": list(reversed(history)), "chart": chart, "metrics": METRICS,
        "ranked": unit_type in RANKED_TYPES,
    })


def _pct(value):
    return None if value is None else round(value * 100, 1)


# --- the cases behind a number --------------------------------------------------------------------------


def _drilldown(request):
    user = request.user
    _require_viewer(user)
    unit_type, metric = request.GET.get("type", ""), request.GET.get("metric", "")
    found = units.access_unit(user, unit_type, request.GET.get("unit"))
    period = _period(request)
    if metric not in METRICS:
        metric = "received"
    return found, period, metric, drilldown_cases(user, unit_type, found.pk, period, metric)


@login_required
@require_GET
def cases(request):
    found, period, metric, qs = _drilldown(request)
    page = paginate(request, qs, per_page=CASES_PER_PAGE)
    return render(request, "assessment/cases.html", {
        "unit": found, "period": period, "metric": metric, "metric_label": METRICS[metric], "page": page,
    })


@login_required
@require_GET
def cases_export(request):
    found, period, metric, qs = _drilldown(request)
    exported = exports.export_cases(actor=request.user, unit=found, period=period, metric=metric, cases=qs,
                                    language=exports.export_language())
    return FileResponse(exported.file, as_attachment=True, filename=exported.filename)


# --- the weights --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def weights(request):
    user = request.user
    if not units.may_edit_weights(user):
        raise PermissionDenied
    current = current_weights()
    if request.method == "POST":
        form = WeightsForm(request.POST)
        if form.is_valid():
            try:
                update_weights(actor=user, **form.values())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The score weights are saved."))
                return redirect("assessment:ranking")
    else:
        form = WeightsForm(initial=current.as_dict())
    return render(request, "assessment/weights.html", {"form": form, "weights": current})
