"""Sending the outbox: each message is claimed by one worker (a conditional UPDATE), sent, and
marked. A worker that dies mid-send leaves a claim that the retry sweep releases later, so a
message is sent at least once; a failure is retried a few times with its error kept."""

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from .choices import Channel, MessageStatus
from .models import Message
from .sms import send_sms

MAX_ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(minutes=2)
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
logger = logging.getLogger("gongzhi.notifications")


def deliver(ids: list[int]) -> int:
    """Send the given messages that still wait; returns how many went out."""
    sent = 0
    for message in Message.objects.filter(pk__in=ids, status__in=[MessageStatus.PENDING, MessageStatus.FAILED],
                                          attempts__lt=MAX_ATTEMPTS):
        sent += _deliver_one(message)
    return sent


def retry_due() -> int:
    """Messages that should have gone out by now: never picked up, failed, or stuck in a claim."""
    now = timezone.now()
    Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        status=MessageStatus.FAILED, last_error="claim timed out"
    )
    due = Message.objects.filter(
        Q(status=MessageStatus.PENDING, created_at__lt=now - RETRY_AFTER)
        | Q(status=MessageStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    ).values_list("pk", flat=True)[:1000]
    return deliver(list(due))


def _deliver_one(message: Message) -> int:
    now = timezone.now()
    claimed = Message.objects.filter(pk=message.pk, status=message.status).update(
        status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0  # another worker has it
    try:
        if message.channel == Channel.EMAIL:
            send_mail(message.subject, message.text, None, [message.address])
        else:
            send_sms(message.address, message.text)
    except Exception as exc:  # a gateway's errors are its own; keep the message for a retry
        logger.warning("message %s not sent: %s", message.pk, type(exc).__name__)
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, last_error=str(exc)[:300])
        return 0
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now(), last_error="")
    return 1
