"""Menu entries and to-dos (gongzhi.core.seams): the volunteer's phone pages and the desk's
activities; to-dos for the desk (registrations to approve, corrections to decide). Texts are codes
rendered in the reader's language."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from ..permissions import VolunteeringAction as A

PHONE = {"home", "activity", "my_signups", "check_in", "my_hours", "register"}


def _desk_todos(user) -> list[Todo]:
    from ..choices import VolunteerStatus
    from ..selectors import activities as sel
    from ..selectors import volunteers as vol_sel

    todos = []
    if scope.may(user, A.MANAGE):
        pending = vol_sel.volunteers_for(user, status=VolunteerStatus.PENDING, action=A.MANAGE).count()
        todos.append(Todo("volunteering.pending", pending, reverse("volunteering:volunteers") + "?status=pending",
                          priority=45))
    if scope.may(user, A.ORGANISE):
        todos.append(Todo("volunteering.corrections", sel.open_corrections_count(user),
                          reverse("volunteering:corrections"), priority=40))
    return todos


def register() -> None:
    register_todo_text("volunteering.pending", ngettext_lazy(
        "%(count)d volunteer registration waits for approval", "%(count)d volunteer registrations wait for approval",
        "count"))
    register_todo_text("volunteering.corrections", ngettext_lazy(
        "%(count)d request to correct volunteer hours", "%(count)d requests to correct volunteer hours", "count"))
    register_todo_provider("volunteering.desk", _desk_todos)
    register_menu_entry(MenuEntry("volunteering.phone", _("Volunteering"), "volunteering:home", order=36,
                                  active=lambda m: m.namespace == "volunteering" and m.url_name in PHONE,
                                  visible=lambda u: scope.may(u, A.SERVE)))
    register_menu_entry(MenuEntry("volunteering.desk", _("Volunteer activities"), "volunteering:activities",
                                  order=66,
                                  active=lambda m: m.namespace == "volunteering" and m.url_name not in PHONE,
                                  visible=lambda u: scope.may(u, A.VIEW)))
