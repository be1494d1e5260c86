"""/api/v1/lovebank/exchanges…: help drawn with credits, its transitions, and the desk's view."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope

from .. import selectors as sel
from ..choices import ExchangeStatus, Resolution, ServiceKind
from ..permissions import BankAction as A
from ..services import exchanges as services
from .common import LIST, PAGE_SIZE, WRITE, BankReasonIn, ExchangeOut, VersionIn, key_of, require_may

router = Router(tags=["lovebank: exchanges"])


class ExchangeFilters(Schema):
    status: ExchangeStatus | None = None


@router.get("/exchanges", response={200: list[ExchangeOut], **LIST}, summary="Exchanges in your scope (desk)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_exchanges(request, filters: Query[ExchangeFilters]):
    require_may(request.auth, A.VIEW)
    return sel.exchanges_for(request.auth, A.VIEW, status=filters.status or "")


@router.get("/me/exchanges", response={200: list[ExchangeOut], **LIST}, summary="My requests and offers")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def my_exchanges(request):
    return sel.my_exchanges(request.auth)


@router.get("/exchanges/open", response={200: list[ExchangeOut], **LIST},
            summary="Requests waiting for a helper in my community")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def open_requests(request):
    return sel.open_requests_near(request.auth)


class ExchangeIn(Schema):
    service_kind: ServiceKind
    description: str = Field("", max_length=500)
    credits: Decimal = Field(..., gt=0, max_digits=6, decimal_places=2)
    wanted_on: dt.date
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


@router.post("/exchanges", response={200: ExchangeOut, 201: ExchangeOut, **WRITE}, summary="Request help")
def request_help(request, data: ExchangeIn):
    """403 below the age to draw help (or before the account opens); 400 when credits are too few;
    200 with the first request when the key repeats."""
    row, created = services.request_help(actor=request.auth, service_kind=data.service_kind,
                                         credits=data.credits, wanted_on=data.wanted_on,
                                         description=data.description, key=key_of(request, data.idempotency_key))
    return Status(201 if created else 200, row)


@router.get("/exchanges/{exchange_id}", response={200: ExchangeOut, **LIST}, summary="One exchange")
def get_exchange(request, exchange_id: int):
    return scope.check_id(sel.exchanges_visible(request.auth), exchange_id)


def _step(fn):
    def handler(request, exchange_id: int, data: VersionIn):
        return fn(actor=request.auth, exchange_id=exchange_id, expected_version=data.expected_version)

    return handler


for step, fn, summary in (("offer", services.offer, "Offer to help"),
                          ("done", services.mark_done, "Mark the help as done (the helper)"),
                          ("confirm", services.confirm, "Confirm the help (each side; the second moves credits)")):
    router.post(f"/exchanges/{{exchange_id}}/{step}", response={200: ExchangeOut, **WRITE}, summary=summary,
                operation_id=f"lovebank_exchange_{step}")(_step(fn))


@router.post("/exchanges/{exchange_id}/cancel", response={200: ExchangeOut, **WRITE},
             summary="Withdraw my request (before it is done)")
def cancel(request, exchange_id: int, data: BankReasonIn):
    return services.cancel(actor=request.auth, exchange_id=exchange_id, reason=data.reason,
                           expected_version=data.expected_version)


@router.post("/exchanges/{exchange_id}/dispute", response={200: ExchangeOut, **WRITE},
             summary="Dispute the exchange (either side)")
def dispute(request, exchange_id: int, data: BankReasonIn):
    return services.dispute(actor=request.auth, exchange_id=exchange_id, reason=data.reason,
                            expected_version=data.expected_version)


class BankResolveIn(BankReasonIn):
    outcome: Resolution


@router.post("/exchanges/{exchange_id}/resolve", response={200: ExchangeOut, **WRITE},
             summary="Resolve a dispute (the community's staff)")
def resolve(request, exchange_id: int, data: BankResolveIn):
    require_may(request.auth, A.MANAGE)
    return services.resolve(actor=request.auth, exchange_id=exchange_id, outcome=data.outcome, reason=data.reason,
                            expected_version=data.expected_version)
