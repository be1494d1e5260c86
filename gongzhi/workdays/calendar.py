"""Working time: deadlines counted in working hours or working days on the editable calendar.

Working hours are the office hours of a Chinese government unit, 08:30–12:00 and 13:30–17:30
Asia/Shanghai by default (`GONGZHI_WORKING_PERIODS` in settings may change them). A day is a
working day when the calendar says so: Monday to Friday unless a `CalendarDay` row says
otherwise (public holidays, substituted days off, weekend days worked in exchange).

Every process keeps the calendar in memory and re-reads it when `CalendarVersion` changes (checked
at most once a second), so computing a deadline costs no query in the common case.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from gongzhi.core.process_copy import ProcessCopy

from .choices import TimeUnit

DEFAULT_PERIODS = (("08:30", "12:00"), ("13:30", "17:30"))
# A limit that needs more than this many days to count down is a data error, not a deadline.
MAX_DAYS = 3660


def _periods() -> tuple[tuple[dt.time, dt.time], ...]:
    raw = getattr(settings, "GONGZHI_WORKING_PERIODS", DEFAULT_PERIODS)
    periods = tuple((dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in raw)
    if not periods or any(a >= b for a, b in periods) or any(
        periods[i][1] > periods[i + 1][0] for i in range(len(periods) - 1)
    ):
        raise ValueError("GONGZHI_WORKING_PERIODS: ordered, non-overlapping (start, end) pairs")
    return periods


@dataclass(frozen=True)
class WorkingCalendar:
    exceptions: dict[dt.date, bool]  # date → is_workday, for days that break the weekly rule
    periods: tuple[tuple[dt.time, dt.time], ...]
    tz: ZoneInfo

    # --- days -------------------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def workdays_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n ≥ 1)."""
        for _ in range(MAX_DAYS):
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
                if n == 0:
                    return day
        raise ValueError("no working day within ten years")

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600

    def _windows(self, day: dt.date):
        """The working periods of `day` as aware datetimes (none on a day off)."""
        if not self.is_workday(day):
            return
        for a, b in self.periods:
            yield dt.datetime.combine(day, a, self.tz), dt.datetime.combine(day, b, self.tz)

    # --- arithmetic -------------------------------------------------------------------------

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` of working time after `start`. Time outside working hours does not
        count, so a report at 22:00 with a 2-hour limit is due at 10:30 the next working day."""
        remaining = dt.timedelta(hours=hours)
        if remaining <= dt.timedelta(0):
            return start
        cursor = start.astimezone(self.tz)
        day = cursor.date()
        for _ in range(MAX_DAYS):
            for a, b in self._windows(day):
                lo = max(a, cursor)
                if lo >= b:
                    continue
                available = b - lo
                if remaining <= available:
                    return lo + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("working time limit out of range")

    def add_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The close of the `days`-th working day after the day of `start`: the day a case arrives
        does not count, as in 12345 practice ("N 个工作日内办结")."""
        if days <= 0:
            return start
        last = self.workdays_after(start.astimezone(self.tz).date(), days)
        return dt.datetime.combine(last, self.periods[-1][1], self.tz)

    def add(self, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
        if unit == TimeUnit.HOURS:
            return self.add_hours(start, amount)
        if unit == TimeUnit.DAYS:
            return self.add_days(start, int(amount))
        raise ValueError(f"unit: {unit!r}")

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """The working time from `a` to `b` (negative when `b` comes first)."""
        if b < a:
            return -self.between(b, a)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = dt.timedelta(0)
        day = a.date()
        while day <= b.date():
            for lo, hi in self._windows(day):
                lo, hi = max(lo, a), min(hi, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total


def _seconds(a: dt.time, b: dt.time) -> int:
    return (b.hour * 3600 + b.minute * 60 + b.second) - (a.hour * 3600 + a.minute * 60 + a.second)


# --- the per-process copy -------------------------------------------------------------------------


def _version():
    from .models import CalendarVersion

    return CalendarVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def _read() -> WorkingCalendar:
    from .models import CalendarDay

    rows = CalendarDay.objects.values_list("date", "is_workday")
    return WorkingCalendar(dict(rows), _periods(), ZoneInfo(settings.TIME_ZONE))


_copy = ProcessCopy(_version, _read)
current_calendar = _copy.get  # this process's calendar, re-read when any process changed it
forget_calendar = _copy.forget


def add_working_time(start: dt.datetime, amount: float, unit: str) -> dt.datetime:
    """`start` plus `amount` working hours or working days ("hours" | "days")."""
    return current_calendar().add(start, amount, unit)


def working_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """The working time between two moments, e.g. how long a unit took to respond."""
    return current_calendar().between(a, b)


def is_workday(day: dt.date) -> bool:
    return current_calendar().is_workday(day)
