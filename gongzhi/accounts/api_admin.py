"""People and roles API (/api/v1/users/): for holders of MANAGE_USERS, the people whose roles lie in
their divisions — list, read, create, grant and revoke roles, deactivate and reactivate, reset the
password.

The list and creation answer 403 to a caller who manages nobody. A person, an assignment, a
division or a department outside the caller's scope answers 404 exactly like a missing one,
whether it is named in the path or in the body. Phone numbers are always masked.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from gongzhi.core import roles
from gongzhi.core.schemas import NOT_FOUND, DivisionRef, ErrorOut, ProblemsOut
from gongzhi.departments.selectors import managed_department_for
from gongzhi.divisions.selectors import division_for

from . import selectors, services
from .api import DepartmentRef
from .choices import Action

router = Router(tags=["people and roles"])

PAGE_SIZE = 50
WRITE_ERRORS = {400: ProblemsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    role: str
    role_label: str
    division: DivisionRef | None = Field(description="where the role is held (null for department staff)")
    department: DepartmentRef | None
    granted_at: datetime
    granted_by: str | None = Field(description="username")
    revoked_at: datetime | None
    revoked_by: str | None = Field(None, description="username, from the audit trail")
    revoke_reason: str = ""

    @staticmethod
    def resolve_role_label(a) -> str:
        return str(roles.role_label(a.role))

    @staticmethod
    def resolve_granted_by(a) -> str | None:
        return a.granted_by.username if a.granted_by_id else None

    @staticmethod
    def resolve_revoked_by(a) -> str | None:
        entry = getattr(a, "revocation", None)
        return entry.actor.username if entry is not None and entry.actor_id else None

    @staticmethod
    def resolve_revoke_reason(a) -> str:
        entry = getattr(a, "revocation", None)
        return entry.reason if entry is not None else ""


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str | None = Field(description="masked, e.g. 139****0005")
    is_active: bool
    last_login: datetime | None
    roles: list[AssignmentOut] = Field(description="live roles inside the caller's divisions")

    @staticmethod
    def resolve_phone(user) -> str | None:
        return user.masked_phone if user.phone else None

    @staticmethod
    def resolve_roles(user) -> list:
        return getattr(user, "scoped_roles", [])


class UserDetailOut(UserOut):
    date_joined: datetime
    assignments: list[AssignmentOut] = Field(description="live and revoked roles inside the caller's divisions")
    roles_outside: int = Field(description="how many live roles the person holds outside the caller's divisions")


class UserFilters(Schema):
    q: str | None = Field(None, max_length=100,
                          description="part of the name or username; a phone number in full or its last 4 digits")
    role: str | None = Field(None, max_length=32, description="a role code (GET /api/v1/me lists yours)")
    division: int | None = Field(None, description="only roles held in this division's subtree")
    include_former: bool = Field(False, description="also people whose roles here were all revoked")


class RoleIn(Schema):
    # Any registered role: apps add their own (gongzhi.core.roles), so the set is not fixed here.
    role: str = Field(max_length=32, description="a role code, e.g. street_officer")
    division_id: int | None = Field(None, description="for every role but department staff")
    department_id: int | None = Field(None, description="for department staff")


class UserCreateIn(RoleIn):
    username: str = Field(..., min_length=1, max_length=150)
    display_name: str = Field(..., min_length=1, max_length=64)
    phone: str | None = Field(None, description="11-digit mainland mobile number; unique")

    @field_validator("username", "display_name")
    @classmethod
    def strip(cls, value: str) -> str:
        return value.strip()


class NewUserOut(Schema):
    user: UserDetailOut
    password: str = Field(description="the temporary password: shown in this answer only, never again")


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=500)


class PasswordOut(Schema):
    password: str = Field(description="the temporary password: shown in this answer only, never again")


# --- helpers ---------------------------------------------------------------------------------


def _require_manager(user) -> None:
    if not selectors.may_manage_users(user):
        raise PermissionDenied(_("You may not manage people."))


def _place(actor, data: RoleIn) -> tuple:
    """The division or department named in the body, inside the caller's scope — or 404."""
    division = department = None
    spec = roles.role(data.role)
    if spec is not None and spec.by_department:
        if data.department_id is not None:
            department = managed_department_for(actor, data.department_id)
    elif data.division_id is not None:
        division = division_for(actor, data.division_id, Action.MANAGE_USERS, include_retired=False)
    return division, department


