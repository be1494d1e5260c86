from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import HANDLING_CLOCK_STATES, RESPONSE_CLOCK_STATES, CaseState, Channel, FollowKind, Rating
from ..codes import MAX_LENGTH, new_tracking_code


class Case(models.Model):
    """One report followed to its rated result (诉求 / 案件).

    The place columns (grid … city) are copied from the grid the location fell in, so scoping a
    list to a street is one indexed WHERE. `terms` holds the category's limits and routing as they
    were at registration. `version` moves on every transition: a caller that read version N and
    acts on it fails cleanly if someone else acted first."""

    tracking_number = models.CharField(_("tracking number"), max_length=20)
    # What the public follows the case by (gongzhi.cases.codes): the number can be counted through.
    tracking_code = models.CharField(_("tracking code"), max_length=MAX_LENGTH, default=new_tracking_code,
                                     editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="reported_cases", verbose_name=_("reporter"), db_index=False)
    is_anonymous = models.BooleanField(_("anonymous"), default=False,
                                       help_text=_("the reporter's identity is hidden from handling units"))
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    description = models.TextField(_("what happened"))
    # The reporter's choice when reporting: their words may be published (Open311 lists). By
    # default only they and the staff working on the case read them.
    description_public = models.BooleanField(_("description public"), default=False)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Each report writes every index of this table: a foreign key that leads a composite index
    # below needs no index of its own. The grid's community, street, district and city are copies
    # of the grid's own (the intake takes them from the grid's row), not links to check on every
    # report: the grid is checked, and divisions are retired, never deleted.
    grid = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="cases", db_index=False)
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                                  db_constraint=False)
    street = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                                 db_constraint=False)
    city = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, related_name="+",
                             db_constraint=False)
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="cases")
    terms = models.JSONField(_("terms"), default=dict, blank=True)

    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.SUBMITTED)
    version = models.PositiveIntegerField(default=1)
    # Exactly one of these while a unit holds the case: a department, or a division's own office
    # (the street office, or a community handling its own matters).
    handling_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="cases", db_index=False)
    handling_division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", db_index=False)
    # Who dispatched it (a community or street): it approves the unit's sidesteps and is escalated over.
    dispatcher_division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")
    dispatcher_level = models.CharField(max_length=16, blank=True)

    submitted_at = models.DateTimeField(default=timezone.now)
    registered_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    # Deadlines in working time, and when the sweep warned or escalated about each. A moved
    # deadline (transfer, extension, reopening) clears its marks, so the new one is watched again.
    response_due = models.DateTimeField(null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_escalated_at = models.DateTimeField(null=True, blank=True)
    handling_due = models.DateTimeField(null=True, blank=True)
    handling_warn_at = models.DateTimeField(null=True, blank=True)
    handling_warned_at = models.DateTimeField(null=True, blank=True)
    handling_escalated_at = models.DateTimeField(null=True, blank=True)
    # Working seconds left on the handling clock when the case was suspended.
    suspended_remaining_s = models.PositiveIntegerField(null=True, blank=True)
    # While suspended, the state the case left and its clocks, paused: for each clock that ran, the
    # working seconds left to its warning and to its deadline, and whether it was already warned
    # or escalated (so resuming neither loses time nor says the same thing twice).
    suspended_from = models.CharField(max_length=16, blank=True)
    paused_clocks = models.JSONField(default=dict, blank=True)

    returns_count = models.PositiveSmallIntegerField(default=0)
    transfers_count = models.PositiveSmallIntegerField(default=0)
    extensions_count = models.PositiveSmallIntegerField(default=0)
    suspensions_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Each reopening rule applies once; afterwards the case goes back to the dispatcher instead.
    reopened_on_verification = models.BooleanField(default=False)
    reopened_on_rating = models.BooleanField(default=False)

    resolution = models.TextField(_("feedback"), blank=True, help_text=_("what the unit did"))
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    rating = models.CharField(_("rating"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)

    idempotency_key = models.CharField(max_length=64, blank=True)
    # A hash of the secret an anonymous reporter follows and rates the case with.
    follow_token_hash = models.CharField(max_length=64, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="duplicates")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # A constraint rather than unique=True, which on PostgreSQL adds a second (LIKE) index
            # that no query uses.
            models.UniqueConstraint(fields=["tracking_number"], name="case_tracking_number_unique"),
            models.UniqueConstraint(fields=["tracking_code"], name="case_tracking_code_unique"),
            models.UniqueConstraint(fields=["reporter", "channel", "idempotency_key"],
                                    condition=Q(reporter__isnull=False) & ~Q(idempotency_key=""),
                                    name="case_idempotent_per_reporter"),
            models.UniqueConstraint(fields=["channel", "idempotency_key"],
                                    condition=Q(reporter__isnull=True) & ~Q(idempotency_key=""),
                                    name="case_idempotent_anonymous"),
            models.CheckConstraint(name="case_one_handling_unit",
                                   condition=Q(handling_department__isnull=True) | Q(handling_division__isnull=True)),
        ]
        indexes = [
            # Unit queues: to accept, in progress, due soon, overdue.
            models.Index(fields=["handling_department", "state", "handling_due"], name="case_dept_queue"),
            models.Index(fields=["handling_division", "state", "handling_due"], name="case_division_queue"),
            # Territory lists (registration and dispatch desks, dashboards).
            models.Index(fields=["community", "state", "submitted_at"], name="case_community_state"),
            models.Index(fields=["street", "state", "submitted_at"], name="case_street_state"),
            models.Index(fields=["district", "state", "submitted_at"], name="case_district_state"),
            # Duplicate search: same grid and category, recent.
            models.Index(fields=["grid", "category", "submitted_at"], name="case_dup_search"),
            models.Index(fields=["reporter", "submitted_at"], name="case_reporter"),
            # The escalation sweep reads only cases whose clock runs and whose mark is unset.
            models.Index(fields=["response_warn_at"], name="case_response_warn",
                         condition=Q(state__in=RESPONSE_CLOCK_STATES, response_warned_at__isnull=True)),
            models.Index(fields=["response_due"], name="case_response_due",
                         condition=Q(state__in=RESPONSE_CLOCK_STATES, response_escalated_at__isnull=True)),
            models.Index(fields=["handling_warn_at"], name="case_handling_warn",
                         condition=Q(state__in=HANDLING_CLOCK_STATES, handling_warned_at__isnull=True)),
            models.Index(fields=["handling_due"], name="case_handling_due",
                         condition=Q(state__in=HANDLING_CLOCK_STATES, handling_escalated_at__isnull=True)),
        ]

    def __str__(self):
        return self.tracking_number

    @property
    def handling_unit(self):
        """The department or division holding the case (select_related both to avoid queries)."""
        return self.handling_department or self.handling_division

    @property
    def handling_unit_name(self) -> str:
        unit = self.handling_unit
        return unit.name if unit is not None else ""


class CaseFollower(models.Model):
    """Someone told about a case and asked to rate it: its reporter, the reporters of the
    duplicates merged into it, and residents who chose to follow it instead of reporting it again.
    A reporter without an account follows by phone, and — for a merged duplicate reported without
    an account — by the hash of that report's follow secret."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="followed_cases", db_index=False)  # the (user, case) index serves
    phone = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=16, choices=FollowKind.choices, default=FollowKind.REPORTER)
    token_hash = models.CharField(max_length=64, blank=True)
    via = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                            help_text="the merged duplicate this follower reported")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case follower")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=Q(user__isnull=False),
                                    name="case_follower_once"),
            models.UniqueConstraint(fields=["case", "token_hash"], condition=~Q(token_hash=""),
                                    name="case_follower_token_once"),
        ]
        indexes = [models.Index(fields=["user", "case"])]

    def __str__(self):
        return f"{self.case} ← {self.user or self.phone}"


class TrackingCounter(models.Model):
    """A day's tracking numbers (Asia/Shanghai): numbers read 2026112200001."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
    # PostgreSQL: where the tracking-number sequence stood when the day began; a number is
    # `nextval - seq_base` (gongzhi.cases.services.tracking). SQLite counts with `last` instead.
    seq_base = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.day} {self.last}"
