from django.db.models import QuerySet

from .models import Notification


def notifications_for(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first: nobody reads anyone else's."""
    qs = Notification.objects.filter(recipient=user).select_related("case")
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
