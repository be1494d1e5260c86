"""Photos of work done, checked and re-encoded as the case pages do (gongzhi.cases.uploads): read and
checked before the order's transaction starts, so a refused photo writes nothing, and the files a
failed transaction wrote are deleted again."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gongzhi.cases import uploads
from gongzhi.core.errors import DomainError

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
MAX_PHOTOS = 6


def prepare_all(photos) -> list[bytes]:
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        message = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
        raise DomainError(message, details={"photos": message})
    out = []
    for upload in photos:
        try:
            data = uploads.read_limited(upload, MAX_BYTES)
            out.append(uploads.prepare_photo(data, name=upload.name, max_edge=MAX_SIDE).content)
        except DomainError as exc:
            raise DomainError(exc.message, details={"photos": str(exc.message)}) from None
    return out


def save(photo, content: bytes, written: list):
    photo.image.save("photo.jpg", ContentFile(content), save=False)
    written.append(photo.image)
    photo.save()
    return photo


@contextmanager
def written() -> Iterator[list]:
    files = []
    try:
        yield files
    except BaseException:
        for file in files:
            file.storage.delete(file.name)
        raise
