"""Writes to accounts: tokens, passwords and role assignments, each audited."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, db, roles, scope
from gongzhi.core.digests import secret_digest as hash_token
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_phone
from gongzhi.divisions.choices import Level

from . import selectors
from .models import ApiToken, RoleAssignment, User, default_token_expiry, phone_validator


@transaction.atomic
def issue_token(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for `actor`. Returns the row and the raw key, which is never stored.
    Refused while the actor still has a one-time password from an administrator."""
    if actor.must_change_password:
        raise password_change_required()
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


def password_change_required() -> DomainError:
    """The refusal every page, API call and token request meets while the user still has a
    one-time password (code `password_change_required`, answered 403 by the API)."""
    return DomainError(
        _("You must choose a new password before continuing: sign in on the web page and change the "
          "one-time password you were given."), code="password_change_required")


def user_for_token(raw: str) -> User | None:
    """The user a bearer token authenticates, or None if unknown, revoked or expired."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = _token_with_user(hash_token(raw))
    if token is None or not token.is_live or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most: last-use is for the token list, not for an audit.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


_token_queries: dict = {}
TOKEN_FIELDS = {"id", "user_id", "expires_at", "last_used_at", "revoked_at"}


def _token_with_user(key_hash: str) -> ApiToken | None:
    """The token with this hash and its user, as `select_related("user")` would load them. Every
    API call asks, so the statement and the column converters are prepared once per database
    (the query compiler costs more than the query)."""
    from django.db import connection

    prepared = _token_queries.get(connection.alias)
    if prepared is None:
        qn = connection.ops.quote_name
        # Of the token, what deciding needs (the rest loads if asked for); the user whole.
        token_fields = [f for f in ApiToken._meta.concrete_fields if f.attname in TOKEN_FIELDS]
        user_fields = User._meta.concrete_fields
        columns = [f"t.{qn(f.column)}" for f in token_fields] + [f"u.{qn(f.column)}" for f in user_fields]
        sql = (f"SELECT {', '.join(columns)} FROM {qn(ApiToken._meta.db_table)} t "  # noqa: S608
               f"INNER JOIN {qn(User._meta.db_table)} u ON u.{qn(User._meta.pk.column)} = t.{qn('user_id')} "
               f"WHERE t.{qn('key_hash')} = %s")
        converters = []
        for alias, f in [("t", f) for f in token_fields] + [("u", f) for f in user_fields]:
            col = f.get_col(alias)
            converters.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
        prepared = _token_queries[connection.alias] = (sql, converters, [f.attname for f in token_fields])
    sql, converters, token_names = prepared
    split = len(token_names)
    row = db.fetch(sql, [key_hash])
    if row is None:
        return None
    values = []
    for value, (functions, col) in zip(row, converters, strict=True):
        for function in functions:
            value = function(value, col, connection)
        values.append(value)
    token = ApiToken.from_db(connection.alias, token_names, values[:split])
    token.user = User.from_db(connection.alias, None, values[split:])
    return token


def _revoke_live_tokens(user: User) -> int:
    """Revoke every live API token of `user` (kept, marked revoked); how many. A token outlives
    no password: whoever learnt the old one may have made a token with it."""
    now = timezone.now()
    return (ApiToken.objects.filter(user=user, revoked_at__isnull=True)
            .exclude(expires_at__lte=now)
            .update(revoked_at=now))


def _set_password(user: User, raw: str, *, must_change: bool) -> int:
    """Every password write goes through here: the hash, the first-login flag, and the user's
    tokens revoked. Returns how many tokens were revoked. The caller holds the user's row lock
    and writes the audit row."""
    user.set_password(raw)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password"])
    return _revoke_live_tokens(user)


@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> int:
    """The user's own change. Ends the one-time password an administrator gave, and revokes the
    user's API tokens; returns how many were revoked."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not correct."), code="wrong_password")
    if new_password == old_password:
        raise DomainError(_("Choose a new password that differs from the current one."), code="weak_password")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    was_required = user.must_change_password
    revoked = _set_password(user, new_password, must_change=False)
    audit.record(actor=actor, action="user.password_change", obj=user,
                 before={"must_change_password": was_required},
                 after={"must_change_password": False, "tokens_revoked": revoked})
    return revoked


