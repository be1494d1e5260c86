"""Scoped reads of the registry, for the pages and the API alike.

Every function takes the user first and narrows through gongzhi.registry.permissions.restrict, so a
list, a search, a count and an export can only ever hold rows in the user's divisions. Lists are one
indexed query on the cached division columns (plus one to prefetch tags where shown); statistics are
GROUP BY on the same columns, a few queries whatever the size of the division.

People are always read masked (`masked_id_number`, `masked_phone`); full numbers come only from
services.privacy.reveal_personal_data.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core import crypto, scope
from gongzhi.divisions.choices import Level, child_level
from gongzhi.divisions.models import Division

from . import permissions, validation
from .choices import HouseholdKind, ResidentStatus
from .models import (
    Building,
    Facility,
    Household,
    Organisation,
    Position,
    Resident,
    ResidentEvent,
    ResidentTag,
    Tag,
    Thing,
    Visit,
    VisitPhoto,
)
from .permissions import RegistryAction, get_in_scope, restrict, scope_q, subtree_q
from .tags import FLOATING

A = RegistryAction

# --- single rows: 404 for missing and out of scope alike ------------------------------------------------


def access_resident(user, pk, action: str = A.VIEW_PEOPLE) -> Resident:
    return get_in_scope(Resident.objects.select_related("household__building"), user, action, pk=pk)


def access_household(user, pk, action: str = A.VIEW_PEOPLE) -> Household:
    return get_in_scope(Household.objects.select_related("building"), user, action, pk=pk)


def access_building(user, pk, action: str = A.VIEW_PLACES) -> Building:
    return get_in_scope(Building.objects.all(), user, action, pk=pk)


def access_thing(user, pk, action: str = A.VIEW_PLACES) -> Thing:
    return get_in_scope(Thing.objects.all(), user, action, pk=pk)


def access_facility(user, pk, action: str = A.VIEW_PLACES) -> Facility:
    return get_in_scope(Facility.objects.all(), user, action, pk=pk)


def access_organisation(user, pk, action: str = A.VIEW_PLACES) -> Organisation:
    return get_in_scope(Organisation.objects.all(), user, action, pk=pk)


def access_visit(user, pk, action: str = A.VIEW_PEOPLE) -> Visit:
    return get_in_scope(Visit.objects.select_related("household__building", "visitor"), user, action, pk=pk)


def access_visit_photo(user, visit_pk, pk) -> VisitPhoto:
    return get_in_scope(VisitPhoto.objects.all(), user, A.VIEW_PEOPLE, via="visit__", visit_id=visit_pk, pk=pk)


def tag_by_code(code: str) -> Tag | None:
    return Tag.objects.filter(code=code, is_active=True).first()


def active_tags() -> list[Tag]:
    return list(Tag.objects.filter(is_active=True))


# --- lists -------------------------------------------------------------------------------------------


def _in(qs: QuerySet, user, action: str, division: Division | None) -> QuerySet:
    qs = restrict(qs, user, action)
    return qs.filter(subtree_q(division)) if division is not None else qs


def live_tags_prefetch() -> Prefetch:
    """Each resident's current tags as `resident.live_tags` (one query for a page)."""
    return Prefetch("tag_links", to_attr="live_tags",
                    queryset=ResidentTag.objects.filter(ended_on__isnull=True).select_related("tag"))


def residents_for(
    user, *, division: Division | None = None, building: Building | None = None,
    household: Household | None = None, tag: Tag | None = None, status: str | None = ResidentStatus.ACTIVE,
    address: str = "", action: str = A.VIEW_PEOPLE,
) -> QuerySet[Resident]:
    """Residents the user may see, newest entry last; `status=None` includes those who left."""
    qs = _in(Resident.objects.filter(archived_at__isnull=True), user, action, division)
    if status:
        qs = qs.filter(status=status)
    if household is not None:
        qs = qs.filter(household=household)
    if building is not None:
        qs = qs.filter(household__building=building)
    if tag is not None:
        qs = qs.filter(has_live_tag(tag))
    if address:
        qs = qs.filter(household__building__address__contains=address.strip())
    return qs.select_related("household__building").prefetch_related(live_tags_prefetch()).order_by("id")


