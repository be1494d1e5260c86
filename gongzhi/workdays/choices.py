from django.db import models
from django.utils.translation import gettext_lazy as _


class DaySource(models.TextChoices):
    STATE_COUNCIL = "state_council", _("State Council holiday notice")
    ESTIMATED = "estimated", _("Statutory holidays (estimated; no notice yet)")
    MANUAL = "manual", _("Edited by an administrator")


class TimeUnit(models.TextChoices):
    """How a time limit is counted: working hours, or whole working days."""

    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")
