"""The one place that decides what a user may see and touch.

Every list, detail, form choice, export, search and API answer narrows its queryset through
`restrict`, and fetches single objects through `get_in_scope`, so a missing object and an object
outside the user's divisions look the same (404).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from gongzhi.accounts.choices import ROLE_ACTIONS, Role

NOTHING = Q(pk__in=[])


def assignments(user) -> list:
    """The user's live role assignments, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongzhi_assignments", None)
    if cached is None:
        from gongzhi.accounts.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("division", "department")
            .prefetch_related("department__serves")
        )
        user._gongzhi_assignments = cached
    return cached


def forget_assignments(user) -> None:
    user.__dict__.pop("_gongzhi_assignments", None)


def roles(user) -> set[str]:
    return {a.role for a in assignments(user)}


def covered_divisions(user, action: str) -> list:
    """The divisions at the top of each subtree in which `user` may do `action`."""
    tops = []
    for a in assignments(user):
        if action not in ROLE_ACTIONS.get(a.role, ()):
            continue
        if a.role == Role.DEPARTMENT_STAFF:
            tops.extend(a.department.serves.all())
        elif a.division is not None:
            tops.append(a.division)
    return tops


def is_global(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def subtree_q(division, via: str = "") -> Q:
    """Objects whose division (reached through `via`, e.g. "division__") is in `division`'s subtree."""
    if division.level == "grid":
        return Q(**{f"{via}pk": division.pk})
    return Q(**{f"{via}{division.level}_id": division.pk})


def scope_q(user, action: str, via: str = "") -> Q:
    if is_global(user):
        return Q()
    q = NOTHING
    for top in covered_divisions(user, action):
        q |= subtree_q(top, via)
    return q


def restrict(queryset: QuerySet, user, action: str, via: str = "") -> QuerySet:
    return queryset.filter(scope_q(user, action, via))


def get_in_scope(queryset: QuerySet, user, action: str, via: str = "", **lookup):
    """One object the user may act on, or 404 — never a hint that it exists elsewhere."""
    try:
        return restrict(queryset, user, action, via).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def covers(user, action: str, division) -> bool:
    """Whether `division` lies inside the user's scope for `action`, without a query."""
    if is_global(user):
        return True
    return any(subtree_contains(top, division) for top in covered_divisions(user, action))


def may(user, action: str) -> bool:
    """Whether the user may do `action` anywhere at all (for navigation)."""
    return is_global(user) or any(action in ROLE_ACTIONS.get(a.role, ()) for a in assignments(user))


def subtree_contains(top, division) -> bool:
    """Whether `division` is `top` or lies under it (no query: cached ancestor columns)."""
    if division.pk == top.pk:
        return True
    return top.level != "grid" and getattr(division, f"{top.level}_id") == top.pk
