"""Places (地): buildings and the households living in them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import HouseholdKind
from .base import Archivable, Placed, scope_indexes


class Building(Placed, Archivable):
    """A building (楼栋) or a single house; its address is unique in its district."""

    address = models.CharField(_("address"), max_length=200, help_text=_("e.g. 槐荫路12号3栋"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 阳光小区3栋"))
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    units = models.PositiveSmallIntegerField(_("units"), null=True, blank=True, help_text=_("stairwells (单元)"))
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["district", "address"], condition=Q(archived_at__isnull=True),
                                    name="registry_building_address_unique"),
        ]
        indexes = [*scope_indexes("reg_bld", "archived_at"), models.Index(fields=["address"])]

    def __str__(self):
        return self.address


class Household(Placed, Archivable):
    """A household (户): a room in a building and the people living there. Takes its place from the
    building. `last_visited_on` is kept by the visit services, for "not visited in N days"."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households",
                                 verbose_name=_("building"))
    room = models.CharField(_("room"), max_length=32, blank=True, help_text=_("e.g. 2单元301; empty for a house"))
    kind = models.CharField(_("kind"), max_length=16, choices=HouseholdKind.choices,
                            default=HouseholdKind.OWNER_OCCUPIED)
    last_visited_on = models.DateField(_("last visited"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building_id", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "room"], condition=Q(archived_at__isnull=True),
                                    name="registry_household_room_unique"),
        ]
        indexes = [*scope_indexes("reg_hh", "archived_at", "last_visited_on")]

    def __str__(self):
        # No query from __str__: the address when the building is loaded, else the room.
        return self.address if Household.building.is_cached(self) else self.room or f"#{self.pk}"

    @property
    def address(self) -> str:
        """The building's address and the room (needs `building` loaded: select_related it)."""
        return f"{self.building.address} {self.room}".strip()
