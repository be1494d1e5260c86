"""What the accounts app brings to the shell (gongzhi.core.seams): its menu entries."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry

from .choices import Action


def _on_user_pages(match) -> bool:
    return match.namespace == "accounts" and (match.url_name or "")[:4] == "user"


def _on_own_pages(match) -> bool:
    return match.namespace == "accounts" and (match.url_name or "")[:4] != "user"


def register() -> None:
    register_menu_entry(MenuEntry("accounts.users", _("People and roles"), "accounts:users", order=70,
                                  active=_on_user_pages, visible=lambda u: scope.may(u, Action.MANAGE_USERS)))
    register_menu_entry(MenuEntry("accounts.profile", _("My account"), "accounts:profile", order=100,
                                  active=_on_own_pages))
    register_menu_entry(MenuEntry("accounts.login", _("Log in"), "accounts:login", order=200,
                                  active=lambda match: False, audience="visitors"))
