"""The party members' seams: the site search finds members (in the searcher's VIEW_MEMBERS scope,
shown as the members list shows them: the phone masked)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.search import SearchProvider, SearchResult, register_search_provider

from ..permissions import PartyAction


def search_members(user, query: str, limit: int) -> list[SearchResult]:
    from ..selectors.members import search_members as find

    if not scope.may(user, PartyAction.VIEW_MEMBERS):
        return []
    return [SearchResult(m.name, reverse("party:member", args=[m.pk]),
                         " · ".join(x for x in (m.organisation.name, m.masked_phone) if x))
            for m in find(user, query, limit=limit)]


def register() -> None:
    register_menu_entry(MenuEntry("party.members", _("Party members"), "party:members", order=46,
                                  active=lambda m: m.namespace == "party" and m.url_name.startswith("member"),
                                  visible=lambda user: scope.may(user, PartyAction.VIEW_MEMBERS)))
    register_search_provider(SearchProvider("party.members", _("Party members"), search_members, order=30))
