"""What every registry service shares: scope checks, optimistic locking, audited snapshots."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.divisions.models import Division

from .. import permissions
from ..models.base import Archivable


def require(actor, action: str, row) -> None:
    """Refuse unless `actor` may do `action` on `row` (a registry row or a grid). Commands and the
    demo builder act as `None` (the system) and are not limited."""
    if actor is None:
        return
    allowed = (permissions.covers(actor, action, row) if isinstance(row, Division)
               else permissions.covers_row(actor, action, row))
    if not allowed:
        raise PermissionDenied(_("You may not do this here."))


def lock(obj, expected_version: int | None = None):
    """Re-read the row under a lock; refuse if it changed since the form was shown or is archived."""
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else changed %(name)s meanwhile. Reload and try again.") % {"name": current})
    if isinstance(current, Archivable) and current.archived_at is not None:
        raise DomainError(_("%(name)s is archived.") % {"name": current}, code="conflict")
    return current


def save_changes(obj, fields: list[str]) -> None:
    """Save `fields`, bumping the version and the update time."""
    obj.version += 1
    obj.updated_at = timezone.now()
    obj.save(update_fields=[*fields, "version", "updated_at"])


def changed_fields(obj, changes: dict) -> list[str]:
    """Apply `changes` to `obj`; the names of the fields whose value really changed."""
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def record(actor, action: str, obj, *, before=None, after=None, reason: str = "") -> None:
    """An audit row for a registry object, scoped to its grid (auditors of the grid's divisions see it).
    The grid is named by its key alone (no query): the row keeps only the key."""
    audit.record(actor=actor, action=action, obj=obj, division=Division(pk=obj.grid_id, level="grid"),
                 before=before, after=after, reason=reason, actor_label="" if actor else "system")


def snapshot(obj, fields: list[str]) -> dict:
    return audit.snapshot(obj, fields)


def required_text(value: str, label) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("%(field)s is required.") % {"field": label})
    return value
