"""Scoped reads of the party tree: organisations, their committees (terms, seats, meetings), their
positions (阵地) and history. Pages, the API and the services' id checks read through here, so a
list, a form's choices and the check of an id that comes back are one and the same selector."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from gongzhi.core import scope
from gongzhi.divisions.models import Division

from ..choices import Line, MemberState, OrganisationStatus, Position
from ..models import Facility, Meeting, MeetingAttendance, Member, Organisation, OrganisationChange, Seat, Term
from ..permissions import PartyAction as A

DUE_WITHIN_DAYS = 90  # a term ending within this many days is a to-do for whoever manages it
# Where each line's organisation may be sited (the unit line anywhere).
LINE_LEVELS = {Line.STREET: {"street"}, Line.COMMUNITY: {"community"}, Line.GRID: {"grid", "community"},
               Line.BUILDING: {"grid"}}
# The vertical line, top down: a child may not sit above its parent.
LINE_RANK = {Line.STREET: 0, Line.COMMUNITY: 1, Line.GRID: 2, Line.BUILDING: 3}


# --- organisations ---------------------------------------------------------------------------------


def organisations_for(user, action: str = A.VIEW, *, division: Division | None = None, q: str = "",
                      status: str | None = OrganisationStatus.ACTIVE, line: str = "", form: str = "",
                      kind: str = "", sector: str = "", parent: Organisation | None = None) -> QuerySet[Organisation]:
    """The organisations `user` may do `action` to, in tree order; `status=None` includes ended ones."""
    qs = scope.restrict(Organisation.objects.all(), user, action)
    if division is not None:
        qs = qs.filter(scope.subtree_q(division, model=Organisation))
    if status:
        qs = qs.filter(status=status)
    for name, value in (("line", line), ("form", form), ("kind", kind), ("sector", sector)):
        if value:
            qs = qs.filter(**{name: value})
    if parent is not None:
        qs = qs.filter(parent=parent)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(short_name__contains=text) | Q(unit_name__contains=text))
    return qs.select_related("division", "parent").order_by("path")


def managed_organisations(user, *, active: bool = True) -> QuerySet[Organisation]:
    """What the user may found under, change, merge, dissolve and keep the committees of."""
    return organisations_for(user, A.MANAGE, status=OrganisationStatus.ACTIVE if active else None)


def organisation_for(user, pk, action: str = A.VIEW) -> Organisation:
    """One organisation (ended ones too), or 404 — missing and out of scope alike."""
    return scope.get_in_scope(Organisation.objects.select_related("division", "parent", "successor", "unit"),
                              user, action, pk=pk)


def may_manage(user, organisation: Organisation) -> bool:
    return managed_organisations(user, active=False).filter(pk=organisation.pk).exists()


def manage_divisions(user) -> QuerySet[Division]:
    """The active divisions an organisation may be sited at or cover: the user's MANAGE scope."""
    return scope.restrict(Division.objects.filter(is_active=True), user, A.MANAGE).defer("geometry")


def view_divisions(user) -> QuerySet[Division]:
    return scope.restrict(Division.objects.filter(is_active=True), user, A.VIEW).defer("geometry")


def division_param(user, pk) -> Division | None:
    """A division filter from a request: one in the user's VIEW scope, else 404."""
    if pk in (None, ""):
        return None
    return scope.get_in_scope(Division.objects.defer("geometry"), user, A.VIEW, pk=pk)


def member_counts(ids: list[int]) -> dict[int, int]:
    """Active members whose relation each organisation holds (one GROUP BY)."""
    rows = (Member.objects.filter(organisation_id__in=ids, state=MemberState.ACTIVE).order_by()
            .values("organisation_id").annotate(n=Count("id")))
    return {r["organisation_id"]: r["n"] for r in rows}


def secretaries(ids: list[int]) -> dict[int, str]:
    """The name on each organisation's current secretary seat (one query)."""
    seats = (Seat.objects.filter(term__organisation_id__in=ids, term__ended_on__isnull=True, ended_on__isnull=True,
                                 position=Position.SECRETARY).order_by("id")
             .values_list("term__organisation_id", "name"))
    out: dict[int, str] = {}
    for org_id, name in seats:
        out.setdefault(org_id, name)
    return out


