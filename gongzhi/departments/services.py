"""Writes to departments: create, edit, archive and restore, each in one transaction with an
audit row holding the values before and after. Departments are never deleted.

A department's home division is a district or a street in the actor's MANAGE_USERS scope; the
divisions it serves are streets or communities under its home division. An actor edits only the
served divisions inside their own scope: those outside it are kept as they were.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.accounts.choices import Action
from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.divisions.choices import Level

from .models import Department, DepartmentKind

HOME_LEVELS = (Level.DISTRICT, Level.STREET)
SERVED_LEVELS = (Level.STREET, Level.COMMUNITY)
AUDIT_FIELDS = ("name", "kind", "division", "serves", "is_active")


def _snapshot(department: Department) -> dict:
    return {
        "name": department.name,
        "kind": department.kind,
        "division": department.division_id,
        "serves": sorted(department.serves.values_list("pk", flat=True)),
        "is_active": department.is_active,
    }


def _problem(field: str, message) -> DomainError:
    return DomainError(message, code="invalid", details={field: str(message)})


def _require_home(actor, division) -> None:
    if division is None or not scope.covers(actor, Action.MANAGE_USERS, division):
        raise DomainError(_("You may manage departments only inside your own divisions."), code="forbidden")
    if not division.is_active:
        raise _problem("division", _("This division is retired."))
    if division.level not in HOME_LEVELS:
        raise _problem("division", _("A department belongs to a district or a street."))


def _check_served(actor, home, serves) -> None:
    for d in serves:
        if not scope.covers(actor, Action.MANAGE_USERS, d):
            raise DomainError(_("You may manage departments only inside your own divisions."), code="forbidden")
        if not d.is_active:
            raise _problem("serves", _("%(name)s is retired.") % {"name": d.name})
        if d.level not in SERVED_LEVELS:
            raise _problem("serves", _("A department serves streets or communities; %(name)s is neither.")
                           % {"name": d.name})
        if not scope.subtree_contains(home, d):
            raise _problem("serves", _("%(name)s does not lie in %(home)s, where the department belongs.")
                           % {"name": d.name, "home": home.name})


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _problem("name", _("Enter a name."))
    if len(name) > 100:
        raise _problem("name", _("A name has at most 100 characters."))
    return name


def _check_kind(kind: str) -> None:
    if kind not in DepartmentKind.values:
        raise _problem("kind", _("Choose a kind from the list."))


def _require_unique(name: str, division, exclude_pk=None) -> None:
    taken = Department.objects.filter(division=division, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(_("%(division)s already has a department of this name.") % {"division": division.name},
                          code="duplicate", details={"name": _("This name is taken in that division.")})


def _save(department: Department, **kwargs) -> None:
    try:
        with transaction.atomic():
            department.save(**kwargs)
    except IntegrityError:
        raise DomainError(_("A department of this name was created a moment ago."), code="duplicate",
                          details={"name": _("This name is taken in that division.")}) from None


@transaction.atomic
def create_department(*, actor, name: str, kind: str, division, serves) -> Department:
    serves = list(serves)
    _require_home(actor, division)
    name = _clean_name(name)
    _check_kind(kind)
    _check_served(actor, division, serves)
    if not serves:
        raise _problem("serves", _("Choose at least one street or community the department serves."))
    _require_unique(name, division)
    department = Department(name=name, kind=kind, division=division)
    _save(department)
    department.serves.set(serves)
    audit.record(actor=actor, action="department.create", obj=department, division=division,
                 after=_snapshot(department))
    return department


@transaction.atomic
def update_department(*, actor, department: Department, name: str, kind: str, division, serves,
                      reason: str = "") -> Department:
    """Change name, kind, home division and served divisions. `serves` lists the served divisions
    inside the actor's scope; served divisions outside it stay."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    if not scope.covers(actor, Action.MANAGE_USERS, department.division):
        raise DomainError(_("You may manage departments only inside your own divisions."), code="forbidden")
    if not department.is_active:
        raise DomainError(_("This department is archived. Restore it before editing it."), code="conflict")
    _require_home(actor, division)
    name = _clean_name(name)
    _check_kind(kind)
    serves = list(serves)
    kept = [d for d in department.serves.all() if not scope.covers(actor, Action.MANAGE_USERS, d)]
    _check_served(actor, division, serves)
    for d in kept:
        if not scope.subtree_contains(division, d):
            raise _problem("division", _("The department also serves %(name)s, which does not lie in %(home)s.")
                           % {"name": d.name, "home": division.name})
    if not serves and not kept:
        raise _problem("serves", _("Choose at least one street or community the department serves."))
    _require_unique(name, division, exclude_pk=department.pk)
    before = _snapshot(department)
    department.name, department.kind, department.division = name, kind, division
    _save(department, update_fields=["name", "kind", "division"])
    department.serves.set([*kept, *serves])
    after = _snapshot(department)
    if after != before:
        changed = [f for f in AUDIT_FIELDS if before[f] != after[f]]
        audit.record(actor=actor, action="department.update", obj=department, division=division,
                     before={f: before[f] for f in changed}, after={f: after[f] for f in changed},
                     reason=(reason or "").strip())
    return department


@transaction.atomic
def archive_department(*, actor, department: Department, reason: str) -> Department:
    """Retire a department from use (kept, never deleted). Refused while staff roles are live:
    revoke them first, so nobody keeps a scope through an archived department."""
    reason = (reason or "").strip()
    if not reason:
        raise _problem("reason", _("Give a reason."))
    department = Department.objects.select_for_update().get(pk=department.pk)
    if not scope.covers(actor, Action.MANAGE_USERS, department.division):
        raise DomainError(_("You may manage departments only inside your own divisions."), code="forbidden")
    if not department.is_active:
        return department
    staff = department.staff.filter(revoked_at__isnull=True).count()
    if staff:
        raise DomainError(
            ngettext("%(n)s person still holds a staff role in this department. Revoke the role first.",
                     "%(n)s people still hold a staff role in this department. Revoke their roles first.",
                     staff) % {"n": staff},
            code="conflict")
    department.is_active = False
    department.save(update_fields=["is_active"])
    audit.record(actor=actor, action="department.archive", obj=department, division=department.division,
                 before={"is_active": True}, after={"is_active": False}, reason=reason)
    return department


@transaction.atomic
def restore_department(*, actor, department: Department, reason: str = "") -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    if not scope.covers(actor, Action.MANAGE_USERS, department.division):
        raise DomainError(_("You may manage departments only inside your own divisions."), code="forbidden")
    if department.is_active:
        return department
    department.is_active = True
    department.save(update_fields=["is_active"])
    audit.record(actor=actor, action="department.restore", obj=department, division=department.division,
                 before={"is_active": False}, after={"is_active": True}, reason=(reason or "").strip())
    return department
