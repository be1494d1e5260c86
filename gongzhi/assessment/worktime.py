"""Working time summed over many cases at once, in the database, without reading the cases.

The working time between two moments a < b is W(b) − W(a), where W(t) counts the working seconds
from a fixed Monday up to t:

    W(t) = per_day × (working days before t's local date) + (office seconds already past at t's
           local time of day, on a working day)

and the working days before day k (counted from that Monday) are 5 × ⌊k / 7⌋ + min(k mod 7, 5)
— Monday to Friday — corrected by the calendar's exceptions (a weekday holiday takes one away, a
weekend day worked in exchange adds one). Only the exceptions between the period's first day and
now can differ between the two ends of a case's interval, so they are written into the SQL as
a short CASE; the older ones cancel out in W(b) − W(a). The expression is native arithmetic in
PostgreSQL and SQLite (no per-row function call), so the average handling time is one more
SUM(...) in the same grouped query as the other counts.

Where that is not possible — a time zone with daylight saving time, another database — the
fallback `working_seconds_between` groups by local date instead (two more queries) and adds up the
whole days here on the working calendar (gongzhi.workdays).
"""

import datetime as dt
import functools
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Expression, F, FloatField, QuerySet, Sum, Value
from django.db.models.functions import Cast, ExtractHour, ExtractMinute, ExtractSecond, Greatest, Least, TruncDate

from gongzhi.workdays.calendar import WorkingCalendar, current_calendar

EPOCH = dt.date(1970, 1, 1)
MONDAY = dt.date(1970, 1, 5)  # day 4 since the epoch: the origin of the weekly count
DAY_S = 86400


