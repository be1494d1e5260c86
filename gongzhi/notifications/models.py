from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Channel, MessageStatus


class Notification(models.Model):
    """An in-app notice to one user: what happened (`verb`, a stable key such as
    "case.dispatched"), in words, and what it is about.

    The subject is generic — a type label such as "cases.case" and an id — so that notifications
    know no domain: the app owning a subject type registers how to show it to a reader
    (gongzhi.core.seams.subjects). No index on the subject: every read is by recipient."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    verb = models.CharField(_("what happened"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    subject_type = models.CharField(_("about (kind)"), max_length=64, blank=True)
    subject_id = models.BigIntegerField(_("about (id)"), null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self):
        return self.title

    @property
    def subject(self):
        """What the reader is shown of the subject (a label and a link), once the selectors have
        resolved a page of notifications (selectors.with_subjects); None otherwise."""
        return getattr(self, "_subject", None)


class Message(models.Model):
    """An e-mail or SMS waiting to go out (an outbox row). It is written in the same transaction as
    the change it reports and sent by the task worker after commit, so a rolled-back change sends
    nothing and a restart loses nothing."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="messages")
    address = models.CharField(_("address"), max_length=254, help_text=_("e-mail address or mobile number"))
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.channel} {self.status} {self.subject or self.text[:40]}"
