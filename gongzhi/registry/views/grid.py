"""My grid (我的网格): the registry of the grids a user's roles cover, from a phone — households,
people by tag, buildings, facilities, organisations and things, a search box, and the to-do lists
of visits (overdue care, households not visited in N days, open follow-ups)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gongzhi.accounts.choices import Role
from gongzhi.core import scope
from gongzhi.core.pagination import paginate
from gongzhi.divisions.choices import Level

from .. import permissions, selectors
from ..permissions import RegistryAction
from .common import area_from, is_htmx, page_action, tag_labels

A = RegistryAction
PER_PAGE = 20
SEARCH_LIMIT = 20
MAX_DAYS = 3650


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    action: str


TABS = [
    Tab("households", _("Households"), A.VIEW_PEOPLE),
    Tab("people", _("People"), A.VIEW_PEOPLE),
    Tab("buildings", _("Buildings"), A.VIEW_PLACES),
    Tab("facilities", _("Facilities"), A.VIEW_PLACES),
    Tab("organisations", _("Organisations"), A.VIEW_PLACES),
    Tab("things", _("Things"), A.VIEW_PLACES),
]
# The to-do lists of visits, shown as counters above the tabs.
DUE_TABS = [
    Tab("care", _("Care overdue"), A.VIEW_PEOPLE),
    Tab("not_visited", _("Not visited"), A.VIEW_PEOPLE),
    Tab("follow_ups", _("Open follow-ups"), A.VIEW_PEOPLE),
]
# Levels small enough to count the to-do lists on every view of the page.
COUNTED_LEVELS = (Level.GRID, Level.COMMUNITY)


@login_required
@require_GET
def my_grid(request):
    user = request.user
    action = page_action(user)  # 403 for those with no part of the registry
    area = area_from(request, user, action)
    tabs = [t for t in TABS if permissions.may(user, t.action)]
    due_tabs = [t for t in DUE_TABS if permissions.may(user, t.action)]
    chosen = request.GET.get("tab") or ""
    tab = next((t for t in [*tabs, *due_tabs] if t.key == chosen), tabs[0])
    days = _days(request.GET.get("days"))
    q = (request.GET.get("q") or "").strip()[:40]
    context = {
        "area": area, "areas": [(d, "\u3000" * depth) for d, depth in selectors.area_choices(user, action, area)],
        "tabs": tabs, "due_tabs": due_tabs,
        "tab": tab, "q": q, "days": days, "labels": tag_labels(),
        "sees_people": action == A.VIEW_PEOPLE, "may_edit": permissions.may(user, A.EDIT),
        "may_visit": permissions.may(user, A.VISIT),
        "is_grid_worker": Role.GRID_WORKER in scope.roles(user),
    }
    if due_tabs and area is not None and area.level in COUNTED_LEVELS:
        context["due"] = vars(selectors.due_counts(user, division=area, days=days))
    if q:
        context.update(_search(user, action, area, q))
    else:
        context.update(LISTS[tab.key](request, user, area, days))
    if is_htmx(request) and request.headers.get("HX-Target") == "grid-content" \
            and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "registry/_grid_content.html", context)
    return render(request, "registry/grid.html", context)


def _days(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_DAYS)
    except (TypeError, ValueError):
        return settings.REGISTRY_NOT_VISITED_DAYS  # the page's starting N


def _with_ages(residents, today) -> list:
    for r in residents:
        r.age = r.age_on(today)
    return residents


# --- the lists, one per tab: each gives the page of rows and what its template needs --------------------


def _households(request, user, area, days):
    building = None
    if request.GET.get("building"):
        building = selectors.access_building(user, request.GET["building"], A.VIEW_PEOPLE)
    return {"page": paginate(request, selectors.households_for(user, division=area, building=building),
                             per_page=PER_PAGE),
            "building": building}


def _people(request, user, area, days):
    tag = selectors.tag_by_code(request.GET.get("tag") or "")
    page = paginate(request, selectors.residents_for(user, division=area, tag=tag), per_page=PER_PAGE)
    _with_ages(page.object_list, timezone.localdate())
    return {"page": page, "chosen_tag": tag}


def _care(request, user, area, days):
    return {"page": paginate(request, selectors.overdue_care(user, division=area), per_page=PER_PAGE)}


def _not_visited(request, user, area, days):
    return {"page": paginate(request, selectors.households_not_visited(user, days, division=area),
                             per_page=PER_PAGE)}


def _follow_ups(request, user, area, days):
    return {"page": paginate(request, selectors.visits_for(user, division=area, follow_up_open=True),
                             per_page=PER_PAGE)}


def _buildings(request, user, area, days):
    return {"page": paginate(request, selectors.buildings_for(user, division=area), per_page=PER_PAGE)}


def _facilities(request, user, area, days):
    return {"page": paginate(request, selectors.facilities_for(user, division=area), per_page=PER_PAGE)}


def _organisations(request, user, area, days):
    return {"page": paginate(request, selectors.organisations_for(user, division=area), per_page=PER_PAGE)}


def _things(request, user, area, days):
    return {"page": paginate(request, selectors.things_for(user, division=area), per_page=PER_PAGE)}


LISTS = {
    "households": _households, "people": _people, "care": _care, "not_visited": _not_visited,
    "follow_ups": _follow_ups, "buildings": _buildings, "facilities": _facilities,
    "organisations": _organisations, "things": _things,
}


def _search(user, action, area, q) -> dict:
    """People by name, pinyin initials, phone, ID number or its last four characters, and homes by
    address — in the chosen division, within the user's scope."""
    if action != A.VIEW_PEOPLE:
        return {"found_buildings": list(selectors.buildings_for(user, division=area, address=q)[:SEARCH_LIMIT])}
    residents = _with_ages(selectors.search_residents(user, q, division=area, limit=SEARCH_LIMIT),
                           timezone.localdate())
    households = []
    if selectors.parse_search(q).kind == "name":
        households = list(selectors.households_for(user, division=area, address=q)[:SEARCH_LIMIT])
    return {"found_residents": residents, "found_households": households, "search_limit": SEARCH_LIMIT}
