"""Registered volunteers (注册志愿者) of a community, and the hours certified for people's service."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import HoursSource, HoursStatus, VolunteerStatus
from .base import InCommunity, community_indexes


class Volunteer(InCommunity):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer",
                                verbose_name=_("user account"))
    status = models.CharField(_("status"), max_length=16, choices=VolunteerStatus.choices,
                              default=VolunteerStatus.PENDING)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-registered_at", "-id"]
        indexes = community_indexes("vol_vol", "status")

    def __str__(self):
        return str(self.user)


class ServiceHours(InCommunity):
    """One certified record of someone's service hours. Never edited nor deleted: a correction voids
    it (with a reason) and certifies a new record that names it in `replaces`."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_hours",
                               verbose_name=_("person"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))])
    served_on = models.DateField(_("served on"))
    source = models.CharField(_("source"), max_length=16, choices=HoursSource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    by_group = models.BooleanField(_("earned by a group"), default=False)
    group_name = models.CharField(_("group"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HoursStatus.choices, default=HoursStatus.CERTIFIED)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("certified by"))
    certified_at = models.DateTimeField(_("certified"), default=timezone.now)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(_("reason voided"), max_length=200, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
                                 verbose_name=_("replaces"))
    # The caller's idempotency key: certifying again with it returns the same record.
    key = models.CharField(max_length=120, unique=True, editable=False)

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["-served_on", "-id"]
        indexes = [
            *community_indexes("vol_hrs", "status", "served_on"),
            models.Index(fields=["person", "status", "served_on"], name="vol_hrs_person"),
            models.Index(fields=["source", "source_id"], name="vol_hrs_source"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="vol_hrs_positive")]

    def __str__(self):
        return f"{self.person} · {self.hours}h · {self.served_on}"

    @property
    def is_voided(self) -> bool:
        return self.status == HoursStatus.VOIDED
