from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import RANKED_TYPES, UnitType

# The four rates the combined score weighs, in the order pages show them.
WEIGHTED_RATES = ("response", "on_time", "resolution", "satisfaction")


class ScoreWeights(models.Model):
    """How the combined score weighs the four rates, and how long the red and black lists are.

    One row (pk 1) for the deployment, edited by city administrators through
    `gongzhi.assessment.weights.update_weights` (audited). Weights are whole percentage points
    summing to 100, so the check is exact in every database."""

    response = models.PositiveSmallIntegerField(_("response rate weight (%)"), default=20)
    on_time = models.PositiveSmallIntegerField(_("on-time rate weight (%)"), default=30)
    resolution = models.PositiveSmallIntegerField(_("resolution rate weight (%)"), default=20)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction rate weight (%)"), default=30)
    red_list_size = models.PositiveSmallIntegerField(_("red list size"), default=3)
    black_list_size = models.PositiveSmallIntegerField(_("black list size"), default=3)
    min_received = models.PositiveIntegerField(
        _("minimum cases to be ranked"), default=1,
        help_text=_("a unit that received fewer cases in the month is listed but not ranked"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        constraints = [
            models.CheckConstraint(
                name="score_weights_sum_to_100",
                condition=Exact(F("response") + F("on_time") + F("resolution") + F("satisfaction"), 100),
            ),
            models.CheckConstraint(
                name="score_weights_at_most_100",
                condition=Q(response__lte=100, on_time__lte=100, resolution__lte=100, satisfaction__lte=100),
            ),
        ]

    def __str__(self):
        return " / ".join(f"{name} {getattr(self, name)}%" for name in WEIGHTED_RATES)

    def as_fractions(self) -> dict[str, float]:
        return {name: getattr(self, name) / 100 for name in WEIGHTED_RATES}

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in WEIGHTED_RATES},
            "red_list_size": self.red_list_size,
            "black_list_size": self.black_list_size,
            "min_received": self.min_received,
            "version": self.version,
        }


class RankingSnapshot(models.Model):
    """A closed month's ranking of one kind of unit, frozen when the month closed so that later
    edits of cases, divisions or weights never rewrite it: one row per unit (RankingSnapshotRow)
    with its counts, rates, score, rank and standing as computed then, and the weights used."""

    month = models.DateField(_("month"), help_text=_("its first day"))
    unit_type = models.CharField(_("unit type"), max_length=16,
                                 choices=[(t.value, t.label) for t in RANKED_TYPES])
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    weights = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("ranking snapshot")
        ordering = ["-month", "unit_type"]
        constraints = [
            models.UniqueConstraint(fields=["month", "unit_type"], name="ranking_snapshot_once"),
            models.CheckConstraint(name="ranking_snapshot_ranked_type",
                                   condition=Q(unit_type__in=[t.value for t in RANKED_TYPES])),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {UnitType(self.unit_type).label}"


class RankingSnapshotRow(models.Model):
    """One unit's line of a frozen ranking. The name and code are kept as they were, so a unit
    renamed or retired later still reads as it did that month."""

    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="rows")
    unit_id = models.PositiveBigIntegerField()
    city_id = models.PositiveBigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=15, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    standing = models.CharField(max_length=16)
    figures = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("ranking snapshot row")
        ordering = ["snapshot", "rank", "code", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "unit_id"], name="ranking_snapshot_row_once")]
        indexes = [models.Index(fields=["unit_id", "snapshot"], name="ranking_row_unit")]

    def __str__(self):
        return f"{self.snapshot} {self.name} {self.rank}"
