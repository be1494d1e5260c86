"""Pages of the party tree: the tree beside its map (party:home), one organisation with its
committee, positions and history, and the forms that change them (shown to whoever may MANAGE it).

Views only parse input, call selectors (scoped reads) and services (writes), and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.divisions.models import Division

from .. import forms_organisations as f
from ..models import Facility
from ..permissions import PartyAction as A
from ..selectors import organisations as sel
from ..selectors.coverage import LEVELS as COVERAGE_LEVELS
from ..services import committees
from ..services import organisations as svc

HISTORY_PER_PAGE = 20
FILTER_LIMIT = 300


def _require_view(user) -> None:
    if not scope.may(user, A.VIEW):
        raise PermissionDenied


def _area_choices(user) -> list[Division]:
    """The streets and communities the tree can be narrowed to."""
    return list(sel.view_divisions(user).filter(level__in=["district", "street", "community"])
                .order_by("code")[:FILTER_LIMIT])


def _coverage_division(user, division: Division | None) -> Division | None:
    if division is not None:
        return division if division.level in COVERAGE_LEVELS else None
    tops = {d.pk: d for d in scope.covered_divisions(user, A.VIEW) if d.level in COVERAGE_LEVELS}
    return next(iter(tops.values())) if len(tops) == 1 else None


@login_required
@require_GET
def home(request):
    user = request.user
    _require_view(user)
    division = sel.division_param(user, request.GET.get("division"))
    may_manage = scope.may(user, A.MANAGE)
    return render(request, "party/organisations/home.html", {
        "division": division,
        "areas": _area_choices(user),
        "tree": sel.tree_for(user, division=division),
        "map_data": sel.coverage_features(user, division=division),
        "terms_due": list(sel.terms_due(user)[:50]) if may_manage else [],
        "coverage_division": _coverage_division(user, division),
    })


@login_required
@require_GET
def children(request, pk):
    org = sel.organisation_for(request.user, pk)
    return render(request, "party/organisations/_nodes.html", {"nodes": sel.children_of(request.user, org)})


@login_required
@require_GET
def detail(request, pk):
    return _render(request, sel.organisation_for(request.user, pk))


def _forms(user, org, bound: dict) -> dict:
    """The forms shown to a manager of an active organisation (`bound`: action → posted data)."""
    term = sel.current_term(org)
    seats = sel.current_seats(term)
    made = {
        "rename": lambda data: f.RenameForm(data, initial={"name": org.name, "short_name": org.short_name,
                                                           "version": org.version}),
        "edit": lambda data: f.EditForm(data, user=user, organisation=org, initial={
            "form": org.form, "kind": org.kind, "sector": org.sector, "unit": org.unit_id, "unit_name": org.unit_name,
            "covers": [d.pk for d in org.covers.all()], "buildings": [b.pk for b in org.buildings.all()],
            "version": org.version}),
        "move": lambda data: f.MoveForm(data, user=user, organisation=org, initial={"version": org.version}),
        "merge": lambda data: f.MergeForm(data, user=user, organisation=org, initial={"version": org.version}),
        "dissolve": lambda data: f.DissolveForm(data, initial={"version": org.version}),
        "reelect": lambda data: f.ReelectForm(data, initial={"version": org.version,
                                                              "is_big": bool(term and term.is_big)}),
        "found": lambda data: f.FoundForm(data, user=user, parent=org),
        "seat": lambda data: f.SeatForm(data, user=user, organisation=org) if term else None,
        "meeting": lambda data: f.MeetingForm(data, seats=seats) if seats else None,
        "facility": lambda data: f.FacilityForm(data, user=user, organisation=org),
    }
    return {name: make(bound.get(name)) for name, make in made.items()}


def _render(request, org, *, posted: tuple | None = None, status: int = 200):
    """The organisation's page; `posted`: (action, form) of a refused form, shown with its errors."""
    user = request.user
    may_manage = org.is_active and sel.may_manage(user, org)
    term = sel.current_term(org)
    seats = sel.current_seats(term)
    rates = sel.attendance_rates(term)
    history = paginate(request, sel.history_of(org), per_page=HISTORY_PER_PAGE, param="history")
    counts = sel.member_counts([org.pk])
    return render(request, "party/organisations/detail.html", {
        "org": org,
        "crumbs": sel.ancestors_for(user, org),
        "children": sel.children_of(user, org),
        "covers": sel.covered_divisions(org),
        "buildings": sel.buildings_of(org),
        "facilities": sel.facilities_of(org),
        "term": term,
        "seats": [{"seat": s, "rate": rates.get(s.pk)} for s in seats],
        "earlier_terms": [t for t in sel.terms_of(org) if t.ended_on is not None],
        "meetings": sel.meetings_of(term),
        "history": history,
        "members": counts.get(org.pk, 0),
        "members_url": f"/party/members/?organisation={org.pk}",
        "may_manage": may_manage,
        "forms": ({**_forms(user, org, {}), **dict([posted])} if posted else _forms(user, org, {}))
        if may_manage else {},
        "open_form": posted[0] if posted else "",
        "successor_visible": bool(org.successor_id) and sel.organisations_for(
            user, status=None).filter(pk=org.successor_id).exists(),
    }, status=status)


def _managed(request, pk):
    """The organisation named in the URL: 404 if the user does not see it, 403 if they see but
    may not manage it."""
    org = sel.organisation_for(request.user, pk)
    if not sel.may_manage(request.user, org):
        raise PermissionDenied(_("You may not manage this party organisation."))
    return org


