"""The community's love-bank desk: members and hardship flags, relations to verify, exchanges and
disputes, the district's rules, the yearly report and its export."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.pagination import paginate

from .. import reports
from .. import selectors as sel
from ..choices import ExchangeStatus, RelationStatus
from ..forms import BirthDateForm, HardshipForm, RelationDecisionForm, ResolveForm, RulesForm
from ..permissions import BankAction as A
from ..services import exchanges, members, relations, rules
from .common import attempt, require_may


def _version(form):
    return form.cleaned_data.get("version")


def _in_scope(choices, pk) -> None:
    """404 before anything else for an id outside the user's scope (the service checks it again)."""
    if not choices.filter(pk=pk).exists():
        raise Http404


@login_required
@require_GET
def members_page(request):
    user = request.user
    require_may(user, A.VIEW)
    query = (request.GET.get("q") or "").strip()[:40]
    hardship = True if request.GET.get("hardship") == "1" else None
    page = paginate(request, sel.members_for(user, A.VIEW, query=query, hardship=hardship))
    manage_ids = set(sel.members_for(user, A.MANAGE).filter(pk__in=[m.pk for m in page.object_list])
                     .values_list("pk", flat=True))
    return render(request, "lovebank/desk/members.html", {
        "page": page, "q": query, "hardship": hardship, "manage_ids": manage_ids, "tab": "members"})


@login_required
@require_POST
def member_hardship(request, pk):
    require_may(request.user, A.MANAGE)
    _in_scope(sel.members_for(request.user, A.MANAGE), pk)
    form = HardshipForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: members.flag_hardship(
            actor=request.user, member_id=pk, hardship=form.cleaned_data["hardship"],
            reason=form.cleaned_data["reason"], expected_version=_version(form)), _("Saved."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("lovebank:members")


@login_required
@require_POST
def member_details(request, pk):
    """Record a member's birth date read from their ID card (the registry link is in the API)."""
    require_may(request.user, A.MANAGE)
    _in_scope(sel.members_for(request.user, A.MANAGE), pk)
    form = BirthDateForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: members.set_details(actor=request.user, member_id=pk,
                                                     birth_date=form.cleaned_data["birth_date"],
                                                     expected_version=_version(form)), _("Saved."))
    else:
        messages.error(request, _("Give the birth date."))
    return redirect("lovebank:members")


@login_required
@require_GET
def relations_page(request):
    require_may(request.user, A.VIEW)
    status = request.GET.get("status", RelationStatus.REQUESTED)
    status = status if status in RelationStatus.values else ""
    return render(request, "lovebank/desk/relations.html", {
        "page": paginate(request, sel.relations_for(request.user, A.VIEW, status=status)), "status": status,
        "statuses": RelationStatus.choices, "form": RelationDecisionForm(), "tab": "relations"})


@login_required
@require_POST
def relation_decide(request, pk):
    require_may(request.user, A.MANAGE)
    _in_scope(sel.relations_for(request.user, A.MANAGE), pk)
    form = RelationDecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if d["decision"] == "confirm":
            attempt(request, lambda: relations.confirm_relation(
                actor=request.user, relation_id=pk, reason=d["reason"], birth_date=d["birth_date"],
                expected_version=_version(form)), _("The relation is confirmed."))
        else:
            attempt(request, lambda: relations.decline_relation(
                actor=request.user, relation_id=pk, reason=d["reason"], expected_version=_version(form)),
                _("The relation is declined."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("lovebank:relations")


@login_required
@require_GET
def exchanges_page(request):
    require_may(request.user, A.VIEW)
    status = request.GET.get("status", "")
    status = status if status in ExchangeStatus.values else ""
    return render(request, "lovebank/desk/exchanges.html", {
        "page": paginate(request, sel.exchanges_for(request.user, A.VIEW, status=status)), "status": status,
        "statuses": ExchangeStatus.choices, "form": ResolveForm(), "tab": "exchanges"})


@login_required
@require_POST
def exchange_resolve(request, pk):
    require_may(request.user, A.MANAGE)
    _in_scope(sel.exchanges_for(request.user, A.MANAGE), pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        attempt(request, lambda: exchanges.resolve(actor=request.user, exchange_id=pk, outcome=d["outcome"],
                                                   reason=d["reason"], expected_version=_version(form)),
                _("The dispute is resolved."))
    else:
        messages.error(request, _("Choose an outcome and give a reason."))
    return redirect("lovebank:desk_exchanges")


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request):
    user = request.user
    require_may(user, A.RULES)
    districts = list(sel.districts_for(user, A.RULES))
    chosen = next((d for d in districts if str(d.pk) == (request.GET.get("district") or "")), None)
    chosen = chosen or (districts[0] if districts else None)
    current = sel.rules_for_district(chosen.pk if chosen else None)
    initial = {name: getattr(current, name) for name in rules.FIELDS} | {"version": current.version}
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and chosen is not None and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: rules.update_rules(
                actor=user, district_id=chosen.pk, daily_cap=d["daily_cap"], account_cap=d["account_cap"],
                redeem_age=d["redeem_age"], hardship_age=d["hardship_age"], transfer_age=d["transfer_age"],
                reason=d["reason"], expected_version=d["version"] if current.pk else None), _("Saved.")):
            return redirect(f"{request.path}?district={chosen.pk}")
    return render(request, "lovebank/desk/rules.html", {
        "districts": districts, "chosen": chosen, "form": form, "current": current, "tab": "rules"},
        status=400 if form.errors else 200)


def _report_args(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    return year, sel.area_for(request.user, A.VIEW, request.GET.get("area") or None)


@login_required
@require_GET
def report_page(request):
    require_may(request.user, A.VIEW)
    year, area = _report_args(request)
    rows, total = reports.yearly(request.user, year, area=area)
    return render(request, "lovebank/desk/report.html", {
        "year": year, "area": area, "rows": rows, "total": total, "tab": "report",
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1)})


@login_required
@require_GET
def report_export(request):
    require_may(request.user, A.EXPORT)
    year, area = _report_args(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content, name, ctype = reports.export(actor=request.user, year=year, area=area, fmt=fmt)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
