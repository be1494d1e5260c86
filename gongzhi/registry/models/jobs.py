"""Spreadsheet imports run as jobs: the upload is kept sealed until the worker has read it, progress
is written as rows go by, and the rejected rows come back as a (sealed) spreadsheet."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ImportMode, JobStatus


class ImportJob(models.Model):
    entity = models.CharField(_("what"), max_length=20)
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices)
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    # The sealed upload and the sealed rejected rows, relative to the private storage root.
    upload_path = models.CharField(max_length=200, blank=True)
    rejected_path = models.CharField(max_length=200, blank=True)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    done_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    # The first problems found: [{"row", "column", "message"}], enough to fix a file by.
    problems = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="reg_job_actor")]

    def __str__(self):
        return f"{self.entity} {self.file_name}"
