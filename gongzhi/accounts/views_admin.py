"""People and roles: the pages where holders of MANAGE_USERS find the people in their divisions,
create accounts, grant and revoke roles, deactivate accounts and reset passwords.

Views parse input, call `selectors` (scoped reads) and `services` (audited writes), and render.
A person outside the actor's divisions answers 404, exactly like a missing one; the list and the
creation page answer 403 to someone who manages nobody.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import roles, scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.departments.selectors import managed_departments_for

from . import selectors, services
from .choices import Action
from .forms_admin import (
    AccountStateForm,
    NewUserForm,
    PasswordResetForm,
    RevokeRoleForm,
    RoleGrantForm,
    UserFilterForm,
)
from .pickers import PICKERS, division_picker


def _require_manager(user) -> None:
    if not selectors.may_manage_users(user):
        raise PermissionDenied


@login_required
@require_GET
def picker(request):
    """The htmx partial of a division picker (see division_picker)."""
    _require_manager(request.user)
    field = request.GET.get("field", "division")
    purpose = request.GET.get("purpose", "grant")
    if purpose not in PICKERS or field not in {"division", "serves"}:
        purpose, field = "grant", "division"
    context = division_picker(request.user, request.GET, field=field, purpose=purpose)
    return render(request, "accounts/users_picker.html", {"p": context})


# --- the list ----------------------------------------------------------------------------------


@login_required
@require_GET
def users(request):
    _require_manager(request.user)
    form = UserFilterForm(request.GET or None, actor=request.user)
    filters = form.filters()
    page = paginate(request, selectors.users_for(request.user, **filters))
    division = filters.get("division")
    return render(request, "accounts/users.html", {
        "form": form, "page": page,
        "filtered": any(filters.get(k) for k in ("q", "role", "division", "include_former")),
        "picker": division_picker(request.user, request.GET, field="division", purpose="filter",
                                  chosen=[division] if division else None),
    })


# --- one person --------------------------------------------------------------------------------


def _detail_context(request, user, **extra) -> dict:
    actor = request.user
    assignments = selectors.assignments_for(actor, user)
    outside = selectors.live_roles_outside(actor, user)
    grant_form = extra.pop("grant_form", None) or RoleGrantForm(actor=actor)
    return {
        "person": user,
        "assignments": assignments,
        "live_count": sum(1 for a in assignments if a.revoked_at is None),
        "outside": outside,
        "may_manage_account": user.pk != actor.pk and not outside and (actor.is_superuser or not user.is_superuser),
        "is_self": user.pk == actor.pk,
        "grant_form": grant_form,
        "picker": division_picker(actor, grant_form.data if grant_form.is_bound else None, field="division",
                                  purpose="grant"),
        "has_departments": managed_departments_for(actor).exists(),
        "revoke_form": extra.pop("revoke_form", None) or RevokeRoleForm(),
        "revoke_pk": extra.pop("revoke_pk", None),
        "state_form": extra.pop("state_form", None) or AccountStateForm(),
        "reset_form": extra.pop("reset_form", None) or PasswordResetForm(),
        "may_audit": scope.may(actor, Action.VIEW_AUDIT),
        **extra,
    }


@login_required
@require_GET
def user_detail(request, pk):
    person = selectors.user_for(request.user, pk)
    return render(request, "accounts/users_detail.html", _detail_context(request, person))


@login_required
@require_POST
def user_grant(request, pk):
    actor = request.user
    person = selectors.user_for(actor, pk)
    form = RoleGrantForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_role(actor=actor, user=person, role=data["role"], division=data["division"],
                                 department=data["department"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The role has been granted."))
            return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "accounts/users_detail.html", _detail_context(request, person, grant_form=form))


@login_required
@require_POST
def user_revoke(request, pk, assignment_id):
    actor = request.user
    person = selectors.user_for(actor, pk)
    assignment = selectors.assignment_for(actor, person, assignment_id)
    form = RevokeRoleForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_role(actor=actor, assignment=assignment, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The role has been revoked."))
            return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "accounts/users_detail.html",
                  _detail_context(request, person, revoke_form=form, revoke_pk=assignment.pk))


def _set_active(request, pk, active: bool):
    actor = request.user
    person = selectors.user_for(actor, pk)
    form = AccountStateForm(request.POST)
    if form.is_valid():
        try:
            services.set_user_active(actor=actor, user=person, active=active, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The account has been reactivated.") if active
                             else _("The account has been deactivated. The person can no longer log in."))
            return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "accounts/users_detail.html", _detail_context(request, person, state_form=form))


@login_required
@require_POST
def user_deactivate(request, pk):
    return _set_active(request, pk, False)


@login_required
@require_POST
def user_reactivate(request, pk):
    return _set_active(request, pk, True)


@login_required
@require_POST
@never_cache
def user_password_reset(request, pk):
    """Sets a temporary password and shows it in this one response only."""
    actor = request.user
    person = selectors.user_for(actor, pk)
    form = PasswordResetForm(request.POST)
    new_password = None
    if form.is_valid():
        try:
            new_password = services.reset_password(actor=actor, user=person, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            form = PasswordResetForm()
    return render(request, "accounts/users_detail.html",
                  _detail_context(request, person, reset_form=form, new_password=new_password))


# --- a new person ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def user_new(request):
    """Create an account with its first role. The temporary password is shown once, in the
    answer to the creating request."""
    actor = request.user
    _require_manager(actor)
    # A link may preset the first role, e.g. "New staff member" on a department's page.
    initial = {k: request.GET[k] for k in ("role", "department") if request.GET.get(k)}
    form = NewUserForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, password = services.create_user(
                actor=actor, username=data["username"], display_name=data["display_name"], phone=data["phone"],
                role=data["role"], division=data["division"], department=data["department"])
        except DomainError as exc:
            field = next(iter(exc.details), None) if isinstance(exc.details, dict) else None
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            return render(request, "accounts/users_created.html", {
                "person": person, "password": password, "role": roles.role_label(data["role"]),
                "where": data["department"] or data["division"]})
    return render(request, "accounts/users_new.html", {
        "form": form,
        "picker": division_picker(actor, form.data if form.is_bound else None, field="division", purpose="grant"),
        "has_departments": managed_departments_for(actor).exists(),
    })
