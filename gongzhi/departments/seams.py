"""What the departments app brings to the shell (gongzhi.core.seams): its menu entry."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry


def register() -> None:
    register_menu_entry(MenuEntry("departments.list", _("Departments"), "departments:list", order=60,
                                  active="departments", visible=lambda u: scope.may(u, Action.VIEW)))
