"""What every case transition shares: the lock, the state check, the version bump, the timeline
row and the audit row."""

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError, StaleEdit

from ..choices import CaseState
from ..models import Case, CaseEvent

MAX_NOTE = 2000

# What the audit row keeps of a case before and after a transition.
AUDITED = ["state", "version", "handling_department", "handling_division", "response_due", "handling_due",
           "category"]


def lock_case(case: Case | int, expected_version: int | None = None) -> Case:
    """Re-read the case under a row lock. A caller that passes the version it showed the user is
    refused if someone acted on the case meanwhile: two officers cannot both win."""
    pk = case.pk if isinstance(case, Case) else case
    current = Case.objects.select_for_update(of=("self",)).select_related(
        "grid", "handling_department", "handling_division", "category"
    ).get(pk=pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else acted on case %(number)s meanwhile. Reload it and try again.")
                        % {"number": current.tracking_number})
    return current


def require_state(case: Case, allowed, doing: str) -> None:
    """Refuse an illegal transition with a sentence that says why, changing nothing."""
    if case.state not in allowed:
        raise DomainError(
            _("Case %(number)s is %(state)s: it cannot be %(doing)s.")
            % {"number": case.tracking_number, "state": CaseState(case.state).label.lower(), "doing": doing},
            code="illegal_transition",
        )


def save_case(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def log(case: Case, kind: str, *, actor, **details) -> CaseEvent:
    """Write one timeline row. `details` are `event_row`'s other parameters: from_state, note,
    public_note, is_public, unit_name, data, actor_label."""
    event = event_row(case, kind, actor=actor, **details)
    event.save(force_insert=True)
    return event


def event_row(
    case: Case,
    kind: str,
    *,
    actor,
    from_state: str = "",
    note: str = "",
    public_note: str = "",
    is_public: bool = True,
    unit_name: str = "",
    data: dict | None = None,
    actor_label: str = "",
) -> CaseEvent:
    """The timeline row `log` writes, unsaved (the intake writes it with the case in one statement).
    `unit_name` is what the public sees as the actor (never a person's name)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return CaseEvent(
        case=case, actor=user, actor_label=actor_label or ("" if user else "system"), kind=kind,
        from_state=from_state, to_state=case.state, note=note, public_note=public_note, is_public=is_public,
        unit_name=unit_name[:100], data=data or {},
    )


def audit_case(case: Case, action: str, *, actor, before: dict | None = None, reason: str = "",
               extra: dict | None = None, obj: Model | None = None) -> None:
    audit_row(case, action, actor=actor, before=before, reason=reason, extra=extra, obj=obj).save(force_insert=True)


def audit_row(case: Case, action: str, *, actor, before: dict | None = None, reason: str = "",
              extra: dict | None = None, obj: Model | None = None):
    """The audit row `audit_case` writes, unsaved (the intake writes it with the case in one statement)."""
    after = audit.snapshot(case, AUDITED)
    if extra:
        after.update(extra)
    row = audit.entry(actor=actor, action=f"case.{action}", obj=obj or case, before=before, after=after,
                      reason=reason)
    row.division_id = case.grid_id  # by id: the grid need not be loaded to scope the row
    return row


def snapshot(case: Case) -> dict:
    return audit.snapshot(case, AUDITED)


def required_text(value: str, what) -> str:
    """A reason, note or feedback the step cannot do without, trimmed and bounded."""
    value = (value or "").strip()
    if not value:
        raise DomainError(_("Give %(what)s.") % {"what": what}, code="invalid")
    if len(value) > MAX_NOTE:
        raise DomainError(_("Keep it under %(n)d characters.") % {"n": MAX_NOTE}, code="invalid")
    return value
