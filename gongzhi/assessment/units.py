"""Which units a user may see the assessment of, and reading one unit (404 alike for missing and
out of scope).

Leaders see the units in their scope: a street officer their street with its communities and
grids, and the departments serving it; a district officer the district's streets, communities,
grids and departments; a city administrator (or auditor) everything under their division. Staff
of a department see their own department. Residents and grid workers see no assessment.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gongzhi.core import scope
from gongzhi.departments.models import Department
from gongzhi.divisions.choices import ANCESTOR_LEVELS, Level
from gongzhi.divisions.models import Division

from .choices import UnitType


class AssessmentAction:
    VIEW = "assessment.view"  # the units in and serving the divisions an assignment covers
    VIEW_OWN_UNIT = "assessment.view_own_unit"  # a department's own assessment, for its staff
    EDIT_WEIGHTS = "assessment.edit_weights"


A = AssessmentAction
Served = Department.serves.through
NOTHING = Q(pk__in=[])


def may_view(user) -> bool:
    """Whether the user sees any assessment at all (navigation, 403 on the pages)."""
    return scope.may(user, A.VIEW) or scope.may(user, A.VIEW_OWN_UNIT)


def may_edit_weights(user) -> bool:
    """City administrators set the score weights (and superusers)."""
    return scope.may(user, A.EDIT_WEIGHTS)


def _tops(user) -> list[Division]:
    return [a.division for a in scope.assignments(user) if a.division is not None and scope.holds(a, A.VIEW)]


def _own_departments(user) -> list[int]:
    return [a.department_id for a in scope.assignments(user)
            if a.department_id and scope.holds(a, A.VIEW_OWN_UNIT)]


def divisions_q(user) -> Q:
    """Divisions whose assessment the user sees (their subtrees)."""
    if scope.is_global(user):
        return Q()
    q = NOTHING
    for top in _tops(user):
        q |= scope.subtree_q(top)
    return q


def departments_q(user) -> Q:
    """Departments whose assessment the user sees: those at home in, or serving a division in
    or around, one of the user's divisions; and a department's staff their own."""
    if scope.is_global(user):
        return Q()
    q = Q(pk__in=_own_departments(user))
    tops = _tops(user)
    if tops:
        inside = NOTHING
        around: set[int] = set()
        for top in tops:
            inside |= scope.subtree_q(top)
            around.add(top.pk)
            around.update(i for lvl in ANCESTOR_LEVELS if (i := getattr(top, f"{lvl}_id")))
        home = NOTHING
        for top in tops:
            home |= scope.subtree_q(top, via="division__")
        served = Served.objects.filter(Q(division__in=Division.objects.filter(inside)) | Q(division_id__in=around),
                                       department_id=OuterRef("pk"))
        q |= home | Q(Exists(served))
    return q


def departments_for(user) -> QuerySet[Department]:
    # Never the home division's boundary: a district's polygon is large and not needed here.
    return Department.objects.filter(departments_q(user)).select_related("division").defer("division__geometry")


def divisions_for(user, level: str) -> QuerySet[Division]:
    return Division.objects.filter(divisions_q(user), level=level).defer("geometry")


def visible_ids(user, unit_type: str) -> set[int] | None:
    """The ids of the units of `unit_type` the user sees; None means all of them."""
    if scope.is_global(user):
        return None
    if unit_type == UnitType.DEPARTMENT:
        return set(departments_for(user).values_list("pk", flat=True))
    return set(divisions_for(user, unit_type).values_list("pk", flat=True))


@dataclass(frozen=True)
class Unit:
    type: str
    pk: int
    name: str
    code: str  # the division code; for a department, its home division's
    city_id: int | None
    obj: object

    @property
    def type_label(self) -> str:
        return UnitType(self.type).label


def as_unit(unit_type: str, obj) -> Unit:
    if unit_type == UnitType.DEPARTMENT:
        return Unit(unit_type, obj.pk, obj.name, obj.division.code, obj.division.city_id, obj)
    return Unit(unit_type, obj.pk, obj.name, obj.code, obj.city_id, obj)


def access_unit(user, unit_type: str, pk) -> Unit:
    """One unit the user may see, or 404."""
    if unit_type not in UnitType.values:
        raise Http404
    try:
        if unit_type == UnitType.DEPARTMENT:
            return as_unit(unit_type, departments_for(user).get(pk=pk))
        return as_unit(unit_type, divisions_for(user, unit_type).get(pk=pk))
    except (Department.DoesNotExist, Division.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def all_units(unit_type: str, city_id: int | None = None) -> list[Unit]:
    """Every active unit of the type (in one city), the field a ranking is drawn on."""
    if unit_type == UnitType.DEPARTMENT:
        qs = Department.objects.filter(is_active=True).select_related("division").defer("division__geometry")
        if city_id is not None:
            qs = qs.filter(division__city_id=city_id)
        return [as_unit(unit_type, d) for d in qs.order_by("division__code", "name", "pk")]
    qs = Division.objects.filter(level=unit_type, is_active=True).defer("geometry")
    if city_id is not None:
        qs = qs.filter(city_id=city_id)
    return [as_unit(unit_type, d) for d in qs.order_by("code")]


def cities_for(user) -> list[Division]:
    """The cities the user's units lie in (a ranking is drawn within one city)."""
    qs = Division.objects.filter(level=Level.CITY, is_active=True).defer("geometry").order_by("code")
    if scope.is_global(user):
        return list(qs)
    ids = set()
    for top in _tops(user):
        if top.level == Level.PROVINCE:
            ids.update(qs.filter(province_id=top.pk).values_list("pk", flat=True))
        elif top.city_id:
            ids.add(top.city_id)
    own = _own_departments(user)
    if own:
        ids.update(Department.objects.filter(pk__in=own).values_list("division__city_id", flat=True))
    return [c for c in qs if c.pk in ids]