ACTIONS = {"rename", "edit", "move", "merge", "dissolve", "reelect", "found", "seat", "meeting", "facility"}


@login_required
@require_POST
def organisation_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    org = _managed(request, pk)
    user = request.user
    form = _forms(user, org, {action: request.POST})[action]
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            done = _do(user, org, action, form.cleaned_data, form)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, done[0])
            return redirect("party:organisation", pk=done[1])
    return _render(request, org, posted=(action, form), status=400)


def _do(user, org, action, data, form) -> tuple[str, int]:
    version = data.get("version")
    if action == "rename":
        svc.rename_organisation(actor=user, organisation=org, name=data["name"], short_name=data["short_name"],
                                expected_version=version, reason=data["reason"])
        return _("The organisation has been renamed."), org.pk
    if action == "edit":
        svc.edit_organisation(actor=user, organisation=org, expected_version=version, reason=data["reason"],
                              covers=data["covers"], buildings=data["buildings"], unit_id=data["unit"],
                              form=data["form"], kind=data["kind"], sector=data["sector"],
                              unit_name=data["unit_name"])
        return _("The organisation has been changed."), org.pk
    if action == "move":
        svc.move_organisation(actor=user, organisation=org, parent_id=data["parent"], expected_version=version,
                              reason=data["reason"])
        return _("The organisation has been moved."), org.pk
    if action == "merge":
        svc.merge_organisation(actor=user, organisation=org, successor_id=data["successor"],
                               expected_version=version, reason=data["reason"])
        return _("The organisation has been merged."), data["successor"]
    if action == "dissolve":
        svc.dissolve_organisation(actor=user, organisation=org, reason=data["reason"], expected_version=version)
        return _("The organisation has been dissolved."), org.pk
    if action == "reelect":
        svc.reelect(actor=user, organisation=org, elected_on=data["elected_on"], due_on=data["due_on"],
                    is_big=data["is_big"], expected_version=version, reason=data["reason"])
        return _("The new term has been recorded."), org.pk
    if action == "found":
        new = svc.found_organisation(actor=user, parent_id=org.pk, name=data["name"], short_name=data["short_name"],
                                     form=data["form"], line=data["line"], kind=data["kind"], sector=data["sector"],
                                     division_id=data["division"], covers=data["covers"] or None,
                                     unit_name=data["unit_name"], founded_on=data["founded_on"])
        return _("The organisation has been founded."), new.pk
    if action == "seat":
        committees.add_seat(actor=user, term=sel.current_term(org), position=data["position"],
                            duty=data["duty"] or "", member_id=data["member"], name=data["name"],
                            title=data["title"], from_department_id=data["from_department"],
                            from_organisation_id=data["from_organisation"], from_unit=data["from_unit"],
                            seat_based=data["seat_based"])
        return _("The seat has been added."), org.pk
    if action == "meeting":
        committees.record_meeting(actor=user, term=sel.current_term(org), held_on=data["held_on"],
                                  title=data["title"], attendance=form.attendance())
        return _("The meeting has been recorded."), org.pk
    # facility
    svc.create_facility(actor=user, organisation=org, kind=data["kind"], name=data["name"], address=data["address"],
                        area_m2=data["area_m2"], opening_hours=data["opening_hours"], lng=data["lng"],
                        lat=data["lat"], registry_facility_id=data["registry_facility"])
    return _("The position has been added."), org.pk


@login_required
@require_POST
def seat_action(request, pk, action):
    if action not in ("end", "replace"):
        raise Http404
    seat = sel.seat_for(request.user, pk)
    org = _managed(request, seat.term.organisation_id)
    user = request.user
    form = f.EndSeatForm(request.POST) if action == "end" else f.ReplaceForm(request.POST, user=user,
                                                                               organisation=org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "end":
                committees.end_seat(actor=user, seat=seat, reason=data["reason"])
            else:
                committees.replace_holder(actor=user, seat=seat, name=data["name"], member_id=data["member"],
                                          title=data["title"], reason=data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The seat has been ended.") if action == "end"
                             else _("The new holder has taken the seat."))
            return redirect("party:organisation", pk=org.pk)
    else:
        messages.error(request, _("Please correct the marked fields.") + " " + _seat_errors(form))
    return _render(request, org, status=400)


def _seat_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def facility_action(request, pk, action):
    if action not in ("edit", "archive"):
        raise Http404
    facility: Facility = sel.facility_for(request.user, pk)
    org = _managed(request, facility.organisation_id)
    user = request.user
    form = f.ArchiveForm(request.POST) if action == "archive" else f.FacilityForm(request.POST, user=user,
                                                                                   organisation=org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "archive":
                svc.archive_facility(actor=user, facility=facility, reason=data["reason"])
            else:
                svc.edit_facility(actor=user, facility=facility, kind=data["kind"], name=data["name"],
                                  address=data["address"], area_m2=data["area_m2"],
                                  opening_hours=data["opening_hours"], lng=data["lng"], lat=data["lat"],
                                  registry_facility_id=data["registry_facility"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The position has been archived.") if action == "archive"
                             else _("The position has been changed."))
            return redirect("party:organisation", pk=org.pk)
    else:
        messages.error(request, _("Please correct the marked fields.") + " " + _seat_errors(form))
    return _render(request, org, status=400)


