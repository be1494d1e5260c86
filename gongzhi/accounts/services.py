"""Writes to accounts: tokens, passwords and role assignments, each audited."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from .choices import Role
from .models import ApiToken, RoleAssignment, User, default_token_expiry, hash_token


@transaction.atomic
def issue_token(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for `actor`. Returns the row and the raw key, which is never stored."""
    raw = ApiToken.new_raw_key()
    token = ApiToken.objects.create(
        user=actor, name=name.strip()[:64], key_hash=hash_token(raw), hint=raw[-4:], expires_at=default_token_expiry()
    )
    audit.record(actor=actor, action="token.issue", obj=token, after={"name": token.name, "hint": token.hint})
    return token, raw


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token, before={"revoked_at": None},
                 after={"revoked_at": token.revoked_at})
    return token


def user_for_token(raw: str) -> User | None:
    """The user a bearer token authenticates, or None if unknown, revoked or expired."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_live or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most: last-use is for the token list, not for an audit.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> None:
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not correct."), code="wrong_password")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password_change", obj=user)


@transaction.atomic
def grant_role(*, actor: User, user: User, role: str, division=None, department=None) -> RoleAssignment:
    from gongzhi.accounts.choices import Action

    where = division if division is not None else (department.division if department else None)
    if where is None or not scope.covers(actor, Action.MANAGE_USERS, where):
        raise DomainError(_("You may grant roles only inside your own divisions."), code="forbidden")
    if role == Role.DEPARTMENT_STAFF and department is None:
        raise DomainError(_("Department staff need a department."))
    assignment = RoleAssignment.objects.create(user=user, role=role, division=division, department=department,
                                               granted_by=actor)
    audit.record(actor=actor, action="role.grant", obj=assignment, division=where,
                 after={"user": user.pk, "role": role, "division": getattr(division, "pk", None),
                        "department": getattr(department, "pk", None)})
    scope.forget_assignments(user)
    return assignment


@transaction.atomic
def revoke_role(*, actor: User, assignment: RoleAssignment, reason: str) -> RoleAssignment:
    from gongzhi.accounts.choices import Action

    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    where = assignment.division or (assignment.department.division if assignment.department else None)
    if where is None or not scope.covers(actor, Action.MANAGE_USERS, where):
        raise DomainError(_("You may revoke roles only inside your own divisions."), code="forbidden")
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="role.revoke", obj=assignment, division=where,
                     before={"revoked_at": None}, after={"revoked_at": assignment.revoked_at}, reason=reason)
    scope.forget_assignments(assignment.user)
    return assignment
