from datetime import timedelta

from huey import crontab

from gongzhi.core.tasks import periodic

from .services.escalation import sweep


@periodic(crontab(minute="*"), late_after=timedelta(minutes=3), lock="cases-deadline-sweep")
def sweep_deadlines():
    """Warn and escalate about deadlines every minute. The lock keeps two workers from sweeping at
    once (it expires if a crash leaves it behind); the sweep itself is idempotent, so a run missed
    during a restart is caught up next."""
    sweep()
