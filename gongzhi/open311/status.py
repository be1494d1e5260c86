"""Our case states as GeoReport's two statuses, with a sentence saying where the case stands.

A case is open until it is closed (结案): resolved and verified cases are still open, because
verification can still send them back to the unit. Rejected, voided and merged cases are closed."""

from django.utils.translation import gettext as _

from gongzhi.cases.choices import CaseState

from .choices import Status

S = CaseState
CLOSED_STATES = frozenset({S.CLOSED, S.RATED, S.REJECTED, S.VOIDED, S.MERGED})
OPEN_STATES = frozenset(CaseState.values) - CLOSED_STATES


def status_of(state: str) -> str:
    return Status.CLOSED if state in CLOSED_STATES else Status.OPEN


def states_for(statuses) -> list[str]:
    """The case states behind a set of GeoReport statuses."""
    out: set[str] = set()
    for status in statuses:
        out |= CLOSED_STATES if status == Status.CLOSED else OPEN_STATES
    return sorted(out)


def status_notes(case) -> str:
    """What is happening to the case now, in public words (a unit's name, never a person's).
    Needs `handling_department`, `handling_division` and `merged_into` loaded."""
    unit = case.handling_unit_name
    state = case.state
    if state == S.SUBMITTED:
        return _("Received; waiting to be registered.")
    if state == S.REGISTERED:
        return _("Registered; waiting to be sent to a handling unit.")
    if state == S.DISPATCHED:
        return _("Sent to %(unit)s; waiting for it to accept.") % {"unit": unit}
    if state == S.ACCEPTED:
        return _("%(unit)s accepted the case.") % {"unit": unit}
    if state == S.IN_PROGRESS:
        return _("%(unit)s is working on it.") % {"unit": unit}
    if state == S.SUSPENDED:
        return _("Work is suspended for now.")
    if state == S.RESOLVED:
        return _("%(unit)s reports it handled: %(what)s (waiting for verification)") % {
            "unit": unit, "what": case.resolution}
    if state == S.VERIFIED:
        return _("The result was checked on the spot; waiting to be closed.")
    if state == S.CLOSED:
        return _("Closed.")
    if state == S.RATED:
        return _("Closed and rated by the reporter.")
    if state == S.REJECTED:
        return _("Not registered: %(reason)s") % {"reason": case.rejection_reason}
    if state == S.VOIDED:
        return _("Voided.")
    if state == S.MERGED:
        number = case.merged_into.tracking_number if case.merged_into_id else ""
        return _("Duplicate request: follow %(number)s.") % {"number": number}
    return ""