@transaction.atomic
def grant_role(*, actor: User, user: User, role: str, division=None, department=None) -> RoleAssignment:
    from gongzhi.accounts.choices import Action

    where = division if division is not None else (department.division if department else None)
    if where is None or not scope.covers(actor, Action.MANAGE_USERS, where):
        raise DomainError(_("You may grant roles only inside your own divisions."), code="forbidden")
    if _by_department(role) and department is None:
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


# --- people and roles, by those who manage them (added) ---------------------------------------
#
# Who may act on an account: a holder of MANAGE_USERS over every live role the account has (so
# nobody locks out a person whose work lies partly beyond their divisions), never on their own
# account, and only a superuser on a superuser. Audit rows never carry a password, and carry a
# phone number masked.

# Where each role may be held: the levels its division may have.
# Letters and digits that cannot be misread for one another when read out or copied by hand.
UNAMBIGUOUS_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A random password to hand over once, e.g. `k7Qm-3xPa-9fTz` (about 70 bits)."""
    while True:
        groups = ["".join(secrets.choice(UNAMBIGUOUS_CHARACTERS) for _i in range(4)) for _g in range(3)]
        raw = "-".join(groups)
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return raw


def role_place_problem(role: str, division=None, department=None) -> str | None:
    """Why `role` cannot be held at that place, or None if it can (no query)."""
    spec = roles.role(role)
    if spec is None:
        return _("Choose a role from the list.")
    if spec.by_department:
        if department is None:
            return _("Department staff need a department.")
        if not department.is_active:
            return _("This department is archived.")
        return None
    if division is None:
        return _("Choose the division where the role is held.")
    if not division.is_active:
        return _("This division is retired.")
    if division.level not in spec.levels:
        return _("The role “%(role)s” is held at these levels: %(levels)s.") % {
            "role": spec.label, "levels": "、".join(str(Level(lv).label) for lv in spec.levels)}
    return None


def _by_department(role: str) -> bool:
    spec = roles.role(role)
    return spec is not None and spec.by_department


def _role_place(role: str, division, department):
    """The division a role's scope check applies to (a department's home division)."""
    if _by_department(role):
        return department.division if department is not None else None
    return division


def _require_covers(actor: User, where) -> None:
    from .choices import Action

    if where is None or not scope.covers(actor, Action.MANAGE_USERS, where):
        raise DomainError(_("You may grant roles only inside your own divisions."), code="forbidden")


@transaction.atomic
def assign_role(*, actor: User, user: User, role: str, division=None, department=None) -> RoleAssignment:
    """Grant `role` to `user` at a division (or, for department staff, in a department), after
    checking that the place lies in the actor's scope, suits the role, and that the user is
    active and does not hold that role there already. The grant itself is grant_role's."""
    if _by_department(role):
        division = None
    else:
        department = None
    _require_covers(actor, _role_place(role, division, department))
    problem = role_place_problem(role, division, department)
    if problem:
        raise DomainError(problem, code="invalid")
    # The user's row is the lock that keeps two grants of one role at one place from both passing.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise DomainError(_("This account is deactivated. Reactivate it before granting a role."), code="conflict")
    if RoleAssignment.objects.filter(user=user, role=role, division=division, department=department,
                                     revoked_at__isnull=True).exists():
        raise DomainError(_("This person already holds this role there."), code="duplicate")
    return grant_role(actor=actor, user=user, role=role, division=division, department=department)


def _audit_place(user: User):
    """The division an account's audit rows are filed under: its first live role's place."""
    first = (
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("department__division", "division")
        .order_by("granted_at", "pk")
        .first()
    )
    if first is None:
        first = RoleAssignment.objects.filter(user=user).select_related("department__division", "division") \
            .order_by("-granted_at", "-pk").first()
    if first is None:
        return None
    return first.division or (first.department.division if first.department else None)


