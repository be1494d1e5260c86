"""Party members (党员): who they are, which organisation holds their relation (组织关系), where they
live, and the transfers of that relation.

A member's row is sited where the organisation holding the relation is (Sited, copied on every
transfer), and carries the community they live in beside it: a branch sees its members, a community
sees the members who live in it and report in there (双报到). ID and phone numbers are sealed like
the registry's (gongzhi.registry.crypto); the phone's last four digits are kept for search."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.registry import crypto

from ..choices import MemberCategory, MemberState, MemberStatus
from .base import Sited, site_indexes
from .organisations import Organisation


class Member(Sited):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members",
                                     verbose_name=_("organisation holding the relation"))
    name = models.CharField(_("name"), max_length=64)
    name_initials = models.CharField(_("initials"), max_length=32, blank=True)
    gender = models.CharField(_("gender"), max_length=8, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number_sealed = models.CharField(max_length=120, blank=True, editable=False)
    id_number_hash = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    id_last4 = models.CharField(_("ID number, last 4"), max_length=4, blank=True, editable=False)
    phone_sealed = models.CharField(max_length=120, blank=True, editable=False)
    phone_hash = models.CharField(max_length=32, null=True, blank=True, editable=False)
    phone_last4 = models.CharField(_("phone, last 4"), max_length=4, blank=True, editable=False)
    # The registry's resident, when the member lives in the area; the platform user, when they use it.
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="party_member", verbose_name=_("user account"))
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL)
    category = models.CharField(_("category"), max_length=16, choices=MemberCategory.choices,
                                default=MemberCategory.EMPLOYED)
    joined_on = models.DateField(_("joined the party"), null=True, blank=True)
    confirmed_on = models.DateField(_("became a full member"), null=True, blank=True)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    # Where the member lives (双报到: the community they report in to), and its cached ancestors.
    home_community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("community lived in"))
    home_street = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", db_index=False, db_constraint=False)
    home_district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", db_index=False, db_constraint=False)
    # When a report-in of theirs was first confirmed (双报到): a member without one is flagged for the
    # member review, and the dashboard counts them without a walk over every registration.
    first_reported_on = models.DateField(_("first reported in"), null=True, blank=True, editable=False)
    # The start of the latest period a report-in of theirs was confirmed for: a unit's rate this
    # period is read from its members' rows alone.
    reported_period = models.DateField(_("last period reported in"), null=True, blank=True, editable=False)
    # The day of their latest service in a community (not voided): "who served this period".
    last_served_on = models.DateField(_("last served"), null=True, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=MemberState.choices, default=MemberState.ACTIVE)
    state_reason = models.CharField(_("reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["id"]
        indexes = [
            *site_indexes("party_mem", "state"),
            models.Index(fields=["home_community", "state"], name="party_mem_home"),
            models.Index(fields=["home_street", "state"], name="party_mem_home_street"),
            # The dashboard's one pass over the members living in a district (or a city's districts).
            models.Index(fields=["home_district", "state", "category", "home_community", "first_reported_on",
                                 "reported_period", "last_served_on"], name="party_mem_living"),
            # A unit's members, with what its report-in rate reads (index-only).
            models.Index(fields=["organisation", "state", "category", "reported_period"], name="party_mem_org"),
            models.Index(fields=["name"], name="party_mem_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="party_mem_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_last4"], name="party_mem_phone4"),
        ]

    def __str__(self):
        return self.name

    def live_in(self, community) -> None:
        self.home_community = community
        self.home_street_id = community.street_id if community else None
        self.home_district_id = community.district_id if community else None

    def hold_at(self, organisation) -> None:
        """Put the member's relation in `organisation` and site the row where it is."""
        self.organisation = organisation
        self.site_at(organisation.division)

    def set_id_number(self, value: str) -> None:
        value = (value or "").strip().upper()
        self.id_number_sealed = crypto.seal(value) if value else ""
        self.id_number_hash = crypto.blind_index(value, crypto.ID_NUMBER) if value else None
        self.id_last4 = value[-4:]

    def set_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.phone_sealed = crypto.seal(value) if value else ""
        self.phone_hash = crypto.blind_index(value, crypto.PHONE) if value else None
        self.phone_last4 = value[-4:]

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(crypto.unseal(self.id_number_sealed)) if self.id_number_sealed else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(crypto.unseal(self.phone_sealed)) if self.phone_sealed else ""


class Transfer(models.Model):
    """A transfer of a member's organisational relation (组织关系转接): between two organisations in the
    platform, or in from / out to one outside it (named, with the introduction letter's number)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("from"))
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("to"))
    outside = models.CharField(_("organisation outside the platform"), max_length=200, blank=True)
    letter_number = models.CharField(_("introduction letter number"), max_length=40, blank=True)
    transferred_on = models.DateField(_("transferred"), default=timezone.localdate)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-transferred_on", "-id"]

    def __str__(self):
        return f"{self.member} · {self.transferred_on}"
