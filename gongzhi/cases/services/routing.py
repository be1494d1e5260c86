"""Which unit handles a case, by the routing rule the case was registered under.

By territory (属地): the active department of the rule's kind serving the case's community or
street (the community's own first), at the rule's level if it names one. By owner (属主): the
named department. When no department fits, the street office handles it: a case never waits
for want of a unit."""

from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When

from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division

from ..choices import RoutingRule
from ..models import Case


@dataclass(frozen=True)
class Unit:
    department: Department | None = None
    division: Division | None = None

    @property
    def name(self) -> str:
        return (self.department or self.division).name


def route(case: Case) -> Unit:
    rule = (case.terms or {}).get("routing") or {}
    kind = rule.get("rule")
    if kind == RoutingRule.COMMUNITY:
        return Unit(division=case.community)
    if kind == RoutingRule.OWNER and rule.get("owner_department"):
        owner = Department.objects.filter(pk=rule["owner_department"], is_active=True).first()
        if owner is not None:
            return Unit(department=owner)
    if kind == RoutingRule.TERRITORY and rule.get("department_kind"):
        department = territorial_department(case, rule["department_kind"], rule.get("department_level") or "")
        if department is not None:
            return Unit(department=department)
    return Unit(division=case.street)


def territorial_department(case: Case, kind: str, level: str = "") -> Department | None:
    qs = Department.objects.filter(kind=kind, is_active=True, serves__in=[case.community_id, case.street_id])
    if level:
        qs = qs.filter(division__level=level)
    # The department serving the community itself is closer to the problem than one serving the street.
    closeness = SqlCase(When(serves=case.community_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(closeness=closeness).order_by("closeness", "pk").first()