def child_counts(ids: list[int]) -> dict[int, int]:
    rows = (Organisation.objects.filter(parent_id__in=ids, status=OrganisationStatus.ACTIVE).order_by()
            .values("parent_id").annotate(n=Count("id")))
    return {r["parent_id"]: r["n"] for r in rows}


@dataclass
class Node:
    organisation: Organisation
    members: int = 0
    secretary: str = ""
    children_count: int = 0
    children: list["Node"] = field(default_factory=list)


def nodes(organisations: list[Organisation]) -> list[Node]:
    """Tree nodes with their figures, three queries whatever the count."""
    ids = [o.pk for o in organisations]
    members, heads, kids = member_counts(ids), secretaries(ids), child_counts(ids)
    return [Node(o, members.get(o.pk, 0), heads.get(o.pk, ""), kids.get(o.pk, 0)) for o in organisations]


def tree_for(user, *, division: Division | None = None, depth: int = 2) -> list[Node]:
    """The top of the user's visible tree (the organisations whose parent they do not see), with
    `depth` levels below filled in; deeper levels load on demand (children_of)."""
    qs = organisations_for(user, division=division)
    tops = list(qs.exclude(parent__in=qs.values("pk")).order_by("path")[:200])
    out = nodes(tops)
    level = out
    for _ in range(depth - 1):
        parents = {n.organisation.pk: n for n in level if n.children_count}
        if not parents:
            break
        below = nodes(list(qs.filter(parent_id__in=list(parents)).order_by("path")))
        for n in below:
            parents[n.organisation.parent_id].children.append(n)
        level = below
    return out


def children_of(user, organisation: Organisation) -> list[Node]:
    return nodes(list(organisations_for(user, parent=organisation)))


def ancestors_for(user, organisation: Organisation) -> list[dict]:
    """The chain above the organisation, each with whether the user may open it."""
    ids = [int(x) for x in organisation.path.strip("/").split("/")[:-1] if x]
    rows = {o.pk: o for o in Organisation.objects.filter(pk__in=ids).only("id", "name", "path", "division_id",
                                                                            "grid_id", "community_id", "street_id",
                                                                            "district_id", "city_id")}
    seen = set(organisations_for(user, status=None).filter(pk__in=ids).values_list("pk", flat=True))
    return [{"organisation": rows[i], "link": i in seen} for i in ids if i in rows]


def search_organisations(user, text: str, limit: int = 10) -> list[Organisation]:
    return list(organisations_for(user, q=text, status=None)[:limit])


def history_of(organisation: Organisation) -> QuerySet[OrganisationChange]:
    return organisation.changes.select_related("actor", "related").order_by("-at", "-id")


def covered_divisions(organisation: Organisation) -> list[Division]:
    return list(organisation.covers.defer("geometry").order_by("code"))


def buildings_of(organisation: Organisation) -> list:
    return list(organisation.buildings.order_by("address"))


# --- committees ------------------------------------------------------------------------------------


# Seats in rank: the secretary first, then deputies, members, part-time members.
SEAT_RANK = Case(*(When(position=p, then=Value(i)) for i, p in enumerate(Position)), default=Value(len(Position)))


def current_term(organisation: Organisation) -> Term | None:
    return organisation.terms.filter(ended_on__isnull=True).first()


def terms_of(organisation: Organisation) -> list[Term]:
    current = Seat.objects.order_by(SEAT_RANK, "id")
    return list(organisation.terms.prefetch_related(Prefetch("seats", queryset=current)).order_by("-number"))


def current_seats(term: Term | None) -> list[Seat]:
    if term is None:
        return []
    seats = term.seats.filter(ended_on__isnull=True).select_related("member", "from_department", "from_organisation")
    return list(seats.order_by(SEAT_RANK, "id"))


