"""Tracking numbers residents can read out on the phone: the day and the day's sequence,
2026112200001 (more digits after the 99,999th case of a day).

On PostgreSQL the numbers come from a sequence (`cases_tracking_seq`), so concurrent reports never
queue on a locked counter row: the day's `TrackingCounter` row only remembers where the sequence
stood when the day began (`seq_base`), and a case's number is `nextval - seq_base`, computed by the
statement that inserts the case (gongzhi.cases.services.intake). A report that fails after taking
its number leaves a gap; two reports never share a number (the sequence, and the unique column).

SQLite lets one writer in at a time anyway: there the day's row counts the numbers itself, locked
until the intake commits (a rolled-back report leaves no gap)."""

import datetime as dt

from django.db import connection
from django.db.models import F
from django.utils import timezone

from ..models import TrackingCounter

SEQUENCE = "cases_tracking_seq"
DIGITS = 5


def uses_sequence() -> bool:
    return connection.vendor == "postgresql"


def day_prefix(at: dt.datetime) -> tuple[dt.date, str]:
    day = timezone.localdate(at)
    return day, f"{day:%Y%m%d}"


def format_number(day: dt.date, n: int) -> str:
    return f"{day:%Y%m%d}{n:0{DIGITS}d}"


def start_day(day: dt.date) -> None:
    """Make sure the day's row tells where the sequence stood when the day began (PostgreSQL).
    The first report of a day creates it; numbers counted before by the row itself (`last`) are
    skipped, so no number is given twice."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_trackingcounter (day, last, seq_base)"  # noqa: S608
            " SELECT %s, 0, CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + SEQUENCE +
            " ON CONFLICT (day) DO UPDATE SET seq_base = EXCLUDED.seq_base - cases_trackingcounter.last"
            " WHERE cases_trackingcounter.seq_base IS NULL",
            [day],
        )


def next_tracking_number(at: dt.datetime | None = None) -> str:
    """A new number for a case reported at `at`. On SQLite, call it inside the intake transaction,
    late: the counter row stays locked until commit. (On PostgreSQL the intake computes the number
    in its INSERT; this is for callers that need one on their own.)"""
    day = timezone.localdate(at or timezone.now())
    if uses_sequence():
        start_day(day)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('" + SEQUENCE + "') - seq_base FROM cases_trackingcounter WHERE day = %s",  # noqa: S608
                           [day])
            return format_number(day, cursor.fetchone()[0])
    TrackingCounter.objects.get_or_create(day=day)
    TrackingCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = TrackingCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return format_number(day, last)
