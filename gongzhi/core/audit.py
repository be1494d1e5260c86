"""The audit trail's single entry point. Services call `record` inside their transaction."""

from typing import Any

from django.db import models

from .models import AuditEntry


def record(*, actor, action: str, obj: models.Model, **details) -> AuditEntry:
    """Write the audit row of `actor` doing `action` to `obj`. `details` are `entry`'s other
    parameters: division, before, after, reason, actor_label."""
    row = entry(actor=actor, action=action, obj=obj, **details)
    row.save(force_insert=True)
    return row


def entry(
    *,
    actor,
    action: str,
    obj: models.Model,
    division=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_label: str = "",
) -> AuditEntry:
    """The audit row `record` writes, unsaved: for a service that writes it with other rows in one
    statement (the intake). It must still be written in the same transaction as the change."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor=user,
        actor_label=actor_label or ("" if user else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        division=division,
        before=before,
        after=after,
        reason=reason[:500],
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values an audit row keeps of `fields` (foreign keys by id)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return out
