"""Double report-in (双报到): units' organisations registering with a co-building community, with an
agreement and yearly projects; members reporting in where they live, confirmed by the community,
again each period; what they did there; and the feedback card sent to their own organisation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import CardStatus, Evaluation, ProjectStatus, RegistrationStatus, ReportInMethod
from .members import Member
from .organisations import Organisation


class Policy(models.Model):
    """The deployment's report-in rules (one row; the district's own numbers by default)."""

    period_months = models.PositiveSmallIntegerField(_("members report in again every (months)"), default=6)
    feedback_months = models.PositiveSmallIntegerField(_("feedback cards every (months)"), default=3)
    unit_line_percent = models.PositiveSmallIntegerField(_("unit report-in rate below which a unit is flagged (%)"),
                                                         default=95)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "report-in policy"


class UnitRegistration(models.Model):
    """A unit's organisation registered with its co-building community (共建社区), and the agreement."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="unit_registrations")
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("co-building community"))
    # The community's ancestors, cached for scope (the unit's registration is the community's to see).
    street = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 db_index=False, db_constraint=False)
    registered_on = models.DateField(_("registered"), default=timezone.localdate)
    offers = models.JSONField(_("offers"), default=list)
    agreement = models.TextField(_("agreement"), blank=True)
    signed_on = models.DateField(_("agreement signed"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.CONFIRMED)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["community", "organisation"]
        constraints = [models.UniqueConstraint(fields=["organisation", "community"],
                                               condition=Q(ended_on__isnull=True), name="party_unitreg_once")]
        indexes = [models.Index(fields=["street", "status"], name="party_unitreg_street"),
                   models.Index(fields=["district", "status"], name="party_unitreg_district")]

    def __str__(self):
        return f"{self.organisation} · {self.community_id}"


class Project(models.Model):
    """One of a co-building agreement's projects for a year, and how far it has got."""

    registration = models.ForeignKey(UnitRegistration, on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("project"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    note = models.CharField(_("latest progress"), max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "id"]

    def __str__(self):
        return self.title


class MemberRegistration(models.Model):
    """A member's report-in to the community they live in, for one period (half a year by default):
    the member reports in, the community confirms (or declines), and the next period asks again."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="registrations")
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 db_index=False, db_constraint=False)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    method = models.CharField(_("how"), max_length=8, choices=ReportInMethod.choices)
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING)
    reported_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["member", "period_start"], condition=Q(status__in=["pending", "confirmed"]),
            name="party_memreg_once_a_period")]
        indexes = [models.Index(fields=["community", "period_start", "status"], name="party_memreg_comm"),
                   models.Index(fields=["street", "period_start", "status"], name="party_memreg_street"),
                   models.Index(fields=["district", "period_start", "status"], name="party_memreg_district")]

    def __str__(self):
        return f"{self.member} · {self.period_start}"


class ServiceEntry(models.Model):
    """What a reported-in member did in the community (an activity, its hours), recorded by the
    community. The service issue's volunteer hours will arrive through gongzhi.party.seams' provider
    of service hours; until then these entries are the record."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="service_entries")
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["community", "served_on"], name="party_service_comm"),
                   models.Index(fields=["member", "served_on"], name="party_service_member")]

    def __str__(self):
        return f"{self.member} · {self.activity}"


class FeedbackCard(models.Model):
    """The service feedback card (服务反馈单) a community sends, each quarter by default, to the
    organisation holding a reported-in member's relation: hours, activities, evaluation."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="feedback_cards")
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="feedback_cards",
                                     verbose_name=_("sent to"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    activities = models.PositiveSmallIntegerField(_("activities"), default=0)
    evaluation = models.CharField(_("evaluation"), max_length=12, choices=Evaluation.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.SENT)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "member"]
        constraints = [models.UniqueConstraint(fields=["member", "community", "period_start"],
                                               name="party_card_once")]
        indexes = [models.Index(fields=["organisation", "period_start"], name="party_card_org")]

    def __str__(self):
        return f"{self.member} · {self.period_start}"
