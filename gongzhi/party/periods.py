"""Report-in periods: the year cut into equal periods of `months` months (a divisor of 12), so a
6-month policy gives January–June and July–December, a 3-month one the quarters."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive: the period's last day

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def label(self) -> str:
        return f"{self.start:%Y.%m}–{self.end:%Y.%m}"


def check_months(months: int) -> int:
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"a period of {months} months does not divide the year")
    return months


def period_of(day: dt.date | None = None, months: int = 6) -> Period:
    """The period of `months` months holding `day` (today by default)."""
    check_months(months)
    day = day or timezone.localdate()
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return Period(start, _last_day(start, months))


def period_starting(start: dt.date, months: int = 6) -> Period:
    """The period beginning on `start`; ValueError if no period of `months` months begins there."""
    period = period_of(start, months)
    if period.start != start:
        raise ValueError(f"no period of {months} months begins on {start}")
    return period


def previous(period: Period) -> Period:
    return period_of(period.start - dt.timedelta(days=1), period.months)


def following(period: Period) -> Period:
    return period_of(period.end + dt.timedelta(days=1), period.months)


def _last_day(start: dt.date, months: int) -> dt.date:
    month = start.month + months
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)
