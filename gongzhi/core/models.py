from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.label} rows are append-only")

    def delete(self):
        raise PermissionError(f"{self.model._meta.label} rows are append-only")


class AppendOnly(models.Model):
    """Rows written once and never changed or deleted (the audit trail, the ledger): a correction is
    a new row."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.label} rows are append-only")


class AuditEntry(AppendOnly):
    """Who did what to which object, with the values before and after. Written by services in the
    same transaction as the change itself; never updated or deleted."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("who")
    )
    # Commands and the task worker act without a user; they name themselves here.
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # The division the object belongs to: what scopes the row for auditors.
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
            models.Index(fields=["division", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def who(self) -> str:
        return str(self.actor) if self.actor_id else self.actor_label


class WorkerHeartbeat(models.Model):
    """The task worker touches this row every minute, so /healthz can tell a stalled worker."""

    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self):
        return f"worker seen {self.seen_at:%Y-%m-%d %H:%M:%S}"


# --- the ledger (gongzhi/core/ledger.py writes these rows; see its docstring) -----------------


class LedgerAccount(models.Model):
    """One balance of one kind (points, hours, yuan …) held by one owner. The kernel knows no
    domain: the kind is a code a domain app registers, the owner a label and an id."""

    kind = models.CharField(_("kind"), max_length=32)
    owner_type = models.CharField(max_length=64)
    owner_id = models.BigIntegerField()
    name = models.CharField(max_length=32, default="main")
    # Kept equal to the sum of the account's entries by gongzhi.core.ledger.post, under the row lock.
    balance = models.DecimalField(_("balance"), max_digits=18, decimal_places=2, default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    is_closed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_type", "owner_id", "name"], name="ledger_account_unique"),
        ]
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self):
        return f"{self.kind}:{self.owner_type}:{self.owner_id}:{self.name}"

    def delete(self, *args, **kwargs):
        raise PermissionError("ledger accounts are closed, never deleted")


class LedgerTransaction(AppendOnly):
    """One posting: lines that sum to zero, written together, never changed afterwards. A mistake
    is undone by a reversal (`reverses`), itself a posting."""

    idempotency_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    # Texts are codes with parameters, rendered in the reader's language when shown.
    memo_code = models.CharField(max_length=64)
    memo_params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    # One-to-one: a transaction is reversed at most once, whatever races.
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self):
        return f"{self.kind} {self.memo_code} #{self.pk}"


class LedgerEntry(AppendOnly):
    """One line of a posting: the signed amount on one account and the balance it left."""

    # Both looked up through the composite indexes below, so neither gets an index of its own.
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    balance_after = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["transaction", "account"], name="ledger_entry_one_line_per_account"),
        ]
        # An account's statement, newest first, without a sort.
        indexes = [models.Index(fields=["account", "-id"], name="ledger_entry_account_newest")]

    def __str__(self):
        return f"{self.account_id} {self.amount:+}"



class PeriodicTaskRun(models.Model):
    """One row per periodic task (gongzhi.core.tasks.periodic writes it): when it last succeeded and
    last failed, and how late it may be, so /healthz can name a task that stopped running."""

    name = models.CharField(max_length=100, unique=True)
    late_after_s = models.PositiveIntegerField()
    # Set each time a worker starts: a task is not late before it had its chance to run.
    watched_since = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("periodic task run")

    def __str__(self):
        return self.name
