from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AttachmentKind, EventKind, Rating
from .case import Case


class CaseEvent(models.Model):
    """One step of a case's history. Staff see every row with its note; residents and the public
    see the rows marked public, with the public note and the acting unit's name (never a person)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)  # (case, at) serves
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=64, blank=True, help_text="e.g. system, for the task worker")
    unit_name = models.CharField(_("unit"), max_length=100, blank=True, help_text="the unit acting, as named then")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    public_note = models.TextField(_("public note"), blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True, help_text="structured parameters of the step")

    class Meta:
        verbose_name = _("case event")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.case} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseAttachment(models.Model):
    """A photo or voice recording. Images are re-encoded on upload (location metadata gone); the
    content type is what the bytes are, not what the name or the client said."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="attachments")
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case attachment")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case} {self.kind} {self.sha256[:8]}"


class CaseRating(models.Model):
    """Each follower's satisfaction rating; `round` counts the case's closings, so a reopened case
    is rated again after it closes again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    # A rating without an account: the hash of the follow secret it was given with.
    token_hash = models.CharField(max_length=64, blank=True)
    round = models.PositiveSmallIntegerField(default=1)
    value = models.CharField(max_length=24, choices=Rating.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case rating")
        constraints = [
            models.UniqueConstraint(fields=["case", "rater", "round"], name="case_rating_once_per_round"),
            models.UniqueConstraint(fields=["case", "token_hash", "round"], condition=~Q(token_hash=""),
                                    name="case_rating_token_once_per_round"),
        ]

    def __str__(self):
        return f"{self.case} {self.value}"
