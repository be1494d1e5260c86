"""Residents from a phone: entering a household member, correcting a resident (a stale edit is
refused), and the audited reveal of a full ID or phone number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.errors import DomainError

from .. import selectors
from ..choices import PersonalField, Relation
from ..forms import ResidentForm, show_refusal
from ..permissions import RegistryAction
from ..services import people, privacy
from .common import is_htmx, require_row
from .households import household_page

A = RegistryAction


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def new_resident(request, pk):
    """Enter a person living in household `pk`."""
    user = request.user
    household = require_row(user, A.EDIT, selectors.access_household(user, pk))
    # The first person entered in a household is usually its head; the next ones are not.
    has_members = selectors.residents_for(user, household=household).exists()
    form = ResidentForm(request.POST or None, initial={"relation": Relation.OTHER if has_members else Relation.HEAD})
    if request.method == "POST" and form.is_valid():
        try:
            resident = people.create_resident(actor=user, household=household, **form.person(),
                                              tags=list(form.cleaned_data["tags"]),
                                              arrived=form.cleaned_data["arrived"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(name)s has been entered.") % {"name": resident.name})
            return redirect(reverse("registry:household", args=[household.pk]) + f"#resident-{resident.pk}")
    return render(request, "registry/resident_form.html", {"form": form, "household": household},
                  status=400 if form.errors else 200)


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def edit_resident(request, pk):
    """Correct a resident's details and tags, in one transaction; refused if someone else saved a
    change since the form was shown."""
    user = request.user
    resident = require_row(user, A.EDIT, selectors.access_resident(user, pk))
    tags = [link.tag for link in selectors.resident_tags(resident)]
    form = ResidentForm(request.POST or None, resident=resident, initial=ResidentForm.initial_for(resident, tags))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                resident = people.update_resident(actor=user, resident=resident,
                                                  expected_version=form.cleaned_data["version"], **form.person())
                people.set_tags(actor=user, resident=resident, tags=form.cleaned_data["tags"])
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("%(name)s has been saved.") % {"name": resident.name})
            return redirect(reverse("registry:household", args=[resident.household_id]) + f"#resident-{resident.pk}")
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident,
                                                           "household": resident.household},
                  status=400 if form.errors else 200)


@sensitive_variables("value")
@login_required
@require_POST
def reveal(request, pk, field):
    """Show one full number, once, for someone who may (the audit trail records who saw whose
    number); everyone else is refused. Never cached."""
    resident = selectors.access_resident(request.user, pk)
    if field not in PersonalField.values:
        raise Http404
    value = privacy.reveal_personal_data(actor=request.user, resident=resident, field=field)
    if is_htmx(request):
        response = render(request, "registry/_revealed.html", {"resident": resident, "field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response
    return household_page(request, resident.household, revealed={resident.pk: {field: value}})
