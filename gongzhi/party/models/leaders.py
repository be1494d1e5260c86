"""Linked leaders (挂点联系): district and street leaders linked to the streets and communities they
are assigned to, their visits, and the problems they took on."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ProblemStatus


class LeaderLink(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="leader_links")
    name = models.CharField(_("leader"), max_length=64)
    title = models.CharField(_("post"), max_length=100)
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("linked to"))
    # The linked division's ancestors and itself, cached for scope.
    street = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, related_name="+",
                               db_index=False, db_constraint=False)
    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, related_name="+",
                                 db_index=False, db_constraint=False)
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, related_name="+",
                                  db_index=False, db_constraint=False)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["division", "id"]
        indexes = [models.Index(fields=["district", "ended_on"], name="party_leader_district"),
                   models.Index(fields=["street", "ended_on"], name="party_leader_street")]

    def __str__(self):
        return f"{self.name} · {self.division_id}"


class LeaderVisit(models.Model):
    link = models.ForeignKey(LeaderLink, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("visited"))
    summary = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.link} · {self.visited_on}"


class LeaderProblem(models.Model):
    """A problem a linked leader took on (领办), from a visit or not, followed to its solution; a case
    in the case loop may carry it."""

    link = models.ForeignKey(LeaderLink, on_delete=models.PROTECT, related_name="problems")
    visit = models.ForeignKey(LeaderVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="problems")
    title = models.CharField(_("problem"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    taken_on = models.DateField(_("taken on"), default=timezone.localdate)
    solved_on = models.DateField(_("solved"), null=True, blank=True)
    resolution = models.TextField(_("how it was solved"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "-taken_on", "-id"]

    def __str__(self):
        return self.title
