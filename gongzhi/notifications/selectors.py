from collections.abc import Iterable

from django.db.models import QuerySet

from gongzhi.core.seams.subjects import resolve

from .models import Notification


def notifications_for(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first: nobody reads anyone else's."""
    qs = Notification.objects.filter(recipient=user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-id")


def with_subjects(user, notifications: Iterable[Notification]) -> list[Notification]:
    """The notifications with what each is about resolved for this reader (`n.subject`: a label and
    a link), by the app owning the subject type: one resolver call per type on the page, not one
    per notification. A subject whose app is gone from the deployment is simply not shown."""
    items = list(notifications)
    refs = resolve(user, [(n.subject_type, n.subject_id) for n in items])
    for n in items:
        n._subject = refs.get((n.subject_type, n.subject_id))
    return items


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
