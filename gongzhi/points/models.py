"""Points (积分): each district's rules table and scheme, the record of every award (why a posting
was made — the points themselves live on the shared ledger, gongzhi.core.ledger, never here), the
half-yearly publication with its standings and appeals, and the points shop."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AppealStatus,
    AwardKind,
    AwardStatus,
    Basis,
    CapPeriod,
    Evidence,
    MerchantKind,
    PeriodStatus,
    RedemptionStatus,
    Source,
)

POINTS = {"max_digits": 10, "decimal_places": 2}


def _division(name: str, **kw):
    # Cached ancestors: one indexed WHERE answers "under this street" (gongzhi.core.scope).
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False, **kw)


class Sited(models.Model):
    """A row that lies in a community (or a street): its ancestors cached for scope."""

    city = _division("city")
    district = _division("district")
    street = _division("street", null=True, blank=True)
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                                  blank=True, verbose_name=_("community"))

    class Meta:
        abstract = True

    def site(self, division) -> None:
        """Lie in `division` (a community, or a street for a street-wide merchant)."""
        self.city_id, self.district_id = division.city_id, division.district_id
        self.street_id = division.pk if division.level == "street" else division.street_id
        self.community_id = division.pk if division.level == "community" else None


class Scheme(models.Model):
    """A district's points scheme (积分管理办法): the pass mark, daily conduct plus the annual member
    review, the yearly service minimum, the appeal window after publication."""

    district = models.OneToOneField("divisions.Division", on_delete=models.PROTECT, related_name="+")
    pass_mark = models.DecimalField(_("pass mark"), default=Decimal(60), validators=[MinValueValidator(0)], **POINTS)
    conduct_base = models.DecimalField(_("daily conduct (points)"), default=Decimal(80), **POINTS)
    review_points = models.DecimalField(_("annual member review (points)"), default=Decimal(20), **POINTS)
    service_minimum_hours = models.DecimalField(_("yearly service minimum (hours)"), default=Decimal(50),
                                                max_digits=6, decimal_places=2)
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=5)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"scheme {self.district_id}"


class Rule(models.Model):
    """One line of a district's rules table: an item, its points, its cap per person and period,
    who may award it and with what evidence, and what earns it automatically."""

    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("item"), max_length=100)
    points = models.DecimalField(_("points"), validators=[MinValueValidator(Decimal("0.01"))], **POINTS)
    basis = models.CharField(_("counted"), max_length=12, choices=Basis.choices, default=Basis.OCCURRENCE)
    cap = models.DecimalField(_("cap per person"), null=True, blank=True, **POINTS)
    cap_period = models.CharField(_("cap period"), max_length=12, choices=CapPeriod.choices, default=CapPeriod.YEAR)
    awarders = models.JSONField(_("who may award"), default=list, blank=True)
    evidence = models.CharField(_("evidence"), max_length=8, choices=Evidence.choices, default=Evidence.NONE)
    source = models.CharField(_("earned by"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="points_rule_code")]

    def __str__(self):
        return self.name


class Award(Sited):
    """Why points were posted to a person (or why not: over the cap), and the posting. The ledger
    holds the points; this row holds the rule, the occurrence and the evidence."""

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=AwardKind.choices, default=AwardKind.RULE)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="awards")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS)
    capped = models.DecimalField(_("not awarded (over the cap)"), default=Decimal(0), **POINTS)
    occurred_on = models.DateField(_("date"))
    source = models.CharField(max_length=12, choices=Source.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=AwardStatus.choices, default=AwardStatus.AWARDED)
    posting = models.ForeignKey("core.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    reversal = models.ForeignKey("core.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    reverse_reason = models.CharField(max_length=200, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at", "-id"]
        indexes = [models.Index(fields=["person", "rule", "occurred_on"], name="points_award_cap"),
                   models.Index(fields=["district", "occurred_on"], name="points_award_district"),
                   models.Index(fields=["street", "occurred_on"], name="points_award_street"),
                   models.Index(fields=["community", "occurred_on"], name="points_award_community")]

    def __str__(self):
        return f"{self.rule or self.get_kind_display()} · {self.points}"


class Period(models.Model):
    """A district's half-year of points, published (公示) with an appeal window, then final."""

    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    city = _division("city")
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), choices=[(1, _("first half")), (2, _("second half"))])
    status = models.CharField(_("status"), max_length=12, choices=PeriodStatus.choices,
                              default=PeriodStatus.PUBLISHED)
    pass_mark = models.DecimalField(_("pass mark"), **POINTS)
    service_minimum_hours = models.DecimalField(max_digits=6, decimal_places=2)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+")
    appeal_until = models.DateField(_("appeals until"))
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-half", "district"]
        constraints = [models.UniqueConstraint(fields=["district", "year", "half"], name="points_period_once")]

    def __str__(self):
        return f"{self.year} H{self.half}"

    @property
    def start(self):
        import datetime as dt

        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self):
        import datetime as dt

        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)


class Standing(Sited):
    """A person's published result for a period: points, pass or fail, service hours this year."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="standings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS)
    hours = models.DecimalField(_("service hours this year"), max_digits=8, decimal_places=2, default=Decimal(0))
    passed = models.BooleanField(_("passed"))
    hours_met = models.BooleanField(_("service minimum met"))

    class Meta:
        ordering = ["-points", "person_id"]
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="points_standing_once")]

    def __str__(self):
        return f"{self.person_id} · {self.points}"


class Appeal(Sited):
    """A person's appeal against their published standing, decided by the district."""

    standing = models.ForeignKey(Standing, on_delete=models.PROTECT, related_name="appeals")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.FILED)
    correction = models.DecimalField(_("correction (points)"), default=Decimal(0), **POINTS)
    decision_reason = models.CharField(_("decision"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["standing"], condition=Q(status="filed"),
                                               name="points_appeal_one_open")]

    def __str__(self):
        return f"appeal {self.pk}"


class Merchant(Sited):
    """A partner merchant or a community service that takes points, in a community or a street."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=MerchantKind.choices, default=MerchantKind.PARTNER)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Item(models.Model):
    """Something the shop offers for points, with its stock."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("item"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cost = models.DecimalField(_("points"), validators=[MinValueValidator(Decimal("0.01"))], **POINTS)
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("on offer"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["merchant", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="points_item_stock")]

    def __str__(self):
        return self.name


class Redemption(Sited):
    """Points spent in the shop: the posting, and its reversal if cancelled (stock goes back)."""

    key = models.CharField(max_length=100, unique=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.DecimalField(_("points"), **POINTS)
    status = models.CharField(_("status"), max_length=12, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.DONE)
    posting = models.ForeignKey("core.LedgerTransaction", on_delete=models.PROTECT, related_name="+")
    reversal = models.ForeignKey("core.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    redeemed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-redeemed_at", "-id"]

    def __str__(self):
        return f"{self.item} × {self.quantity}"
