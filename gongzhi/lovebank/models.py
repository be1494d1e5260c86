"""The love bank's rows. Balances are never kept here: every credit lives on the shared ledger
(gongzhi.core.ledger, kind "lovebank"); these rows say why each posting was made."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_phone
from gongzhi.core.models import LedgerTransaction

from .choices import DepositSource, DepositStatus, ExchangeStatus, Kinship, RelationStatus, ServiceKind

ZERO = Decimal("0")


def _cached(level):
    # Copies of the community's own ancestor columns (set by `site_in`): "everything under this
    # street" is one indexed WHERE (gongzhi.core.scope.subtree_q).
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True, db_constraint=False, verbose_name=level)


class InCommunity(models.Model):
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    street = _cached("street")
    district = _cached("district")
    city = _cached("city")

    class Meta:
        abstract = True

    def site_in(self, community) -> None:
        self.community = community
        for level in ("street", "district", "city"):
            setattr(self, f"{level}_id", getattr(community, f"{level}_id", None))


class BankRules(models.Model):
    """A district's rules (one row; the defaults until a district sets its own). One hour of
    service is always one credit: only service hours are ever deposited, never goods."""

    district = models.OneToOneField("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("district"))
    daily_cap = models.DecimalField(_("hours credited per day at most"), max_digits=6, decimal_places=2,
                                    default=Decimal("8"), validators=[MinValueValidator(ZERO)])
    account_cap = models.DecimalField(_("credits an account holds at most"), max_digits=8, decimal_places=2,
                                      default=Decimal("1000"), validators=[MinValueValidator(ZERO)])
    redeem_age = models.PositiveSmallIntegerField(_("age from which credits buy help"), default=65)
    hardship_age = models.PositiveSmallIntegerField(_("age from which, in hardship"), default=60)
    transfer_age = models.PositiveSmallIntegerField(_("a relative receives transfers from the age of"),
                                                    default=60)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    def __str__(self):
        return f"{self.district_id} rules"


class BankMember(InCommunity):
    """A holder of a love-bank account, opened on their first deposit (or when staff confirm them
    as a relative). The birth date comes from the registry's resident where one is linked."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bank_member")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("resident"))
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    hardship = models.BooleanField(_("hardship"), default=False)
    hardship_reason = models.CharField(_("why"), max_length=200, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=[level, "id"], name=f"lovebank_member_{level}")
                   for level in ("community", "street", "district")]

    def __str__(self):
        return self.user.display_name or self.user.username

    def age_on(self, day) -> int | None:
        b = self.birth_date
        if b is None:
            return None
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Deposit(models.Model):
    """Certified hours banked: up to the caps as the holder's credits, the rest (and all hours a
    group earned) donated to the community's pool."""

    key = models.CharField(max_length=100, unique=True)
    member = models.ForeignKey(BankMember, on_delete=models.PROTECT, related_name="deposits")
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    credited = models.DecimalField(_("credited"), max_digits=6, decimal_places=2)
    donated = models.DecimalField(_("donated"), max_digits=6, decimal_places=2)
    served_on = models.DateField(_("served on"))
    source = models.CharField(_("source"), max_length=16, choices=DepositSource.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    hours_ref = models.BigIntegerField(null=True, blank=True, unique=True,
                                       help_text="the certified ServiceHours record")
    by_group = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=DepositStatus.choices, default=DepositStatus.DEPOSITED)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    reversal = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reverse_reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "served_on"]), models.Index(fields=["community", "served_on"])]

    def __str__(self):
        return f"{self.member_id} +{self.hours}h {self.served_on}"


class Relation(models.Model):
    """A holder's spouse or close relative, whom they may give credits to once the community's
    staff have verified the relation."""

    holder = models.ForeignKey(BankMember, on_delete=models.PROTECT, related_name="relations")
    kinship = models.CharField(_("relation"), max_length=16, choices=Kinship.choices)
    relative_name = models.CharField(_("relative's name"), max_length=64)
    relative_phone = models.CharField(_("relative's phone"), max_length=20)
    relative = models.ForeignKey(BankMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=RelationStatus.choices, default=RelationStatus.REQUESTED)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"{self.holder_id} → {self.relative_name} ({self.kinship})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.relative_phone)


class Transfer(models.Model):
    sender = models.ForeignKey(BankMember, on_delete=models.PROTECT, related_name="transfers_out")
    recipient = models.ForeignKey(BankMember, on_delete=models.PROTECT, related_name="transfers_in")
    relation = models.ForeignKey(Relation, on_delete=models.PROTECT, related_name="transfers")
    credits = models.DecimalField(_("credits"), max_digits=8, decimal_places=2)
    key = models.CharField(max_length=100, unique=True)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.sender_id} → {self.recipient_id}: {self.credits}"


class Exchange(InCommunity):
    """Help drawn with credits (兑换服务): requested by an eligible holder, offered by another,
    done, and confirmed by both before the requester's credits move to the provider."""

    requester = models.ForeignKey(BankMember, on_delete=models.PROTECT, related_name="requests")
    provider = models.ForeignKey(BankMember, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="offers")
    service_kind = models.CharField(_("help"), max_length=16, choices=ServiceKind.choices)
    description = models.CharField(_("what is needed"), max_length=500, blank=True)
    credits = models.DecimalField(_("credits"), max_digits=6, decimal_places=2)
    wanted_on = models.DateField(_("wanted on"))
    status = models.CharField(max_length=16, choices=ExchangeStatus.choices, default=ExchangeStatus.REQUESTED)
    key = models.CharField(max_length=100, unique=True)
    requested_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    requester_confirmed_at = models.DateTimeField(null=True, blank=True)
    provider_confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    disputed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    dispute_reason = models.CharField(max_length=500, blank=True)
    disputed_from = models.CharField(max_length=16, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolution = models.CharField(max_length=16, blank=True)
    resolution_reason = models.CharField(max_length=500, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=[level, "status", "id"], name=f"lovebank_exch_{level}")
                   for level in ("community", "street", "district")]

    def __str__(self):
        return f"#{self.pk} {self.get_service_kind_display()}"
