"""People (人): residents, their tags and their residency history.

ID and phone numbers are never stored in clear: each is sealed (AES-GCM, gongzhi.registry.crypto)
beside a keyed hash for exact lookup; the ID number's last four characters are kept for "last digits"
search. Residents are never deleted: moving out and dying change `status` and add a ResidentEvent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto
from gongzhi.core.masking import mask_id_number, mask_phone

from ..choices import EventKind, Gender, Relation, Residence, ResidentStatus
from .base import Archivable, Placed, scope_indexes
from .places import Household


class Tag(models.Model):
    """A configurable label on residents (独居老人, 党员 …). A tag with a visit interval marks people
    who need a visit at least that often; `needs_permit` tags carry residence-permit dates."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    visit_interval_days = models.PositiveSmallIntegerField(_("visit at least every (days)"), null=True, blank=True)
    needs_permit = models.BooleanField(_("has residence-permit dates"), default=False)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class Resident(Placed, Archivable):
    name = models.CharField(_("name"), max_length=64)
    # Pinyin initials of the name ("zw" for 张伟), lower case, for search from a phone keyboard.
    name_initials = models.CharField(_("initials"), max_length=32, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number_sealed = models.CharField(max_length=120, blank=True, editable=False)
    id_number_hash = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    id_last4 = models.CharField(_("ID number, last 4"), max_length=4, blank=True, editable=False)
    phone_sealed = models.CharField(max_length=120, blank=True, editable=False)
    phone_hash = models.CharField(max_length=32, null=True, blank=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("household"))
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices,
                                default=Relation.OTHER)
    residence = models.CharField(_("residence"), max_length=16, choices=Residence.choices, default=Residence.BOTH)
    registered_address = models.CharField(_("registered address (户籍地)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ResidentStatus.choices,
                              default=ResidentStatus.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["id"]
        indexes = [
            *scope_indexes("reg_res", "status"),
            models.Index(fields=["name"], name="reg_res_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="reg_res_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["id_last4"], name="reg_res_last4"),
            models.Index(fields=["phone_hash"], name="reg_res_phone"),
        ]

    def __str__(self):
        return self.name

    # --- personal numbers: set through these, read masked; full values only via services.privacy

    def set_id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.id_number_sealed = crypto.seal(value)
        self.id_number_hash = crypto.blind_index(value, crypto.ID_NUMBER)
        self.id_last4 = value[-4:]

    def set_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.phone_sealed = crypto.seal(value)
        self.phone_hash = crypto.blind_index(value, crypto.PHONE)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(crypto.unseal(self.id_number_sealed))

    @property
    def masked_phone(self) -> str:
        return mask_phone(crypto.unseal(self.phone_sealed))

    def age_on(self, day) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class ResidentTag(models.Model):
    """A tag on a resident for a stretch of time. Removing a tag ends it; the row stays."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+", db_index=False)  # see Meta
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    permit_valid_from = models.DateField(_("residence permit from"), null=True, blank=True)
    permit_valid_until = models.DateField(_("residence permit until"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident tag")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], condition=Q(ended_on__isnull=True),
                                    name="registry_resident_tag_live_unique"),
        ]
        indexes = [models.Index(fields=["tag", "ended_on"], name="reg_rtag_tag")]

    def __str__(self):
        return f"{self.resident_id}:{self.tag_id}"


class ResidentEvent(Placed):
    """One step of a resident's residency history, in the grid where it happened. Append-only."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("on"))
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", db_index=False)
    from_household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", db_index=False)
    to_household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", db_index=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("residency event")
        ordering = ["resident", "occurred_on", "id"]

    def __str__(self):
        return f"{self.kind} {self.occurred_on}"
