"""Photos and voice recordings: checked by their bytes, never by name or declared type.

Everything is read and checked before the case's transaction starts, so a refused request writes
nothing. Images are decoded and re-encoded as JPEG — which drops EXIF with its GPS position and
camera data, and applies the camera's orientation first. Audio cannot be re-encoded without
external tools, so it is limited by size and, where the container says it, by duration.
"""

import hashlib
import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from gongzhi.core.errors import DomainError

from .choices import AttachmentKind
from .models import Case, CaseAttachment, CaseEvent

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 12 * 1024 * 1024
MAX_AUDIO_BYTES = 6 * 1024 * 1024
MAX_AUDIO_SECONDS = 180
MAX_CASE_BYTES = 60 * 1024 * 1024  # all stored attachments of one case
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
MAX_EDGE = 2560  # longest side kept; a phone photo needs no more to show a pothole
JPEG_QUALITY = 85

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
AUDIO_EXTENSIONS = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a", "audio/mpeg": ".mp3",
                    "audio/wav": ".wav"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"heim", b"heis"}


@dataclass(frozen=True)
class PreparedFile:
    kind: str
    content: bytes
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def refuse(message) -> DomainError:
    return DomainError(message, code="bad_upload")


# --- recognising content ------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "image/heif" if head[8:12] in HEIF_BRANDS else "audio/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def read_limited(upload, limit: int) -> bytes:
    """The upload's bytes, refusing (without reading it all) one over `limit`."""
    if upload.size is not None and upload.size > limit:
        raise refuse(_("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // 2**20})
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise refuse(_("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": limit // 2**20})
    return data


# --- photos -------------------------------------------------------------------------------------


def prepare_photo(data: bytes, *, name: str = "", kind: str = AttachmentKind.PHOTO) -> PreparedFile:
    content_type = sniff(data[:32])
    if content_type == "image/heif":
        raise refuse(_("%(name)s is a HEIC photo, which we cannot read. Set the camera to JPEG "
                       "(\"Most Compatible\") or share it as JPEG.") % {"name": name or _("The photo")})
    if content_type not in IMAGE_TYPES:
        raise refuse(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name or _("The file")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != IMAGE_TYPES[content_type]:
                raise ValueError("format does not match the content")
            if image.width * image.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            image = ImageOps.exif_transpose(image)
            image.load()
    except Exception:  # Pillow raises many kinds for broken or hostile files; all mean "unreadable"
        raise refuse(_("%(name)s could not be read as a photo.") % {"name": name or _("The file")}) from None
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    # No exif= argument: the new file carries no EXIF at all (no GPS position, no camera serial).
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedFile(kind=kind, content=out.getvalue(), content_type="image/jpeg", extension=".jpg",
                        width=image.width, height=image.height)


# --- audio --------------------------------------------------------------------------------------


def prepare_audio(data: bytes, *, name: str = "") -> PreparedFile:
    content_type = sniff(data[:32])
    if content_type not in AUDIO_EXTENSIONS:
        raise refuse(_("%(name)s is not a WebM, Ogg, M4A, MP3 or WAV recording.") % {"name": name or _("The file")})
    try:
        duration = audio_duration(content_type, data)
    except (struct.error, IndexError, ValueError, ZeroDivisionError):
        raise refuse(_("%(name)s could not be read as a recording.") % {"name": name or _("The file")}) from None
    if duration is not None and duration > MAX_AUDIO_SECONDS:
        raise refuse(_("A recording may last at most %(seconds)d seconds.") % {"seconds": MAX_AUDIO_SECONDS})
    return PreparedFile(kind=AttachmentKind.AUDIO, content=data, content_type=content_type,
                        extension=AUDIO_EXTENSIONS[content_type], duration_s=duration)


def audio_duration(content_type: str, data: bytes) -> float | None:
    """Seconds, where the container states it; None where it does not (a browser's WebM
    recording often does not — its size limit bounds it then)."""
    if content_type == "audio/wav":
        return _wav_duration(data)
    if content_type == "audio/ogg":
        return _ogg_duration(data)
    if content_type == "audio/mp4":
        return _mp4_duration(data)
    if content_type == "audio/mpeg":
        return _mp3_duration(data)
    if content_type == "audio/webm":
        return _webm_duration(data)
    return None


def _wav_duration(data: bytes) -> float:
    pos, byte_rate, data_size = 12, None, None
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            byte_rate = struct.unpack("<I", data[pos + 16:pos + 20])[0]
        elif chunk == b"data":
            data_size = size
            break
        pos += 8 + size + (size & 1)
    if not byte_rate or data_size is None:
        raise ValueError("incomplete WAV header")
    return data_size / byte_rate


def _ogg_duration(data: bytes) -> float | None:
    if b"OpusHead" in data[:200]:
        rate = 48000
    elif (i := data.find(b"\x01vorbis", 0, 200)) >= 0:
        rate = struct.unpack("<I", data[i + 12:i + 16])[0]
    else:
        return None
    last = data.rfind(b"OggS")
    granule = struct.unpack("<q", data[last + 6:last + 14])[0]
    return granule / rate if granule > 0 else None


def _mp4_duration(data: bytes) -> float | None:
    i = data.find(b"mvhd")
    if i < 0:
        return None
    version = data[i + 4]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[i + 24:i + 36])
    else:
        timescale, duration = struct.unpack(">II", data[i + 16:i + 24])
    return duration / timescale


MP3_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]  # MPEG-1 layer III, kbit/s


def _mp3_duration(data: bytes) -> float | None:
    start = 0
    if data.startswith(b"ID3"):
        size = data[6:10]
        start = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    header = data[start:start + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    index = header[2] >> 4
    if not 0 < index < len(MP3_BITRATES):
        return None
    # Exact for constant bit rates; an estimate for variable ones, which the size limit bounds anyway.
    return (len(data) - start) * 8 / (MP3_BITRATES[index] * 1000)


def _webm_duration(data: bytes) -> float | None:
    i = data.find(b"\x44\x89", 0, 4096)  # Segment Info → Duration (a float, in timecode-scale units)
    if i < 0:
        return None
    size = data[i + 2]
    if size == 0x88:
        value = struct.unpack(">d", data[i + 3:i + 11])[0]
    elif size == 0x84:
        value = struct.unpack(">f", data[i + 3:i + 7])[0]
    else:
        return None
    j = data.find(b"\x2a\xd7\xb1", 0, 4096)  # TimecodeScale, nanoseconds per unit (default 1 ms)
    scale = 1_000_000
    if j >= 0 and 0x81 <= data[j + 3] <= 0x88:
        n = data[j + 3] - 0x80
        scale = int.from_bytes(data[j + 4:j + 4 + n], "big")
    return value * scale / 1e9


# --- a request's files --------------------------------------------------------------------------


def prepare_uploads(photos: list, audio=None, *, photo_kind: str = AttachmentKind.PHOTO) -> list[PreparedFile]:
    """Check and convert a request's files, refusing the whole request at the first bad one."""
    if len(photos) > MAX_PHOTOS:
        raise refuse(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    prepared = [prepare_photo(read_limited(p, MAX_PHOTO_BYTES), name=p.name, kind=photo_kind) for p in photos]
    if audio is not None:
        prepared.append(prepare_audio(read_limited(audio, MAX_AUDIO_BYTES), name=audio.name))
    if sum(p.size for p in prepared) > MAX_CASE_BYTES:
        raise refuse(_("The files together are larger than %(mb)d MB.") % {"mb": MAX_CASE_BYTES // 2**20})
    return prepared


def check_case_room(case: Case, files: list[PreparedFile]) -> None:
    """Refuse files that would take a case over its limits (call under the case's lock)."""
    if not files:
        return
    existing = list(CaseAttachment.objects.filter(case=case).values_list("kind", "size"))
    for kind in (AttachmentKind.PHOTO, AttachmentKind.AFTER_PHOTO):
        if sum(1 for k, _s in existing if k == kind) + sum(1 for f in files if f.kind == kind) > MAX_PHOTOS:
            raise refuse(_("A case keeps at most %(n)d photos of each kind.") % {"n": MAX_PHOTOS})
    if sum(s for _k, s in existing) + sum(f.size for f in files) > MAX_CASE_BYTES:
        raise refuse(_("The case's files would be larger than %(mb)d MB.") % {"mb": MAX_CASE_BYTES // 2**20})


class FileStore:
    """Saves prepared files as a case's attachments and remembers what it wrote."""

    def __init__(self):
        self.names: list[str] = []

    def save(self, case: Case, files: list[PreparedFile], *, event: CaseEvent | None, user) -> list[CaseAttachment]:
        rows = []
        now = timezone.now()
        for f in files:
            digest = f.sha256
            name = default_storage.save(f"cases/{now:%Y/%m}/{digest[:2]}/{digest}{f.extension}",
                                        ContentFile(f.content))
            self.names.append(name)
            rows.append(CaseAttachment(
                case=case, event=event, kind=f.kind, file=name, content_type=f.content_type, size=f.size,
                sha256=digest, width=f.width, height=f.height, duration_s=f.duration_s,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None, created_at=now,
            ))
        return CaseAttachment.objects.bulk_create(rows)

    def discard(self) -> None:
        for name in self.names:
            default_storage.delete(name)
        self.names.clear()


@contextmanager
def file_store() -> Iterator[FileStore]:
    """Wrap the transaction that saves attachments: if it fails, the files it wrote are deleted,
    so a refused or failed request leaves no orphan files."""
    store = FileStore()
    try:
        yield store
    except BaseException:
        store.discard()
        raise
