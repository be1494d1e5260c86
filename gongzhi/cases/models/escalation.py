from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import EscalationKind
from .case import Case


class EscalationSweep(models.Model):
    """One run of the deadline sweep, with what it found."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("escalation sweep")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.counts}"


class Escalation(models.Model):
    """A warning or an escalation about one deadline of one case. The unique key (case, kind,
    deadline) is what makes the sweep never tell the same thing twice: it is written in the same
    transaction as the notifications it causes. A moved deadline may be escalated again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=24, choices=EscalationKind.choices)
    deadline = models.DateTimeField()
    sweep = models.ForeignKey(EscalationSweep, on_delete=models.PROTECT, related_name="escalations")
    # The unit responsible then, and the supervising level told (overdue only).
    handling_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")
    handling_division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    escalated_to = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "deadline"], name="escalation_once_per_deadline"),
        ]
        indexes = [
            models.Index(fields=["sweep", "kind"]),
            models.Index(fields=["escalated_to", "kind", "created_at"]),
        ]

    def __str__(self):
        return f"{self.case} {self.kind} {self.deadline:%Y-%m-%d %H:%M}"
