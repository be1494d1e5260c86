"""What every registry row shares: its place in the grid hierarchy, and being archived, not deleted."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.divisions.choices import Level

# The cached division columns every registry row carries, from the grid up.
PLACE_LEVELS = ("grid", "community", "street", "district", "city")
PLACE_COLUMNS = tuple(f"{level}_id" for level in PLACE_LEVELS)


def _division(verbose_name, *, cached: bool = False):
    # No single-column index: each model declares the composite indexes its scoped lists use.
    # The ancestor columns are copies of the grid's own (set by `place_in`), and the grid column is
    # the one the database checks: a bulk load verifies one key per row, not five (on PostgreSQL
    # each checked key is a deferred trigger event, the bulk of an import's time).
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                             verbose_name=verbose_name, db_index=False, db_constraint=not cached)


class Placed(models.Model):
    """A row attached to a grid, with the grid's ancestors cached beside it.

    "Everything under this street" is `street_id = X` on the row itself — one indexed WHERE, no join
    and no recursive walk (gongzhi.registry.permissions.restrict). The columns are copied from the
    grid's own cached ancestor columns by `place_in`, on every write that sets the grid."""

    grid = _division(_("grid"))
    community = _division(_("community"), cached=True)
    street = _division(_("street"), cached=True)
    district = _division(_("district"), cached=True)
    city = _division(_("city"), cached=True)

    class Meta:
        abstract = True

    def place_in(self, grid) -> None:
        if grid.level != Level.GRID:
            raise ValueError(f"{grid} is not a grid")
        self.grid = grid
        for level in PLACE_LEVELS[1:]:
            setattr(self, f"{level}_id", getattr(grid, f"{level}_id"))

    def place_like(self, other: "Placed") -> None:
        """Copy the place of another registry row (a household takes its building's)."""
        for column in PLACE_COLUMNS:
            setattr(self, column, getattr(other, column))


def placed_values(grid) -> dict[str, int]:
    """The cached division columns for a row in `grid`, as keyword arguments."""
    return {"grid_id": grid.pk, **{f"{level}_id": getattr(grid, f"{level}_id") for level in PLACE_LEVELS[1:]}}


INDEXED_LEVELS = ("grid", "community", "street", "district")


def scope_indexes(prefix: str, *extra: str) -> list[models.Index]:
    """One composite index per cached division column from the grid up to the district, each followed
    by `extra` columns, so a scoped list at those levels is an index range scan (ordered by primary
    key after `extra`). The city column has none: in a deployment it holds one value (or a few), so
    a city-wide list reads the table in key order, and an index would only slow every insert."""
    return [models.Index(fields=[level, *extra], name=f"{prefix}_{level}") for level in INDEXED_LEVELS]


class Archivable(models.Model):
    """Registry entries are archived, never deleted: the history and the audit trail point at them."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
