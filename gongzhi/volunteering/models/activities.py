"""Activities (志愿服务活动): published by a community, a party organisation or a registered
organisation, with slots for roles; sign-ups with a waiting list, on-site check-in and -out, and
the volunteers' requests to correct the hours certified for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ActivityStatus, CorrectionStatus, Publisher, SignUpStatus
from .base import InCommunity, community_indexes
from .volunteers import ServiceHours


class Activity(InCommunity):
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    place = models.CharField(_("place"), max_length=200)
    publisher = models.CharField(_("published by"), max_length=16, choices=Publisher.choices,
                                 default=Publisher.COMMUNITY)
    party_organisation = models.ForeignKey("party.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("party organisation"))
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("organisation"))
    # Who organises it on site: they keep the roster and certify the hours (谁组织谁记录、谁记录谁证明).
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("organiser"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Where a location check-in is accepted (WGS 84), within `checkin_radius_m`.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=300)
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices,
                              default=ActivityStatus.DRAFT)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [*community_indexes("vol_act", "status", "starts_at"),
                   models.Index(fields=["status", "starts_at"], name="vol_act_published")]

    def __str__(self):
        return self.title

    @property
    def publisher_name(self) -> str:
        if self.publisher == Publisher.BRANCH and self.party_organisation_id:
            return self.party_organisation.name
        if self.publisher == Publisher.ORGANISATION and self.organisation_id:
            return self.organisation.name
        return self.community.name

    @property
    def capacity(self) -> int:
        return sum(s.capacity for s in self.slots.all())


class Slot(models.Model):
    """A role in an activity and how many it needs (引导员 × 4, 摄影 × 1)."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="slots")
    role = models.CharField(_("role"), max_length=64)
    capacity = models.PositiveIntegerField(_("places"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["activity", "order", "id"]

    def __str__(self):
        return f"{self.role} × {self.capacity}"


LIVE = (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)


class SignUp(models.Model):
    """A person's place in a slot, or on its waiting list. Its times are the activity's, copied, so
    "no two sign-ups of one person overlap" is one indexed query."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_signups")
    status = models.CharField(_("status"), max_length=16, choices=SignUpStatus.choices)
    # A team signed up by its leader: the hours certified for it are the group's (by_group).
    group_name = models.CharField(_("team"), max_length=100, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    signed_up_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    check_in_method = models.CharField(max_length=16, blank=True)
    hours = models.ForeignKey(ServiceHours, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("certified hours"))
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["signed_up_at", "id"]
        indexes = [models.Index(fields=["person", "status", "starts_at"], name="vol_sign_person"),
                   models.Index(fields=["slot", "status", "signed_up_at"], name="vol_sign_slot")]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], condition=models.Q(status__in=LIVE),
                                               name="vol_sign_once")]

    def __str__(self):
        return f"{self.person} · {self.activity}"


class Correction(models.Model):
    """A volunteer's request to correct hours certified for them; the organiser accepts it (the
    record is voided and a new one certified in its place) or refuses it, saying why."""

    hours = models.ForeignKey(ServiceHours, on_delete=models.PROTECT, related_name="corrections")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="corrections")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    proposed_hours = models.DecimalField(_("proposed hours"), max_digits=6, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.OPEN)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason refused"), max_length=200, blank=True)
    replacement = models.ForeignKey(ServiceHours, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["hours"], condition=models.Q(status="open"),
                                               name="vol_corr_one_open")]

    def __str__(self):
        return f"{self.requested_by} · {self.proposed_hours}h"
