"""Deadlines on the working calendar, and when to warn before them.

A case is warned (yellow) when a share of its working-time budget is used — 80 % unless
settings say otherwise (`GONGZHI_CASE_WARN_RATIO`) — or a number of working hours before the
deadline (`GONGZHI_CASE_WARN_HOURS_BEFORE`), whichever comes first; it is red (overdue) at the
deadline. Both moments are stored on the case, so the sweep finds them with an indexed range scan.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from gongzhi.workdays.calendar import WorkingCalendar, current_calendar

DEFAULT_WARN_RATIO = 0.8


@dataclass(frozen=True)
class Clock:
    due: dt.datetime
    warn_at: dt.datetime


def warn_ratio() -> float:
    return float(getattr(settings, "GONGZHI_CASE_WARN_RATIO", DEFAULT_WARN_RATIO))


def warn_hours_before() -> float | None:
    value = getattr(settings, "GONGZHI_CASE_WARN_HOURS_BEFORE", None)
    return None if value is None else float(value)


def warn_point(start: dt.datetime, due: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    budget_h = calendar.between(start, due).total_seconds() / 3600
    used_h = budget_h * warn_ratio()
    hours_before = warn_hours_before()
    if hours_before is not None:
        used_h = min(used_h, max(0.0, budget_h - hours_before))
    return min(calendar.add_hours(start, used_h), due)


def start_clock(start: dt.datetime, limit: dict, calendar: WorkingCalendar | None = None) -> Clock:
    """The deadline `limit` ({"amount", "unit"}) after `start`, and its warning moment."""
    calendar = calendar or current_calendar()
    due = calendar.add(start, limit["amount"], limit["unit"])
    return Clock(due, warn_point(start, due, calendar))


def extend_clock(start: dt.datetime, due: dt.datetime, amount: int, unit: str) -> Clock:
    """The deadline moved by `amount` working hours or days; the warning follows the new budget."""
    calendar = current_calendar()
    new_due = calendar.add(due, amount, unit)
    return Clock(new_due, warn_point(start, new_due, calendar))


def remaining_seconds(now: dt.datetime, due: dt.datetime | None) -> int:
    """Working seconds left before `due` (0 when overdue), to restart the clock after a pause."""
    if due is None:
        return 0
    return max(0, int(current_calendar().between(now, due).total_seconds()))
