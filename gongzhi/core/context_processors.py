import functools

from django.conf import settings

from gongzhi.accounts.choices import Action, Role

from . import scope


def works_on_cases(user) -> bool:
    """Whether the user has a staff view of cases (the workbench), not only their own reports."""
    from gongzhi.cases.permissions import CaseAction, may_anywhere

    return may_anywhere(user, CaseAction.VIEW)


def unread_count(user) -> int:
    from gongzhi.notifications.selectors import unread_count as count

    return count(user)


def sees_assessment(user) -> bool:
    from gongzhi.assessment.units import may_view

    return may_view(user)


def registry_link(user) -> str:
    """"mine" for a grid worker (my grid), "registry" for others who see the grid registry, else ""."""
    from gongzhi.registry.permissions import RegistryAction, may

    if not (may(user, RegistryAction.VIEW_PEOPLE) or may(user, RegistryAction.VIEW_PLACES)):
        return ""
    return "mine" if Role.GRID_WORKER in scope.roles(user) else "registry"


def navigation(request):
    """What the shell shows: the links the user's roles allow, and who is logged in."""
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    role_labels = []
    if signed_in:
        for role in sorted(scope.roles(user), key=lambda r: Role.values.index(r) if r in Role.values else 99):
            role_labels.append(Role(role).label if role in Role.values else role)
    return {
        "nav": {
            "home": signed_in,
            "divisions": signed_in and scope.may(user, Action.VIEW),
            "audit": signed_in and scope.may(user, Action.VIEW_AUDIT),
            "departments": signed_in and scope.may(user, Action.VIEW),
            "users": signed_in and scope.may(user, Action.MANAGE_USERS),
            "account": signed_in,
            # The case pages: the workbench for staff; a resident's own reports and the report page.
            "cases": signed_in and works_on_cases(user),
            "my_cases": signed_in and not works_on_cases(user),
            "report": not (signed_in and works_on_cases(user)),
            "notifications": signed_in,
            # Rates and the monthly ranking of streets and departments (gongzhi.assessment).
            "assessment": signed_in and sees_assessment(user),
            # The grid registry (gongzhi.registry): "My grid" for grid workers.
            "registry": registry_link(user) if signed_in else "",
        },
        # Counted only when the header shows it, and then once (one COUNT query).
        "nav_unread": functools.cache(lambda: unread_count(user)) if signed_in else 0,
        "nav_roles": role_labels,
        "app_name": settings.APP_NAME,
        # Map pages add a tile layer only when the deployment names a tile service.
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