def _require_manageable(actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise DomainError(_("You cannot do this to your own account."), code="forbidden")
    if user.is_superuser and not actor.is_superuser:
        raise DomainError(_("Only a superuser may change a superuser's account."), code="forbidden")
    if not selectors.users_for(actor, include_former=True).filter(pk=user.pk).exists():
        raise DomainError(_("You may manage only the people in your own divisions."), code="forbidden")
    if selectors.live_roles_outside(actor, user):
        raise DomainError(
            _("This person also holds roles outside your divisions; an administrator who covers all of them "
              "must do this."), code="forbidden")


def _audit_user(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name,
            "phone": mask_phone(user.phone) if user.phone else None, "is_active": user.is_active}


@transaction.atomic
def create_user(*, actor: User, username: str, display_name: str, phone: str | None, role: str,
                division=None, department=None) -> tuple[User, str]:
    """A new account with one role, and its temporary password (returned, never stored or
    logged: the actor hands it over once). Refused as a whole — nothing is created — if the role's
    place is outside the actor's scope or unsuitable, or the username or phone is taken."""
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    phone = (phone or "").strip() or None
    if _by_department(role):
        division = None
    else:
        department = None
    _require_covers(actor, _role_place(role, division, department))
    problem = role_place_problem(role, division, department)
    if problem:
        raise DomainError(problem, code="invalid", details={"role": problem})
    username_problem = username_problem_for(username)
    if username_problem:
        raise DomainError(username_problem, code="invalid", details={"username": username_problem})
    if phone is not None:
        try:
            phone_validator(phone)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), code="invalid", details={"phone": " ".join(exc.messages)}) \
                from None
    if User.objects.filter(username__iexact=username).exists():
        message = _("This username is taken.")
        raise DomainError(message, code="duplicate", details={"username": message})
    if phone is not None and User.objects.filter(phone=phone).exists():
        message = _("Another account has this phone number.")
        raise DomainError(message, code="duplicate", details={"phone": message})
    raw = temporary_password()
    # The temporary password passes through the actor's hands: the person sets their own first.
    user = User(username=username, display_name=display_name, phone=phone, must_change_password=True)
    user.set_password(raw)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        message = _("This username or phone number was taken a moment ago.")
        raise DomainError(message, code="duplicate") from None
    audit.record(actor=actor, action="user.create", obj=user, division=_role_place(role, division, department),
                 after={**_audit_user(user), "must_change_password": True})
    assign_role(actor=actor, user=user, role=role, division=division, department=department)
    return user, raw


def username_problem_for(username: str) -> str | None:
    """Why `username` cannot name a new account, or None (no query)."""
    from django.contrib.auth.validators import UnicodeUsernameValidator

    if not username:
        return _("Enter a username.")
    if len(username) > 150:
        return _("A username has at most 150 characters.")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        return " ".join(exc.messages)
    if username.isdigit() and len(username) == 11:
        # Logging in with 11 digits means a phone number: such a username could never log in.
        return _("A username of 11 digits would be read as a phone number; choose another.")
    return None


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool, reason: str) -> User:
    """Deactivate (or reactivate) an account: never deleted, its roles kept. A deactivated user
    cannot log in, their sessions end and their API tokens stop working."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."), code="invalid", details={"reason": _("Give a reason.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(actor, user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor=actor, action="user.reactivate" if active else "user.deactivate", obj=user,
                 division=_audit_place(user), before={"is_active": not active}, after={"is_active": active},
                 reason=reason)
    scope.forget_assignments(user)
    return user


@transaction.atomic
def reset_password(*, actor: User, user: User, reason: str = "") -> str:
    """Give the account a new temporary password and return it (to be shown once). The person
    must choose their own at their next login; their sessions end and their API tokens are
    revoked. The audit row records that it happened and how many tokens went, never the password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(actor, user)
    raw = temporary_password()
    was_required = user.must_change_password
    revoked = _set_password(user, raw, must_change=True)
    audit.record(actor=actor, action="user.password_reset", obj=user, division=_audit_place(user),
                 before={"must_change_password": was_required},
                 after={"must_change_password": True, "tokens_revoked": revoked},
                 reason=(reason or "").strip())
    return raw
