"""The party member's phone pages (375 px first): report in to my community (picked from a list,
or arriving from the community's QR code), my branch, my service and feedback cards."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from ..choices import ReportInMethod
from ..forms_registrations import ReportInForm
from ..permissions import PartyAction
from ..selectors import registrations as sel
from ..services import registrations as services

A = PartyAction


def the_member(user):
    """The signed-in party member's own record; 403 for anyone else."""
    member = sel.my_member(user) if scope.may(user, A.REPORT_IN) else None
    if member is None:
        raise PermissionDenied(_("Only a party member has this page."))
    return member


def _report_in_page(request, community=None):
    member = the_member(request.user)
    period = sel.member_period()
    query = (request.GET.get("q") or "").strip()[:40]
    method = ReportInMethod.QR if community is not None else ReportInMethod.PICKED
    initial = {"method": method, "community": community or member.home_community}
    form = ReportInForm(request.POST or None, query=query, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reg, created = services.report_in(actor=request.user, community_id=form.cleaned_data["community"].pk,
                                              method=form.cleaned_data["method"],
                                              idempotency_key=form.cleaned_data["idempotency_key"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            if created:
                messages.success(request, _("You have reported in to %(community)s. The community will confirm.")
                                 % {"community": reg.community.name})
            return redirect("party:report_in")
    current = sel.live_registration(member, period)
    declined = (member.registrations.filter(period_start=period.start, status="declined")
                .select_related("community").order_by("-id").first())
    return render(request, "party/phone/report_in.html", {
        "member": member, "period": period, "current": current, "declined": declined, "form": form,
        "community": community, "q": query, "history": sel.my_registrations(member)[:6],
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def report_in(request):
    return _report_in_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def report_in_qr(request, code):
    """The page a community's QR code opens: that community prefilled."""
    the_member(request.user)
    community = sel.community_by_code(code)
    if community is None:
        messages.error(request, _("This code names no community. Pick yours from the list."))
        return redirect("party:report_in")
    return _report_in_page(request, community)


@login_required
@require_GET
def my_branch(request):
    member = the_member(request.user)
    return render(request, "party/phone/my_branch.html", {
        "member": member, "branch": sel.my_branch(member),
        "history": paginate(request, sel.my_registrations(member), per_page=10),
    })


@login_required
@require_GET
def my_service(request):
    member = the_member(request.user)
    year = dt.date(sel.today().year, 1, 1)
    entries = sel.my_service(member)
    hours = sum((e.hours for e in entries.filter(served_on__gte=year)), Decimal("0"))
    return render(request, "party/phone/my_service.html", {
        "member": member, "hours": hours, "year": year.year, "page": paginate(request, entries, per_page=20),
        "cards": sel.my_cards(member)[:8],
    })
