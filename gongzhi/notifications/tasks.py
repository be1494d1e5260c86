from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import delivery


@db_task()
def deliver_messages(ids: list[int]):
    """Enqueued after commit by gongzhi.notifications.services.notify."""
    delivery.deliver(ids)


@db_periodic_task(crontab(minute="*/5"))
def retry_messages():
    delivery.retry_due()
