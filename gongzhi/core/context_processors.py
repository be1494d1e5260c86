from django.conf import settings

from gongzhi.accounts.choices import Action, Role

from . import scope


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
            "account": signed_in,
        },
        "nav_roles": role_labels,
        "app_name": settings.APP_NAME,
    }
