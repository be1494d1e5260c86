"""Scoped reads of core data: the audit trail (shared by the API and the audit page) and what a
user may do."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import roles, scope
from .models import AuditEntry

VIEW_AUDIT = "view_audit"
# Holding VIEW_AUDIT over one of these makes an auditor deployment-wide (see audit_entries_for).
TOP_LEVELS = frozenset({"province", "city"})


def allowed_actions(user) -> list[str]:
    """The actions the user may do somewhere, every app's, in the order the apps declared them
    (everything for a superuser)."""
    declared = list(roles.all_actions())
    if scope.is_global(user):
        return declared
    held = set()
    for a in scope.assignments(user):
        held |= roles.actions_of(a.role)
    return [action for action in declared if action in held]


def may_read_audit(user) -> bool:
    """Whether the user may read the audit trail at all; a list page or API refuses (403) without it."""
    return scope.may(user, VIEW_AUDIT)


def audit_entries_for(
    user,
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit rows `user` may read, newest first, narrowed by the given filters.

    Who sees which row:
    - a row with a `division` is visible to whoever holds VIEW_AUDIT over that division
      (its subtree, through `scope.restrict(..., via="division__")`); a retired division still
      scopes its rows through its cached ancestor columns;
    - a row without a division (API tokens, passwords, work of commands not tied to a place) is
      visible only to superusers and to users holding VIEW_AUDIT over a province or a city —
      the deployment's own administrators. A district auditor does not see them;
    - a user without VIEW_AUDIT gets no rows (callers answering a whole list should refuse first,
      with `may_read_audit`).

    Filters: `actor` is a username (or, for rows written without a user, the label such as
    "system"); `object_type` is the model label ("divisions.division"); `object_id`, `action` match
    exactly; `since` is inclusive, `until` exclusive. A date means the start of that day in the
    site's time zone, except that `until` as a date includes the whole day.
    """
    entries = AuditEntry.objects.select_related("actor", "division")
    if not scope.is_global(user):
        visible = scope.scope_q(user, VIEW_AUDIT, via="division__")
        if any(d.level in TOP_LEVELS for d in scope.covered_divisions(user, VIEW_AUDIT)):
            visible |= Q(division__isnull=True)
        entries = entries.filter(visible)
    if actor:
        entries = entries.filter(Q(actor__username=actor) | Q(actor__isnull=True, actor_label=actor))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(at__gte=_moment(since))
    if until is not None:
        end = until + dt.timedelta(days=1) if not isinstance(until, dt.datetime) else until
        entries = entries.filter(at__lt=_moment(end))
    return entries.order_by("-at", "-id")


def _moment(value: dt.datetime | dt.date) -> dt.datetime:
    """An aware datetime: naive values and dates are read in the site's time zone."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    return timezone.make_aware(value) if timezone.is_naive(value) else value
