"""Assessment periods: calendar months in the deployment's time zone, or any range of days.

A period is half-open, [start, end), and its bounds are local midnights (Asia/Shanghai), so a
case reported at 23:59 on 31 March belongs to March whatever the database's time zone."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_RANGE_DAYS = 3 * 366


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def current_month(now: dt.datetime | None = None) -> dt.date:
    return month_start(timezone.localtime(now or timezone.now(), local_tz()).date())


@dataclass(frozen=True)
class Period:
    first: dt.date  # first day included
    last: dt.date  # last day included

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(0), local_tz())

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), local_tz())

    @property
    def is_month(self) -> bool:
        return self.first.day == 1 and add_months(self.first, 1) - dt.timedelta(days=1) == self.last

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m-%d} – {self.last:%Y-%m-%d}"

    @classmethod
    def month(cls, month: dt.date) -> "Period":
        first = month_start(month)
        return cls(first, add_months(first, 1) - dt.timedelta(days=1))


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date:
    """"2026-03" → 2026-03-01; empty → `default` (the current month). Anything else is refused."""
    if not text:
        return default or current_month()
    match = MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise DomainError(_("Give the month as YYYY-MM."), code="invalid")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_period(start: str | None, end: str | None, month: str | None = None) -> Period:
    """A range of days (`start`, `end`: YYYY-MM-DD, both included), or a month (the current one
    when nothing is given)."""
    if not start and not end:
        return Period.month(parse_month(month))
    try:
        first = dt.date.fromisoformat((start or "").strip())
        last = dt.date.fromisoformat((end or "").strip())
    except ValueError:
        raise DomainError(_("Give the start and end dates as YYYY-MM-DD."), code="invalid") from None
    if last < first:
        raise DomainError(_("The end date comes before the start date."), code="invalid")
    if (last - first).days > MAX_RANGE_DAYS:
        raise DomainError(_("Ask for at most three years at once."), code="invalid")
    return Period(first, last)


def recent_months(n: int, now: dt.datetime | None = None) -> list[dt.date]:
    """The last `n` months, oldest first, ending with the current one."""
    this = current_month(now)
    return [add_months(this, -i) for i in range(n - 1, -1, -1)]
