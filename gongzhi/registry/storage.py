"""Files holding personal data — visit photos, uploaded and rejected spreadsheets — live outside
MEDIA_ROOT (which a web server may expose) and are served only through scoped views.

The location is `GONGZHI_PRIVATE_ROOT` in the settings if set, else `<GONGZHI_DATA_DIR>/private`.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils.deconstruct import deconstructible

from gongzhi.core.storage import SealedStorage


def private_root() -> Path:
    return Path(settings.GONGZHI_PRIVATE_ROOT)


@deconstructible
class PrivateStorage(SealedStorage):
    """Sealed like every upload; reads its location at each use, so tests can point it at a temporary
    directory."""

    def __init__(self, subdir: str = ""):
        self.subdir = subdir
        super().__init__()

    @property
    def base_location(self):
        return private_root() / self.subdir

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None


visit_photos = PrivateStorage("visit-photos")


def photo_response(photo) -> FileResponse:
    """A visit photo (the JPEG the services wrote), answered by the scoped page and API alike: kept
    by the one browser that asked, never by a shared cache."""
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