def attendance_rates(term: Term | None) -> dict[int, dict]:
    """Per seat of the term: meetings attended (present) of the meetings recorded for it."""
    if term is None:
        return {}
    rows = (MeetingAttendance.objects.filter(meeting__term=term).order_by().values("seat_id")
            .annotate(total=Count("id"), present=Count("id", filter=Q(status="present"))))
    return {r["seat_id"]: {"total": r["total"], "present": r["present"],
                           "rate": r["present"] / r["total"] if r["total"] else None} for r in rows}


def meetings_of(term: Term | None, limit: int = 20) -> list[Meeting]:
    if term is None:
        return []
    return list(term.meetings.prefetch_related("attendance")[:limit])


def seats_in_scope(user, action: str = A.VIEW) -> QuerySet[Seat]:
    return scope.restrict(Seat.objects.select_related("term__organisation"), user, action)


def seat_for(user, pk, action: str = A.VIEW) -> Seat:
    return scope.get_in_scope(Seat.objects.select_related("term__organisation"), user, action, pk=pk)


def terms_in_scope(user, action: str = A.VIEW) -> QuerySet[Term]:
    return scope.restrict(Term.objects.select_related("organisation"), user, action)


def members_in_scope(user) -> QuerySet[Member]:
    """The members a seat may name: active, in the user's VIEW_MEMBERS scope."""
    return scope.restrict(Member.objects.filter(state=MemberState.ACTIVE), user, A.VIEW_MEMBERS).order_by("name")


def terms_due(user, *, within_days: int = DUE_WITHIN_DAYS, today: dt.date | None = None) -> QuerySet[Term]:
    """Current terms of active organisations the user manages whose term ends within `within_days`
    (or has ended already): their re-election is due."""
    until = (today or timezone.localdate()) + dt.timedelta(days=within_days)
    return (scope.restrict(Term.objects.filter(ended_on__isnull=True, due_on__lte=until,
                                               organisation__status=OrganisationStatus.ACTIVE), user, A.MANAGE)
            .select_related("organisation").order_by("due_on", "id"))


# --- positions (阵地) --------------------------------------------------------------------------------


def facilities_of(organisation: Organisation, *, archived: bool = False) -> list[Facility]:
    qs = organisation.facilities.select_related("registry_facility")
    return list(qs if archived else qs.filter(archived_at__isnull=True))


def facilities_for(user, action: str = A.VIEW, *, division: Division | None = None,
                   kind: str = "") -> QuerySet[Facility]:
    qs = scope.restrict(Facility.objects.filter(archived_at__isnull=True), user, action)
    if division is not None:
        qs = qs.filter(scope.subtree_q(division, "organisation__", Facility))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("organisation").order_by("organisation__path", "kind", "id")


def facility_for(user, pk, action: str = A.VIEW) -> Facility:
    return scope.get_in_scope(Facility.objects.select_related("organisation"), user, action, pk=pk)


# --- the map ---------------------------------------------------------------------------------------

MAP_LIMIT = 2000


def coverage_features(user, *, division: Division | None = None, limit: int = MAP_LIMIT) -> dict:
    """GeoJSON of the grids the user's active grid and building organisations cover, each feature
    naming the organisations covering it (two queries)."""
    orgs = organisations_for(user, division=division).filter(line__in=[Line.GRID, Line.BUILDING])
    through = Organisation.covers.through
    links = list(through.objects.filter(organisation__in=orgs.values("pk"), division__level="grid",
                                        division__is_active=True)
                 .values_list("division_id", "organisation_id", "organisation__name")[:limit * 3])
    by_grid: dict[int, list] = {}
    for grid_id, org_id, name in links:
        by_grid.setdefault(grid_id, []).append({"id": org_id, "name": name})
    grids = Division.objects.filter(pk__in=list(by_grid)[:limit]).only("id", "code", "name", "geometry")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": g.pk, "geometry": g.geometry,
         "properties": {"id": g.pk, "code": g.code, "name": g.name, "organisations": by_grid[g.pk]}}
        for g in grids if g.geometry]}
