"""One order's page, for everyone who may see it: what was asked, who serves it, the timeline, and
the actions the reader may take on it (confirm and rate, cancel, take, record done, dispatch…)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from gongzhi.registry.storage import photo_response

from .. import timeline
from ..choices import CANCELLABLE, DISPATCHABLE, OPEN, OrderStatus, TakerStatus
from ..selectors import orders as sel
from ..selectors import takers as taker_sel
from ..services.cases import case_categories


@login_required
@require_GET
def order(request, pk):
    user = request.user
    order = sel.order_for(user, pk)
    rows = sel.assignments(order)
    mine = next((r for r in rows if r.user_id == user.pk), None)
    dispatcher = sel.may_dispatch(user, order)
    own = user.pk in (order.resident_id, order.ordered_by_id)
    context = {
        "order": order, "rows": rows, "mine": mine, "dispatcher": dispatcher,
        "events": [(e, timeline.render(e)) for e in sel.timeline(order)],
        "photos": list(order.photos.all()),
        "may_confirm": order.status == OrderStatus.DONE and (
            order.resident_id == user.pk or (order.resident_id is None and dispatcher)),
        "may_cancel": order.status in CANCELLABLE and (own or dispatcher),
        "may_take": order.status == OrderStatus.PUBLISHED and taker_sel.taker_for(user, order.community) is not None,
        "may_accept": bool(mine and mine.status == TakerStatus.ASSIGNED and mine.accepted_at is None
                           and order.status in (OrderStatus.DISPATCHED, OrderStatus.TAKEN)),
        "may_record": bool(mine and mine.status == TakerStatus.ASSIGNED
                           and order.status in (OrderStatus.DISPATCHED, OrderStatus.TAKEN)),
        "may_dispute": bool(mine and mine.status == TakerStatus.NO_SHOW),
        "may_dispatch": dispatcher and order.status in DISPATCHABLE,
        "may_publish": dispatcher and order.status in (OrderStatus.PLACED, OrderStatus.NO_SHOW),
        "may_no_show": dispatcher and order.status in (OrderStatus.DISPATCHED, OrderStatus.TAKEN),
        "may_case": dispatcher and order.status in OPEN,
        "stars": range(5, 0, -1),
    }
    if context["may_dispatch"]:
        context["takers"] = taker_sel.takers_for(order.community)
    if context["may_case"]:
        context["categories"] = case_categories()
    return render(request, "service/order.html", context)


@login_required
@require_GET
def photo(request, pk, photo_id):
    order = sel.order_for(request.user, pk)
    return photo_response(get_object_or_404(order.photos.all(), pk=photo_id))
