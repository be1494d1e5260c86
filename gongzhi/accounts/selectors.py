"""Reads of accounts data. A user's tokens are reached through ownership, never by id alone."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gongzhi.core import scope
from gongzhi.divisions.models import Division

from .choices import Action
from .models import ApiToken, RoleAssignment, User


def tokens_for(user) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (live, expired and revoked alike)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_for(user, pk) -> ApiToken:
    """One of the user's own tokens, or 404: someone else's token looks exactly like a missing one."""
    try:
        return tokens_for(user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- people and roles, for those who manage them (added) --------------------------------------
#
# Whom an actor manages: the users holding a role inside the actor's MANAGE_USERS scope. A role
# lies where its division lies; a department staff role lies at its department's home division
# (the same rule services.grant_role and revoke_role apply).


def assignment_scope_q(actor, action: str | None = None) -> Q:
    """Role assignments lying inside `actor`'s scope for `action` (MANAGE_USERS by default)."""
    action = action or Action.MANAGE_USERS
    if scope.is_global(actor):
        return Q()
    return scope.scope_q(actor, action, via="division__") | scope.scope_q(actor, action, via="department__division__")


def may_manage_users(actor) -> bool:
    """Whether the actor manages anyone at all; list pages and list APIs refuse (403) without it."""
    return scope.may(actor, Action.MANAGE_USERS)


def users_for(
    actor,
    *,
    q: str = "",
    role: str = "",
    division: Division | None = None,
    include_former: bool = False,
) -> QuerySet[User]:
    """The users `actor` manages, ordered by username, each with `scoped_roles`: their live role
    assignments inside the actor's scope (one query, plus one prefetch query per page).

    A user is listed when one of their live assignments lies in the actor's scope; with
    `include_former`, also when only revoked ones do (so a person whose roles were all revoked can
    still be found, given a role again or deactivated). `role` and `division` narrow by the
    assignment: of that role, lying in that division's subtree. `q` matches the name or the
    username in part, and the phone only in full (11 digits) or by its last four digits, the
    part a masked number shows."""
    in_scope = assignment_scope_q(actor)
    held = RoleAssignment.objects.filter(in_scope, user=OuterRef("pk"))
    if not include_former:
        held = held.filter(revoked_at__isnull=True)
    if role:
        held = held.filter(role=role)
    if division is not None:
        held = held.filter(scope.subtree_q(division, "division__")
                           | scope.subtree_q(division, "department__division__"))
    users = User.objects.filter(Exists(held))
    text = (q or "").strip()
    if text:
        match = Q(display_name__icontains=text) | Q(username__icontains=text)
        if text.isdigit() and len(text) == 11:
            match |= Q(phone=text)
        elif text.isdigit() and len(text) == 4:
            match |= Q(phone__endswith=text)
        users = users.filter(match)
    live_here = (
        RoleAssignment.objects.filter(in_scope, revoked_at__isnull=True)
        .select_related("division", "department")
        .order_by("granted_at", "pk")
    )
    return users.prefetch_related(Prefetch("role_assignments", queryset=live_here, to_attr="scoped_roles")).order_by(
        "username", "pk"
    )


def user_for(actor, pk) -> User:
    """One user the actor manages (a current or former role in their scope), or 404: a user
    outside the actor's divisions looks exactly like a missing one."""
    try:
        return users_for(actor, include_former=True).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assignments_for(actor, user: User) -> list[RoleAssignment]:
    """The user's role assignments inside the actor's scope, live ones first, then the revoked,
    newest first within each; each revoked one carries `revocation` (the audit row that revoked
    it: who, when, why) or None (two queries)."""
    rows = list(
        RoleAssignment.objects.filter(assignment_scope_q(actor), user=user)
        .select_related("division", "department", "department__division", "granted_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-granted_at", "-pk")
    )
    revoked = [str(a.pk) for a in rows if a.revoked_at is not None]
    revocations = {}
    if revoked:
        from gongzhi.core.models import AuditEntry

        entries = (
            AuditEntry.objects.filter(action="role.revoke", object_type=RoleAssignment._meta.label_lower,
                                      object_id__in=revoked)
            .select_related("actor")
            .order_by("at", "pk")
        )
        revocations = {e.object_id: e for e in entries}
    for a in rows:
        a.revocation = revocations.get(str(a.pk))
    return rows


def assignment_for(actor, user: User, pk) -> RoleAssignment:
    """One of the user's assignments inside the actor's scope, or 404."""
    try:
        return RoleAssignment.objects.filter(assignment_scope_q(actor), user=user).select_related(
            "division", "department", "department__division").get(pk=pk)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def live_roles_outside(actor, user: User) -> int:
    """How many of the user's live roles lie outside the actor's scope (0 for a superuser actor)."""
    if scope.is_global(actor):
        return 0
    return RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).exclude(assignment_scope_q(actor)).count()


def phone_taken(phone: str, *, exclude_pk=None) -> bool:
    taken = User.objects.filter(phone=phone)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()

