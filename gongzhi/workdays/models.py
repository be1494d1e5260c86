from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DaySource


class CalendarDay(models.Model):
    """A day that breaks the weekly rule (Monday to Friday work, weekends off): a public holiday
    or a substituted day off, a weekend day worked in exchange (调休), or an administrator's edit.

    Ordinary days have no row, so the table stays a few dozen rows a year and the whole calendar
    fits in each process's memory (see gongzhi.workdays.calendar)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name or reason"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=DaySource.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} {kind} {self.name}".strip()


class CalendarVersion(models.Model):
    """One row whose token changes on every calendar edit, so each process knows when its cached
    calendar is stale. A random token (not a counter) cannot repeat after a rolled-back edit."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar version")

    def __str__(self):
        return self.token