def has_live_tag(tag: Tag) -> Exists:
    return Exists(ResidentTag.objects.filter(resident=OuterRef("pk"), tag=tag, ended_on__isnull=True))


def households_for(
    user, *, division: Division | None = None, building: Building | None = None, kind: str | None = None,
    address: str = "", not_visited_days: int | None = None, today: dt.date | None = None,
) -> QuerySet[Household]:
    """Households the user may see; `not_visited_days=N` keeps the occupied ones not visited in the
    last N days (never visited first)."""
    qs = _in(Household.objects.filter(archived_at__isnull=True), user, A.VIEW_PEOPLE, division)
    if building is not None:
        qs = qs.filter(building=building)
    if kind:
        qs = qs.filter(kind=kind)
    if address:
        qs = qs.filter(building__address__contains=address.strip())
    qs = qs.select_related("building").annotate(
        member_count=Count("members", filter=Q(members__status=ResidentStatus.ACTIVE)))
    if not_visited_days is not None:
        cutoff = (today or timezone.localdate()) - dt.timedelta(days=not_visited_days)
        qs = qs.exclude(kind=HouseholdKind.VACANT).filter(
            Q(last_visited_on__lt=cutoff) | Q(last_visited_on__isnull=True))
        return qs.order_by(F("last_visited_on").asc(nulls_first=True), "id")
    return qs.order_by("building__address", "room", "id")


def households_not_visited(user, days: int, *, division: Division | None = None,
                           today: dt.date | None = None) -> QuerySet[Household]:
    return households_for(user, division=division, not_visited_days=days, today=today)


def buildings_for(user, *, division: Division | None = None, address: str = "",
                  action: str = A.VIEW_PLACES) -> QuerySet[Building]:
    qs = _in(Building.objects.filter(archived_at__isnull=True), user, action, division)
    if address:
        qs = qs.filter(address__contains=address.strip())
    return qs.order_by("address", "id")


def things_for(user, *, division: Division | None = None, category: str | None = None,
               state: str | None = None, q: str = "") -> QuerySet[Thing]:
    qs = _in(Thing.objects.filter(archived_at__isnull=True), user, A.VIEW_PLACES, division)
    if category:
        qs = qs.filter(category=category)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(code__startswith=q.strip()) | Q(kind__contains=q.strip()) | Q(address__contains=q.strip()))
    return qs.order_by("code", "id")


def facilities_for(user, *, division: Division | None = None, kind: str | None = None) -> QuerySet[Facility]:
    qs = _in(Facility.objects.filter(archived_at__isnull=True), user, A.VIEW_PLACES, division)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "id")


def organisations_for(user, *, division: Division | None = None, kind: str | None = None,
                      q: str = "") -> QuerySet[Organisation]:
    qs = _in(Organisation.objects.filter(archived_at__isnull=True), user, A.VIEW_PLACES, division)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q.strip())
    current = Position.objects.filter(ended_on__isnull=True).order_by("id")
    return qs.prefetch_related(Prefetch("positions", queryset=current, to_attr="current_positions")).order_by(
        "name", "id")


def visits_for(user, *, division: Division | None = None, household: Household | None = None,
               follow_up_open: bool | None = None, since: dt.date | None = None) -> QuerySet[Visit]:
    qs = _in(Visit.objects.all(), user, A.VIEW_PEOPLE, division)
    if household is not None:
        qs = qs.filter(household=household)
    if follow_up_open is True:
        qs = qs.filter(follow_up_needed=True, follow_up_closed_at__isnull=True)
    elif follow_up_open is False:
        qs = qs.exclude(follow_up_needed=True, follow_up_closed_at__isnull=True)
    if since is not None:
        qs = qs.filter(visited_on__gte=since)
    return (qs.select_related("household__building", "visitor", "follow_up_closed_by").prefetch_related("photos")
            .order_by("-visited_on", "-id"))


def resident_history(resident: Resident) -> list[ResidentEvent]:
    return list(ResidentEvent.objects.filter(resident=resident).select_related("actor").order_by("occurred_on", "id"))


def resident_tags(resident: Resident, *, include_ended: bool = False) -> list[ResidentTag]:
    qs = ResidentTag.objects.filter(resident=resident).select_related("tag").order_by("started_on", "id")
    return list(qs if include_ended else qs.filter(ended_on__isnull=True))


