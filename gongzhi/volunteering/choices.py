from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VolunteerStatus(models.TextChoices):
    # Waiting for the community to approve a resident's own registration; not yet a volunteer.
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class HoursSource(models.TextChoices):
    ORDER = "order", _("Service order")
    ACTIVITY = "activity", pgettext_lazy("volunteering", "Activity")
    MANUAL = "manual", _("Recorded by hand")


class HoursStatus(models.TextChoices):
    CERTIFIED = "certified", _("Certified")
    VOIDED = "voided", _("Voided")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


class Publisher(models.TextChoices):
    COMMUNITY = "community", _("Community")
    BRANCH = "branch", _("Party organisation")
    ORGANISATION = "organisation", _("Registered organisation")


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITING = "waiting", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Activity cancelled")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the organiser")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
