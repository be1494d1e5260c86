"""The resident's phone pages: order help (for myself, or a neighbour without a phone), my orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.core.scope import NotInScope

from ..forms import ConfirmForm, OrderForm
from ..permissions import ServiceAction
from ..selectors import orders as sel
from ..services import orders as services
from .common import act, version

A = ServiceAction


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request):
    if not scope.may(request.user, A.ORDER):
        raise PermissionDenied(_("You may not do this."))
    form = OrderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order, _created = services.place_order(
                actor=request.user, kind_id=data["kind"], community_id=data["community"],
                description=data["description"], wanted_at=data["wanted_at"], place=data["place"],
                for_neighbour=data["for_neighbour"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], idempotency_key=data["idempotency_key"])
        except NotInScope:
            form.add_error(None, _("Choose a community and a kind of help from the list."))
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your order %(number)s is placed. The community will send someone.")
                             % {"number": order.number})
            return redirect("service:order", order.pk)
    return render(request, "service/order_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def mine(request):
    return render(request, "service/mine.html", {
        "page": paginate(request, sel.my_orders(request.user), per_page=15),
        "may_order": scope.may(request.user, A.ORDER),
    })


@login_required
@require_POST
def confirm(request, pk):
    # An incomplete form still goes to the service, which refuses it in the reader's words once it
    # has checked who may confirm this order.
    form = ConfirmForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    return act(request, pk, lambda: services.confirm_and_rate(
        actor=request.user, order_id=pk, rating=data.get("rating"), comment=data.get("comment", ""),
        expected_version=version(request)), _("Thank you: the service is confirmed."))


@login_required
@require_POST
def cancel(request, pk):
    return act(request, pk, lambda: services.cancel(actor=request.user, order_id=pk,
                                                    reason=request.POST.get("reason", ""),
                                                    expected_version=version(request)), _("The order is cancelled."))


