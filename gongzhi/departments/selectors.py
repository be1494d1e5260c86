"""Scoped reads of departments. Pages and API handlers read departments only through here.

Who sees a department: whoever holds `action` over its home division, or over a division it
serves, or inside one (a department serving a street serves that street's communities and grids,
so their secretary and grid workers see it). Who manages
one: whoever holds MANAGE_USERS over its home division — the rule services.grant_role applies
to department staff roles too.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gongzhi.accounts.choices import Action
from gongzhi.accounts.models import RoleAssignment
from gongzhi.core import scope
from gongzhi.divisions.choices import ANCESTOR_LEVELS
from gongzhi.divisions.models import Division

from .models import Department

Served = Department.serves.through


def departments_for(
    user,
    action: str = Action.VIEW,
    *,
    q: str = "",
    kind: str = "",
    include_archived: bool = False,
) -> QuerySet[Department]:
    """The departments `user` may see for `action`, by home division, then name; each with
    `staff_count` (live staff roles) and `served_here` (the served divisions inside the user's
    scope, prefetched)."""
    departments = Department.objects.all()
    if not scope.is_global(user):
        serves_here = Served.objects.filter(_served_visible_q(user, action, via="division__"),
                                            department_id=OuterRef("pk"))
        departments = departments.filter(scope.scope_q(user, action, via="division__") | Q(Exists(serves_here)))
    if not include_archived:
        departments = departments.filter(is_active=True)
    if kind:
        departments = departments.filter(kind=kind)
    text = (q or "").strip()
    if text:
        departments = departments.filter(name__icontains=text)
    return (
        departments.select_related("division")
        .annotate(staff_count=Count("staff", filter=Q(staff__revoked_at__isnull=True), distinct=True))
        .prefetch_related(Prefetch("serves", queryset=_served_in_scope(user, action), to_attr="served_here"))
        .order_by("division__code", "name", "pk")
    )


def _containing(user, action: str) -> set[int]:
    """The divisions holding the user's whole scope for `action`: each covered top and its ancestors."""
    ids = set()
    for top in scope.covered_divisions(user, action):
        ids.add(top.pk)
        ids.update(i for lvl in ANCESTOR_LEVELS if (i := getattr(top, f"{lvl}_id")))
    return ids


def _served_visible_q(user, action: str, via: str = "") -> Q:
    """Served divisions that make a department visible: inside the user's scope, or around it."""
    if scope.is_global(user):
        return Q()
    return scope.scope_q(user, action, via) | Q(**{f"{via}pk__in": _containing(user, action)})


def _served_in_scope(user, action: str) -> QuerySet[Division]:
    return Division.objects.filter(_served_visible_q(user, action)).defer("geometry").order_by("code")


def department_for(user, pk, action: str = Action.VIEW) -> Department:
    """One department the user may see (archived ones too), or 404 — never a hint that it exists."""
    try:
        return departments_for(user, action, include_archived=True).get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def managed_departments_for(user, *, include_archived: bool = False) -> QuerySet[Department]:
    """The departments whose home division lies in the user's MANAGE_USERS scope: those the user
    may edit, archive, and give staff."""
    departments = scope.restrict(Department.objects.select_related("division"), user, Action.MANAGE_USERS,
                                 via="division__")
    if not include_archived:
        departments = departments.filter(is_active=True)
    return departments.order_by("division__code", "name", "pk")


def managed_department_for(user, pk) -> Department:
    """One department the user manages, or 404 (whether missing, outside, or only visible)."""
    try:
        return managed_departments_for(user, include_archived=True).get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage(user, department: Department) -> bool:
    return scope.covers(user, Action.MANAGE_USERS, department.division)


def staff_of(department: Department) -> list[RoleAssignment]:
    """The department's live staff roles with their users, by name (one query)."""
    return list(
        RoleAssignment.objects.filter(department=department, revoked_at__isnull=True)
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )


def served_outside(user, department: Department, action: str = Action.VIEW) -> int:
    """How many divisions the department serves that the user does not see (VIEW: neither inside
    nor around their scope) or does not manage (any other action), named by count only."""
    if scope.is_global(user):
        return 0
    visible = _served_visible_q(user, action) if action == Action.VIEW else scope.scope_q(user, action)
    return department.serves.exclude(visible).count()
