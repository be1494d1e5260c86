from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    """The kinds of unit assessed. Departments answer for the cases they handle; streets,
    communities and grids for the cases located in them."""

    DEPARTMENT = "department", _("Department")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    GRID = "grid", _("Grid")


# The two kinds of unit ranked monthly (红黑榜).
RANKED_TYPES = (UnitType.STREET, UnitType.DEPARTMENT)
TERRITORIAL_TYPES = (UnitType.STREET, UnitType.COMMUNITY, UnitType.GRID)


class Standing(models.TextChoices):
    RED = "red", _("Red list")
    BLACK = "black", _("Black list")
    RANKED = "ranked", _("Ranked")
    UNRANKED = "unranked", _("Not ranked")