# --- care: who needs a visit -------------------------------------------------------------------------------


def overdue_care(user, *, division: Division | None = None, today: dt.date | None = None) -> QuerySet[ResidentTag]:
    """Tagged people whose tag asks for a visit every N days and whose household has not been visited
    for longer (or never): one row per person and tag, longest waiting first."""
    today = today or timezone.localdate()
    due = Q(pk__in=[])
    for tag in Tag.objects.filter(is_active=True, visit_interval_days__isnull=False):
        cutoff = today - dt.timedelta(days=tag.visit_interval_days)
        due |= Q(tag=tag) & (Q(resident__household__last_visited_on__lt=cutoff)
                             | Q(resident__household__last_visited_on__isnull=True))
    qs = restrict(ResidentTag.objects.filter(due, ended_on__isnull=True, resident__status=ResidentStatus.ACTIVE,
                                             resident__archived_at__isnull=True),
                  user, A.VIEW_PEOPLE, via="resident__")
    if division is not None:
        qs = qs.filter(subtree_q(division, via="resident__"))
    return qs.select_related("tag", "resident__household__building").order_by(
        F("resident__household__last_visited_on").asc(nulls_first=True), "resident_id", "tag__sort_order")


# --- search --------------------------------------------------------------------------------------------

PHONE_LIKE = re.compile(r"^(\+?86)?(1[3-9]\d{9}|0\d{9,11})$")
LAST_DIGITS = re.compile(r"^\d{3}[\dX]$")
LETTERS = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class SearchQuery:
    """What a search box's text means: a phone, a whole ID number, its last four, initials or a name."""

    kind: str  # "phone" | "id_number" | "last4" | "initials" | "name" | "nothing"
    value: str


def parse_search(text: str) -> SearchQuery:
    text = re.sub(r"[\s\-]", "", text or "").upper()
    if not text:
        return SearchQuery("nothing", "")
    if PHONE_LIKE.match(text):
        return SearchQuery("phone", validation.clean_phone(text))
    if validation.ID_SHAPE.match(text):
        return SearchQuery("id_number", text)
    if LAST_DIGITS.match(text):
        return SearchQuery("last4", text)
    if LETTERS.match(text.lower()):
        return SearchQuery("initials", text.lower())
    return SearchQuery("name", text if not text.isascii() else text.lower())


