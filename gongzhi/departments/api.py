"""Departments API (/api/v1/departments/): the departments attached to the caller's divisions or
serving them (VIEW is enough to read), and — for holders of MANAGE_USERS over a department's home
division — create and update.

The list answers 403 to a caller who sees no division at all. A department, or a division named
in the body, outside the caller's scope answers 404 exactly like a missing one. Staff phone
numbers are masked.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.accounts.choices import Action
from gongzhi.accounts.selectors import may_manage_users
from gongzhi.core import scope
from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND, DivisionRef, ErrorOut, ProblemsOut
from gongzhi.divisions.selectors import division_for, divisions_for

from . import selectors, services
from .models import DepartmentKind

router = Router(tags=["departments"])

PAGE_SIZE = 50
WRITE_ERRORS = {400: ProblemsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    division: DivisionRef = Field(description="the district or street it belongs to")
    serves: list[DivisionRef] = Field(description="the divisions it serves inside the caller's scope")
    is_active: bool
    staff_count: int

    @staticmethod
    def resolve_kind_label(d) -> str:
        return str(DepartmentKind(d.kind).label) if d.kind in DepartmentKind.values else d.kind

    @staticmethod
    def resolve_serves(d) -> list:
        return d.served_here


class StaffOut(Schema):
    user_id: int
    display_name: str
    phone: str | None = Field(description="masked")
    is_active: bool


class DepartmentDetailOut(DepartmentOut):
    serves_outside: int = Field(description="how many divisions it serves outside the caller's scope")
    staff: list[StaffOut]
    may_manage: bool = Field(description="whether the caller may edit it")

    @staticmethod
    def resolve_staff(d) -> list[dict]:
        return [
            {"user_id": a.user_id, "display_name": str(a.user), "is_active": a.user.is_active,
             "phone": a.user.masked_phone if a.user.phone else None}
            for a in d.staff_list
        ]


class DepartmentFilters(Schema):
    q: str | None = Field(None, max_length=100, description="part of the name")
    kind: DepartmentKind | None = None
    include_archived: bool = False


class DepartmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: DepartmentKind
    division_id: int = Field(description="a district or street in your scope")
    serves: list[int] = Field(..., min_length=1, max_length=500,
                              description="ids of streets or communities under that division")


class DepartmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: DepartmentKind | None = None
    division_id: int | None = None
    serves: list[int] | None = Field(None, max_length=500, description=(
        "replaces the served divisions inside your scope; those outside it stay"))
    reason: str = Field("", max_length=500)


# --- helpers ---------------------------------------------------------------------------------


def _served(actor, ids: list[int]) -> list:
    """The divisions named by `ids`, all inside the caller's MANAGE_USERS scope — or 404."""
    wanted = set(ids)
    found = list(divisions_for(actor, Action.MANAGE_USERS).filter(pk__in=wanted).defer("geometry"))
    if len(found) != len(wanted):
        raise Http404
    return found


def _detail(user, pk):
    """The department as the detail schema reads it: re-read in scope, with staff and counts."""
    department = selectors.department_for(user, pk)
    department.serves_outside = selectors.served_outside(user, department)
    department.may_manage = selectors.may_manage(user, department)
    department.staff_list = selectors.staff_of(department)
    return department


# --- operations ------------------------------------------------------------------------------


@router.get("", response={200: list[DepartmentOut], 403: ErrorOut, **AUTH_ERRORS},
            summary="Departments attached to or serving your divisions")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def department_list(request, filters: Query[DepartmentFilters]):
    user = request.auth
    if not scope.may(user, Action.VIEW):
        raise PermissionDenied(_("You may not see departments."))
    return selectors.departments_for(user, q=filters.q or "", kind=filters.kind or "",
                                     include_archived=filters.include_archived)


@router.post("", response={201: DepartmentDetailOut, **WRITE_ERRORS}, summary="Create a department")
def department_create(request, data: DepartmentIn):
    user = request.auth
    if not may_manage_users(user):
        raise PermissionDenied(_("You may not manage departments."))
    division = division_for(user, data.division_id, Action.MANAGE_USERS, include_retired=False)
    department = services.create_department(actor=user, name=data.name, kind=data.kind, division=division,
                                            serves=_served(user, data.serves))
    return Status(201, _detail(user, department.pk))


@router.get("/{department_id}", response={200: DepartmentDetailOut, **NOT_FOUND}, summary="One department")
def department_detail(request, department_id: int):
    return _detail(request.auth, department_id)


@router.patch("/{department_id}", response={200: DepartmentDetailOut, **WRITE_ERRORS},
              summary="Change a department (only the fields sent)")
def department_update(request, department_id: int, data: DepartmentPatch):
    user = request.auth
    department = selectors.managed_department_for(user, department_id)
    division = department.division
    if data.division_id is not None:
        division = division_for(user, data.division_id, Action.MANAGE_USERS, include_retired=False)
    if data.serves is not None:
        serves = _served(user, data.serves)
    else:
        serves = [d for d in department.serves.all() if scope.covers(user, Action.MANAGE_USERS, d)]
    services.update_department(
        actor=user, department=department, name=data.name if data.name is not None else department.name,
        kind=data.kind if data.kind is not None else department.kind, division=division, serves=serves,
        reason=data.reason)
    return _detail(user, department.pk)
