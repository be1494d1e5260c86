"""The party members pages: the list (search, filters, pages), one member's record (masked, with the
audited reveal, transfers and seats), entering and correcting members, transfers, ending a
membership, and the spreadsheet import, export and template. The views parse and call the services
and selectors; those check scope and every id."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from ..forms_members import EndForm, FilterForm, ImportForm, MemberForm, TransferForm, show_refusal
from ..models import Organisation
from ..permissions import PartyAction
from ..selectors import members as selectors
from ..selectors.reading import as_read_by, as_read_by_one
from ..services import member_sheets
from ..services import members as services

A = PartyAction
PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_ORGANISATIONS = 300  # more than this, and the list is filtered from the organisation's page


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied


def _require_member(user, action: str, member):
    """`member` (read in the user's VIEW_MEMBERS scope) when the user may also do `action` to it:
    someone who may only look is refused (403)."""
    if not selectors.may_member(user, action, member):
        raise PermissionDenied
    return member


def _filters(request, user) -> tuple[dict, FilterForm]:
    """The list's filters from the query string: an organisation or community the user cannot see
    answers 404, like a missing one."""
    organisations = scope.restrict(Organisation.objects.all(), user, A.VIEW_MEMBERS).order_by("path")
    form = FilterForm(request.GET or None, organisations=organisations[:FILTER_ORGANISATIONS])
    raw = request.GET
    organisation = None
    if raw.get("organisation"):
        try:
            organisation = selectors.access_organisation(user, int(raw["organisation"]))
        except ValueError:
            raise Http404 from None
    community = None
    if raw.get("home_community"):
        try:
            community = selectors.community_choices().filter(pk=int(raw["home_community"])).first()
        except ValueError:
            community = None
        if community is None:
            raise Http404
    state = raw.get("state") or "active"
    filters = {
        "organisation": organisation, "home_community": community, "query": (raw.get("q") or "")[:40],
        "status": raw.get("status") if raw.get("status") in ("full", "probationary") else None,
        "category": raw.get("category") if raw.get("category") in dict(form.fields["category"].choices) else None,
        "state": None if state == "all" else state if state in dict(form.fields["state"].choices) else "active",
    }
    return filters, form


@login_required
@require_GET
def member_list(request):
    user = request.user
    _require_may(user, A.VIEW_MEMBERS)
    filters, form = _filters(request, user)
    page = paginate(request, selectors.members_for(user, **filters), per_page=PER_PAGE)
    context = {
        "form": form, "page": page, "filters": filters, "query": request.GET.urlencode(),
        "filtered": any(v for k, v in filters.items() if k != "state") or filters["state"] != "active",
        "may_edit": scope.may(user, A.EDIT_MEMBERS), "may_export": scope.may(user, A.EXPORT),
    }
    if is_htmx(request):
        return render(request, "party/members/_results.html", context)
    return render(request, "party/members/list.html", context)


@sensitive_variables("revealed")
def _member_page(request, member, *, revealed=None, status=200):
    user = request.user
    context = {
        "member": as_read_by_one(user, member), "transfers": as_read_by(user, selectors.member_transfers(member)),
        "seats": selectors.member_seats(member),
        "may_edit": selectors.may_member(user, A.EDIT_MEMBERS, member),
        "may_reveal": selectors.may_member(user, A.REVEAL, member), "revealed": revealed or {},
    }
    response = render(request, "party/members/detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def member_detail(request, pk):
    return _member_page(request, selectors.access_member(request.user, pk))


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def member_new(request):
    user = request.user
    _require_may(user, A.EDIT_MEMBERS)
    form = MemberForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(actor=user, **form.changes())
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(name)s has been entered.") % {"name": member.name})
            return redirect("party:member", pk=member.pk)
    return render(request, "party/members/form.html", _form_context(user, form, None),
                  status=400 if form.errors else 200)


def _form_context(user, form, member) -> dict:
    resident = None
    chosen = form["resident"].value() if "resident" in form.fields else None
    if chosen:
        try:
            resident = selectors.resident_choices(user).filter(pk=int(chosen)).first()
        except (TypeError, ValueError):
            resident = None
    return {"form": form, "member": member, "may_link": selectors.may_link_residents(user), "resident": resident}


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    user = request.user
    member = _require_member(user, A.EDIT_MEMBERS, selectors.access_member(user, pk))
    form = MemberForm(request.POST or None, user=user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.update_member(actor=user, member=member, expected_version=form.cleaned_data["version"],
                                             **form.changes())
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(name)s has been saved.") % {"name": member.name})
            return redirect("party:member", pk=member.pk)
    return render(request, "party/members/form.html", _form_context(user, form, member),
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer(request, pk):
    user = request.user
    member = _require_member(user, A.EDIT_MEMBERS, selectors.access_member(user, pk))
    form = TransferForm(request.POST or None, user=user, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_member(actor=user, member=member, kind=data["kind"],
                                     to_organisation=data["to_organisation"].pk if data["to_organisation"] else None,
                                     outside=data["outside"], letter_number=data["letter_number"],
                                     on=data["transferred_on"], reason=data["reason"],
                                     expected_version=data["version"])
        except DomainError as exc:
            show_refusal(form, exc, {"on": "transferred_on"})
        else:
            messages.success(request, _("The transfer of %(name)s has been recorded.") % {"name": member.name})
            return redirect("party:member", pk=member.pk)
    return render(request, "party/members/transfer.html", {"form": form, "member": member},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request, pk):
    user = request.user
    member = _require_member(user, A.EDIT_MEMBERS, selectors.access_member(user, pk))
    form = EndForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.end_membership(actor=user, member=member, state=data["state"], reason=data["reason"],
                                    on=data["on"], outside=data["outside"], letter_number=data["letter_number"],
                                    expected_version=data["version"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The record of %(name)s has been closed.") % {"name": member.name})
            return redirect("party:member", pk=member.pk)
    return render(request, "party/members/end.html", {"form": form, "member": member},
                  status=400 if form.errors else 200)


@sensitive_variables("value")
@login_required
@require_POST
def member_reveal(request, pk, field):
    """Show one full number, once, to someone who may (the audit trail records it); everyone else
    who sees the member is refused (403). Never cached."""
    member = selectors.access_member(request.user, pk)
    if field not in services.REVEALABLE:
        raise Http404
    value = services.reveal_member(actor=request.user, member=member, field=field)
    if is_htmx(request):
        response = render(request, "party/members/_pii.html", {"m": member, "field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response
    return _member_page(request, member, revealed={field: value})


@login_required
@require_GET
def member_residents(request):
    """The registry's residents matching the typed text, to link a member to (htmx)."""
    user = request.user
    _require_may(user, A.EDIT_MEMBERS)
    if not selectors.may_link_residents(user):
        raise PermissionDenied
    query = (request.GET.get("resident_q") or "")[:40]
    found = selectors.search_residents(user, query) if query.strip() else []
    return render(request, "party/members/_resident_options.html", {"residents": found, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    user = request.user
    _require_may(user, A.EDIT_MEMBERS)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = member_sheets.import_members(actor=user, source=form.cleaned_data["file"])
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            if result.imported:
                messages.success(request, ngettext("%(n)d member has been entered.", "%(n)d members have been entered.",
                                                   result.created) % {"n": result.created})
                return redirect(reverse("party:members"))
    status = 400 if form.errors or (result and result.problem_count) else 200
    return render(request, "party/members/import.html", {"form": form, "result": result}, status=status)


@login_required
@require_GET
def member_export(request):
    user = request.user
    _require_may(user, A.EXPORT)
    filters, _form = _filters(request, user)
    export = member_sheets.export_members(actor=user, filters=filters)
    return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=XLSX)


@login_required
@require_GET
def member_template(request):
    response = HttpResponse(member_sheets.template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="party-members-template.xlsx"'
    return response
