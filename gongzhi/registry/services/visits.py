"""Household visits (走访): logged with notes and photos, follow-ups opened and closed.

Photos are read, checked and re-encoded before anything is written, so a refused photo leaves no
visit behind; the visit, its photos and the household's "last visited" day are then written in one
transaction, and photo files written by a transaction that fails are deleted again."""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import uploads
from gongzhi.core.errors import DomainError

from ..models import Household, Visit, VisitPhoto
from ..permissions import RegistryAction
from .common import record, require

PHOTO_MAX_BYTES = 15 * 1024 * 1024
# A visit photo records that someone was there; a city keeps millions of them: smaller than a case photo.
PHOTO_MAX_SIDE = 1600
PHOTOS_PER_VISIT = 9
NOTES_MAX = 4000


def log_visit(*, actor, household: Household, visited_on: dt.date | None = None, notes: str = "",
              follow_up_needed: bool = False, follow_up: str = "", photos=()) -> Visit:
    """Record a visit to `household` (today unless said), with up to nine photos: all of it or,
    when anything is refused, nothing."""
    require(actor, RegistryAction.VISIT, household)
    if household.archived_at is not None:
        raise DomainError(_("This household is archived."), code="conflict")
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise DomainError(_("The date is in the future."), details={"visited_on": _("The date is in the future.")})
    notes, follow_up = (notes or "").strip(), (follow_up or "").strip()
    if follow_up_needed and not follow_up:
        raise DomainError(_("Say what needs following up."), details={"follow_up": _("required")})
    if len(notes) > NOTES_MAX or len(follow_up) > NOTES_MAX:
        raise DomainError(_("At most %(n)d characters.") % {"n": NOTES_MAX})
    photos = list(photos or ())
    if len(photos) > PHOTOS_PER_VISIT:
        raise DomainError(_("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT},
                          details={"photos": _("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT}})
    prepared = [prepare_photo(photo) for photo in photos]  # before any write
    with _photo_files() as written, transaction.atomic():
        visit = Visit(household=household, visited_on=visited_on, visitor=actor, notes=notes,
                      follow_up_needed=follow_up_needed, follow_up=follow_up if follow_up_needed else "")
        visit.place_like(household)
        visit.save()
        _save_photos(visit, prepared, written)
        # Only ever forward: a visit logged late for an earlier day does not hide a later one.
        Household.objects.filter(Q(last_visited_on__lt=visited_on) | Q(last_visited_on__isnull=True),
                                 pk=household.pk).update(last_visited_on=visited_on)
        record(actor, "visit.log", visit, after={"household": household.pk, "visited_on": visited_on,
                                                 "follow_up_needed": follow_up_needed, "photos": len(prepared)})
    return visit


def add_visit_photo(*, actor, visit: Visit, photo) -> VisitPhoto:
    require(actor, RegistryAction.VISIT, visit)
    content = prepare_photo(photo)
    with _photo_files() as written, transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)  # two uploads cannot both take the ninth place
        if visit.photos.count() >= PHOTOS_PER_VISIT:
            raise DomainError(_("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT})
        [stored] = _save_photos(visit, [content], written)
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


# --- photos ---------------------------------------------------------------------------------------------


def prepare_photo(upload) -> bytes:
    """The photo as the case pages keep theirs (gongzhi.cases.uploads): JPEG, PNG, WebP or an
    iPhone's HEIC, judged by its bytes, re-encoded as a JPEG without EXIF (no GPS position, no
    camera serial); or a DomainError on the photos field naming the file."""
    try:
        data = uploads.read_limited(upload, PHOTO_MAX_BYTES)
        return uploads.prepare_photo(data, name=upload.name, max_edge=PHOTO_MAX_SIDE).content
    except DomainError as exc:
        raise _refused(exc.message) from None


def _refused(message) -> DomainError:
    return DomainError(message, code="invalid", details={"photos": message})


def _save_photos(visit: Visit, contents: Iterable[bytes], written: list) -> list[VisitPhoto]:
    stored = []
    for content in contents:
        photo = VisitPhoto(visit=visit)
        photo.image.save("photo.jpg", ContentFile(content), save=False)
        written.append(photo.image)
        photo.save()
        stored.append(photo)
    return stored


@contextmanager
def _photo_files() -> Iterator[list]:
    """Collects the photo files a transaction writes and deletes them if it fails, so a refused or
    failed visit leaves no file behind (the database rolls back; the disk would not)."""
    written = []
    try:
        yield written
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise
