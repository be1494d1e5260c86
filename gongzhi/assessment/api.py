"""The assessment API under /api/v1/assessment/: rates per unit and period, the monthly ranking,
the cases behind any number, and the score weights. Scoped like the pages: a unit outside the
caller's scope answers exactly like a missing one (404)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.cases.schemas import CaseListOut
from gongzhi.core.errors import DomainError
from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND, ErrorOut, ProblemsOut

from . import units
from .choices import UnitType
from .drilldown import METRICS, drilldown_cases
from .models import WEIGHTED_RATES
from .periods import Period, parse_month, parse_period
from .ranking import RankRow, month_ranking
from .rates import Figures, compute
from .weights import current_weights, percent_from_fraction, update_weights

router = Router(tags=["assessment"])
PAGE_SIZE = 30


class PeriodOut(Schema):
    start: dt.date
    end: dt.date = Field(description="the last day included")


class FiguresOut(Schema):
    received: int
    response_counted: int = Field(description="cases that needed a response (accepted, or past the deadline)")
    responded: int = Field(description="accepted within the response limit")
    response_rate: float | None
    handling_counted: int = Field(description="resolved, or past the handling deadline")
    on_time: int = Field(description="resolved within the handling limit (approved extensions counted)")
    on_time_rate: float | None
    valid: int = Field(description="received less rejected as invalid and voided")
    resolved: int = Field(description="valid cases closed")
    resolution_rate: float | None
    rated: int = Field(description="cases rated by their reporter")
    satisfied: int = Field(description="cases whose first rating was satisfied or basically satisfied")
    satisfaction_rate: float | None
    handled: int = Field(description="resolved cases the average handling time is taken over")
    avg_handling_hours: float | None = Field(description="working hours from dispatch to resolution")
    reopened: int
    escalated: int
    sidesteps: dict[str, int] = Field(description="approved sidesteps by kind")
    roll_call: dict[str, int] = Field(description="summonses by attendance: on_time, late, absent, pending")


class AssessedUnitOut(Schema):
    unit_type: str
    id: int
    name: str
    code: str


class RatesOut(Schema):
    unit: AssessedUnitOut
    period: PeriodOut
    figures: FiguresOut


class RankRowOut(Schema):
    unit: AssessedUnitOut
    rank: int | None
    standing: str = Field(description="red, black, ranked, or unranked (too few cases)")
    score: float | None
    previous_rank: int | None
    previous_score: float | None
    rank_change: int | None = Field(description="places gained since the previous month")
    figures: FiguresOut


class WeightsOut(Schema):
    response: float
    on_time: float
    resolution: float
    satisfaction: float
    red_list_size: int
    black_list_size: int
    min_received: int
    version: int


class RankingOut(Schema):
    month: str
    unit_type: str
    source: str = Field(description="snapshot (frozen when the month closed) or live")
    taken_at: dt.datetime
    weights: WeightsOut
    city: int | None
    rows: list[RankRowOut]


class WeightsIn(Schema):
    response: float = Field(..., ge=0, le=1)
    on_time: float = Field(..., ge=0, le=1)
    resolution: float = Field(..., ge=0, le=1)
    satisfaction: float = Field(..., ge=0, le=1)
    red_list_size: int | None = Field(None, ge=0, le=50)
    black_list_size: int | None = Field(None, ge=0, le=50)
    min_received: int | None = Field(None, ge=1)
    version: int | None = Field(None, description="the version read; a stale one is refused (409)")
    reason: str = Field("", max_length=500)


class RatesQuery(Schema):
    unit_type: UnitType
    unit: int | None = Field(None, description="one unit; all the units of the type you see when omitted")
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="the last day included")
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="instead of start and end")


class RankingQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="the current month when omitted")
    unit_type: str = Field(UnitType.STREET, pattern="^(street|department)$")
    city: int | None = None


class DrilldownQuery(Schema):
    unit_type: UnitType
    unit: int
    metric: str = Field(..., description=", ".join(METRICS))


def _require_viewer(user) -> None:
    if not units.may_view(user):
        raise PermissionDenied


def _figures(f: Figures) -> dict:
    return f.as_dict()


def _weights_out(weights: dict) -> dict:
    return {**{name: weights.get(name, 0) / 100 for name in WEIGHTED_RATES},
            **{k: weights.get(k, 0) for k in ("red_list_size", "black_list_size", "min_received", "version")}}


def _row(unit_type: str, row: RankRow) -> dict:
    return {"unit": {"unit_type": unit_type, "id": row.unit_id, "name": row.name, "code": row.code},
            "rank": row.rank, "standing": row.standing, "score": row.score, "previous_rank": row.prev_rank,
            "previous_score": row.prev_score, "rank_change": row.rank_change, "figures": _figures(row.figures)}


@router.get("/rates", response={200: list[RatesOut], 400: ErrorOut, **NOT_FOUND, 403: ErrorOut},
            summary="Rates of one unit, or of every unit of a type you see, for a period")
def rates(request, q: Query[RatesQuery]):
    """The period is `start`..`end` (both days included), or a `month` (YYYY-MM), or the current
    month. docs/rates.md defines every figure."""
    user = request.auth
    _require_viewer(user)
    period = parse_period(q.start and q.start.isoformat(), q.end and q.end.isoformat(), q.month)
    if q.unit is not None:
        found = [units.access_unit(user, q.unit_type, q.unit)]
    else:
        ids = units.visible_ids(user, q.unit_type)
        found = [u for u in units.all_units(q.unit_type) if ids is None or u.pk in ids]
    figures = compute(q.unit_type, period, units=None if q.unit is None else [q.unit])
    span = {"start": period.first, "end": period.last}
    return [{"unit": {"unit_type": u.type, "id": u.pk, "name": u.name, "code": u.code}, "period": span,
             "figures": _figures(figures.get((u.pk,), Figures()))} for u in found]


@router.get("/ranking", response={200: RankingOut, 400: ErrorOut, **AUTH_ERRORS, 403: ErrorOut},
            summary="The monthly ranking of streets or departments (red and black lists)")
def ranking(request, q: Query[RankingQuery]):
    """The rows you may see, ranked within their city; a closed month comes from its snapshot."""
    user = request.auth
    _require_viewer(user)
    month = parse_month(q.month)
    cities = units.cities_for(user)
    city = next((c for c in cities if c.pk == q.city), None) if q.city else (cities[0] if cities else None)
    if q.city and city is None:
        raise Http404
    result = month_ranking(q.unit_type, month)
    rows = result.only(units.visible_ids(user, q.unit_type), city.pk if city else None)
    return {"month": f"{month:%Y-%m}", "unit_type": q.unit_type, "source": result.source,
            "taken_at": result.taken_at, "weights": _weights_out(result.weights),
            "city": city.pk if city else None, "rows": [_row(q.unit_type, r) for r in rows]}


@router.get("/ranking/{month}/cases", response={200: list[CaseListOut], 400: ErrorOut, **NOT_FOUND,
                                                 403: ErrorOut},
            summary="The cases behind one number of a month's ranking")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def ranking_cases(request, month: str, q: Query[DrilldownQuery]):
    """Only the cases you may see; a unit outside your scope answers 404."""
    user = request.auth
    _require_viewer(user)
    if q.metric not in METRICS:
        raise DomainError(f"metric: one of {', '.join(METRICS)}", code="invalid")
    found = units.access_unit(user, q.unit_type, q.unit)
    return drilldown_cases(user, q.unit_type, found.pk, Period.month(parse_month(month)), q.metric)


@router.get("/weights", response={200: WeightsOut, **AUTH_ERRORS, 403: ErrorOut}, summary="The score weights")
def weights(request):
    _require_viewer(request.auth)
    return _weights_out(current_weights().as_dict())


@router.put("/weights", response={200: WeightsOut, 400: ProblemsOut, **AUTH_ERRORS, 403: ErrorOut, 409: ErrorOut,
                                  422: ProblemsOut},
            summary="Set the score weights (city administrators)")
def set_weights(request, payload: WeightsIn):
    """Weights are fractions in whole percent (0.2, 0.35) adding up to 1. Audited."""
    user = request.auth
    if not units.may_edit_weights(user):
        raise PermissionDenied
    values = {name: percent_from_fraction(getattr(payload, name)) for name in WEIGHTED_RATES}
    for name in ("red_list_size", "black_list_size", "min_received"):
        if getattr(payload, name) is not None:
            values[name] = getattr(payload, name)
    saved = update_weights(actor=user, reason=payload.reason, expected_version=payload.version, **values)
    return _weights_out(saved.as_dict())

