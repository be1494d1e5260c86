"""What the double report-in brings to the shell (gongzhi.core.seams): menu entries for a member's
report-in, a community's desk and the linked leaders; to-dos for the member ("report in for this
half-year", "your report-in was declined") and for the desk (report-ins waiting, cards due) — each a
text code with params, rendered in the reader's language — and the provider of service hours.

Service hours: the service issue (volunteer hours, the love bank) will register its own provider
with `register_service_hours_provider(fn)`; until it does, the hours are the community's own
service record (non-voided ServiceEntry rows)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from ..permissions import PartyAction

A = PartyAction
ServiceHours = dict[int, tuple[Decimal, int]]
ServiceHoursProvider = Callable[[list[int], dt.date, dt.date], ServiceHours]


def service_entry_hours(member_ids: list[int], start: dt.date, end: dt.date) -> ServiceHours:
    """The default provider: each member's non-voided service entries between `start` and `end`
    (inclusive), summed: {member_id: (hours, activities)}; members with none left out."""
    from django.db.models import Count, Sum

    from ..models import ServiceEntry

    rows = (ServiceEntry.objects.filter(member_id__in=list(member_ids), voided_at__isnull=True,
                                        served_on__range=(start, end))
            .values_list("member_id").annotate(hours=Sum("hours"), n=Count("pk")).order_by())
    return {member_id: (Decimal(hours or 0), n) for member_id, hours, n in rows}


_provider: ServiceHoursProvider = service_entry_hours


def register_service_hours_provider(fn: ServiceHoursProvider | None) -> None:
    """Let another app (the service issue's volunteer hours) answer for members' service hours;
    None puts the service record back."""
    global _provider
    _provider = fn or service_entry_hours


def service_hours(member_ids: list[int], start: dt.date, end: dt.date) -> ServiceHours:
    """{member_id: (hours, activities)} between `start` and `end`, from the registered provider."""
    if not member_ids:
        return {}
    return _provider(list(member_ids), start, end)


# --- to-dos and menu -----------------------------------------------------------------------------


def _member_todos(user) -> list[Todo]:
    """A member's own: report in for this period, or again after a decline (two small queries)."""
    from ..choices import RegistrationStatus
    from ..selectors import registrations as sel

    if not scope.may(user, A.REPORT_IN):
        return []
    member = sel.my_member(user)
    if member is None:
        return []
    period = sel.member_period()
    statuses = set(member.registrations.filter(period_start=period.start).values_list("status", flat=True))
    if statuses & {RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED}:
        return []
    url = reverse("party:report_in")
    if RegistrationStatus.DECLINED in statuses:
        return [Todo("party.report_in_declined", 1, url, priority=20)]
    return [Todo("party.report_in_due", 1, url, priority=25,
                 params={"start": period.start.strftime("%Y-%m"), "end": period.end.strftime("%Y-%m")})]


def _desk_todos(user) -> list[Todo]:
    """A community desk's: report-ins waiting for confirmation, feedback cards due this quarter."""
    from ..selectors import registrations as sel

    if not scope.may(user, A.CONFIRM):
        return []
    return [
        Todo("party.report_ins_pending", sel.pending_count(user), reverse("party:registrations") + "?status=pending",
             priority=30),
        Todo("party.cards_due", sel.cards_due_count(user), reverse("party:cards_issue"), priority=55),
    ]


def _secretary_todos(user) -> list[Todo]:
    """A secretary's (a unit's, a branch's): feedback cards sent to their organisation to acknowledge."""
    from ..choices import CardStatus
    from ..selectors import registrations as sel

    if not any(getattr(a, "party_organisation", None) is not None for a in scope.assignments(user)):
        return []
    count = sel.acknowledgeable_cards(user).filter(status=CardStatus.SENT).count()
    return [Todo("party.cards_to_acknowledge", count, reverse("party:cards"), priority=50)]


def _is_member(user) -> bool:
    return scope.may(user, A.REPORT_IN)


def register() -> None:
    register_todo_text("party.report_in_due", _("Report in to your community for %(start)s – %(end)s"))
    register_todo_text("party.report_in_declined", _("Your report-in was declined: report in again"))
    register_todo_text("party.report_ins_pending", ngettext_lazy(
        "%(count)d party member's report-in waits for confirmation",
        "%(count)d party members' report-ins wait for confirmation", "count"))
    register_todo_text("party.cards_due", ngettext_lazy(
        "%(count)d service feedback card due for last quarter", "%(count)d service feedback cards due for last quarter",
        "count"))
    register_todo_provider("party.member", _member_todos)
    register_todo_provider("party.desk", _desk_todos)
    register_todo_text("party.cards_to_acknowledge", ngettext_lazy(
        "%(count)d service feedback card to acknowledge", "%(count)d service feedback cards to acknowledge",
        "count"))
    register_todo_provider("party.secretary", _secretary_todos)
    register_menu_entry(MenuEntry("party.report_in", _("Report in"), "party:report_in", order=35,
                                  active=lambda m: m.url_name in ("report_in", "report_in_qr", "my_branch",
                                                                  "my_service") and m.namespace == "party",
                                  visible=_is_member))
    register_menu_entry(MenuEntry("party.registrations", _("Report-ins"), "party:registrations", order=62,
                                  active=lambda m: m.namespace == "party" and m.url_name in REPORT_IN_DESK,
                                  visible=lambda u: scope.may(u, A.CONFIRM)))
    register_menu_entry(MenuEntry("party.leaders", _("Linked leaders"), "party:leaders", order=64,
                                  active=lambda m: m.namespace == "party" and m.url_name.startswith("leader"),
                                  visible=lambda u: scope.may(u, A.LEADERS)))


REPORT_IN_DESK = {"registrations", "registration_new", "report_in_dashboard", "report_in_policy", "report_in_qr_code",
                  "units", "unit", "unit_new", "service", "cards", "cards_issue", "cards_print"}
