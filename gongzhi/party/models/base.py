"""Where a party row lies on the grid: its division and that division's ancestors, cached beside it.

Party organisations sit at every level (a street's working committee, a grid's branch), so unlike
the registry's rows (always on a grid) the columns below the row's own level stay empty. "Everything
under this street" is still one indexed `street_id = X` (gongzhi.core.scope.subtree_q)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

SITE_LEVELS = ("grid", "community", "street", "district", "city")


def _cached(level):
    # Copies of the division's own columns (set by `site_at`), so the database checks only the
    # division key the row names.
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True, db_index=False, db_constraint=False, verbose_name=level)


class Sited(models.Model):
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("division"))
    grid = _cached("grid")
    community = _cached("community")
    street = _cached("street")
    district = _cached("district")
    city = _cached("city")

    class Meta:
        abstract = True

    def site_at(self, division) -> None:
        self.division = division
        for level in SITE_LEVELS:
            value = division.pk if division.level == level else getattr(division, f"{level}_id", None)
            setattr(self, f"{level}_id", value)


def site_indexes(prefix: str, *extra: str) -> list[models.Index]:
    return [models.Index(fields=[level, *extra], name=f"{prefix}_{level}")
            for level in ("grid", "community", "street", "district")]
