from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.workdays.choices import TimeUnit

from ..choices import SidestepKind, SidestepStatus
from .case import Case


class Sidestep(models.Model):
    """A handling unit's request to leave the normal path — return, transfer, extension,
    suspension or void — with its reason, and the dispatching level's decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sidesteps")
    kind = models.CharField(_("kind"), max_length=16, choices=SidestepKind.choices)
    status = models.CharField(max_length=16, choices=SidestepStatus.choices, default=SidestepStatus.PENDING)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    # The unit holding the case when it asked (for the unit's record, whatever happens next).
    unit_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+")
    unit_division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    # Transfer: to whom. Extension: by how much.
    target_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+")
    target_division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    extension_amount = models.PositiveIntegerField(null=True, blank=True)
    extension_unit = models.CharField(max_length=8, choices=TimeUnit.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sidestep")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open question at a time: the dispatcher decides on a known state of the case.
            models.UniqueConstraint(fields=["case"], condition=Q(status=SidestepStatus.PENDING),
                                    name="sidestep_one_pending_per_case"),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["unit_department", "kind"]),
            models.Index(fields=["unit_division", "kind"]),
        ]

    def __str__(self):
        return f"{self.case} {self.kind} {self.status}"
