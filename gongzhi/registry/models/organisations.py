"""Organisations (组织) in the grid, and the people who hold positions in them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto
from gongzhi.core.masking import mask_phone

from ..choices import OrganisationKind
from .base import Archivable, Placed, scope_indexes
from .people import Resident


class Organisation(Placed, Archivable):
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    # A contact's mobile is personal data: sealed, shown masked.
    contact_phone_sealed = models.CharField(max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = scope_indexes("reg_org", "archived_at")

    def __str__(self):
        return self.name

    def set_contact_phone(self, value: str) -> None:
        self.contact_phone_sealed = crypto.seal((value or "").strip())

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(crypto.unseal(self.contact_phone_sealed))


class Position(models.Model):
    """Someone holding a title in an organisation (主任, 业委会主任, 物业经理 …), for a time. The
    holder is a resident of the registry when known, else just a name."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("title"), max_length=64)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    holder_name = models.CharField(_("name"), max_length=64)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("position")
        ordering = ["organisation", "ended_on", "id"]

    def __str__(self):
        return f"{self.title} {self.holder_name}"
