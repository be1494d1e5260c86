from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChangeKind, Level


class Division(models.Model):
    """A node of the administrative hierarchy, from province down to grid.

    Every division carries cached ancestor columns (province … community), its own level's column
    pointing at itself, so "everything under this street" is `street_id = X`: one indexed WHERE.
    Divisions are never deleted; re-drawn or merged ones are retired and linked to successors.
    """

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("division code"), max_length=15, help_text=_("12 digits; grids 15"))
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    province = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    city = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    district = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    street = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    community = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(
        _("kind"), max_length=16, blank=True, help_text=_("e.g. 街道, 镇, 乡, 社区, 村 — as the source names it")
    )
    # GeoJSON Polygon or MultiPolygon, WGS-84, stored as data (no GIS extension needed).
    geometry = models.JSONField(_("boundary"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    successors = models.ManyToManyField("self", symmetrical=False, related_name="predecessors", blank=True)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name="active_division_code_unique"),
        ]
        indexes = [
            models.Index(fields=["parent", "is_active", "code"]),
            models.Index(fields=["level", "is_active"]),
            models.Index(fields=["district", "level"]),
            models.Index(fields=["street", "level"]),
            models.Index(fields=["community", "level"]),
            models.Index(fields=["city", "level"]),
            models.Index(fields=["code"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    @property
    def grid_number(self) -> int | None:
        return int(self.code[-3:]) if self.is_grid else None


class DivisionChange(models.Model):
    """The history of a division: renames, re-drawn boundaries, splits and merges.

    Rows are append-only. `related` names the other divisions in a split or merge."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    related = models.ManyToManyField(Division, related_name="+", blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["division", "-at"])]

    def __str__(self):
        return f"{self.division} {self.kind} {self.at:%Y-%m-%d}"


class GridIndexVersion(models.Model):
    """One row whose counter moves whenever any grid boundary changes, so every app process
    knows when its in-memory spatial index is stale."""

    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"grid index version {self.counter}"
