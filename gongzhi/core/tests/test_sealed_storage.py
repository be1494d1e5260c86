"""Uploads are sealed at rest: the bytes on disk are not the file, reading through the storage gives
the file back, and a file stored before sealing began still reads."""

from pathlib import Path

from django.core.files.base import ContentFile

from gongzhi.core import crypto
from gongzhi.core.storage import SealedStorage

JPEG = b"\xff\xd8\xff\xe0" + b"photo of a pothole" * 20


def test_files_are_sealed_on_disk_and_read_back(tmp_path):
    storage = SealedStorage(location=tmp_path)
    name = storage.save("cases/2026/12/p.jpg", ContentFile(JPEG))
    on_disk = (tmp_path / name).read_bytes()
    assert on_disk.startswith(crypto.FILE_MARK) and b"pothole" not in on_disk and JPEG[:4] not in on_disk
    with storage.open(name) as f:
        assert f.read() == JPEG
    assert storage.size(name) == len(JPEG)


def test_a_file_stored_in_clear_before_sealing_still_reads(tmp_path):
    storage = SealedStorage(location=tmp_path)
    Path(tmp_path / "old.jpg").write_bytes(JPEG)
    with storage.open("old.jpg") as f:
        assert f.read() == JPEG
