from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_task

from gongzhi.core.tasks import periodic

from . import delivery


@db_task()
def deliver_messages(ids: list[int]):
    """Enqueued after commit by gongzhi.notifications.services.notify."""
    delivery.deliver(ids)


@periodic(crontab(minute="*/5"), late_after=timedelta(minutes=15))
def retry_messages():
    delivery.retry_due()
