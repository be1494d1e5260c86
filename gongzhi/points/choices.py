from django.db import models
from django.utils.translation import gettext_lazy as _


class CapPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    HALF_YEAR = "half_year", _("Half-year")
    YEAR = "year", _("Year")


class Evidence(models.TextChoices):
    NONE = "none", _("None")
    TEXT = "text", _("A written account")
    PHOTO = "photo", _("A photo reference")


class Source(models.TextChoices):
    """What earns the points of a rule: a service order, an activity's certified hours, a confirmed
    report-in, a whistle check-in, or an award by hand at the desk."""

    ORDER = "order", _("Service order")
    ACTIVITY = "activity", _("Activity")
    REPORT_IN = "report_in", _("Report-in")
    WHISTLE = "whistle", _("Whistle check-in")
    MANUAL = "manual", _("Awarded at the desk")


class Basis(models.TextChoices):
    OCCURRENCE = "occurrence", _("per occurrence")
    HOUR = "hour", _("per hour")


class AwardStatus(models.TextChoices):
    AWARDED = "awarded", _("Awarded")
    CAPPED = "capped", _("Not awarded: over the cap")
    REVERSED = "reversed", _("Reversed")


class AwardKind(models.TextChoices):
    RULE = "rule", _("By a rule")
    CORRECTION = "correction", _("Correction after an appeal")


class PeriodStatus(models.TextChoices):
    PUBLISHED = "published", _("Published, open to appeal")
    FINAL = "final", _("Final")


class AppealStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class MerchantKind(models.TextChoices):
    PARTNER = "partner", _("Partner merchant")
    COMMUNITY = "community", _("Community service")


class RedemptionStatus(models.TextChoices):
    DONE = "done", _("Redeemed")
    CANCELLED = "cancelled", _("Cancelled")
