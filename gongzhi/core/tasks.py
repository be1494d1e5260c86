from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import WorkerHeartbeat


def beat() -> None:
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"seen_at": timezone.now()})


@db_periodic_task(crontab(minute="*"))
def heartbeat():
    beat()


@db_task()
def heartbeat_now():
    """Enqueued by `gongzhi worker-check` and the tests to see that a worker is taking tasks."""
    beat()
