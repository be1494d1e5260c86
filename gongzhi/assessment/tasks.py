from datetime import timedelta

from huey import crontab

from gongzhi.core.tasks import periodic

from .snapshots import snapshot_closed_month


@periodic(crontab(minute="30"), late_after=timedelta(hours=2, minutes=30), lock="assessment-ranking-snapshot")
def snapshot_rankings():
    """Freeze last month's rankings. It runs hourly and writes only when the month has no
    snapshot yet: normally at 00:30 on the 1st (local time), or at the first run after a
    restart that missed it; every other run finds the snapshot there and does nothing."""
    snapshot_closed_month()