def _detail(actor, user):
    """The person as the detail schema reads them: re-read in scope, with their assignments."""
    user = selectors.user_for(actor, user.pk)
    user.assignments = selectors.assignments_for(actor, user)
    user.roles_outside = selectors.live_roles_outside(actor, user)
    return user


def _assignment(actor, user, pk):
    return next(a for a in selectors.assignments_for(actor, user) if a.pk == pk)


# --- operations ------------------------------------------------------------------------------


@router.get("", response={200: list[UserOut], 403: ErrorOut, **NOT_FOUND},
            summary="The people holding a role in your divisions")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def user_list(request, filters: Query[UserFilters]):
    """A `division` you do not manage answers 404, as a missing one does."""
    actor = request.auth
    _require_manager(actor)
    division = None
    if filters.division is not None:
        division = division_for(actor, filters.division, Action.MANAGE_USERS)
    return selectors.users_for(actor, q=filters.q or "", role=filters.role or "", division=division,
                               include_former=filters.include_former)


@router.post("", response={201: NewUserOut, **WRITE_ERRORS}, summary="Create an account with its first role")
def user_create(request, data: UserCreateIn):
    """The answer carries the temporary password once; it is never stored in clear or logged."""
    actor = request.auth
    _require_manager(actor)
    division, department = _place(actor, data)
    user, password = services.create_user(
        actor=actor, username=data.username, display_name=data.display_name, phone=data.phone,
        role=data.role, division=division, department=department)
    return Status(201, {"user": _detail(actor, user), "password": password})


@router.get("/{user_id}", response={200: UserDetailOut, **NOT_FOUND}, summary="One person and their roles")
def user_detail(request, user_id: int):
    actor = request.auth
    return _detail(actor, selectors.user_for(actor, user_id))


@router.post("/{user_id}/roles", response={201: AssignmentOut, **WRITE_ERRORS}, summary="Grant a role")
def role_grant(request, user_id: int, data: RoleIn):
    actor = request.auth
    user = selectors.user_for(actor, user_id)
    division, department = _place(actor, data)
    assignment = services.assign_role(actor=actor, user=user, role=data.role, division=division,
                                      department=department)
    return Status(201, _assignment(actor, user, assignment.pk))


@router.post("/{user_id}/roles/{assignment_id}/revoke", response={200: AssignmentOut, **WRITE_ERRORS},
             summary="Revoke a role (kept, marked revoked)")
def role_revoke(request, user_id: int, assignment_id: int, data: ReasonIn):
    actor = request.auth
    user = selectors.user_for(actor, user_id)
    assignment = selectors.assignment_for(actor, user, assignment_id)
    services.revoke_role(actor=actor, assignment=assignment, reason=data.reason)
    return _assignment(actor, user, assignment.pk)


@router.post("/{user_id}/deactivate", response={200: UserDetailOut, **WRITE_ERRORS},
             summary="Deactivate an account (never deleted)")
def user_deactivate(request, user_id: int, data: ReasonIn):
    actor = request.auth
    user = selectors.user_for(actor, user_id)
    services.set_user_active(actor=actor, user=user, active=False, reason=data.reason)
    return _detail(actor, user)


@router.post("/{user_id}/reactivate", response={200: UserDetailOut, **WRITE_ERRORS},
             summary="Reactivate a deactivated account")
def user_reactivate(request, user_id: int, data: ReasonIn):
    actor = request.auth
    user = selectors.user_for(actor, user_id)
    services.set_user_active(actor=actor, user=user, active=True, reason=data.reason)
    return _detail(actor, user)


@router.post("/{user_id}/password-reset", response={200: PasswordOut, **WRITE_ERRORS},
             summary="Set a temporary password (shown once)")
def user_password_reset(request, user_id: int, data: OptionalReasonIn):
    actor = request.auth
    user = selectors.user_for(actor, user_id)
    return {"password": services.reset_password(actor=actor, user=user, reason=data.reason)}
