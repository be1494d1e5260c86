from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .snapshots import snapshot_closed_month


@db_periodic_task(crontab(minute="30"))
@lock_task("assessment-ranking-snapshot")
def snapshot_rankings():
    """Freeze last month's rankings. It runs hourly and writes only when the month has no
    snapshot yet: normally at 00:30 on the 1st (local time), or at the first run after a
    restart that missed it; every other run finds the snapshot there and does nothing."""
    snapshot_closed_month()
