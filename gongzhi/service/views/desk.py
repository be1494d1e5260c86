"""The desk's pages: the dispatch board (filtered by status and community, overdue first-class),
and the dispatcher's actions on an order (assign, publish, no-show, decide a dispute, turn into a
case)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.core.scope import NotInScope

from ..choices import OrderStatus
from ..permissions import ServiceAction
from ..selectors import orders as sel
from ..services import cases as case_services
from ..services import no_shows
from ..services import orders as services
from .common import act, version

A = ServiceAction


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 12 else None


@login_required
@require_GET
def board(request):
    if not scope.may(request.user, A.VIEW):
        raise PermissionDenied(_("You may not do this."))
    status = request.GET.get("status", "open")
    if status not in ("", "open", *OrderStatus.values):
        status = "open"
    overdue = request.GET.get("overdue") == "1"
    communities = list(sel.desk_communities(request.user)[:300])
    community = _int(request.GET.get("community"))
    if community not in {c.pk for c in communities}:
        community = None
    orders = sel.desk_orders(request.user, status=status, community_id=community, overdue=overdue)
    return render(request, "service/board.html", {
        "page": paginate(request, orders.prefetch_related("assignments__user"), per_page=25),
        "counts": sel.board_counts(request.user), "status": status, "statuses": OrderStatus.choices,
        "communities": communities, "community": community, "overdue": overdue,
        "may_dispatch": scope.may(request.user, A.DISPATCH), "kinds": sel.kinds_for(),
    })


@login_required
@require_POST
def from_case(request):
    """The board's "order from a case": the case named by its tracking number, checked in scope."""
    if not scope.may(request.user, A.DISPATCH):
        raise PermissionDenied(_("You may not do this."))
    data = request.POST
    try:
        wanted = dt.datetime.fromisoformat(data.get("wanted_at", ""))
    except ValueError:
        wanted = None
    try:
        case = case_services.case_by_number(request.user, data.get("number", ""))
        order, _created = case_services.order_from_case(actor=request.user, case_id=case.pk,
                                                        kind_id=data.get("kind"), wanted_at=wanted,
                                                        description=data.get("description", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message) if not isinstance(exc, NotInScope)
                       else _("No case with this number in your area, or no such kind of help."))
        return redirect("service:board")
    messages.success(request, _("Order %(number)s placed from the case.") % {"number": order.number})
    return redirect("service:order", order.pk)


@login_required
@require_POST
def dispatch(request, pk):
    return act(request, pk, lambda: services.dispatch(
        actor=request.user, order_id=pk, taker_ids=request.POST.getlist("takers"),
        team_name=request.POST.get("team_name", ""), expected_version=version(request)),
        _("The order is dispatched."))


@login_required
@require_POST
def publish(request, pk):
    return act(request, pk, lambda: services.publish(actor=request.user, order_id=pk,
                                                     expected_version=version(request)),
               _("The order is published for members and volunteers to take."))


@login_required
@require_POST
def no_show(request, pk):
    return act(request, pk, lambda: no_shows.mark_no_show(
        actor=request.user, order_id=pk, taker_id=request.POST.get("taker"), reason=request.POST.get("reason", ""),
        expected_version=version(request)), _("The no-show is recorded."))


@login_required
@require_POST
def decide(request, pk):
    return act(request, pk, lambda: no_shows.decide_dispute(
        actor=request.user, order_id=pk, taker_id=request.POST.get("taker"),
        upheld=request.POST.get("upheld") == "1", note=request.POST.get("note", "")), _("The dispute is decided."))


@login_required
@require_POST
def to_case(request, pk):
    return act(request, pk, lambda: case_services.turn_into_case(
        actor=request.user, order_id=pk, category_id=request.POST.get("category"),
        expected_version=version(request)), _("The order is now a case."))
