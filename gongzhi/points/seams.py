"""What points bring to the shell: menu entries, the district's to-do of appeals waiting for a
decision, and the hook handlers."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from . import handlers
from .permissions import PointsAction as A


def _appeal_todos(user) -> list[Todo]:
    if not scope.may(user, A.PUBLISH):
        return []
    from . import selectors as sel

    return [Todo("points.appeals_waiting", sel.open_appeal_count(user), reverse("points:periods"), priority=35)]


def register() -> None:
    handlers.connect()
    register_menu_entry(MenuEntry(key="points", label=_("Points"), url_name="points:mine", order=62,
                                  active="points", visible=lambda user: not scope.may(user, A.VIEW)))
    register_menu_entry(MenuEntry(key="points_desk", label=_("Points"), url_name="points:awards", order=62,
                                  active="points", visible=lambda user: scope.may(user, A.VIEW)))
    register_todo_text("points.appeals_waiting", ngettext_lazy(
        "%(count)d points appeal is waiting for a decision", "%(count)d points appeals are waiting for a decision",
        "count"))
    register_todo_provider("points.appeals", _appeal_todos)
