"""The taker's phone pages (a party member or volunteer): the pool of orders to take, my assigned
orders, recording what was done (with photos), disputing a no-show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.core.scope import NotInScope

from ..forms import DoneForm
from ..selectors import orders as sel
from ..selectors.takers import is_taker
from ..services import no_shows
from ..services import orders as services
from .common import act, version


def _taker(user) -> None:
    if not is_taker(user):
        raise PermissionDenied(_("Only party members and volunteers serving a community take its orders."))


@login_required
@require_GET
def pool(request):
    _taker(request.user)
    return render(request, "service/pool.html", {"page": paginate(request, sel.pool_for(request.user), per_page=15),
                                                 "tab": "pool"})


@login_required
@require_GET
def assigned(request):
    _taker(request.user)
    return render(request, "service/assigned.html", {
        "page": paginate(request, sel.assigned_to(request.user), per_page=15), "tab": "assigned"})


@login_required
@require_POST
def take(request, pk):
    return act(request, pk, lambda: services.take(actor=request.user, order_id=pk, expected_version=version(request)),
               _("The order is yours: serve it by its deadline."))


@login_required
@require_http_methods(["GET", "POST"])
def done(request, pk):
    order = sel.order_for(request.user, pk)
    row = sel.assignment(order, request.user)
    if row is None or not row.serving:
        raise PermissionDenied(_("This order was not assigned to you."))
    form = DoneForm(request.POST or None, initial={"hours": order.kind.default_hours, "version": order.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_done(actor=request.user, order_id=pk, note=form.cleaned_data["note"],
                                 hours=form.cleaned_data["hours"], photos=request.FILES.getlist("photos"),
                                 expected_version=form.cleaned_data["version"])
        except NotInScope:
            raise Http404 from None
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Recorded. The resident will confirm."))
            return redirect("service:order", pk)
    return render(request, "service/done.html", {"order": order, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def dispute(request, pk):
    return act(request, pk, lambda: no_shows.dispute_no_show(actor=request.user, order_id=pk,
                                                             reason=request.POST.get("reason", "")),
               _("Your dispute is sent to the dispatcher."))
