"""The community's report-in desk: members' report-ins to confirm or decline (or register at the
desk), the community's QR code, units' registrations and projects, the service record, feedback
cards (issue, print, export, acknowledge), and the report-in dashboard."""

import datetime as dt

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.pages import attempt, refuse_form, require_may
from gongzhi.core.pagination import paginate

from .. import periods
from ..choices import CardStatus, RegistrationStatus
from ..forms_registrations import (
    CardsIssueForm,
    DeclineForm,
    DeskRegistrationForm,
    EndForm,
    PolicyForm,
    ProjectForm,
    ProjectUpdateForm,
    ServiceForm,
    UnitRegistrationForm,
    VoidForm,
)
from ..permissions import PartyAction
from ..selectors import registrations as sel
from ..selectors.reading import as_read_by, read_page
from ..services import registrations as services
from ..services import service_record

A = PartyAction
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _area(request, user, action: str = A.VIEW_MEMBERS):
    raw = request.GET.get("division") or ""
    if raw:
        try:
            return sel.dashboard_division(user, int(raw))
        except ValueError:
            raise Http404 from None
    return None


def _period(request, policy=None):
    raw = request.GET.get("period") or ""
    if raw:
        try:
            return periods.period_starting(dt.date.fromisoformat(raw), (policy or sel.current_policy()).period_months)
        except ValueError:
            raise Http404 from None
    return sel.member_period(policy=policy)


# --- members' report-ins -------------------------------------------------------------------------


