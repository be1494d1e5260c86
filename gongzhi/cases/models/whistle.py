from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Attendance
from .case import Case


class Whistle(models.Model):
    """A street or community blowing the whistle on a case (吹哨): it summons the departments (and,
    for a community, party members or volunteers) the problem needs, each to report in by a
    deadline and then act."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="whistles")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 help_text="the street or community blowing the whistle")
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    check_in_due = models.DateTimeField(_("report in by"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("whistle")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["division", "created_at"])]

    def __str__(self):
        return f"{self.case} {self.created_at:%Y-%m-%d}"


class Summons(models.Model):
    """One unit or person summoned by a whistle, and the roll-call of how they answered.
    `attendance` is stored, not derived, so assessments can count it with a plain GROUP BY."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="summonses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="summonses")
    attendance = models.CharField(max_length=16, choices=Attendance.choices, default=Attendance.PENDING)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    action_note = models.TextField(_("action taken"), blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.CheckConstraint(name="summons_department_or_user",
                                   condition=Q(department__isnull=True) ^ Q(user__isnull=True)),
            models.UniqueConstraint(fields=["whistle", "department"], condition=Q(department__isnull=False),
                                    name="summons_department_once"),
            models.UniqueConstraint(fields=["whistle", "user"], condition=Q(user__isnull=False),
                                    name="summons_user_once"),
        ]
        indexes = [
            models.Index(fields=["department", "attendance"]),
            models.Index(fields=["user", "attendance"]),
            models.Index(fields=["attendance"], name="summons_pending",
                         condition=Q(attendance=Attendance.PENDING)),
        ]

    def __str__(self):
        return f"{self.whistle} → {self.department or self.user}"
