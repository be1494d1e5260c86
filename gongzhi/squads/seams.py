"""What the squads bring to the shell (gongzhi.core.seams): menu entries for the desk and for a
member, and how a notice about an alert is named and linked."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.subjects import SubjectRef, register_subject_type
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from .permissions import SquadAction


def _on_squad_member(user) -> bool:
    from .models import SquadMember

    return SquadMember.objects.filter(user=user, is_active=True).exists()


def resolve_alerts(reader, ids: list[int]) -> dict[int, SubjectRef]:
    """An alert by its title: the console for those who see it as staff, the member's page for
    those it reached."""
    from .models import Alert, AlertResponse
    from .selectors import alerts_for

    titles = dict(Alert.objects.filter(pk__in=ids).values_list("pk", "title"))
    staff = set(alerts_for(reader).filter(pk__in=list(titles)).values_list("pk", flat=True)) \
        if titles and scope.may(reader, SquadAction.VIEW) else set()
    reached = set(AlertResponse.objects.filter(user=reader, alert_id__in=list(titles))
                  .values_list("alert_id", flat=True))
    out = {}
    for pk, title in titles.items():
        if pk in reached:
            out[pk] = SubjectRef(title, reverse("squads:my_alert", args=[pk]))
        elif pk in staff:
            out[pk] = SubjectRef(title, reverse("squads:alert", args=[pk]))
    return out


def _my_alerts(user) -> list[Todo]:
    """Alerts still live that reached the user and wait for their answer, and their open tasks:
    the first thing a squad member must see."""
    from .choices import AlertStatus, Attendance
    from .selectors import my_responses, my_tasks

    todos = []
    waiting = my_responses(user).filter(status=Attendance.NOTIFIED, alert__status=AlertStatus.ACTIVE).count()
    if waiting:
        todos.append(Todo("squads.alert_waiting", waiting, reverse("squads:my"), priority=5))
    tasks = my_tasks(user).filter(alert__status=AlertStatus.ACTIVE).count()
    if tasks:
        todos.append(Todo("squads.tasks_open", tasks, reverse("squads:my_tasks"), priority=10))
    return todos


def register() -> None:
    register_menu_entry(MenuEntry("squads.desk", _("Emergency squads"), "squads:list", order=66, active="squads",
                                  visible=lambda user: scope.may(user, SquadAction.VIEW)))
    register_menu_entry(MenuEntry("squads.mine", _("My squad"), "squads:my", order=36, active="squads",
                                  visible=lambda user: not scope.may(user, SquadAction.VIEW)
                                  and _on_squad_member(user)))
    register_subject_type("squads.alert", resolve_alerts)
    register_todo_text("squads.alert_waiting", ngettext_lazy(
        "%(count)d squad alert waits for your answer", "%(count)d squad alerts wait for your answer", "count"))
    register_todo_text("squads.tasks_open", ngettext_lazy(
        "%(count)d squad task to do", "%(count)d squad tasks to do", "count"))
    register_todo_provider("squads.my_alerts", _my_alerts)
