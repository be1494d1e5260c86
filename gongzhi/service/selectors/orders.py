"""Scoped reads of service orders: the desk's board, a resident's own, a taker's pool and
assignments, one order with its timeline, and the choices the forms offer."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core import scope
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from ..choices import OPEN, OrderStatus, TakerStatus
from ..models import Order, OrderEvent, OrderTaker, ServiceKind
from ..permissions import ServiceAction
from .takers import taker_community_ids

A = ServiceAction


def _base() -> QuerySet[Order]:
    return Order.objects.select_related("kind", "community", "resident")


def orders_for(user, action: str = A.VIEW, *, status: str = "", community_id: int | None = None,
               overdue: bool = False) -> QuerySet[Order]:
    qs = scope.restrict(_base(), user, action)
    if status == "open":
        qs = qs.filter(status__in=OPEN)
    elif status:
        qs = qs.filter(status=status)
    if community_id:
        qs = qs.filter(community_id=community_id)
    if overdue:
        qs = qs.filter(status__in=OPEN, deadline__lt=timezone.now())
    return qs


def desk_orders(user, **filters) -> QuerySet[Order]:
    """The dispatch board: the orders the user's roles reach (to dispatch, or to read for a district
    officer or an auditor) — never merely what they ordered or serve themselves."""
    action = A.DISPATCH if scope.may(user, A.DISPATCH) else A.VIEW
    qs = orders_for(user, action, **filters)
    return qs.filter(scope.scope_q(user, action, model=Order, owned=False)).order_by("deadline", "id")


def order_for(user, pk, action: str = A.VIEW) -> Order:
    """One order the user may see (or act on), or 404."""
    return scope.get_in_scope(_base(), user, action, pk=pk)


def may_dispatch(user, order: Order) -> bool:
    return scope.restrict(Order.objects.filter(pk=order.pk), user, A.DISPATCH).exists()


def my_orders(user) -> QuerySet[Order]:
    """What the user ordered for themselves or a neighbour."""
    return _base().filter(Q(resident=user) | Q(ordered_by=user)).order_by("-created_at", "-id")


def pool_for(user) -> QuerySet[Order]:
    """Published orders of the communities the user serves, soonest wanted first."""
    communities = taker_community_ids(user)
    if not communities:
        return Order.objects.none()
    return (_base().filter(status=OrderStatus.PUBLISHED, community_id__in=communities)
            .exclude(assignments__user=user).order_by("wanted_at", "id"))


def assigned_to(user, *, open_only: bool = False) -> QuerySet[Order]:
    ids = OrderTaker.objects.filter(user=user).exclude(status=TakerStatus.RELEASED).values("order_id")
    qs = _base().filter(pk__in=ids)
    if open_only:
        qs = qs.filter(status__in=[OrderStatus.DISPATCHED, OrderStatus.TAKEN])
    return qs.order_by("deadline", "id")


def assignment(order: Order, user) -> OrderTaker | None:
    return OrderTaker.objects.filter(order=order, user=user).first()


def assignments(order: Order) -> list[OrderTaker]:
    return list(OrderTaker.objects.filter(order=order).select_related("user"))


def timeline(order: Order) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order).select_related("actor"))


def order_communities(user) -> QuerySet[Division]:
    """The communities the user may order help in: a resident's own, a desk's territory."""
    q = scope.NOTHING
    for top in scope.covered_divisions(user, A.ORDER):
        if top.level == Level.GRID:
            q |= Q(pk=top.community_id)
        elif top.level == Level.COMMUNITY:
            q |= Q(pk=top.pk)
        else:
            q |= scope.subtree_q(top)
    if scope.is_global(user):
        q = Q()
    return Division.objects.filter(q, level=Level.COMMUNITY, is_active=True).order_by("code")


def kinds_for(community=None) -> list[ServiceKind]:
    """The active kinds of help in `community`'s district: the city's list, with the district's own
    rows replacing (or switching off) those of the same code."""
    rows = ServiceKind.objects.filter(Q(district__isnull=True) | Q(district_id=getattr(community, "district_id", None)))
    chosen: dict[str, ServiceKind] = {}
    for kind in rows.order_by("order", "id"):
        if kind.code not in chosen or kind.district_id is not None:
            chosen[kind.code] = kind
    return sorted((k for k in chosen.values() if k.is_active), key=lambda k: (k.order, k.pk))


def board_counts(user) -> dict[str, int]:
    """How many orders the desk has in each status, and how many are overdue."""
    qs = desk_orders(user)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    counts["overdue"] = qs.filter(status__in=OPEN, deadline__lt=timezone.now()).count()
    return counts


def waiting_dispatch_count(user) -> int:
    return desk_orders(user, status=OrderStatus.PLACED).count()


def to_confirm_count(user) -> int:
    return Order.objects.filter(resident=user, status=OrderStatus.DONE).count()


def assigned_count(user) -> int:
    return assigned_to(user, open_only=True).count()


def desk_communities(user) -> QuerySet[Division]:
    """The communities the board filters by: those holding orders the user's roles reach."""
    ids = desk_orders(user).order_by().values("community_id").distinct()
    return Division.objects.filter(pk__in=ids).order_by("code")