@login_required
@require_GET
def registrations(request):
    """Report-ins in the user's scope, this period by default, pending first; the desk's
    confirm and decline beside each."""
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    community = _area(request, user)
    period = _period(request)
    status = request.GET.get("status") or ""
    if status not in RegistrationStatus.values:
        status = ""
    query = (request.GET.get("q") or "").strip()[:40]
    regs = sel.registrations_for(user, community=community, status=status, period_start=period.start, query=query)
    desk = set(sel.confirmable_registrations(user).filter(status=RegistrationStatus.PENDING)
               .values_list("pk", flat=True)) if scope.may(user, A.CONFIRM) else set()
    return render(request, "party/registrations/list.html", {
        "page": read_page(user, paginate(request, regs)), "period": period, "previous": periods.previous(period),
        "status": status, "q": query, "community": community, "desk": desk, "statuses": RegistrationStatus.choices,
        "decline_form": DeclineForm(), "desk_communities": sel.desk_communities(user) if desk or scope.may(
            user, A.CONFIRM) else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def registration_new(request):
    """Register a member at the desk (confirmed at once)."""
    user = request.user
    require_may(user, A.CONFIRM)
    form = DeskRegistrationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        done = attempt(request, lambda: services.register_at_desk(
            actor=user, member_id=form.cleaned_data["member"].pk, community_id=form.cleaned_data["community"].pk),
            _("%(name)s is registered.") % {"name": form.cleaned_data["member"].name})
        if done:
            return redirect("party:registrations")
    return render(request, "party/registrations/new.html", {"form": form}, status=400 if form.errors else 200)


def _back(request, default: str) -> str:
    target = request.POST.get("next") or ""
    return target if target.startswith("/party/") else default


@login_required
@require_POST
def registration_confirm(request, pk):
    user = request.user
    require_may(user, A.CONFIRM)
    attempt(request, lambda: services.confirm_registration(actor=user, registration_id=pk), _("Confirmed."))
    return redirect(_back(request, reverse("party:registrations")))


@login_required
@require_POST
def registration_decline(request, pk):
    user = request.user
    require_may(user, A.CONFIRM)
    form = DeclineForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.decline_registration(actor=user, registration_id=pk,
                                                               reason=form.cleaned_data["reason"]),
                _("Declined."))
    else:
        sel.registration_for(user, pk)  # 404 before saying what is missing
        refuse_form(request, form)
    return redirect(_back(request, reverse("party:registrations")))


@login_required
@require_GET
def qr_code(request, pk):
    """The community's report-in QR code, to print and put up (for those who keep its desk)."""
    community = sel.confirm_division(request.user, pk)
    url = request.build_absolute_uri(reverse("party:report_in_qr", args=[community.code]))
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return render(request, "party/registrations/qr.html", {"community": community, "url": url, "svg": svg})


# --- the dashboard -------------------------------------------------------------------------------

LISTS = {"confirmed", "pending", "served", "never"}


@login_required
@require_GET
def dashboard(request):
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    division = _area(request, user) or sel.default_dashboard_division(user)
    if division is None:
        raise PermissionDenied
    policy = sel.current_policy()
    period = _period(request, policy)
    rates = sel.report_in_rates(user, division, period_start=period.start)
    kind = request.GET.get("list") or "pending"
    if kind not in LISTS:
        kind = "pending"
    chart = {"names": [r.name for r in rates.communities],
             "rates": [None if r.rate is None else round(r.rate * 100, 1) for r in rates.communities],
             "line": policy.unit_line_percent, "label": _("Report-in rate (%)")}
    return render(request, "party/registrations/dashboard.html", {
        "division": division, "rates": rates, "period": period, "previous": periods.previous(period),
        "kind": kind, "page": paginate(request, sel.dashboard_members(user, division, kind, period)),
        "may_set_policy": sel.may_set_policy(user),
        "areas": sel.dashboard_divisions(user).exclude(level="community")[:50] if division.level != "community"
        else [], "chart": chart, "communities_page": paginate(request, rates.communities, per_page=50,
                                                              param="cpage"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    """The report-in rules: who must report in how often, when cards go out, where units are flagged."""
    user = request.user
    if not sel.may_set_policy(user):
        raise PermissionDenied
    current = sel.current_policy()
    form = PolicyForm(request.POST or None, initial={
        "period_months": current.period_months, "feedback_months": current.feedback_months,
        "unit_line_percent": current.unit_line_percent, "version": current.version})
    if request.method == "POST":
        if form.is_valid() and attempt(request, lambda: services.set_policy(
                actor=user, period_months=form.cleaned_data["period_months"],
                feedback_months=form.cleaned_data["feedback_months"],
                unit_line_percent=form.cleaned_data["unit_line_percent"],
                expected_version=form.cleaned_data["version"]), _("The report-in rules are saved.")):
            return redirect("party:report_in_policy")
        refuse_form(request, form)
    return render(request, "party/registrations/policy.html", {"form": form, "policy": current},
                  status=400 if request.method == "POST" else 200)


# --- units ---------------------------------------------------------------------------------------


@login_required
@require_GET
def units(request):
    user = request.user
    require_may(user, A.VIEW)
    community = _area(request, user) if request.GET.get("division") else None
    regs = sel.unit_registrations_for(user, community=community, active_only=request.GET.get("all") != "1")
    return render(request, "party/registrations/units.html", {
        "page": paginate(request, regs), "may_register": scope.may(user, A.CONFIRM) or bool(
            sel.unit_secretary_posts(user)), "all": request.GET.get("all") == "1"})


@login_required
@require_http_methods(["GET", "POST"])
def unit_new(request):
    user = request.user
    if not (scope.may(user, A.CONFIRM) or sel.unit_secretary_posts(user)):
        raise PermissionDenied
    form = UnitRegistrationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = {}

        def run():
            result["reg"] = services.register_unit(
                actor=user, organisation_id=data["organisation"].pk, community_id=data["community"].pk,
                offers=data["offers"], agreement=data["agreement"], signed_on=data["signed_on"],
                contact_name=data["contact_name"])

        if attempt(request, run, _("The unit is registered.")):
            return redirect("party:unit", result["reg"].pk)
    return render(request, "party/registrations/unit_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def unit(request, pk):
    user = request.user
    reg = sel.unit_registration(user, pk)
    keeps = sel.unit_desk_registrations(user).filter(pk=reg.pk).exists()
    projects = list(sel.projects_of(reg))
    # The edit forms take the text as written (gongzhi.party.selectors.reading), the page shows it as read.
    forms = [ProjectUpdateForm(initial={"status": p.status, "progress": p.progress, "note": p.note,
                                        "version": p.version}, prefix=f"p{p.pk}") for p in projects]
    as_read_by(user, [reg, *projects])
    return render(request, "party/registrations/unit.html", {
        "reg": reg, "projects": list(zip(projects, forms, strict=True)),
        "keeps": keeps, "project_form": ProjectForm(), "end_form": EndForm()})


def _on_unit(request, pk, form_class, run, done: str):
    """A form posted about one unit's registration: the service decides; the form's errors are shown
    to the unit's desk, and a refusal (403) to those who only see the registration."""
    reg = sel.unit_registration(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        attempt(request, lambda: run(reg, form.cleaned_data), done)
    elif not sel.unit_desk_registrations(request.user).filter(pk=reg.pk).exists():
        raise PermissionDenied
    else:
        refuse_form(request, form)
    return redirect("party:unit", reg.pk)


@login_required
@require_POST
def unit_end(request, pk):
    return _on_unit(request, pk, EndForm, lambda reg, data: services.end_registration(
        actor=request.user, registration_id=reg.pk, reason=data["reason"]), _("The registration has ended."))


@login_required
@require_POST
def project_new(request, pk):
    return _on_unit(request, pk, ProjectForm, lambda reg, data: services.add_project(
        actor=request.user, registration_id=reg.pk, **data), _("The project is added."))


@login_required
@require_POST
def project_update(request, pk):
    user = request.user
    project = sel.project_for(user, pk)
    form = ProjectUpdateForm(request.POST, prefix=f"p{project.pk}")
    if form.is_valid():
        data = form.cleaned_data
        attempt(request, lambda: services.update_project(
            actor=user, project_id=project.pk, expected_version=data["version"], status=data["status"],
            progress=data["progress"], note=data["note"]), _("The project is updated."))
    elif not sel.unit_desk_registrations(user).filter(pk=project.registration_id).exists():
        raise PermissionDenied
    else:
        refuse_form(request, form)
    return redirect("party:unit", project.registration_id)


# --- service ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service(request):
    """The service record of the user's communities, and (for a desk) the form to add to it."""
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    desk = scope.may(user, A.CONFIRM)
    form = ServiceForm(request.POST or None, user=user) if desk else None
    if request.method == "POST":
        if not desk:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            if attempt(request, lambda: service_record.record_service(
                    actor=user, member_id=data["member"].pk, community_id=data["community"].pk,
                    served_on=data["served_on"], activity=data["activity"], hours=data["hours"]),
                    _("The service is recorded.")):
                return redirect("party:service")
    community = _area(request, user)
    return render(request, "party/registrations/service.html", {
        "form": form, "page": read_page(user, paginate(request, sel.service_entries_for(
            user, community=community, include_voided=True))),
        "void_form": VoidForm(), "desk_ids": set(sel.desk_communities(user).values_list("pk", flat=True)),
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def service_void(request, pk):
    user = request.user
    entry = sel.service_entry_for(user, pk)
    require_may(user, A.CONFIRM)
    form = VoidForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: service_record.void_service(actor=user, entry_id=entry.pk,
                                                             reason=form.cleaned_data["reason"]),
                _("The entry is voided."))
    else:
        refuse_form(request, form)
    return redirect("party:service")


# --- cards -----------------------------------------------------------------------------------------


def _cards(request, user):
    community = _area(request, user)
    raw = request.GET.get("period") or ""
    try:
        period_start = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Http404 from None
    status = request.GET.get("status") or ""
    return sel.feedback_cards_for(user, community=community, period_start=period_start,
                                  status=status if status in CardStatus.values else "")


@login_required
@require_GET
def cards(request):
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    acknowledgeable = set(sel.acknowledgeable_cards(user).filter(status=CardStatus.SENT).values_list("pk", flat=True))
    return render(request, "party/registrations/cards.html", {
        "page": read_page(user, paginate(request, _cards(request, user))), "acknowledgeable": acknowledgeable,
        "may_issue": scope.may(user, A.CONFIRM), "may_export": scope.may(user, A.EXPORT),
        "query": request.GET.urlencode()})


@login_required
@require_GET
def cards_print(request):
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    cards = as_read_by(user, _cards(request, user)[:500])
    return render(request, "party/registrations/cards_print.html", {"cards": cards})


@login_required
@require_GET
def cards_export(request):
    user = request.user
    require_may(user, A.VIEW_MEMBERS)
    content = service_record.export_cards(actor=user, cards=_cards(request, user))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="feedback-cards.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cards_issue(request):
    """Send the last quarter's cards of one of the desk's communities: an evaluation per member
    (by default from the hours served), then one click."""
    user = request.user
    require_may(user, A.CONFIRM)
    communities = sel.desk_communities(user)
    raw = request.POST.get("community") or request.GET.get("community") or ""
    community = communities.filter(pk=int(raw)).first() if raw.isdigit() else communities.first()
    period = sel.feedback_period_due()
    members = sel.cards_due(user, community, period) if community is not None else []
    form = CardsIssueForm(request.POST or None, user=user, members=members,
                          initial={"community": community})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["community"]
        if attempt(request, lambda: service_record.issue_feedback_cards(
                actor=user, community_id=chosen.pk, period_start=period.start, evaluations=form.evaluations(),
                comments=form.comments()), _("The cards are sent.")):
            return redirect(reverse("party:cards") + f"?period={period.start.isoformat()}")
    return render(request, "party/registrations/cards_issue.html", {
        "form": form, "community": community, "period": period, "members": members},
        status=400 if form.errors else 200)


@login_required
@require_POST
def card_acknowledge(request, pk):
    user = request.user
    card = sel.feedback_card_for(user, pk)
    attempt(request, lambda: service_record.acknowledge_card(actor=user, card_id=card.pk), _("Acknowledged."))
    return redirect("party:cards")
