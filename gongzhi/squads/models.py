"""Emergency squads (应急突击队): a squad of a street or community, its roster, readiness checks, and
its alerts — each with one response row per member notified (acknowledged with an ETA, arrived on
site), tasks, and a log of what happened written as codes with parameters."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AlertKind, AlertSource, AlertStatus, Attendance, SquadKind, TaskStatus

SITE_LEVELS = ("community", "street", "district", "city")


def _cached(level):
    # Copies of the division's ancestor columns (set by `site_at`): "every squad under this street"
    # is one indexed WHERE (gongzhi.core.scope.subtree_q).
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True, db_index=False, db_constraint=False, verbose_name=level)


class Squad(models.Model):
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("street or community"))
    community = _cached("community")
    street = _cached("street")
    district = _cached("district")
    city = _cached("city")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=SquadKind.choices, default=SquadKind.GENERAL)
    muster_point = models.CharField(_("muster point"), max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    disbanded_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("emergency squad")
        ordering = ["division_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], condition=Q(is_active=True),
                                               name="squad_active_name_unique")]
        indexes = [models.Index(fields=[level, "is_active"], name=f"squad_{level}") for level in SITE_LEVELS]

    def __str__(self):
        return self.name

    def site_at(self, division) -> None:
        self.division = division
        for level in SITE_LEVELS:
            value = division.pk if division.level == level else getattr(division, f"{level}_id", None)
            setattr(self, f"{level}_id", value)


class SquadMember(models.Model):
    """A place on a squad's roster. Leaving keeps the row (alerts and figures name it)."""

    squad = models.ForeignKey(Squad, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="squad_places")
    role = models.CharField(_("role"), max_length=32)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True,
                             help_text=_("where the alert's SMS goes"))
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("squad member")
        ordering = ["squad_id", "id"]
        constraints = [models.UniqueConstraint(fields=["squad", "user"], condition=Q(is_active=True),
                                               name="squad_member_once")]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self):
        return str(self.user)

    @property
    def role_label(self):
        from .choices import role_label

        return role_label(self.role)


class ReadinessCheck(models.Model):
    """A roll call in peacetime: each member says whether they are ready before `closes_at`."""

    squad = models.ForeignKey(Squad, on_delete=models.PROTECT, related_name="checks")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    asked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.squad} {self.started_at:%Y-%m-%d}"


class ReadinessReply(models.Model):
    check_run = models.ForeignKey(ReadinessCheck, on_delete=models.CASCADE, related_name="replies")
    member = models.ForeignKey(SquadMember, on_delete=models.PROTECT, related_name="+")
    ready = models.BooleanField()
    note = models.CharField(max_length=200, blank=True)
    replied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["check_run", "member"], name="readiness_reply_once")]

    def __str__(self):
        return f"{self.member_id}: {self.ready}"


class Alert(models.Model):
    """A call-out of a squad — or a drill, recorded the same way."""

    squad = models.ForeignKey(Squad, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices, default=AlertKind.EMERGENCY)
    source = models.CharField(max_length=16, choices=AlertSource.choices, default=AlertSource.MANUAL)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    whistle = models.ForeignKey("cases.Whistle", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("what is happening"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    muster_point = models.CharField(_("muster point"), max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.ACTIVE)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    notified = models.PositiveIntegerField(default=0)
    stood_down_at = models.DateTimeField(null=True, blank=True)
    stood_down_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    stand_down_note = models.CharField(max_length=500, blank=True)
    report = models.TextField(_("after-action report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("squad alert")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["raised_by", "idempotency_key"],
                                               condition=~Q(idempotency_key=""), name="squad_alert_key_once")]
        indexes = [models.Index(fields=["squad", "-raised_at"])]

    def __str__(self):
        return self.title


class AlertResponse(models.Model):
    """One member's answer to one alert: written for every active member when it is raised (the
    headcount's base), then acknowledged with an expected arrival, and marked on site."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(SquadMember, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Attendance.choices, default=Attendance.NOTIFIED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    eta_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["alert_id", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "member"], name="alert_response_once")]
        indexes = [models.Index(fields=["user", "alert"])]

    def __str__(self):
        return f"{self.alert_id}/{self.member_id}: {self.status}"


class AlertTask(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    member = models.ForeignKey(SquadMember, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["alert_id", "id"]

    def __str__(self):
        return self.title


class AlertLogEntry(models.Model):
    """A line of the alert's timestamped log: a message code and its parameters, shown in the
    reader's language (gongzhi.squads.log)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.code
