"""A household from a phone: its members (masked), its visit log, logging a visit with photos from
the camera, closing follow-ups; and entering or correcting a household."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from .. import permissions, selectors
from ..choices import ResidentStatus
from ..forms import CloseFollowUpForm, HouseholdForm, VisitForm, show_refusal
from ..permissions import RegistryAction
from ..services import places, visits
from ..services.visits import PHOTOS_PER_VISIT
from ..storage import photo_response
from .common import area_from, is_htmx, next_url, require_row, tag_labels

A = RegistryAction
VISITS_PER_PAGE = 10
BUILDING_CHOICES_MAX = 300


@login_required
@require_GET
def household(request, pk):
    return household_page(request, selectors.access_household(request.user, pk))


def household_page(request, household, *, visit_form=None, revealed=None, status=200):
    user = request.user
    today = timezone.localdate()
    everyone = list(selectors.residents_for(user, household=household, status=None))
    for r in everyone:
        r.age = r.age_on(today)
        r.shown = (revealed or {}).get(r.pk, {})
    may_visit = permissions.covers_row(user, A.VISIT, household)
    response = render(request, "registry/household.html", {
        "household": household,
        "grid_name": selectors.grid_name(household),
        "members": [r for r in everyone if r.status == ResidentStatus.ACTIVE],
        "former": [r for r in everyone if r.status != ResidentStatus.ACTIVE],
        "visits": paginate(request, selectors.visits_for(user, household=household), per_page=VISITS_PER_PAGE),
        "visit_form": (visit_form or VisitForm()) if may_visit else None,
        "close_form": CloseFollowUpForm(),
        "may_visit": may_visit,
        "may_edit": permissions.covers_row(user, A.EDIT, household),
        "may_reveal": permissions.covers_row(user, A.REVEAL, household),
        "labels": tag_labels(),
        "max_photos": PHOTOS_PER_VISIT,
        "today": today,
    }, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


# --- visits ------------------------------------------------------------------------------------------


@login_required
@require_POST
def log_visit(request, pk):
    """Log a visit with its photos: all of it or — a photo refused, a field missing — nothing, with
    the problems shown by the fields on the household's page."""
    household = require_row(request.user, A.VISIT, selectors.access_household(request.user, pk))
    form = VisitForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            visit = visits.log_visit(actor=request.user, household=household, visited_on=d["visited_on"],
                                     notes=d["notes"], follow_up_needed=d["follow_up_needed"],
                                     follow_up=d["follow_up"], photos=d["photos"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The visit has been logged."))
            # A new address (not only a new #fragment), so that the browser loads the page again.
            url = f"{reverse('registry:household', args=[household.pk])}?logged={visit.pk}#visit-{visit.pk}"
            if is_htmx(request):
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
    if is_htmx(request):
        # The page keeps the photos it holds; only the problems are swapped in, by the save button.
        return render(request, "registry/_visit_errors.html", {"form": form})
    return household_page(request, household, visit_form=form, status=400)


@login_required
@require_POST
def close_follow_up(request, pk):
    visit = selectors.access_visit(request.user, pk)
    back = next_url(request, reverse("registry:household", args=[visit.household_id]) + "#visits")
    form = CloseFollowUpForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        visits.close_follow_up(actor=request.user, visit=visit, note=note)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The follow-up is closed."))
    return redirect(back)


@login_required
@require_GET
def visit_photo(request, pk, photo_id):
    return photo_response(selectors.access_visit_photo(request.user, pk, photo_id))


# --- entering and correcting a household -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_household(request):
    """A new household in a building of the user's editing scope: the building is given (from the
    buildings list) or chosen among those of the division the page came from."""
    user = request.user
    if not permissions.may(user, A.EDIT):
        raise PermissionDenied
    area = area_from(request, user, A.EDIT)
    buildings = selectors.buildings_for(user, division=area, action=A.EDIT)
    fixed = None
    if request.GET.get("building"):
        fixed = selectors.access_building(user, request.GET["building"], A.EDIT)
        buildings = buildings.filter(pk=fixed.pk)
    form = HouseholdForm(request.POST or None, buildings=buildings,
                         initial={"building": fixed.pk if fixed else None})
    too_many = fixed is None and buildings[:BUILDING_CHOICES_MAX + 1].count() > BUILDING_CHOICES_MAX
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            household = places.create_household(actor=user, building=d["building"], room=d["room"], kind=d["kind"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The household has been entered."))
            return redirect("registry:household", pk=household.pk)
    return render(request, "registry/household_form.html", {
        "form": form, "building": fixed, "area": area, "too_many": too_many,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit_household(request, pk):
    user = request.user
    household = require_row(user, A.EDIT, selectors.access_household(user, pk))
    form = HouseholdForm(request.POST or None, household=household, initial={
        "room": household.room, "kind": household.kind, "version": household.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            places.update_household(actor=user, household=household, expected_version=d["version"], room=d["room"],
                                    kind=d["kind"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The household has been saved."))
            return redirect("registry:household", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household},
                  status=400 if form.errors else 200)
