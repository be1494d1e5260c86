from datetime import timedelta

from huey import crontab

from gongzhi.core.tasks import periodic

from .services.reminders import remind_due


@periodic(crontab(minute="*/10"), late_after=timedelta(minutes=30), lock="service-deadline-reminders")
def remind_takers():
    """Remind the takers of orders nearing their deadline; each order once (idempotent)."""
    remind_due()
