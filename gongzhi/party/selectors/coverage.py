"""The organisation coverage check (组织覆盖 / 工作覆盖), like the grids' blank-zone check: for a
community, street, district or city, per unit one level down and in total,

- grids no active grid or building organisation covers (组织覆盖: the grid is in its `covers`);
- grids with no active party member at work there (工作覆盖: no active member whose organisation
  covers the grid, and no resident of the grid tagged as a party member in the registry);
- registry buildings no active building organisation is set up in (its `buildings`);
- registry companies, social organisations and property companies with no party organisation of
  their own (两新组织 and 物业: no active organisation whose `unit` is them).

A handful of aggregate queries whatever the size (no query per grid): the grids are one read of
four columns, the covered and staffed grids one read each of ids, the buildings and the units one
GROUP BY each for the counts. The lists of buildings and units are querysets, paginated by the page
and narrowed to what the user's registry scope shows."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from gongzhi.core import scope
from gongzhi.divisions.choices import Level, child_level
from gongzhi.divisions.models import Division
from gongzhi.registry.choices import OrganisationKind, ResidentStatus
from gongzhi.registry.models import Building, ResidentTag
from gongzhi.registry.models import Organisation as RegistryOrganisation
from gongzhi.registry.permissions import RegistryAction
from gongzhi.registry.tags import PARTY_MEMBER

from ..choices import Line, MemberState, OrganisationStatus
from ..models import Member, Organisation
from ..permissions import PartyAction

LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT, Level.CITY)
# The registry's kinds of organisation that should have a party organisation of their own.
UNIT_KINDS = (OrganisationKind.WORK_UNIT, OrganisationKind.SOCIAL_ORGANISATION, OrganisationKind.PROPERTY_COMPANY)
GRID_LINES = (Line.GRID, Line.BUILDING)
MAP_LIMIT = 3000


@dataclass
class Figures:
    grids: int = 0
    org_gaps: int = 0
    work_gaps: int = 0
    buildings: int = 0
    building_gaps: int = 0
    units: int = 0
    unit_gaps: int = 0

    @property
    def org_covered(self) -> float | None:
        return (self.grids - self.org_gaps) / self.grids if self.grids else None

    @property
    def work_covered(self) -> float | None:
        return (self.grids - self.work_gaps) / self.grids if self.grids else None

    @property
    def ok(self) -> bool:
        return not (self.org_gaps or self.work_gaps or self.building_gaps or self.unit_gaps)


@dataclass
class Part:
    division: dict  # id, code, name of the unit one level down (a grid for a community)
    figures: Figures = field(default_factory=Figures)


@dataclass
class Coverage:
    division: Division
    parts: list[Part]
    total: Figures
    org_gap_grids: list[dict]  # id, code, name, part_id of each grid no grid organisation covers
    work_gap_grids: list[dict]
    building_gaps: QuerySet  # registry buildings, in the user's registry scope
    unit_gaps: QuerySet  # registry organisations, in the user's registry scope
    unit_gaps_by_kind: dict[str, int]

    def geojson(self, limit: int = MAP_LIMIT) -> dict:
        """The gap grids as GeoJSON (one query for their boundaries): `gap` is "organisation",
        "work" or "both"."""
        org = {g["id"] for g in self.org_gap_grids}
        work = {g["id"] for g in self.work_gap_grids}
        ids = sorted(org | work)[:limit]
        grids = Division.objects.filter(pk__in=ids).only("id", "code", "name", "geometry")
        features = []
        for g in grids:
            if not g.geometry:
                continue
            gap = "both" if g.pk in org and g.pk in work else ("organisation" if g.pk in org else "work")
            features.append({"type": "Feature", "id": g.pk, "geometry": g.geometry,
                             "properties": {"id": g.pk, "code": g.code, "name": g.name, "gap": gap}})
        return {"type": "FeatureCollection", "features": features}

    def outline(self) -> dict:
        geometry = Division.objects.filter(pk=self.division.pk).values_list("geometry", flat=True).first()
        features = [{"type": "Feature", "geometry": geometry, "properties": {"name": self.division.name}}] \
            if geometry else []
        return {"type": "FeatureCollection", "features": features}


def coverage_division(user, pk) -> Division:
    """The division whose coverage the user asks for, or 404 (missing, out of their party VIEW
    scope, or not a community, street, district or city alike)."""
    division = Division.objects.filter(pk=pk, is_active=True).defer("geometry").first() if _is_id(pk) else None
    if division is None or division.level not in LEVELS or not scope.covers(user, PartyAction.VIEW, division):
        raise Http404
    return division


def _is_id(pk) -> bool:
    try:
        int(pk)
    except (TypeError, ValueError):
        return False
    return True


def coverage_of(user, division) -> Coverage:
    """The coverage of `division` (a Division or its id) as `user` may see it; 404 outside the
    user's party VIEW scope."""
    if not isinstance(division, Division) or division.level not in LEVELS or \
            not scope.covers(user, PartyAction.VIEW, division):
        division = coverage_division(user, getattr(division, "pk", division))
    return _coverage(user, division)


