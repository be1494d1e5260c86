"""Accounts API: API tokens (issue, list, revoke) and the caller's own profile and scope."""

from datetime import datetime

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from gongzhi.core import roles, scope
from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND, DivisionRef, ErrorOut
from gongzhi.core.selectors import allowed_actions
from gongzhi.divisions.selectors import top_divisions_for

from . import selectors, services

router = Router(tags=["accounts"])


# --- schemas ---------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, description="username or 11-digit mobile number")
    password: str = Field(..., min_length=1, max_length=4096)
    name: str = Field("", max_length=64, description="to tell your tokens apart, e.g. the device")

    @field_validator("username")
    @classmethod
    def strip_username(cls, value: str) -> str:
        # The login throttle counts failures per username as typed: " alice" must count as "alice".
        return value.strip()


class NewTokenOut(Schema):
    token: str = Field(description="the key; shown in this answer only, never again")
    id: int
    name: str
    expires_at: datetime | None


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="the key's last characters")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_live: bool


class DepartmentRef(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: str
    role_label: str
    division: DivisionRef | None
    department: DepartmentRef | None


class ScopeOut(Schema):
    divisions: list[DivisionRef] = Field(description="the tops of the hierarchy the caller sees")
    actions: list[str] = Field(description="what the caller may do somewhere in those divisions")


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str = Field(description="masked")
    roles: list[RoleOut]
    scope: ScopeOut


# --- tokens ----------------------------------------------------------------------------------


@router.post("/auth/token", auth=None, response={201: NewTokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
             summary="Exchange a username (or phone) and password for an API token")
def create_token(request, data: TokenIn, response: HttpResponse):
    """Repeated failures lock the account from this address for a while (django-axes): 429.

    A one-time password given by an administrator (new account, reset) buys no token: the answer
    is 403 with the code `password_change_required` until the person has chosen their own password
    on the web page (/accounts/password/). Every other call of such a user answers the same."""
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
            response["Retry-After"] = str(minutes * 60)
            detail = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
            return Status(429, {"detail": detail % {"minutes": minutes}, "code": "locked_out"})
        return Status(401, {"detail": _("The username, phone number or password is not correct."),
                            "code": "invalid_credentials"})
    if user.must_change_password:
        # Not a completed sign-in: last_login stays as it was.
        raise services.password_change_required()
    # A password exchanged for a token is a sign-in: last_login moves and the failure count resets.
    user_logged_in.send(sender=type(user), request=request, user=user)
    token, raw = services.issue_token(actor=user, name=data.name)
    return Status(201, {"token": raw, "id": token.pk, "name": token.name, "expires_at": token.expires_at})


@router.get("/auth/tokens", response={200: list[TokenOut], **AUTH_ERRORS}, summary="Your API tokens")
@paginate(PageNumberPagination, page_size=50)
def list_tokens(request):
    return selectors.tokens_for(request.auth)


@router.post("/auth/tokens/{token_id}/revoke", response={200: TokenOut, **NOT_FOUND},
             summary="Revoke one of your API tokens")
def revoke_token(request, token_id: int):
    token = selectors.token_for(request.auth, token_id)
    return services.revoke_token(actor=request.auth, token=token)


# --- the caller ------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="Who you are and what you may do where")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.masked_phone,
        "roles": [_role(a) for a in scope.assignments(user)],
        "scope": {"divisions": top_divisions_for(user), "actions": allowed_actions(user)},
    }


def _role(assignment) -> dict:
    department = assignment.department
    return {
        "role": assignment.role,
        "role_label": str(roles.role_label(assignment.role)),
        "division": assignment.division,
        "department": {"id": department.pk, "name": department.name} if department else None,
    }
