from django.db import models
from django.utils.translation import gettext_lazy as _


class DepositSource(models.TextChoices):
    ORDER = "order", _("Service order")
    ACTIVITY = "activity", _("Volunteer activity")
    MANUAL = "manual", _("Recorded at the desk")


class DepositStatus(models.TextChoices):
    DEPOSITED = "deposited", _("Deposited")
    REVERSED = "reversed", _("Reversed")


class Kinship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")


class RelationStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the community")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class ServiceKind(models.TextChoices):
    COMPANY = "company", _("Company and a chat")
    ERRANDS = "errands", _("Errands and shopping")
    ESCORT = "escort", _("Going along to the doctor")
    CLEANING = "cleaning", _("Cleaning at home")
    MEALS = "meals", _("Meals")
    REPAIRS = "repairs", _("Small repairs")
    OTHER = "other", _("Other (described)")


class ExchangeStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OFFERED = "offered", _("Offered")
    DONE = "done", _("Done, waiting for both to confirm")
    COMPLETED = "completed", _("Completed")
    DISPUTED = "disputed", _("Disputed")
    CANCELLED = "cancelled", _("Cancelled")


class Resolution(models.TextChoices):
    COMPLETE = "complete", _("Complete: the credits move")
    CANCEL = "cancel", _("Cancel: no credits move")
