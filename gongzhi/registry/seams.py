"""What the grid registry brings to the shell and to other apps (gongzhi.core.seams): its menu entry,
a grid worker's to-dos, the search provider, the figures panel on a division's page, and its part
in re-gridding (services.regridding)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.core import scope
from gongzhi.core.seams.holdings import Holding, register_holdings_provider
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.panels import Panel, register_panel
from gongzhi.core.seams.search import SearchProvider, SearchResult, register_search_provider
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text
from gongzhi.divisions.seams import DETAIL_PAGE

from . import permissions
from .permissions import RegistryAction

A = RegistryAction


def _sees_registry(user) -> bool:
    return permissions.may(user, A.VIEW_PEOPLE) or permissions.may(user, A.VIEW_PLACES)


def _is_grid_worker(user) -> bool:
    return Role.GRID_WORKER in scope.roles(user)


def _grid_todos(user) -> list[Todo]:
    """A grid worker's visits that are due, over their own grids (two COUNTs, and one read of the
    tags that ask for visits)."""
    from .selectors import overdue_care, visits_for

    if not (_is_grid_worker(user) and permissions.may(user, A.VIEW_PEOPLE)):
        return []
    url = reverse("registry:grid")
    return [
        Todo("registry.care", overdue_care(user).order_by().count(), f"{url}?tab=care", priority=15),
        Todo("registry.follow_ups", visits_for(user, follow_up_open=True).order_by().count(),
             f"{url}?tab=follow_ups", priority=45),
    ]


def search_registry(user, query: str, limit: int) -> list[SearchResult]:
    """People by name, initials, phone or ID number (shown as the registry's lists show them: the
    phone masked), and buildings by address — each within the user's registry scope."""
    from .selectors import buildings_for, search_residents

    url = reverse("registry:grid")
    results = []
    if permissions.may(user, A.VIEW_PEOPLE):
        for r in search_residents(user, query, limit=limit):
            detail = " · ".join(x for x in (r.household.address, r.masked_phone) if x)
            results.append(SearchResult(r.name, reverse("registry:household", args=[r.household_id]), detail))
    if permissions.may(user, A.VIEW_PLACES) and len(results) < limit:
        for b in buildings_for(user, address=query)[:limit - len(results)]:
            results.append(SearchResult(b.address, f"{url}?{urlencode({'q': b.address})}", str(_("Building"))))
    return results


def registry_holdings(grid_ids: list[int]) -> list[Holding]:
    """The registry rows (not archived) on these grids: what a mass retirement would strand."""
    from django.utils.translation import ngettext

    from .models import Building, Household, Organisation, Resident, Thing

    kinds = (
        ("households", Household, lambda n: ngettext("%(n)d household", "%(n)d households", n)),
        ("residents", Resident, lambda n: ngettext("%(n)d resident", "%(n)d residents", n)),
        ("buildings", Building, lambda n: ngettext("%(n)d building", "%(n)d buildings", n)),
        ("things", Thing, lambda n: ngettext("%(n)d thing", "%(n)d things", n)),
        ("organisations", Organisation, lambda n: ngettext("%(n)d organisation", "%(n)d organisations", n)),
    )
    found = []
    for kind, model, text in kinds:
        n = model.objects.filter(grid_id__in=grid_ids, archived_at__isnull=True).count()
        found.append(Holding(f"registry.{kind}", n, text(n) % {"n": n}))
    return found


def register() -> None:
    from gongzhi.core import crypto

    from .models import Organisation, Resident

    # What `gongzhi rotate-keys` re-seals and re-indexes.
    crypto.register_sealed(Resident, "id_number_sealed", "id_number_hash", crypto.ID_NUMBER)
    crypto.register_sealed(Resident, "phone_sealed", "phone_hash", crypto.PHONE)
    crypto.register_sealed(Organisation, "contact_phone_sealed")
    register_holdings_provider("registry", registry_holdings)
    register_menu_entry(MenuEntry("registry.grid", _("Grid registry"), "registry:grid", order=40, active="registry",
                                  visible=_sees_registry,
                                  variant=lambda u: _("My grid") if _is_grid_worker(u) else None))
    register_todo_text("registry.care", ngettext_lazy("%(count)d care visit overdue", "%(count)d care visits overdue",
                                                      "count"))
    register_todo_text("registry.follow_ups", ngettext_lazy("%(count)d open follow-up", "%(count)d open follow-ups",
                                                            "count"))
    register_todo_provider("registry.visits", _grid_todos)
    register_search_provider(SearchProvider("registry", _("Grid registry"), search_registry, order=20))
    # The registry's figures (population, households, tags, ages, visits), loaded after the page.
    from .selectors import may_see_statistics

    register_panel(Panel(DETAIL_PAGE, "registry.statistics", "registry/_division_statistics.html",
                         may_see_statistics, order=10))
    from .services import regridding

    regridding.connect_hooks()
