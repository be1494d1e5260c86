"""The points desk: the rules tables, awards by hand, the ledger with reversals, the half-yearly
publication with its appeals, the shop's merchants and items and their redemptions."""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.pages import attempt, require_may
from gongzhi.core.pagination import paginate

from .. import selectors as sel
from ..choices import AwardStatus, Basis, CapPeriod, Evidence, MerchantKind, Source
from ..permissions import PointsAction as A
from ..services import awards, periods, rules, shop
from .common import number, picked_or_404


def _render(request, template, context):
    user = request.user
    context["may"] = {name: scope.may(user, action) for name, action in
                      (("award", A.AWARD), ("shop", A.SHOP), ("rules", A.RULES), ("publish", A.PUBLISH))}
    return render(request, template, context)


# --- rules ---------------------------------------------------------------------------------------


@login_required
@require_GET
def rules_page(request):
    user = request.user
    require_may(user, A.VIEW)
    editable = scope.may(user, A.RULES)
    rows = list(sel.rules_for(user))
    for rule in rows:
        rule.editable = editable and scope.covers(user, A.RULES, rule.district)
    return _render(request, "points/desk/rules.html", {
        "rules": rows, "schemes": sel.schemes_for(user), "editable": editable,
        "districts": sel.districts_for(user, A.RULES) if editable else [],
        "bases": Basis.choices, "periods": CapPeriod.choices, "evidences": Evidence.choices, "sources": Source.choices})


@login_required
@require_POST
def rule_edit(request, pk):
    require_may(request.user, A.RULES)
    post = request.POST
    changes = {"name": post.get("name", ""), "points": post.get("points", ""), "cap": post.get("cap", ""),
               "cap_period": post.get("cap_period", ""), "evidence": post.get("evidence", ""),
               "active": post.get("active") == "on"}
    attempt(request, lambda: rules.update_rule(actor=request.user, rule_id=pk, expected_version=post.get("version"),
                                               **changes), _("The item is saved."))
    return redirect("points:rules")


@login_required
@require_POST
def rule_new(request):
    require_may(request.user, A.RULES)
    post = request.POST
    attempt(request, lambda: rules.create_rule(
        actor=request.user, district_id=number(post.get("district")), code=post.get("code", ""),
        name=post.get("name", ""), points=post.get("points", ""), cap=post.get("cap", ""),
        basis=post.get("basis", Basis.OCCURRENCE), cap_period=post.get("cap_period", CapPeriod.YEAR),
        evidence=post.get("evidence", Evidence.NONE), source=Source.MANUAL), _("The item is added."))
    return redirect("points:rules")


@login_required
@require_POST
def scheme_edit(request, pk):
    require_may(request.user, A.RULES)
    post = request.POST
    attempt(request, lambda: rules.update_scheme(
        actor=request.user, district_id=pk, expected_version=post.get("version"),
        pass_mark=post.get("pass_mark", ""), service_minimum_hours=post.get("service_minimum_hours", ""),
        appeal_days=post.get("appeal_days")), _("The scheme is saved."))
    return redirect("points:rules")


# --- awards --------------------------------------------------------------------------------------


class AwardForm(forms.Form):
    """Choices come from the same selectors the service checks each id against."""

    community = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Community"))
    person = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Person"))
    rule = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Item"))
    occurred_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label=gettext_lazy("Evidence"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=200)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, user, community, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = sel.communities_for(user, A.AWARD)
        self.fields["person"].queryset = sel.awardable_people(user, community)
        self.fields["person"].label_from_instance = str
        rules_qs = sel.rules_for(user, A.AWARD, active=True).filter(source=Source.MANUAL)
        if community is not None:
            rules_qs = rules_qs.filter(district_id=community.district_id)
        self.fields["rule"].queryset = rules_qs
        self.fields["rule"].label_from_instance = lambda r: f"{r.name} · {r.points}"


