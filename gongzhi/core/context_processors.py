from django.conf import settings

from gongzhi.accounts.choices import Action

from . import scope


def navigation(request):
    user = request.user
    return {
        "nav": {
            "divisions": scope.may(user, Action.VIEW),
            "audit": scope.may(user, Action.VIEW_AUDIT),
        },
        "app_name": settings.APP_NAME,
    }
