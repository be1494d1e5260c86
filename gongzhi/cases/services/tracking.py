"""Tracking numbers residents can read out on the phone: the day and the day's sequence,
2026112200001 (more digits after the 99,999th case of a day)."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from ..models import TrackingCounter


def next_tracking_number(at: dt.datetime | None = None) -> str:
    """Called inside the intake transaction: the counter row stays locked until commit, so two
    reports never get the same number (and a rolled-back report leaves no gap). Call it late, to
    hold that lock briefly."""
    day = timezone.localdate(at or timezone.now())
    TrackingCounter.objects.get_or_create(day=day)
    TrackingCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = TrackingCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{day:%Y%m%d}{last:05d}"
