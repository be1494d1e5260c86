"""Scoped reads of the hierarchy. Views and API handlers read divisions only through here."""

from django.db.models import Count, Q, QuerySet

from gongzhi.accounts.choices import Action
from gongzhi.core import scope

from .choices import LEVELS, Level
from .models import Division


def divisions_for(user, action: str = Action.VIEW) -> QuerySet[Division]:
    return scope.restrict(Division.objects.filter(is_active=True), user, action)


def grids_for(user, action: str = Action.VIEW) -> QuerySet[Division]:
    return divisions_for(user, action).filter(level=Level.GRID)


def division_for(user, pk, action: str = Action.VIEW, *, include_retired: bool = True) -> Division:
    qs = Division.objects.all() if include_retired else Division.objects.filter(is_active=True)
    return scope.get_in_scope(qs.select_related("parent"), user, action, pk=pk)


def top_divisions_for(user) -> list[Division]:
    """The roots of the user's visible forest: their covered divisions minus any nested in another."""
    if scope.is_global(user):
        return list(Division.objects.filter(is_active=True, parent__isnull=True))
    tops = {d.pk: d for d in scope.covered_divisions(user, Action.VIEW) if d.is_active}
    return sorted(
        (d for d in tops.values() if not any(scope.subtree_contains(o, d) for o in tops.values() if o.pk != d.pk)),
        key=lambda d: d.code,
    )


def children_of(user, division: Division) -> QuerySet[Division]:
    return divisions_for(user).filter(parent=division).order_by("code")


def descendant_counts(divisions: list[Division]) -> dict[int, dict[str, int]]:
    """For each division, how many active divisions of each lower level lie under it (one query per level)."""
    counts: dict[int, dict[str, int]] = {d.pk: {} for d in divisions}
    by_level: dict[str, list[int]] = {}
    for d in divisions:
        by_level.setdefault(d.level, []).append(d.pk)
    for level, ids in by_level.items():
        if level == Level.GRID:
            continue
        rows = (
            Division.objects.filter(is_active=True, **{f"{level}_id__in": ids})
            .exclude(level=level)
            .values(f"{level}_id", "level")
            .annotate(n=Count("id"))
        )
        for row in rows:
            counts[row[f"{level}_id"]][row["level"]] = row["n"]
    return counts


def ancestors(division: Division) -> list[Division]:
    """From the top down, not including the division itself (one query)."""
    ids = [getattr(division, f"{lvl}_id") for lvl in LEVELS[:-1]]
    ids = [i for i in ids if i and i != division.pk]
    if division.parent_id and division.parent_id not in ids:
        ids.append(division.parent_id)
    found = {d.pk: d for d in Division.objects.filter(pk__in=ids)}
    return sorted(found.values(), key=lambda d: LEVELS.index(d.level))


def search_divisions(user, text: str, limit: int = 20) -> QuerySet[Division]:
    text = text.strip()
    if not text:
        return Division.objects.none()
    return divisions_for(user).filter(Q(name__icontains=text) | Q(code__startswith=text)).order_by("code")[:limit]


# --- reads for the API (added; the functions above are unchanged) ---------------------------------


def subtree_for(user, roots: list[Division], depth: int) -> list[Division]:
    """The active divisions in the user's scope lying 1..`depth` levels under one of `roots`,
    ordered by code (one query, whatever the number of roots)."""
    q = Q()
    for root in roots:
        start = LEVELS.index(root.level) + 1
        below = LEVELS[start : start + depth]
        if below:
            q |= scope.subtree_q(root) & Q(level__in=below)
    if not q:
        return []
    return list(divisions_for(user).filter(q).defer("geometry").order_by("code"))


def grids_under(user, division: Division) -> QuerySet[Division]:
    """The active grids in the user's scope under `division` (or the grid itself), ordered by
    code: one indexed WHERE on the cached ancestor column, whatever the level."""
    return grids_for(user).filter(scope.subtree_q(division)).order_by("code")


def lineage_for(user, division: Division) -> tuple[list[int], list[int]]:
    """The ids of `division`'s successors and predecessors that the user may see (retired ones too)."""
    successors = scope.restrict(division.successors.all(), user, Action.VIEW).order_by("code")
    predecessors = scope.restrict(division.predecessors.all(), user, Action.VIEW).order_by("code")
    return list(successors.values_list("pk", flat=True)), list(predecessors.values_list("pk", flat=True))


def recent_changes(division: Division, limit: int = 20) -> list:
    """The division's latest history rows with their actors and related divisions (two queries)."""
    from .models import DivisionChange

    return list(
        DivisionChange.objects.filter(division=division)
        .select_related("actor")
        .prefetch_related("related")
        .order_by("-at", "-id")[:limit]
    )


def ancestor_names(divisions: list[Division]) -> dict[int, list[str]]:
    """For each division, the names of its ancestors from the top down (one query for all)."""
    wanted = {getattr(d, f"{lvl}_id") for d in divisions for lvl in LEVELS[:-1]}
    wanted |= {d.parent_id for d in divisions}
    wanted.discard(None)
    names = dict(Division.objects.filter(pk__in=wanted).values_list("pk", "name"))
    out = {}
    for d in divisions:
        ids = [getattr(d, f"{lvl}_id") for lvl in LEVELS[:-1]]
        ids = [i for i in ids if i and i != d.pk]
        if d.parent_id and d.parent_id not in ids:
            ids.append(d.parent_id)
        out[d.pk] = [names[i] for i in ids if i in names]
    return out
