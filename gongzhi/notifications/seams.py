"""What notifications bring to the shell (gongzhi.core.seams): the bell with the unread count."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.seams.menu import MenuEntry, register_menu_entry


def _unread(user) -> int:
    from .selectors import unread_count

    return unread_count(user)


def register() -> None:
    register_menu_entry(MenuEntry("notifications.bell", _("Notifications"), "notifications:list", order=0,
                                  active="notifications", count=_unread, slot="bell"))
