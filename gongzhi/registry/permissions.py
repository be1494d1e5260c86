"""Who may do what with the registry, and where.

The registry's actions sit on top of gongzhi.core.scope: a role assignment gives its holder the
actions below over the assignment's division subtree (department staff: over the divisions their
department serves). Every registry row carries its grid and cached ancestor columns (see
models.base.Placed), so "rows this user may see" is one indexed WHERE on those columns.

| role                 | statistics | places | people | edit | visit | reveal | import | export |
| -------------------- | ---------- | ------ | ------ | ---- | ----- | ------ | ------ | ------ |
| city admin           | ✓          | ✓      | ✓      | ✓    |       |        | ✓      | ✓      |
| district officer     | ✓          | ✓      | ✓      |      |       |        |        | ✓      |
| street officer       | ✓          | ✓      | ✓      | ✓    |       |        | ✓      | ✓      |
| community secretary  | ✓          | ✓      | ✓      | ✓    | ✓     | ✓      | ✓      | ✓      |
| community staff      | ✓          | ✓      | ✓      | ✓    | ✓     |        | ✓      | ✓      |
| grid worker          | ✓          | ✓      | ✓      | ✓    | ✓     | ✓      |        |        |
| department staff     | ✓          | ✓      |        |      |       |        |        |        |
| auditor              | ✓          |        |        |      |       |        |        |        |
| resident             |            |        |        |      |       |        |        |        |

"places" are buildings, things, facilities and organisations (no personal data beyond a masked
contact number); "people" are residents, households and visits, always masked. Seeing a full ID or
phone number is the separate, audited REVEAL, given only to those who serve the household face to
face: the community secretary (their community) and the grid worker (their grid).
"""

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from .models import Building


class RegistryAction(models.TextChoices):
    STATISTICS = "registry.statistics", _("See registry statistics")
    VIEW_PLACES = "registry.view_places", _("See buildings, things, facilities and organisations")
    VIEW_PEOPLE = "registry.view_people", _("See residents, households and visits (masked)")
    EDIT = "registry.edit", _("Add and change registry entries")
    VISIT = "registry.visit", _("Log household visits")
    REVEAL = "registry.reveal", _("See a full ID or phone number (audited)")
    IMPORT = "registry.import", _("Import spreadsheets into the registry")
    EXPORT = "registry.export", _("Export registry lists")


A = RegistryAction


def covered_divisions(user, action: str) -> list[Division]:
    """The divisions at the top of each subtree in which `user` may do the registry `action`."""
    return scope.covered_divisions(user, action)


def subtree_q(division: Division, via: str = "") -> Q:
    """Registry rows (reached through `via`) lying in `division`'s subtree: one cached column."""
    return scope.subtree_q(division, via, target=Building)


def scope_q(user, action: str, via: str = "") -> Q:
    return scope.scope_q(user, action, via, target=Building)


def restrict(queryset: QuerySet, user, action: str, via: str | None = None) -> QuerySet:
    """Registry rows `user` may do `action` on (the kernel's restrict; rows carry their place)."""
    return scope.restrict(queryset, user, action, via)


def get_in_scope(queryset: QuerySet, user, action: str, via: str | None = None, **lookup):
    """One row the user may act on, or 404 — the same answer for missing and out of scope."""
    return scope.get_in_scope(queryset, user, action, via, **lookup)


def may(user, action: str) -> bool:
    """Whether the user may do `action` anywhere (navigation, and 403 before a list is answered)."""
    return scope.may(user, action)


def covers(user, action: str, division: Division) -> bool:
    """Whether `division` (any level, with its cached ancestor columns) lies in the user's scope."""
    return scope.covers(user, action, division)


def covers_row(user, action: str, row) -> bool:
    """Whether a registry row (with cached division columns) lies in the user's scope, without a
    query (a province anchor reads the row's city)."""
    if scope.is_global(user):
        return True
    for top in covered_divisions(user, action):
        if top.level == Level.PROVINCE:
            if Division.objects.filter(pk=row.city_id, province_id=top.pk).exists():
                return True
        elif getattr(row, f"{top.level}_id") == top.pk:
            return True
    return False


def shown_text(user, text: str, row) -> str:
    """Free text on a registry row (notes, a visit's follow-up) as `user` reads it: phone and ID
    numbers typed into it are whole for those who may reveal the row's numbers (the face-to-face
    roles), masked for everyone else — as the row's own numbers are."""
    from gongzhi.core.masking import mask_numbers_in_text

    if not text or (user is not None and covers_row(user, A.REVEAL, row)):
        return text
    return mask_numbers_in_text(text)


def grids_in_scope(user, action: str) -> QuerySet[Division]:
    """The active grids in which the user may do `action`: form choices, import lookups."""
    grids = Division.objects.filter(level=Level.GRID, is_active=True).defer("geometry").order_by("code")
    return scope.restrict(grids, user, action)


def grid_for(user, grid_id: int, action: str) -> Division:
    """An active grid the user may do `action` in, or 404."""
    grid = Division.objects.filter(pk=grid_id, level=Level.GRID, is_active=True).first()
    if grid is None or not covers(user, action, grid):
        raise Http404
    return grid


def division_for(user, division_id: int, action: str) -> Division:
    """A division (any level) inside the user's scope for `action`, or 404 (a grid worker may ask
    for their grid, not for their street)."""
    division = Division.objects.filter(pk=division_id).first()
    if division is None:
        raise Http404
    if covers(user, action, division):
        return division
    raise Http404
