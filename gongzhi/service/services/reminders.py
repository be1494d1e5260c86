"""Reminders before the deadline: once per order (the row is claimed by a conditional UPDATE, so two
workers or a rerun remind nobody twice)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..choices import OrderStatus, TakerStatus
from ..models import Order, OrderTaker
from .base import event, remind_before, tell


def remind_due(now=None) -> int:
    now = now or timezone.now()
    due = Order.objects.filter(status__in=[OrderStatus.DISPATCHED, OrderStatus.TAKEN], reminded_at__isnull=True,
                               deadline__lte=now + remind_before(), deadline__gt=now).values_list("pk", flat=True)
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            if not Order.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            order = Order.objects.get(pk=pk)
            users = [row.user for row in OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED)
                     .select_related("user")]
            event(order, "reminded", actor=None)
            tell(users, verb="service.deadline_near", values={"number": order.number,
                                                              "deadline": timezone.localtime(order.deadline)
                                                              .strftime("%Y-%m-%d %H:%M")},
                 title=gettext_lazy("Service order %(number)s is due by %(deadline)s"), order=order)
            sent += 1
    return sent