def _seconds(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second


@functools.cache
def fixed_offset(tz) -> int | None:
    """The zone's UTC offset in seconds when it has kept one offset for the past twenty and the
    next ten years (Asia/Shanghai: +8 h); None for a zone with daylight saving time."""
    this_year = dt.date.today().year
    offsets = {dt.datetime(year, month, 1, 12, tzinfo=tz).utcoffset()
               for year in range(this_year - 20, this_year + 11) for month in (1, 7)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


def native(calendar: WorkingCalendar) -> bool:
    """Whether the working time can be computed inside the grouped query."""
    return connection.vendor in ("sqlite", "postgresql") and fixed_offset(calendar.tz) is not None


# --- in the query: W(t) as one SQL expression --------------------------------------------------------


class WorkingClock(Expression):
    """W(`field`) in seconds (see the module's docstring), for moments between the local dates
    `first` and `last`."""

    output_field = FloatField()

    def __init__(self, field: str, calendar: WorkingCalendar, first: dt.date, last: dt.date):
        super().__init__()
        self.source = F(field)
        holidays, swapped = [], []
        day = first
        while day <= last:
            official = calendar.exceptions.get(day)
            if official is not None and official != (day.weekday() < 5):
                (swapped if official else holidays).append((day - MONDAY).days)
            day += dt.timedelta(days=1)
        periods = tuple((_seconds(a), _seconds(b) - _seconds(a)) for a, b in calendar.periods)
        self.key = (fixed_offset(calendar.tz), calendar.hours_per_day * 3600, periods, tuple(holidays),
                    tuple(swapped))

    @property
    def identity(self):
        return (self.__class__, self.source, self.key)

    def __eq__(self, other):
        return isinstance(other, WorkingClock) and self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, conn, **extra):
        column, params = compiler.compile(self.source)
        if params:
            raise NotImplementedError("a column is expected")
        offset, per_day, periods, holidays, swapped = self.key
        if conn.vendor == "postgresql":
            least, greatest = "LEAST", "GREATEST"
            local = f"(date_part('epoch', {column}) + {offset})"
            day = f"FLOOR({local} / {DAY_S})"
            k, tod = f"({day}::integer - {(MONDAY - EPOCH).days})", f"({local} - {day} * {DAY_S})"
        else:
            least, greatest = "MIN", "MAX"
            local = f"(julianday({column}) - 2440587.5 + {offset / DAY_S!r})"
            day = f"CAST({local} AS INTEGER)"
            k, tod = f"({day} - {(MONDAY - EPOCH).days})", f"(({local} - {day}) * {DAY_S}.0)"
        correction = " + ".join([f"(CASE WHEN {k} > {e} THEN -1 ELSE 0 END)" for e in holidays]
                                + [f"(CASE WHEN {k} > {e} THEN 1 ELSE 0 END)" for e in swapped]) or "0"
        workday = "CASE"
        if holidays:
            workday += f" WHEN {k} IN ({', '.join(map(str, holidays))}) THEN 0"
        if swapped:
            workday += f" WHEN {k} IN ({', '.join(map(str, swapped))}) THEN 1"
        workday += f" WHEN ({k} %% 7) < 5 THEN 1 ELSE 0 END"
        past = " + ".join(f"{least}({greatest}({tod} - {start}.0, 0.0), {length}.0)" for start, length in periods)
        return (f"({per_day!r} * (5 * ({k} / 7) + {least}({k} %% 7, 5) + {correction}) "
                f"+ ({workday}) * ({past}))"), []


def handling_seconds(start_field: str, end_field: str, calendar: WorkingCalendar, first: dt.date, last: dt.date):
    """SQL: the working seconds from `start_field` to `end_field` of a row."""
    return WorkingClock(end_field, calendar, first, last) - WorkingClock(start_field, calendar, first, last)


# --- the fallback: group by local date -------------------------------------------------------------------


def office_seconds_past(field: str, calendar: WorkingCalendar):
    """SQL: the seconds of office hours already past at `field`'s local time of day."""
    tz = calendar.tz
    tod = Cast(ExtractHour(field, tzinfo=tz) * 3600 + ExtractMinute(field, tzinfo=tz) * 60, FloatField()) \
        + Cast(ExtractSecond(field, tzinfo=tz), FloatField())
    total = None
    for a, b in calendar.periods:
        start, length = _seconds(a), _seconds(b) - _seconds(a)
        part = Least(Greatest(tod - Value(float(start)), Value(0.0), output_field=FloatField()),
                     Value(float(length)), output_field=FloatField())
        total = part if total is None else total + part
    return total


def _grouped(qs: QuerySet, keys: dict, field: str, calendar: WorkingCalendar) -> list[dict]:
    """Per group and local date of `field`: how many rows, and the office seconds past (summed)."""
    rows = list(
        qs.values(**keys, day=TruncDate(field, tzinfo=calendar.tz))
        .annotate(n=Count("pk"), past=Sum(office_seconds_past(field, calendar)))
        .order_by()
    )
    for r in rows:
        if isinstance(r["day"], dt.datetime):
            r["day"] = r["day"].date()
    return rows


def _whole_days_before(days: list[dt.date], calendar: WorkingCalendar) -> dict[dt.date, float]:
    """For each of `days` (sorted), the working seconds of the whole working days before it,
    counted from the first of them."""
    if not days:
        return {}
    per_day = calendar.hours_per_day * 3600
    wanted = set(days)
    out, total, day = {}, 0.0, days[0]
    while day <= days[-1]:
        if day in wanted:
            out[day] = total
        if calendar.is_workday(day):
            total += per_day
        day += dt.timedelta(days=1)
    return out


def working_seconds_between(qs: QuerySet, keys: dict, start_field: str, end_field: str,
                            calendar: WorkingCalendar | None = None) -> dict[tuple, tuple[int, float]]:
    """For each group of `qs` (grouped by the `keys` expressions): how many rows, and the total
    working seconds from `start_field` to `end_field` over them. Both fields must be set on every
    row of `qs`. Two grouped queries, whatever the number of rows."""
    calendar = calendar or current_calendar()
    names = list(keys)
    ends = _grouped(qs, keys, end_field, calendar)
    starts = _grouped(qs, keys, start_field, calendar)
    before = _whole_days_before(sorted({r["day"] for r in (*ends, *starts) if r["day"] is not None}), calendar)

    def w(r) -> float:
        past = float(r["past"] or 0) if calendar.is_workday(r["day"]) else 0.0
        return r["n"] * before[r["day"]] + past

    out: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for r in ends:
        acc = out[tuple(r[name] for name in names)]
        acc[0] += r["n"]
        acc[1] += w(r)
    for r in starts:
        out[tuple(r[name] for name in names)][1] -= w(r)
    return {k: (v[0], v[1]) for k, v in out.items()}
