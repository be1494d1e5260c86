"""The holder's phone pages (375 px first): my credits and statement, request help, offer help
(open requests in my community), my exchanges with their steps, relatives and transfers."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.pagination import paginate

from .. import books
from .. import selectors as sel
from ..forms import ReasonForm, RelationForm, RequestHelpForm, TransferForm
from ..services import exchanges, relations
from ..services.common import today
from .common import attempt


@login_required
@require_GET
def home(request):
    user = request.user
    member = sel.my_member(user)
    rules = sel.rules_for(member.community) if member else None
    page = paginate(request, sel.statement(user), per_page=20)
    lines = [(e, books.memo_text(e.transaction.memo_code, e.transaction.memo_params)) for e in page.object_list]
    return render(request, "lovebank/phone/home.html", {
        "member": member, "balance": books.balance_of(user.pk), "rules": rules, "page": page, "lines": lines,
        "may_draw": bool(member and exchanges.eligible(member, rules, today())), "tab": "home",
    })


@login_required
@require_http_methods(["GET", "POST"])
def request_help(request):
    member = sel.my_member(request.user)
    form = RequestHelpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: exchanges.request_help(
                actor=request.user, service_kind=d["service_kind"], credits=d["credits"], wanted_on=d["wanted_on"],
                description=d["description"], key=d["idempotency_key"]), _("Your request is published.")):
            return redirect("lovebank:exchanges")
    return render(request, "lovebank/phone/request_help.html", {"form": form, "member": member, "tab": "request"},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def offer_help(request):
    return render(request, "lovebank/phone/offer_help.html", {
        "member": sel.my_member(request.user), "page": paginate(request, sel.open_requests_near(request.user)),
        "tab": "offer"})


@login_required
@require_GET
def my_exchanges(request):
    return render(request, "lovebank/phone/exchanges.html", {
        "page": paginate(request, sel.my_exchanges(request.user)), "reason_form": ReasonForm(), "tab": "exchanges"})


STEPS = {"offer": exchanges.offer, "done": exchanges.mark_done, "confirm": exchanges.confirm}
REASONED = {"cancel": exchanges.cancel, "dispute": exchanges.dispute}


@login_required
@require_POST
def exchange_step(request, pk, step):
    if step not in STEPS and step not in REASONED:
        raise Http404
    version = request.POST.get("version")
    version = int(version) if (version or "").isdigit() else None
    if step in STEPS:
        attempt(request, lambda: STEPS[step](actor=request.user, exchange_id=pk, expected_version=version),
                _("Done."))
    else:
        form = ReasonForm(request.POST)
        if form.is_valid():
            attempt(request, lambda: REASONED[step](actor=request.user, exchange_id=pk,
                                                    reason=form.cleaned_data["reason"], expected_version=version),
                    _("Done."))
        else:
            messages.error(request, _("Give a reason."))
    return redirect("lovebank:exchanges")


@login_required
@require_http_methods(["GET", "POST"])
def family(request):
    """My relatives (named, verified by the community) and transfers to them."""
    user = request.user
    form = RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: relations.request_relation(
                actor=user, kinship=d["kinship"], relative_name=d["relative_name"],
                relative_phone=d["relative_phone"]), _("The community will verify the relation.")):
            return redirect("lovebank:family")
    return render(request, "lovebank/phone/family.html", {
        "member": sel.my_member(user), "form": form, "relations": sel.my_relations(user)[:20],
        "transfer_key": uuid.uuid4().hex, "tab": "family"}, status=400 if form.errors else 200)


@login_required
@require_POST
def transfer(request):
    form = TransferForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        attempt(request, lambda: relations.transfer(actor=request.user, relation_id=d["relation"],
                                                    credits=d["credits"], key=d["idempotency_key"]),
                _("The credits are sent."))
    else:
        messages.error(request, _("Give the number of credits."))
    return redirect("lovebank:family")
