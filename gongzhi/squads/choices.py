"""The emergency squads' vocabularies (应急突击队: "serve in peacetime, respond in emergencies")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SquadKind(models.TextChoices):
    GENERAL = "general", _("General response (综合)")
    FLOOD = "flood", _("Flood and storm (防汛)")
    FIRE = "fire", _("Fire (消防)")
    EPIDEMIC = "epidemic", _("Epidemic (防疫)")
    RESCUE = "rescue", _("Rescue (救援)")


# The roster's roles. A deployment may add its own with GONGZHI_SQUAD_ROLES ({code: label}); the
# codes are stored, so a role renamed in settings renames it everywhere.
DEFAULT_ROLES = {
    "leader": _("Leader"),
    "information": _("Information"),
    "evacuation": _("Evacuation"),
    "patrol": _("Patrol"),
    "medical": _("Medical aid"),
    "logistics": _("Logistics"),
}


def squad_roles() -> dict:
    return {**DEFAULT_ROLES, **getattr(settings, "GONGZHI_SQUAD_ROLES", {})}


def role_label(code: str):
    return squad_roles().get(code, code)


class AlertKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    DRILL = "drill", _("Drill")


class AlertSource(models.TextChoices):
    MANUAL = "manual", _("Raised by hand")
    CASE = "case", _("From a case")
    WHISTLE = "whistle", _("From a whistle")


class AlertStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    STOOD_DOWN = "stood_down", _("Stood down")


class Attendance(models.TextChoices):
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("On the way")
    UNAVAILABLE = "unavailable", _("Cannot come")
    ARRIVED = "arrived", _("On site")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# How long after an alert a member counts as mustered "in time" (the squads' figure).
MUSTER_WINDOW_MINUTES = 30
