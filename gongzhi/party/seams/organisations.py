"""The party organisations' seams: the menu entry (党建 / Party), the to-do of committees whose
term falls due (换届), and the search provider for organisations by name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.search import SearchProvider, SearchResult, register_search_provider
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from ..permissions import PartyAction

# The pages this entry stands for (the members' and report-in pages have entries of their own).
PAGES = {"home", "organisation", "organisation_children", "coverage", "found", "organisation_action",
         "seat_action", "facility_action"}


def _terms_due(user) -> list[Todo]:
    from ..selectors.organisations import terms_due

    if not scope.may(user, PartyAction.MANAGE):
        return []
    return [Todo("party.terms_due", terms_due(user).count(), f"{reverse('party:home')}#terms-due", priority=40)]


def search_organisations(user, query: str, limit: int) -> list[SearchResult]:
    from ..selectors.organisations import search_organisations as find

    if not scope.may(user, PartyAction.VIEW):
        return []
    return [SearchResult(o.name, reverse("party:organisation", args=[o.pk]),
                         " · ".join(str(x) for x in (o.get_form_display(), o.division.name)))
            for o in find(user, query, limit)]


def register() -> None:
    register_menu_entry(MenuEntry(
        "party.home", _("Party"), "party:home", order=45,
        active=lambda match: match.namespace == "party" and match.url_name in PAGES,
        visible=lambda user: scope.may(user, PartyAction.VIEW)))
    register_todo_text("party.terms_due", ngettext_lazy(
        "%(count)d party committee due for re-election", "%(count)d party committees due for re-election", "count"))
    register_todo_provider("party.terms_due", _terms_due)
    register_search_provider(SearchProvider("party.organisations", _("Party organisations"), search_organisations,
                                            order=30))
