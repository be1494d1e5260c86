"""Telling people: in-app notifications, and e-mail and SMS through the outbox.

`notify` is called inside the transaction of the change it reports: the notification rows and
outbox messages commit or roll back with it, and sending starts only after commit."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gongzhi.core.seams.subjects import subject_type_of

from .choices import Channel
from .models import Message, Notification

MAX_SMS_CHARS = 300


def notify(
    *,
    users: Iterable = (),
    phones: Iterable[str] = (),
    verb: str,
    title: str,
    body: str = "",
    subject=None,
    url: str = "",
    email: bool = True,
    sms: bool = False,
) -> list[Notification]:
    """Notify each of `users` in the app (and by e-mail where they gave an address; by SMS too
    when `sms`), and text each of `phones` (people without an account, e.g. a phone-in reporter).
    `subject` is the row the notice is about (a case), kept as its type label and id."""
    recipients = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    now = timezone.now()
    about = {"subject_type": subject_type_of(subject), "subject_id": subject.pk} if subject is not None else {}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=u, verb=verb, title=title[:200], body=body, url=url, created_at=now, **about)
        for u in recipients
    )
    messages = []
    by_recipient = {n.recipient_id: n for n in notifications}
    sms_text = f"{title} {body}".strip()[:MAX_SMS_CHARS]
    if email:
        messages += [Message(channel=Channel.EMAIL, notification=by_recipient[u.pk], address=u.email,
                             subject=title[:200], text=body or title) for u in recipients if u.email]
    numbers = {p for p in phones if p}
    if sms:
        numbers |= {u.phone for u in recipients if u.phone}
    messages += [Message(channel=Channel.SMS, address=p, text=sms_text) for p in sorted(numbers)]
    if messages:
        created = Message.objects.bulk_create(messages)
        ids = [m.pk for m in created]
        transaction.on_commit(lambda: _send_later(ids))
    return notifications


def _send_later(ids: list[int]) -> None:
    from .tasks import deliver_messages

    deliver_messages(ids)


def mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them without `ids`). Not audited: reading
    a notice changes nothing anyone is accountable for."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