def _part_column(division: Division) -> str:
    """The column naming the unit one level down, on a division row and a registry row."""
    below = child_level(division.level)
    return "id" if below == Level.GRID else f"{below}_id"


def _coverage(user, division: Division) -> Coverage:
    inside = scope.subtree_q(division)
    part_col = _part_column(division)
    registry_col = "grid_id" if part_col == "id" else part_col
    extra = [] if part_col == "id" else [part_col]
    grids = list(Division.objects.filter(inside, level=Level.GRID, is_active=True).order_by("code")
                 .values("id", "code", "name", *extra))
    for g in grids:
        g["part_id"] = g.pop(part_col) if extra else g["id"]
    covers = Organisation.covers.through.objects.filter(
        organisation__status=OrganisationStatus.ACTIVE, division__level=Level.GRID,
        **{f"division__{division.level}_id": division.pk})
    org_covered = set(covers.filter(organisation__line__in=GRID_LINES).values_list("division_id", flat=True))
    staffed_orgs = Member.objects.filter(organisation_id=OuterRef("organisation_id"), state=MemberState.ACTIVE)
    work_covered = set(covers.filter(Exists(staffed_orgs)).values_list("division_id", flat=True))
    work_covered |= set(ResidentTag.objects.filter(
        scope.subtree_q(division, "resident__", ResidentTag), tag__code=PARTY_MEMBER, ended_on__isnull=True,
        resident__status=ResidentStatus.ACTIVE, resident__archived_at__isnull=True)
        .values_list("resident__grid_id", flat=True).distinct())
    org_gap_grids = [g for g in grids if g["id"] not in org_covered]
    work_gap_grids = [g for g in grids if g["id"] not in work_covered]

    buildings = Building.objects.filter(scope.subtree_q(division, model=Building), archived_at__isnull=True)
    in_building_org = Organisation.buildings.through.objects.filter(
        building_id=OuterRef("pk"), organisation__status=OrganisationStatus.ACTIVE,
        organisation__line=Line.BUILDING)
    building_gaps = buildings.filter(~Exists(in_building_org))
    units = RegistryOrganisation.objects.filter(scope.subtree_q(division, model=RegistryOrganisation),
                                                archived_at__isnull=True, kind__in=UNIT_KINDS)
    own_org = Organisation.objects.filter(unit_id=OuterRef("pk"), status=OrganisationStatus.ACTIVE)
    unit_gaps = units.filter(~Exists(own_org))

    parts: dict[int, Part] = {}
    below = child_level(division.level)
    for d in Division.objects.filter(parent=division, level=below, is_active=True).order_by("code") \
            .values("id", "code", "name"):
        parts[d["id"]] = Part(d)
    total = Figures(grids=len(grids), org_gaps=len(org_gap_grids), work_gaps=len(work_gap_grids))
    for rows, attr in ((grids, "grids"), (org_gap_grids, "org_gaps"), (work_gap_grids, "work_gaps")):
        for g in rows:
            part = parts.get(g["part_id"])
            if part is not None:
                setattr(part.figures, attr, getattr(part.figures, attr) + 1)
    for qs, attr in ((buildings, "buildings"), (building_gaps, "building_gaps"), (units, "units"),
                     (unit_gaps, "unit_gaps")):
        for row in qs.order_by().values(registry_col).annotate(n=Count("id")):
            setattr(total, attr, getattr(total, attr) + row["n"])
            part = parts.get(row[registry_col])
            if part is not None:
                setattr(part.figures, attr, getattr(part.figures, attr) + row["n"])
    by_kind = {row["kind"]: row["n"] for row in unit_gaps.order_by().values("kind").annotate(n=Count("id"))}

    visible_buildings = scope.restrict(building_gaps, user, RegistryAction.VIEW_PLACES)
    visible_units = scope.restrict(unit_gaps, user, RegistryAction.VIEW_PLACES)
    return Coverage(division=division, parts=list(parts.values()), total=total, org_gap_grids=org_gap_grids,
                    work_gap_grids=work_gap_grids,
                    building_gaps=visible_buildings.order_by("address", "id"),
                    unit_gaps=visible_units.order_by("kind", "name", "id"), unit_gaps_by_kind=by_kind)


def coverage_crumbs(user, division) -> list:
    """The divisions above `division` whose coverage the user may also read, from the top."""
    above = [getattr(division, f"{level}_id", None) for level in ("city", "district", "street")]
    crumbs = scope.restrict(Division.objects.filter(pk__in=[i for i in above if i and i != division.pk],
                                                    level__in=LEVELS), user, PartyAction.VIEW)
    return list(crumbs.defer("geometry").order_by("code"))
