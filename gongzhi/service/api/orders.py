"""/api/v1/service/: the kinds of help, and orders — listed in the caller's scope (the desk's
territory, a resident's own, a taker's pool and assignments), placed with an idempotency key, and
moved along by one POST per step, each carrying the version it was read at (409 when stale)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import timeline
from ..choices import OPEN, OrderStatus
from ..permissions import ServiceAction
from ..selectors import orders as sel
from ..selectors import takers as taker_sel
from ..services import cases as case_services
from ..services import no_shows
from ..services import orders as services

router = Router(tags=["service: orders"])
A = ServiceAction
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


class ServiceKindOut(Schema):
    id: int
    code: str
    name: str
    default_hours: Decimal
    working_days: int


class ServiceCommunityRef(Schema):
    id: int
    code: str
    name: str


class ServiceTakerOut(Schema):
    user_id: int
    name: str
    kind: str
    status: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.user)


class ServiceOrderOut(Schema):
    id: int
    number: str
    kind: ServiceKindOut
    description: str
    wanted_at: dt.datetime
    place: str
    community: ServiceCommunityRef
    status: str
    status_label: str
    for_neighbour: bool
    contact_name: str
    contact_phone: str = Field(description="masked")
    team_name: str
    deadline: dt.datetime
    overdue: bool
    hours: Decimal | None
    done_note: str
    rating: int | None
    rating_comment: str
    cancelled_late: bool
    case_id: int | None
    from_case_id: int | None
    takers: list[ServiceTakerOut]
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_for_neighbour(obj) -> bool:
        return obj.resident_id is None

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return obj.masked_contact_phone

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_takers(obj) -> list:
        return list(obj.assignments.all())


class ServiceEventOut(Schema):
    code: str
    text: str
    actor: str
    at: dt.datetime

    @staticmethod
    def resolve_text(obj) -> str:
        return timeline.render(obj)

    @staticmethod
    def resolve_actor(obj) -> str:
        return str(obj.actor) if obj.actor_id else ""


class ServiceOrderDetailOut(ServiceOrderOut):
    events: list[ServiceEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return sel.timeline(obj)


def _detail(user, pk):
    return scope.get_in_scope(sel.orders_for(user).prefetch_related("assignments__user"), user, A.VIEW, pk=pk)


@router.get("/kinds", response={200: list[ServiceKindOut], **LIST}, summary="The kinds of help that may be ordered")
def kinds(request, community: int | None = Query(None, description="a community: its district's own list")):
    place = scope.check_id(sel.order_communities(request.auth), community) if community else None
    return sel.kinds_for(place)


class ServiceOrderFilters(Schema):
    view: Literal["all", "mine", "pool", "assigned"] = Field(
        "all", description="all: every order you may see; mine: ordered by you; pool: open to take; assigned: yours "
                           "to serve")
    status: OrderStatus | Literal["open"] | None = None
    community: int | None = Field(None, description="a community (division id)")
    overdue: bool = False


@router.get("/orders", response={200: list[ServiceOrderOut], **LIST}, summary="Service orders in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_orders(request, filters: Query[ServiceOrderFilters]):
    user = request.auth
    if filters.view == "mine":
        qs = sel.my_orders(user)
    elif filters.view == "pool":
        qs = sel.pool_for(user)
    elif filters.view == "assigned":
        qs = sel.assigned_to(user)
    else:
        qs = sel.orders_for(user, status=filters.status or "", community_id=filters.community,
                            overdue=filters.overdue).order_by("-created_at", "-id")
    if filters.view != "all":
        if filters.status == "open":
            qs = qs.filter(status__in=OPEN)
        elif filters.status:
            qs = qs.filter(status=filters.status)
        if filters.community:
            qs = qs.filter(community_id=filters.community)
    return qs.prefetch_related("assignments__user")


class ServiceOrderIn(Schema):
    kind_id: int
    community_id: int
    description: str = Field(..., min_length=1, max_length=1000)
    wanted_at: dt.datetime
    place: str = Field(..., min_length=1, max_length=200)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    for_neighbour: bool = Field(False, description="ordering for a neighbour without a phone: name them")
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=20)
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


@router.post("/orders", response={200: ServiceOrderDetailOut, 201: ServiceOrderDetailOut, **WRITE},
             summary="Order help (for yourself, or a neighbour without a phone)")
def place_order(request, data: ServiceOrderIn):
    """201 with the new order; 200 with the first one when the idempotency key repeats an order;
    404 for a community or kind you may not order in."""
    if not scope.may(request.auth, A.ORDER):
        raise PermissionDenied(_("You may not do this."))
    key = request.headers.get("Idempotency-Key", "") or data.idempotency_key
    order, created = services.place_order(actor=request.auth, idempotency_key=key,
                                          **data.dict(exclude={"idempotency_key"}))
    return Status(201 if created else 200, _detail(request.auth, order.pk))


class ServiceFromCaseIn(Schema):
    case_id: int
    kind_id: int
    wanted_at: dt.datetime
    description: str = Field("", max_length=1000)
    idempotency_key: str = Field("", max_length=64)


@router.post("/orders/from-case", response={200: ServiceOrderDetailOut, 201: ServiceOrderDetailOut, **WRITE},
             summary="Order help for a case's reporter (a case that needs a person's help)")
def order_from_case(request, data: ServiceFromCaseIn):
    if not scope.may(request.auth, A.DISPATCH):
        raise PermissionDenied(_("You may not do this."))
    order, created = case_services.order_from_case(actor=request.auth, **data.dict())
    return Status(201 if created else 200, _detail(request.auth, order.pk))


@router.get("/orders/{order_id}", response={200: ServiceOrderDetailOut, **NOT_FOUND},
            summary="One order, with its timeline")
def order_detail(request, order_id: int):
    return scope.get_in_scope(sel.orders_for(request.auth).prefetch_related("assignments__user"), request.auth,
                              A.VIEW, pk=order_id)


class ServiceTakerChoiceOut(Schema):
    user_id: int
    name: str
    kind: str

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.user.pk


@router.get("/orders/{order_id}/takers", response={200: list[ServiceTakerChoiceOut], **LIST},
            summary="Who may serve the order (the dispatcher's choices)")
def taker_choices(request, order_id: int):
    order = sel.order_for(request.auth, order_id)
    if not sel.may_dispatch(request.auth, order):
        raise PermissionDenied(_("You may not do this here."))
    return taker_sel.takers_for(order.community)


class ServiceVersionIn(Schema):
    version: int | None = Field(None, description="the order's version as you read it")


class ServiceDispatchIn(ServiceVersionIn):
    taker_ids: list[int] = Field(..., min_length=1, max_length=10, description="user ids of members or volunteers")
    team_name: str = Field("", max_length=100)


class ServiceDoneIn(ServiceVersionIn):
    note: str = Field(..., min_length=1, max_length=2000)
    hours: Decimal = Field(..., gt=0, le=24, decimal_places=2)


class ServiceConfirmIn(ServiceVersionIn):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class ServiceReasonIn(ServiceVersionIn):
    reason: str = Field(..., min_length=1, max_length=200)


class ServiceNoShowIn(ServiceReasonIn):
    taker_id: int = Field(..., description="the user id of the taker who did not come")


class ServiceDisputeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class ServiceDecideIn(Schema):
    taker_id: int
    upheld: bool = Field(..., description="true: the no-show stands; false: it is withdrawn")
    note: str = Field("", max_length=200)


class ServiceCaseIn(ServiceVersionIn):
    category_id: int = Field(..., description="a sub-category of the case catalogue")


def _answer(request, order):
    return _detail(request.auth, order.pk)


@router.post("/orders/{order_id}/dispatch", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Assign members or volunteers (下单)")
def dispatch(request, order_id: int, data: ServiceDispatchIn):
    return _answer(request, services.dispatch(actor=request.auth, order_id=order_id, taker_ids=data.taker_ids,
                                              team_name=data.team_name, expected_version=data.version))


@router.post("/orders/{order_id}/publish", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Publish for members and volunteers to take (抢单)")
def publish(request, order_id: int, data: ServiceVersionIn):
    return _answer(request, services.publish(actor=request.auth, order_id=order_id, expected_version=data.version))


@router.post("/orders/{order_id}/take", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Take a published order, or accept one assigned to you (接单)")
def take(request, order_id: int, data: ServiceVersionIn):
    """409 `conflict` when someone else took it first."""
    return _answer(request, services.take(actor=request.auth, order_id=order_id, expected_version=data.version))


@router.post("/orders/{order_id}/done", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Record what was done and the hours it took")
def done(request, order_id: int, data: ServiceDoneIn):
    return _answer(request, services.record_done(actor=request.auth, order_id=order_id, note=data.note,
                                                 hours=data.hours, expected_version=data.version))


@router.post("/orders/{order_id}/confirm", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Confirm the service and rate it (the takers' hours are certified)")
def confirm(request, order_id: int, data: ServiceConfirmIn):
    return _answer(request, services.confirm_and_rate(actor=request.auth, order_id=order_id, rating=data.rating,
                                                      comment=data.comment, expected_version=data.version))


@router.post("/orders/{order_id}/cancel", response={200: ServiceOrderDetailOut, **WRITE}, summary="Cancel the order")
def cancel(request, order_id: int, data: ServiceReasonIn):
    """Later than the cancellation window before the time wanted, the order is still cancelled and
    the dispatcher is alerted (`cancelled_late`)."""
    return _answer(request, services.cancel(actor=request.auth, order_id=order_id, reason=data.reason,
                                            expected_version=data.version))


@router.post("/orders/{order_id}/no-show", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Record that a taker did not come")
def no_show(request, order_id: int, data: ServiceNoShowIn):
    return _answer(request, no_shows.mark_no_show(actor=request.auth, order_id=order_id, taker_id=data.taker_id,
                                                  reason=data.reason, expected_version=data.version))


@router.post("/orders/{order_id}/no-show/dispute", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Dispute your no-show (the taker)")
def dispute(request, order_id: int, data: ServiceDisputeIn):
    return _answer(request, no_shows.dispute_no_show(actor=request.auth, order_id=order_id, reason=data.reason))


@router.post("/orders/{order_id}/no-show/decide", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Decide a disputed no-show")
def decide(request, order_id: int, data: ServiceDecideIn):
    return _answer(request, no_shows.decide_dispute(actor=request.auth, order_id=order_id, taker_id=data.taker_id,
                                                    upheld=data.upheld, note=data.note))


@router.post("/orders/{order_id}/case", response={200: ServiceOrderDetailOut, **WRITE},
             summary="Turn the order into a case (filed at the desk; the link is kept)")
def to_case(request, order_id: int, data: ServiceCaseIn):
    return _answer(request, case_services.turn_into_case(actor=request.auth, order_id=order_id,
                                                         category_id=data.category_id, expected_version=data.version))