def prefix_q(field_name: str, text: str) -> Q:
    """`field` starts with `text`, in a form each database answers from its index: LIKE 'x%' on
    PostgreSQL (varchar_pattern_ops index), a half-open range on SQLite (whose LIKE ignores it)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__startswith": text})
    return Q(**{f"{field_name}__gte": text, f"{field_name}__lt": text + "\U0010ffff"})


def search_residents(user, text: str, *, division: Division | None = None, limit: int = 20,
                     status: str | None = ResidentStatus.ACTIVE) -> list[Resident]:
    """Residents matching the text of a search box, in the user's scope: an 11-digit phone or a whole
    ID number (exact, through the keyed hash), four last characters of an ID number, pinyin initials
    ("zw") or the start of a name ("张伟")."""
    query = parse_search(text)
    if query.kind == "nothing":
        return []
    qs = residents_for(user, division=division, status=status)
    if query.kind == "phone":
        qs = qs.filter(phone_hash=crypto.blind_index(query.value, crypto.PHONE))
    elif query.kind == "id_number":
        qs = qs.filter(id_number_hash=crypto.blind_index(query.value, crypto.ID_NUMBER))
    elif query.kind == "last4":
        qs = qs.filter(id_last4=query.value)
    elif query.kind == "initials":
        qs = qs.filter(prefix_q("name_initials", query.value)).order_by("name_initials", "id")
    else:
        qs = qs.filter(prefix_q("name", query.value)).order_by("name", "id")
    # The page of ids first, on the resident table alone (a family name matches thousands in a
    # district: they are sorted, not joined); then those twenty with their households and tags.
    ids = list(qs.values_list("pk", flat=True)[:limit])
    found = {r.pk: r for r in qs.model.objects.filter(pk__in=ids).select_related("household__building")
             .prefetch_related(live_tags_prefetch())}
    return [found[pk] for pk in ids]


# --- statistics ----------------------------------------------------------------------------------------

CACHE_SECONDS = 600
AGE_BANDS = [("0-6", 0, 6), ("7-17", 7, 17), ("18-34", 18, 34), ("35-59", 35, 59), ("60-79", 60, 79),
             ("80+", 80, None)]


@dataclass
class Figures:
    population: int = 0
    households: int = 0
    occupied_households: int = 0
    visited_households: int = 0
    floating: int = 0
    tags: dict[str, int] = field(default_factory=dict)
    ages: dict[str, int] = field(default_factory=dict)

    @property
    def visit_coverage(self) -> float | None:
        """The share of occupied households visited in the window (None without households)."""
        if not self.occupied_households:
            return None
        return round(self.visited_households / self.occupied_households, 4)


@dataclass
class Statistics:
    division: Division
    part_level: str | None  # the level of `parts`, None for a grid
    visit_window_days: int
    total: Figures
    parts: list[tuple[Division, Figures]]


def _band_filter(today: dt.date, low: int, high: int | None) -> Q:
    """Born so as to be between `low` and `high` years old (inclusive) on `today`."""
    q = Q(birth_date__lte=_years_before(today, low))
    if high is not None:
        q &= Q(birth_date__gt=_years_before(today, high + 1))
    return q


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def statistics(user, division: Division, *, visit_window_days: int = 90,
               today: dt.date | None = None) -> Statistics:
    """Population, households, floating population, tag counts, age bands and visit coverage of
    `division`, as a whole and for each of its children (a grid has no parts), as far as the user's
    statistics scope reaches. Three GROUP BY queries on the cached division columns and one for the
    children's names.

    A division wholly inside the user's scope has the same figures for everyone who may see it; at
    street level and above (a district's million-row aggregate takes seconds) those are cached for
    CACHE_SECONDS. Grids and communities are always counted live, so a visit shows at once."""
    today = today or timezone.localdate()
    whole = permissions.covers(user, A.STATISTICS, division)
    if not whole or division.level in (Level.GRID, Level.COMMUNITY):
        return _statistics(user if not whole else None, division, visit_window_days, today)
    key = f"registry:statistics:{division.pk}:{visit_window_days}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _statistics(None, division, visit_window_days, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _statistics(user, division: Division, visit_window_days: int, today: dt.date) -> Statistics:
    """The figures of `division`, narrowed to `user`'s scope (None: the whole division)."""
    part_level = child_level(division.level) if division.level != Level.GRID else None
    key = f"{part_level or 'grid'}_id"
    where = subtree_q(division) & (scope_q(user, A.STATISTICS) if user is not None else Q())
    figures: dict[int, Figures] = {}

    def at(pk) -> Figures:
        return figures.setdefault(pk, Figures())

    bands = {f"age_{i}": Count("id", filter=_band_filter(today, low, high))
             for i, (_, low, high) in enumerate(AGE_BANDS)}
    people = (Resident.objects.filter(where, status=ResidentStatus.ACTIVE, archived_at__isnull=True)
              .values(key).annotate(population=Count("id"), **bands).order_by())
    for row in people:
        f = at(row[key])
        f.population = row["population"]
        f.ages = {label: row[f"age_{i}"] for i, (label, _, _) in enumerate(AGE_BANDS)}

    through_resident = subtree_q(division, via="resident__") & (
        scope_q(user, A.STATISTICS, via="resident__") if user is not None else Q())
    tag_rows = (ResidentTag.objects.filter(through_resident, ended_on__isnull=True,
                                           resident__status=ResidentStatus.ACTIVE,
                                           resident__archived_at__isnull=True)
                .values(f"resident__{key}", "tag__code").annotate(n=Count("id")).order_by())
    for row in tag_rows:
        f = at(row[f"resident__{key}"])
        f.tags[row["tag__code"]] = row["n"]
        if row["tag__code"] == FLOATING:
            f.floating = row["n"]

    since = today - dt.timedelta(days=visit_window_days)
    occupied = ~Q(kind=HouseholdKind.VACANT)
    homes = (Household.objects.filter(where, archived_at__isnull=True).values(key)
             .annotate(households=Count("id"), occupied=Count("id", filter=occupied),
                       visited=Count("id", filter=occupied & Q(last_visited_on__gte=since))).order_by())
    for row in homes:
        f = at(row[key])
        f.households, f.occupied_households, f.visited_households = row["households"], row["occupied"], row["visited"]

    total = Figures(ages={label: 0 for label, _, _ in AGE_BANDS})
    for f in figures.values():
        total.population += f.population
        total.households += f.households
        total.occupied_households += f.occupied_households
        total.visited_households += f.visited_households
        total.floating += f.floating
        for code, n in f.tags.items():
            total.tags[code] = total.tags.get(code, 0) + n
        for label, n in f.ages.items():
            total.ages[label] += n

    parts = []
    if part_level:
        children = Division.objects.filter(parent=division, level=part_level).filter(
            Q(is_active=True) | Q(pk__in=list(figures))).defer("geometry").order_by("code")
        for child in children:
            f = figures.get(child.pk) or Figures()
            f.ages = f.ages or {label: 0 for label, _, _ in AGE_BANDS}
            parts.append((child, f))
    return Statistics(division=division, part_level=part_level, visit_window_days=visit_window_days, total=total,
                      parts=parts)


def grid_name(row) -> str:
    """The name of the grid a registry row (already read in scope) lies in, without its boundary."""
    return Division.objects.values_list("name", flat=True).get(pk=row.grid_id)


def statistics_division(user, pk) -> Division:
    """The division whose registry statistics the user asks for, or 404 (missing and out of scope
    alike): the whole division must lie in their statistics scope."""
    division = Division.objects.filter(pk=pk).defer("geometry").first()
    if division is None or not may_see_statistics(user, division):
        raise Http404
    return division


def may_see_statistics(user, division: Division) -> bool:
    """Whether the division's registry statistics are the user's to see: the whole division lies in
    their statistics scope (the division page shows the panel only then)."""
    return permissions.covers(user, A.STATISTICS, division)


# --- where a page is looking: the user's divisions and the way down to a grid ----------------------------


def default_area(user, action: str) -> Division | None:
    """The division a registry page opens on: the user's one division (a grid worker's grid, a
    secretary's community), or None — all of their scope — when they have several or are global."""
    tops = permissions.covered_divisions(user, action)
    return tops[0] if len(tops) == 1 else None


def area_choices(user, action: str, current: Division | None) -> list[tuple[Division, int]]:
    """The divisions a page may switch to, as (division, depth) in tree order: the user's top
    divisions, the way from the top down to `current`, and the active divisions just under it. A
    grid worker with one grid gets that grid alone."""
    tops = permissions.covered_divisions(user, action)
    if not tops and scope.is_global(user):
        tops = list(Division.objects.filter(parent__isnull=True, is_active=True).defer("geometry").order_by("code"))
    chain: list[Division] = []
    if current is not None:
        ids = [getattr(current, f"{level}_id") for level in ("province", "city", "district", "street", "community")]
        above = {d.pk: d for d in Division.objects.filter(pk__in=[i for i in ids if i and i != current.pk])
                 .defer("geometry")}
        chain = [above[i] for i in ids if i in above and permissions.covers(user, action, above[i])] + [current]
    choices = []
    for top in tops:
        if not chain or top.pk != chain[0].pk:
            choices.append((top, 0))
            continue
        choices += [(division, depth) for depth, division in enumerate(chain)]
        if current.level != Level.GRID:
            below = Division.objects.filter(parent=current, is_active=True).defer("geometry").order_by("code")
            choices += [(child, len(chain)) for child in below]
    return choices


# --- what a grid worker has to do ------------------------------------------------------------------------


@dataclass
class Due:
    care: int
    not_visited: int
    follow_ups: int


def due_counts(user, *, division: Division | None, days: int, today: dt.date | None = None) -> Due:
    """How long the to-do lists of a grid or a community are: overdue care, households not visited in
    `days`, open follow-ups (three COUNT queries on the scoped lists)."""
    return Due(
        care=overdue_care(user, division=division, today=today).count(),
        not_visited=households_not_visited(user, days, division=division, today=today).count(),
        follow_ups=visits_for(user, division=division, follow_up_open=True).count(),
    )
