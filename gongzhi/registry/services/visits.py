"""Household visits (走访): logged with notes and photos, follow-ups opened and closed."""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import DomainError

from ..models import Household, Visit, VisitPhoto
from ..permissions import RegistryAction
from .common import record, require

PHOTO_MAX_SIDE = 1600
PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTOS_PER_VISIT = 9


@transaction.atomic
def log_visit(*, actor, household: Household, visited_on: dt.date | None = None, notes: str = "",
              follow_up_needed: bool = False, follow_up: str = "", photos=()) -> Visit:
    """Record a visit to `household` (today unless said), with up to nine photos."""
    require(actor, RegistryAction.VISIT, household)
    if household.archived_at is not None:
        raise DomainError(_("This household is archived."), code="conflict")
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise DomainError(_("The date is in the future."))
    if follow_up_needed and not follow_up.strip():
        raise DomainError(_("Say what needs following up."), details={"follow_up": _("required")})
    if len(photos) > PHOTOS_PER_VISIT:
        raise DomainError(_("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT})
    visit = Visit(household=household, visited_on=visited_on, visitor=actor, notes=notes.strip(),
                  follow_up_needed=follow_up_needed, follow_up=follow_up.strip() if follow_up_needed else "")
    visit.place_like(household)
    visit.save()
    for photo in photos:
        _store_photo(visit, photo)
    # Only ever forward: a visit logged late for an earlier day does not hide a later one.
    Household.objects.filter(Q(last_visited_on__lt=visited_on) | Q(last_visited_on__isnull=True),
                             pk=household.pk).update(last_visited_on=visited_on)
    record(actor, "visit.log", visit, after={"household": household.pk, "visited_on": visited_on,
                                             "follow_up_needed": follow_up_needed, "photos": len(photos)})
    return visit


@transaction.atomic
def add_visit_photo(*, actor, visit: Visit, photo) -> VisitPhoto:
    require(actor, RegistryAction.VISIT, visit)
    if visit.photos.count() >= PHOTOS_PER_VISIT:
        raise DomainError(_("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT})
    stored = _store_photo(visit, photo)
    record(actor, "visit.photo", visit, after={"photo": stored.pk})
    return stored


@transaction.atomic
def close_follow_up(*, actor, visit: Visit, note: str = "") -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    require(actor, RegistryAction.VISIT, visit)
    if not visit.follow_up_needed:
        raise DomainError(_("This visit needs no follow-up."), code="conflict")
    if visit.follow_up_closed_at is None:
        visit.follow_up_closed_at = timezone.now()
        visit.follow_up_closed_by = actor
        visit.save(update_fields=["follow_up_closed_at", "follow_up_closed_by"])
        record(actor, "visit.follow_up_close", visit, after={"closed_at": visit.follow_up_closed_at}, reason=note)
    return visit


def _store_photo(visit: Visit, upload) -> VisitPhoto:
    """Re-encode the photo as a JPEG at most 1600 px on a side: no EXIF (no GPS position, no camera
    serial) survives, and a phone's 8 MB picture becomes a few hundred kB."""
    if getattr(upload, "size", 0) and upload.size > PHOTO_MAX_BYTES:
        raise DomainError(_("A photo may be at most 15 MB."))
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError(_("This file is not a photo we can read."), code="invalid") from None
    photo = VisitPhoto(visit=visit)
    photo.image.save("photo.jpg", ContentFile(out.getvalue()), save=False)
    photo.save()
    return photo
