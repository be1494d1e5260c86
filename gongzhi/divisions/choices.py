from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    GRID = "grid", _("Grid")


LEVELS: list[str] = list(Level.values)
# Levels that have a cached ancestor column on every division (a grid has no descendants).
ANCESTOR_LEVELS: list[str] = LEVELS[:-1]
# Length of the significant part of the national statistical code at each level.
CODE_DIGITS = {"province": 2, "city": 4, "district": 6, "street": 9, "community": 12, "grid": 15}


def child_level(level: str) -> str | None:
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


class ChangeKind(models.TextChoices):
    CREATED = "created", _("Created")
    RENAMED = "renamed", _("Renamed")
    REDRAWN = "redrawn", _("Boundary re-drawn")
    SPLIT = "split", _("Split")
    SPLIT_FROM = "split_from", _("Created by a split")
    MERGED = "merged", _("Merged")
    MERGED_FROM = "merged_from", _("Created by a merge")
    RETIRED = "retired", _("Retired")
    IMPORTED = "imported", _("Imported")
    RESTORED = "restored", _("Took back a retired grid's code")
