"""Things (物): city-management components in the grid, and the community's own facilities (阵地)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import FacilityKind, ThingCategory, ThingState
from .base import Archivable, Placed, scope_indexes


class Thing(Placed, Archivable):
    """A component (部件): a manhole cover, a street lamp, a bin … with its code and state."""

    code = models.CharField(_("code"), max_length=32, help_text=_("the component code (部件编码)"))
    category = models.CharField(_("category"), max_length=20, choices=ThingCategory.choices)
    kind = models.CharField(_("kind"), max_length=64, blank=True, help_text=_("e.g. 井盖, 路灯, 垃圾箱"))
    state = models.CharField(_("state"), max_length=16, choices=ThingState.choices, default=ThingState.GOOD)
    address = models.CharField(_("address"), max_length=200, blank=True)
    owner_unit = models.CharField(_("owned or managed by"), max_length=100, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(archived_at__isnull=True),
                                    name="registry_thing_code_unique"),
        ]
        indexes = scope_indexes("reg_thing", "archived_at")

    def __str__(self):
        return f"{self.kind or self.get_category_display()} {self.code}"


class Facility(Placed, Archivable):
    """A community service facility (阵地): its floor area counts toward the facility standards."""

    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    floor_area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=1, null=True,
                                        blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]
        indexes = scope_indexes("reg_fac", "archived_at")

    def __str__(self):
        return self.name
