"""Department pages: the list a user may see, one department, and — for holders of MANAGE_USERS
over its home division — creating, editing, archiving and restoring it.

Reads go through `selectors` (scoped), writes through `services` (audited). A department the user
may not see answers 404 like a missing one; a department the user sees but does not manage
answers 404 to its edit forms.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.choices import Action
from gongzhi.accounts.pickers import division_picker
from gongzhi.accounts.selectors import may_manage_users
from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from . import selectors, services
from .forms import ArchiveForm, DepartmentFilterForm, DepartmentForm


def _require_view(user) -> None:
    if not scope.may(user, Action.VIEW):
        raise PermissionDenied


@login_required
@require_GET
def department_list(request):
    user = request.user
    _require_view(user)
    form = DepartmentFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.departments_for(user, **filters))
    return render(request, "departments/list.html", {
        "form": form, "page": page, "filtered": any(filters.values()), "may_create": may_manage_users(user),
    })


@login_required
@require_GET
def department_detail(request, pk):
    user = request.user
    department = selectors.department_for(user, pk)
    return _render_detail(request, department)


def _render_detail(request, department, *, archive_form=None, status=200):
    user = request.user
    may_manage = selectors.may_manage(user, department)
    home_visible = scope.covers(user, Action.VIEW, department.division)
    return render(request, "departments/detail.html", {
        "department": department,
        "home_visible": home_visible,
        "served": department.served_here,
        "served_outside": selectors.served_outside(user, department),
        "staff": selectors.staff_of(department),
        "may_manage": may_manage,
        "may_manage_users": may_manage_users(user),
        "archive_form": archive_form or ArchiveForm(),
    }, status=status)


def _form_page(request, form, *, department=None):
    data = form.data if form.is_bound else None
    chosen_home = chosen_serves = None
    if not form.is_bound and department is not None:
        chosen_home = [department.division] if scope.covers(request.user, Action.MANAGE_USERS,
                                                             department.division) else []
        chosen_serves = [d for d in department.serves.order_by("code")
                         if scope.covers(request.user, Action.MANAGE_USERS, d)]
    return render(request, "departments/form.html", {
        "form": form,
        "department": department,
        "home_picker": division_picker(request.user, data, field="division", purpose="home", chosen=chosen_home),
        "serves_picker": division_picker(request.user, data, field="serves", purpose="serves", chosen=chosen_serves),
        "served_outside": selectors.served_outside(request.user, department, Action.MANAGE_USERS)
        if department is not None else 0,
    })


def _apply_errors(form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for field, message in details.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request):
    user = request.user
    if not may_manage_users(user):
        raise PermissionDenied
    form = DepartmentForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = services.create_department(actor=user, name=data["name"], kind=data["kind"],
                                                    division=data["division"], serves=data["serves"])
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The department has been created."))
            return redirect("departments:detail", pk=department.pk)
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk):
    user = request.user
    department = selectors.managed_department_for(user, pk)
    if not department.is_active:
        messages.warning(request, _("This department is archived. Restore it before editing it."))
        return redirect("departments:detail", pk=department.pk)
    initial = {"name": department.name, "kind": department.kind}
    form = DepartmentForm(request.POST or None, actor=user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_department(actor=user, department=department, name=data["name"], kind=data["kind"],
                                       division=data["division"], serves=data["serves"],
                                       reason=data.get("reason", ""))
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The department has been saved."))
            return redirect("departments:detail", pk=department.pk)
    return _form_page(request, form, department=department)


@login_required
@require_POST
def department_archive(request, pk):
    user = request.user
    department = selectors.managed_department_for(user, pk)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            services.archive_department(actor=user, department=department, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The department has been archived."))
            return redirect("departments:detail", pk=department.pk)
    return _render_detail(request, selectors.department_for(user, pk), archive_form=form)


@login_required
@require_POST
def department_restore(request, pk):
    user = request.user
    department = selectors.managed_department_for(user, pk)
    services.restore_department(actor=user, department=department)
    messages.success(request, _("The department has been restored."))
    return redirect("departments:detail", pk=department.pk)
