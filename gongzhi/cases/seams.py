"""What the cases app brings to the shell and to other apps (gongzhi.core.seams): menu entries,
home-page to-dos, the search provider, and notifications about a case."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core.seams.audit import AuditPrivacy, register_audit_privacy
from gongzhi.core.seams.holdings import Holding, register_holdings_provider
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.search import SearchProvider, SearchResult, register_search_provider
from gongzhi.core.seams.subjects import SubjectRef, register_subject_type
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from .permissions import CaseAction, may_anywhere

A = CaseAction
SUBJECT_TYPE = "cases.case"


def works_on_cases(user) -> bool:
    """Whether the user has a staff view of cases (the workbench), not only their own reports."""
    return may_anywhere(user, A.VIEW)


# --- menu ---------------------------------------------------------------------------------------


def _on_report(match) -> bool:
    return match.namespace == "cases" and match.url_name == "report"


def _on_own_reports(match) -> bool:
    return match.namespace == "cases" and match.url_name != "report"


def _on_tracking(match) -> bool:
    return match.namespace == "cases" and match.url_name in ("lookup", "track")


def _register_menu() -> None:
    register_menu_entry(MenuEntry("cases.workbench", _("Cases"), "cases:workbench", order=10, active="cases",
                                  visible=works_on_cases))
    register_menu_entry(MenuEntry("cases.mine", _("My reports"), "cases:mine", order=20, active=_on_own_reports,
                                  visible=lambda u: not works_on_cases(u)))
    # Staff file cases from the workbench; residents and visitors from here.
    register_menu_entry(MenuEntry("cases.report", _("Report a problem"), "cases:report", order=30,
                                  active=_on_report, audience="everyone", visible=lambda u: not works_on_cases(u)))
    register_menu_entry(MenuEntry("cases.lookup", _("Follow a case"), "cases:lookup", order=35,
                                  active=_on_tracking, audience="visitors"))


# --- to-dos: one COUNT per queue the user works, on the workbench's own scoped queues -----------------

# queue → (the action that makes it the user's, priority); overdue work first.
WAITING_QUEUES = {
    "overdue": ((A.HANDLE, A.APPROVE), 10),
    "to_accept": ((A.HANDLE,), 20),
    "to_register": ((A.REGISTER,), 30),
    "to_dispatch": ((A.DISPATCH,), 40),
}


def _waiting_queues(user) -> list[Todo]:
    from .selectors import queue

    if not works_on_cases(user):
        return []
    url = reverse("cases:workbench")
    return [Todo(f"cases.{name}", queue(user, name).count(), f"{url}?tab={name}", priority)
            for name, (actions, priority) in WAITING_QUEUES.items()
            if any(may_anywhere(user, action) for action in actions)]


def _my_open_reports(user) -> list[Todo]:
    from .choices import FINAL_STATES, CaseState
    from .selectors import my_cases

    if works_on_cases(user):
        return []
    # A closed case waits only for the reporter's rating: it is no longer being handled.
    done = [*FINAL_STATES, CaseState.CLOSED]
    count = my_cases(user).exclude(state__in=done).order_by().count()
    return [Todo("cases.my_open", count, reverse("cases:mine"), priority=50)]


def _register_todos() -> None:
    register_todo_text("cases.overdue", ngettext_lazy("%(count)d overdue case", "%(count)d overdue cases", "count"))
    register_todo_text("cases.to_accept", ngettext_lazy("%(count)d case to accept", "%(count)d cases to accept",
                                                        "count"))
    register_todo_text("cases.to_register", ngettext_lazy("%(count)d report to register",
                                                          "%(count)d reports to register", "count"))
    register_todo_text("cases.to_dispatch", ngettext_lazy("%(count)d case to dispatch",
                                                          "%(count)d cases to dispatch", "count"))
    register_todo_text("cases.my_open", ngettext_lazy("%(count)d of your reports is being handled",
                                                      "%(count)d of your reports are being handled", "count"))
    register_todo_provider("cases.queues", _waiting_queues)
    register_todo_provider("cases.my_open", _my_open_reports)


# --- search: by tracking number, or words of the description, among the cases the user may see --------


def search_cases(user, query: str, limit: int) -> list[SearchResult]:
    from .selectors import cases_for, filter_cases, my_cases

    staff = works_on_cases(user)
    found = filter_cases(cases_for(user) if staff else my_cases(user), text=query)
    results = []
    for case in found.order_by("-submitted_at", "-id")[:limit]:
        url = (reverse("cases:detail", args=[case.pk]) if staff
               else reverse("cases:track", args=[case.tracking_code]))
        where = case.community.name if case.community_id else ""
        results.append(SearchResult(
            label=" · ".join(x for x in (case.tracking_number, case.category.name if case.category_id else "") if x),
            url=url, detail=" · ".join(x for x in (str(case.get_state_display()), where) if x)))
    return results


# --- notifications about a case ---------------------------------------------------------------------


def resolve_cases(reader, ids: list[int]) -> dict[int, SubjectRef]:
    """A case named by its tracking number, linked to its staff page for those who may open it and
    to its public tracking page for everyone else told about it (a reporter, a follower)."""
    from .models import Case
    from .selectors import cases_for

    names = {pk: (number, code) for pk, number, code
             in Case.objects.filter(pk__in=ids).values_list("pk", "tracking_number", "tracking_code")}
    staff = set(cases_for(reader).filter(pk__in=list(names)).values_list("pk", flat=True)) \
        if names and works_on_cases(reader) else set()
    return {pk: SubjectRef(number, reverse("cases:detail", args=[pk]) if pk in staff
                           else reverse("cases:track", args=[code]))
            for pk, (number, code) in names.items()}


def _audit_narrow(entries, filters: dict):
    from .selectors import audit_without_anonymous_reporters

    return audit_without_anonymous_reporters(entries, filters.get("actor"))


def _audit_mask(entries: list) -> None:
    from .selectors import mask_anonymous_reporters

    mask_anonymous_reporters(entries)


def cases_holdings(grid_ids: list[int]) -> list[Holding]:
    """The cases on these grids not yet closed: what a mass retirement would leave without a grid."""
    from django.utils.translation import ngettext

    from .choices import FINAL_STATES, CaseState
    from .models import Case

    n = (Case.objects.filter(grid_id__in=grid_ids)
         .exclude(state__in=[*FINAL_STATES, CaseState.CLOSED]).count())
    return [Holding("cases.open", n, ngettext("%(n)d open case", "%(n)d open cases", n) % {"n": n})]


def register() -> None:
    _register_menu()
    register_holdings_provider("cases", cases_holdings)
    # An anonymous reporter stays anonymous in the audit trail too.
    register_audit_privacy(AuditPrivacy("cases.anonymous_reporters", _audit_narrow, _audit_mask))
    _register_todos()
    register_search_provider(SearchProvider("cases", _("Cases"), search_cases, order=10))
    register_subject_type(SUBJECT_TYPE, resolve_cases)
