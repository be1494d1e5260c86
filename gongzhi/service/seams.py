"""What the service orders bring to the shell (gongzhi.core.seams): menu entries for a resident
("Order help"), a taker ("Take orders") and the desk ("Dispatch board"); home to-dos (orders waiting
for dispatch, orders to confirm, orders assigned); and what a notification about an order links to."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.metrics import Metric, register_metrics
from gongzhi.core.seams.subjects import SubjectRef, register_subject_type
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from .permissions import ServiceAction

A = ServiceAction
PHONE = {"order_new", "mine", "order"}
TAKER = {"pool", "assigned", "done"}


def _desk_todos(user) -> list[Todo]:
    from .selectors import orders as sel

    if not scope.may(user, A.DISPATCH):
        return []
    url = reverse("service:board") + "?status=placed"
    return [Todo("service.waiting_dispatch", sel.waiting_dispatch_count(user), url, priority=35)]


def _resident_todos(user) -> list[Todo]:
    from .selectors import orders as sel

    return [Todo("service.to_confirm", sel.to_confirm_count(user), reverse("service:mine"), priority=30)]


def _taker_todos(user) -> list[Todo]:
    from .selectors import orders as sel
    from .selectors.takers import is_taker

    if not is_taker(user):
        return []
    return [Todo("service.assigned", sel.assigned_count(user), reverse("service:assigned"), priority=30)]


def _is_taker(user) -> bool:
    """Members and volunteers take orders; the desk, which sees the board, is spared the two
    queries this costs on every page."""
    from .selectors.takers import is_taker

    return not scope.may(user, A.VIEW) and is_taker(user)


def _orders(reader, ids: list[int]) -> dict[int, SubjectRef]:
    from .selectors import orders as sel

    rows = sel.orders_for(reader).filter(pk__in=ids)
    return {o.pk: SubjectRef(str(_("Service order %(number)s") % {"number": o.number}),
                             reverse("service:order", args=[o.pk])) for o in rows}


LEVEL_COLUMNS = {"community": "community_id", "street": "street_id", "district": "district_id", "city": "city_id"}


def _confirmed(unit, period):
    """The unit's orders confirmed in the period (None for a unit orders do not lie in: a department)."""
    from django.db.models import Q

    from .models import Order

    column = LEVEL_COLUMNS.get(getattr(unit, "type", ""))
    if column is None:
        return None
    return Order.objects.filter(Q(**{column: unit.pk}), status="confirmed",
                                confirmed_at__date__range=(period.first, period.last))


def _orders_served(unit, period):
    qs = _confirmed(unit, period)
    return None if qs is None else qs.count()


def _hours_served(unit, period):
    from django.db.models import Sum

    qs = _confirmed(unit, period)
    return None if qs is None else float(qs.aggregate(total=Sum("hours"))["total"] or 0)


def _satisfaction(unit, period):
    """The share of rated orders rated 4 or 5 stars; None when none was rated."""
    qs = _confirmed(unit, period)
    if qs is None:
        return None
    rated = qs.filter(rating__isnull=False)
    total = rated.count()
    return rated.filter(rating__gte=4).count() / total if total else None


METRICS = [
    Metric("service.orders_served", _("Service orders served"), "count", _orders_served, ("gongzhi.service",)),
    Metric("service.order_hours", _("Hours of service orders served"), "hours", _hours_served, ("gongzhi.service",)),
    Metric("service.satisfaction", _("Residents satisfied with service orders"), "ratio", _satisfaction,
           ("gongzhi.service",)),
]


def register() -> None:
    register_metrics(METRICS)
    register_todo_text("service.waiting_dispatch", ngettext_lazy(
        "%(count)d service order waits for dispatch", "%(count)d service orders wait for dispatch", "count"))
    register_todo_text("service.to_confirm", ngettext_lazy(
        "%(count)d service order to confirm and rate", "%(count)d service orders to confirm and rate", "count"))
    register_todo_text("service.assigned", ngettext_lazy(
        "%(count)d service order assigned to you", "%(count)d service orders assigned to you", "count"))
    register_todo_provider("service.desk", _desk_todos)
    register_todo_provider("service.resident", _resident_todos)
    register_todo_provider("service.taker", _taker_todos)
    register_menu_entry(MenuEntry("service.order", _("Order help"), "service:mine", order=33,
                                  active=lambda m: m.namespace == "service" and m.url_name in PHONE,
                                  visible=lambda u: scope.may(u, A.ORDER) and not scope.may(u, A.DISPATCH)))
    register_menu_entry(MenuEntry("service.take", _("Take orders"), "service:pool", order=34,
                                  active=lambda m: m.namespace == "service" and m.url_name in TAKER,
                                  visible=_is_taker))
    register_menu_entry(MenuEntry("service.board", _("Service orders"), "service:board", order=63,
                                  active=lambda m: m.namespace == "service" and m.url_name.startswith("board"),
                                  visible=lambda u: scope.may(u, A.VIEW)))
    register_subject_type("service.order", _orders)
