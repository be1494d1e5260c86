"""Freezing a closed month's rankings, so that later edits of cases, divisions or weights never
rewrite history. Idempotent: a month already frozen is left as it is."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from .choices import RANKED_TYPES
from .models import RankingSnapshot, RankingSnapshotRow
from .periods import add_months, current_month
from .ranking import live_ranking


def snapshot_month(month: dt.date, *, now: dt.datetime | None = None) -> list[RankingSnapshot]:
    """Freeze `month`'s ranking of streets and of departments (a closed month only); returns
    the snapshots written now (none when both already existed)."""
    now = now or timezone.now()
    if month >= current_month(now):
        raise ValueError(f"{month:%Y-%m} has not closed yet")
    written = []
    for unit_type in RANKED_TYPES:
        if RankingSnapshot.objects.filter(month=month, unit_type=unit_type).exists():
            continue
        ranking = live_ranking(unit_type, month, as_of=now)
        try:
            # A second worker racing this one loses on the unique key and changes nothing.
            with transaction.atomic():
                snapshot = RankingSnapshot.objects.create(month=month, unit_type=unit_type, taken_at=now,
                                                          weights=ranking.weights)
                RankingSnapshotRow.objects.bulk_create([row.frozen(snapshot) for row in ranking.rows],
                                                       batch_size=1000)
                written.append(snapshot)
        except IntegrityError:
            continue
    return written


def snapshot_closed_month(now: dt.datetime | None = None) -> list[RankingSnapshot]:
    """Freeze the month that closed last, if nobody did yet (what the periodic task runs)."""
    return snapshot_month(add_months(current_month(now), -1), now=now)
