"""Uploaded files sealed at rest (gongzhi.core.crypto): what a report's photos and recordings, a
visit's photos and an import's spreadsheets hold is personal data, and a copied disk or backup must
not give it away. Files are sealed as they are saved and opened as they are read, so the views that
serve them (always scoped) and the code that stores them do not change; a file saved before sealing
began reads as it is until `gongzhi rotate-keys` seals it."""

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from . import crypto


@deconstructible
class SealedStorage(FileSystemStorage):
    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(crypto.seal_file(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as stored:
            data = crypto.open_file(stored.read())
        return ContentFile(data, name=name)

    def size(self, name):
        return len(self._open(name).read())
