from django.conf import settings

from . import roles as role_registry
from . import scope
from .seams.menu import menu_for


def navigation(request):
    """What the shell shows: the menu entries the apps registered that this user may open, and
    who is logged in."""
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    match = getattr(request, "resolver_match", None)
    return {
        "nav": {
            "links": menu_for(user, match),
            # The unread bell of the notifications app: its count is asked only when drawn.
            "bells": menu_for(user, match, slot="bell") if signed_in else [],
        },
        "nav_roles": _role_labels(user) if signed_in else [],
        "app_name": settings.APP_NAME,
        # Map pages add a tile layer only when the deployment names a tile service.
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }


def _role_labels(user) -> list:
    """The user's roles in the registry's order; a role no app declares any more shows its code, last."""
    held = scope.roles(user)
    known = [spec.code for spec in role_registry.all_roles() if spec.code in held]
    return [role_registry.role_label(code) for code in [*known, *sorted(held - set(known))]]
