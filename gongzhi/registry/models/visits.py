"""Visits (走访): a grid worker's household visits, with photos and follow-up."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..storage import visit_photos
from .base import Placed, scope_indexes
from .places import Household


class Visit(Placed):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date"), default=timezone.localdate)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("visitor"))
    notes = models.TextField(_("notes"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_closed_at = models.DateTimeField(_("follow-up closed"), null=True, blank=True)
    follow_up_closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [*scope_indexes("reg_visit", "visited_on"),
                   models.Index(fields=["household", "-visited_on"], name="reg_visit_household")]

    def __str__(self):
        return f"{self.visited_on} #{self.household_id}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_needed and self.follow_up_closed_at is None


def photo_path(photo: "VisitPhoto", filename: str) -> str:
    return f"{photo.visit.visited_on:%Y/%m}/{photo.visit_id}-{timezone.now():%H%M%S%f}.jpg"


class VisitPhoto(models.Model):
    """A photo taken on a visit, re-encoded without its EXIF data (no camera position kept)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(storage=visit_photos, upload_to=photo_path, max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        ordering = ["visit", "id"]

    def __str__(self):
        return self.image.name
