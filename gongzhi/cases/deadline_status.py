import datetime as dt

from django.utils import timezone

from .choices import HANDLING_CLOCK_STATES, RESPONSE_CLOCK_STATES
from .models import Case


def deadline_status(case: Case, now: dt.datetime | None = None) -> str:
    """none | ok | warning (yellow) | overdue (red), by the clocks that run in the case's state."""
    now = now or timezone.now()
    if case.state in RESPONSE_CLOCK_STATES and case.response_due and case.response_due <= now:
        return "overdue"
    if case.state not in HANDLING_CLOCK_STATES or case.handling_due is None:
        return "none"
    if case.handling_due <= now:
        return "overdue"
    warnings = [case.handling_warn_at]
    if case.state in RESPONSE_CLOCK_STATES:
        warnings.append(case.response_warn_at)
    return "warning" if any(t is not None and t <= now for t in warnings) else "ok"
