"""Household visits (走访): logged with notes and photos, follow-ups opened and closed.

Photos are read, checked and re-encoded before anything is written, so a refused photo leaves no
visit behind; the visit, its photos and the household's "last visited" day are then written in one
transaction, and photo files written by a transaction that fails are deleted again."""

import datetime as dt
import io
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from gongzhi.core.errors import DomainError

from ..models import Household, Visit, VisitPhoto
from ..permissions import RegistryAction
from .common import record, require

PHOTO_MAX_SIDE = 1600
PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000  # refused before decoding: no decompression bombs
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG some phone cameras write
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
    """The photo re-encoded as a JPEG at most 1600 px on a side, or a DomainError naming the file.

    Re-encoding drops all EXIF data (no GPS position, no camera serial; the camera's orientation is
    applied first), and a phone's 8 MB picture becomes a few hundred kB. Only JPEG, PNG and WebP are
    read: whatever the name or declared type says, the bytes decide."""
    name = getattr(upload, "name", "") or _("The photo")
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise _refused(_("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": PHOTO_MAX_BYTES // 2**20})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise _refused(_("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": PHOTO_MAX_BYTES // 2**20})
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise _refused(_("%(name)s is a HEIC photo, which we cannot read. Set the camera to JPEG "
                         "(\"Most Compatible\") or share it as JPEG.") % {"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.format not in PHOTO_FORMATS or opened.width * opened.height > PHOTO_MAX_PIXELS:
                    raise ValueError("not a photo we read")
                image = ImageOps.exif_transpose(opened)
                image.load()
    except Exception:  # Pillow raises many kinds for broken or hostile files; all mean "unreadable"
        raise _refused(_("%(name)s is not a JPEG, PNG or WebP photo we can read.") % {"name": name}) from None
    if image.mode in ("RGBA", "LA", "P"):  # a screenshot with transparency: flatten on white
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: nothing of the original's kept
    return out.getvalue()


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