@login_required
@require_http_methods(["GET", "POST"])
def award(request):
    user = request.user
    require_may(user, A.AWARD)
    communities = sel.communities_for(user, A.AWARD)
    raw = request.POST.get("community") or request.GET.get("community") or ""
    community = picked_or_404(communities, raw) or communities.first()
    if community is not None:
        rules.ensure_defaults(community.district)
    initial = {"community": community, "occurred_on": timezone.localdate(), "key": uuid.uuid4().hex}
    form = AwardForm(user, community, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(request, lambda: awards.award_by_hand(
            actor=user, person_id=d["person"].pk, rule_id=d["rule"].pk, community_id=d["community"].pk,
            occurred_on=d["occurred_on"], evidence=d["evidence"], reason=d["reason"], idempotency_key=d["key"]),
            _("The points are awarded."))
        if done:
            return redirect("points:awards")
    return _render(request, "points/desk/award.html", {"form": form, "community": community})


@login_required
@require_GET
def awards_page(request):
    user = request.user
    require_may(user, A.VIEW)
    status = request.GET.get("status") or ""
    if status not in AwardStatus.values:
        status = ""
    communities = sel.communities_for(user, A.VIEW)
    community = picked_or_404(communities, request.GET.get("community"))
    page = paginate(request, sel.awards_for(user, status=status, community=community))
    may_reverse = scope.may(user, A.AWARD)
    for row in page.object_list:
        row.reversible = (may_reverse and row.status == AwardStatus.AWARDED and row.community_id
                          and scope.covers(user, A.AWARD, row.community))
    return _render(request, "points/desk/awards.html", {"page": page, "status": status,
                                                       "statuses": AwardStatus.choices,
                                                       "communities": communities[:500], "community": community,
                                                       "may_award": may_reverse})


@login_required
@require_POST
def award_reverse(request, pk):
    require_may(request.user, A.AWARD)
    attempt(request, lambda: awards.reverse_award(actor=request.user, award_id=pk,
                                                  reason=request.POST.get("reason", "")),
            _("The award is reversed."))
    return redirect("points:awards")


# --- publication and appeals ---------------------------------------------------------------------


@login_required
@require_GET
def periods_page(request):
    user = request.user
    require_may(user, A.VIEW)
    page = paginate(request, sel.periods_for(user))
    today = timezone.localdate()
    last_half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    return _render(request, "points/desk/periods.html", {
        "page": page, "districts": sel.districts_for(user, A.PUBLISH) if scope.may(user, A.PUBLISH) else [],
        "year": last_half[0], "half": last_half[1]})


@login_required
@require_POST
def period_publish(request):
    require_may(request.user, A.PUBLISH)
    post = request.POST
    period = attempt(request, lambda: periods.publish_period(
        actor=request.user, district_id=number(post.get("district")), year=number(post.get("year")),
        half=number(post.get("half"))), _("The half-year is published."))
    if period and period is not True:
        return redirect("points:period", pk=period.pk)
    return redirect("points:periods")


@login_required
@require_GET
def period(request, pk):
    user = request.user
    require_may(user, A.VIEW)
    period = sel.period_in_scope(user, pk)
    page = paginate(request, sel.standings_for(user, period))
    decider = scope.may(user, A.PUBLISH) and scope.covers(user, A.PUBLISH, period.district)
    return _render(request, "points/desk/period.html", {
        "period": period, "page": page, "decider": decider,
        "appeals": sel.appeals_for(user, period=period).order_by("status", "-filed_at")[:50],
        "may_finalise": decider and period.status == "published" and timezone.localdate() > period.appeal_until})


@login_required
@require_POST
def period_finalise(request, pk):
    require_may(request.user, A.PUBLISH)
    attempt(request, lambda: periods.finalise_period(actor=request.user, period_id=pk), _("The publication is final."))
    return redirect("points:period", pk=pk)


@login_required
@require_POST
def appeal_decide(request, pk):
    require_may(request.user, A.PUBLISH)
    post = request.POST
    appeal = attempt(request, lambda: periods.decide_appeal(
        actor=request.user, appeal_id=pk, uphold=post.get("decision") == "uphold", reason=post.get("reason", ""),
        correction=post.get("correction") or "0"), _("The appeal is decided."))
    if appeal and appeal is not True:
        return redirect("points:period", pk=appeal.standing.period_id)
    return redirect("points:periods")


# --- the shop ------------------------------------------------------------------------------------


@login_required
@require_GET
def merchants(request):
    user = request.user
    require_may(user, A.SHOP)
    page = paginate(request, sel.merchants_for(user, A.SHOP).prefetch_related("items"))
    return _render(request, "points/desk/merchants.html", {
        "page": page, "divisions": sel.merchant_divisions(user), "kinds": MerchantKind.choices})


@login_required
@require_POST
def merchant_new(request):
    require_may(request.user, A.SHOP)
    post = request.POST
    attempt(request, lambda: shop.create_merchant(
        actor=request.user, division_id=number(post.get("division")), name=post.get("name", ""),
        kind=post.get("kind", MerchantKind.PARTNER), address=post.get("address", "")), _("The merchant is added."))
    return redirect("points:merchants")


@login_required
@require_POST
def item_new(request, pk):
    require_may(request.user, A.SHOP)
    post = request.POST
    attempt(request, lambda: shop.create_item(
        actor=request.user, merchant_id=pk, name=post.get("name", ""), description=post.get("description", ""),
        cost=post.get("cost", ""), stock=number(post.get("stock")) or 0), _("The item is on offer."))
    return redirect("points:merchants")


@login_required
@require_POST
def item_update(request, pk):
    require_may(request.user, A.SHOP)
    post = request.POST
    changes = {"add_stock": number(post.get("add_stock")) or 0, "active": post.get("active") == "on"}
    attempt(request, lambda: shop.update_item(actor=request.user, item_id=pk, expected_version=post.get("version"),
                                              **changes), _("The item is saved."))
    return redirect("points:merchants")


@login_required
@require_GET
def redemptions(request):
    user = request.user
    require_may(user, A.SHOP)
    page = paginate(request, sel.redemptions_for(user, A.SHOP))
    return _render(request, "points/desk/redemptions.html", {"page": page})


@login_required
@require_POST
def redemption_cancel(request, pk):
    require_may(request.user, A.SHOP)
    attempt(request, lambda: shop.cancel_redemption(actor=request.user, redemption_id=pk,
                                                    reason=request.POST.get("reason", "")),
            _("The redemption is cancelled; the points and the stock are back."))
    return redirect("points:redemptions")

