"""The party tree (党组织): organisations with their history, what each covers, their positions
(阵地), and their committees (班子: terms, seats, meetings).

Nothing is deleted: an organisation is renamed, moved, merged or dissolved with a change row, and a
committee is re-elected (换届) into a new term, the old one ended, like the divisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import Attendance, ChangeKind, Duty, FacilityKind, Form, Kind, Line, OrganisationStatus, Position, Sector
from .base import Sited, site_indexes


class Organisation(Sited):
    """A party organisation. `path` is the chain of ids from the root ("/1/7/42/"), so "this
    organisation and everything under it" is one indexed prefix match."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    form = models.CharField(_("form"), max_length=24, choices=Form.choices)
    line = models.CharField(_("line"), max_length=16, choices=Line.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TERRITORIAL)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.COMMUNITY)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("superior organisation"))
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The grids and divisions it covers (a grid branch may cover several grids; a big committee its
    # community); the coverage check reads these.
    covers = models.ManyToManyField("divisions.Division", related_name="+", blank=True, verbose_name=_("covers"))
    # The registry's buildings a building group or compound branch (楼栋党小组, 楼院型) is set up in.
    buildings = models.ManyToManyField("registry.Building", related_name="+", blank=True,
                                       verbose_name=_("buildings"))
    # A unit's own organisation, where the unit is in the registry (机关企事业单位, 两新组织, 物业).
    unit = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("unit in the registry"))
    unit_name = models.CharField(_("unit"), max_length=100, blank=True)
    founded_on = models.DateField(_("founded"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=16, choices=OrganisationStatus.choices,
                              default=OrganisationStatus.ACTIVE)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    successor = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("merged into"))
    # The report-in QR code of a community's organisation names it by this (not by its id).
    code = models.CharField(_("code"), max_length=16, unique=True)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["path"]
        indexes = [*site_indexes("party_org", "status"), models.Index(fields=["unit"], name="party_org_unit")]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE

    def place_under(self, parent) -> None:
        """Set parent, depth and path (the row must be saved first: the path ends with its own id)."""
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1
        self.path = f"{parent.path if parent else '/'}{self.pk}/"


class OrganisationChange(models.Model):
    """One step in an organisation's history, with what it was and became."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    at = models.DateTimeField(default=timezone.now)
    on = models.DateField(_("effective"), default=timezone.localdate)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    related = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"], name="party_orgchange_org")]

    def __str__(self):
        return f"{self.organisation} · {self.kind}"


class Facility(models.Model):
    """A position of the three-level network (一家一站一中心), linked to its organisation and, where it
    is in the registry, to the registry's facility."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="facilities")
    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    registry_facility = models.ForeignKey("registry.Facility", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("party position")
        ordering = ["organisation", "kind", "id"]

    def __str__(self):
        return self.name


class Term(models.Model):
    """A committee's term of office (届). Re-election ends the current term and opens the next."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term"))
    elected_on = models.DateField(_("elected"))
    due_on = models.DateField(_("term ends"), help_text=_("when the next election is due"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    # The big committee's bylaws: a big working committee (大工委) or big party committee (大党委)
    # takes part-time members from units of the area.
    is_big = models.BooleanField(_("big committee"), default=False)

    class Meta:
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="party_term_number"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(ended_on__isnull=True),
                                    name="party_one_current_term"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.number}"


class Seat(models.Model):
    """A place on a committee for a term. A seat-based member (席位制委员) holds the seat for a unit:
    when the unit sends someone else, the holder ends and a new seat row opens for the same unit."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="seats")
    position = models.CharField(_("position"), max_length=16, choices=Position.choices)
    duty = models.CharField(_("portfolio"), max_length=16, choices=Duty.choices, blank=True, default="")
    member = models.ForeignKey("party.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="party_seats")
    name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("post in their unit"), max_length=100, blank=True)
    from_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("from department"))
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("from unit's organisation"))
    from_unit = models.CharField(_("from unit"), max_length=100, blank=True)
    seat_based = models.BooleanField(_("seat-based (席位制)"), default=False)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["term", "position", "id"]
        indexes = [models.Index(fields=["user", "ended_on"], name="party_seat_user")]

    def __str__(self):
        return f"{self.name} · {self.get_position_display()}"


class Meeting(models.Model):
    """A committee meeting and who attended. The deliberation issue brings meetings of its own; one of
    those names itself here (`source`, `source_id`) so attendance is kept in one place."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("held"))
    title = models.CharField(_("subject"), max_length=200)
    source = models.CharField(max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="party_attendance_once")]

    def __str__(self):
        return f"{self.seat} · {self.status}"
