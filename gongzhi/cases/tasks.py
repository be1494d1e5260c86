from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services.escalation import sweep


@db_periodic_task(crontab(minute="*"))
@lock_task("cases-deadline-sweep")
def sweep_deadlines():
    """Warn and escalate about deadlines every minute. The lock keeps two workers from sweeping at
    once; the sweep itself is idempotent, so a run missed during a restart is caught up next."""
    sweep()
