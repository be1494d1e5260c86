from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Waiting for dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    PUBLISHED = "published", _("Open to take")
    TAKEN = "taken", _("Taken")
    DONE = "done", _("Done, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    DISPUTED = "disputed", _("No-show disputed")
    CASE = "case", _("Turned into a case")


# Still to be served: what the dispatch board and the deadline reminders look at.
OPEN = frozenset({OrderStatus.PLACED, OrderStatus.DISPATCHED, OrderStatus.PUBLISHED, OrderStatus.TAKEN,
                  OrderStatus.NO_SHOW, OrderStatus.DISPUTED})
# A resident may still call it off.
CANCELLABLE = frozenset({OrderStatus.PLACED, OrderStatus.DISPATCHED, OrderStatus.PUBLISHED, OrderStatus.TAKEN,
                         OrderStatus.NO_SHOW})
# Where the dispatcher may (re)assign or publish it.
DISPATCHABLE = frozenset({OrderStatus.PLACED, OrderStatus.PUBLISHED, OrderStatus.NO_SHOW})


class TakerKind(models.TextChoices):
    MEMBER = "member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")


class TakerStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    NO_SHOW = "no_show", _("Did not come")
    DISPUTED = "disputed", _("Disputes the no-show")
    EXCUSED = "excused", _("No-show withdrawn")
    RELEASED = "released", _("Replaced")
