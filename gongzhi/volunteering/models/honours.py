"""The honour list (光荣榜) of a community's volunteers for a year, on notice (公示) for some working
days before it is final; and the certificates issued for people's hours, each with a number anyone
can verify."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import InCommunity


class HonourList(InCommunity):
    year = models.PositiveSmallIntegerField(_("year"))
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The last day of the notice period (公示期); the list is final from the next day on.
    notice_ends_on = models.DateField(_("notice ends"))
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("honour list")
        ordering = ["-year", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], condition=models.Q(withdrawn_at=None),
                                               name="vol_honour_one")]

    def __str__(self):
        return f"{self.community} {self.year}"

    @property
    def on_notice(self) -> bool:
        return timezone.localdate() <= self.notice_ends_on


class HonourEntry(models.Model):
    honour_list = models.ForeignKey(HonourList, on_delete=models.PROTECT, related_name="entries")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    stars = models.PositiveSmallIntegerField(default=0)
    rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["honour_list", "rank"]

    def __str__(self):
        return f"{self.rank}. {self.name}"


class Certificate(models.Model):
    """A certificate of a person's hours as issued: what it said, so its number verifies it later."""

    number = models.CharField(_("verification number"), max_length=24, unique=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    records = models.PositiveIntegerField()
    stars = models.PositiveSmallIntegerField(default=0)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return self.number
