"""Photos and voice recordings: checked by their bytes, never by name or declared type.

Everything is read and checked before the case's transaction starts, so a refused request writes
nothing. Images — JPEG, PNG, WebP, and the HEIC/HEIF (and AVIF) photos iPhones take — are decoded
and re-encoded as JPEG, which drops EXIF with its GPS position and camera data (the camera's
orientation is applied first). Recordings — whatever a browser or phone records: WebM/Ogg Opus,
M4A/MP4 AAC, MP3, WAV, AMR — are decoded in full (the length limit is the decoded sound's, not
what a header claims; a file that does not decode is refused) and re-encoded to one format every
browser plays, Safari and iOS included: AAC in an M4A file, mono, without any of the original's
metadata (an iPhone memo's location, the recorder's name). PyAV's wheels bring FFmpeg, so no
system tools are needed.
"""

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import av
import pillow_heif
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from gongzhi.core.errors import DomainError

from .choices import AttachmentKind
from .models import Case, CaseAttachment, CaseEvent

pillow_heif.register_heif_opener()

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 12 * 1024 * 1024
MAX_AUDIO_BYTES = 6 * 1024 * 1024
MAX_AUDIO_SECONDS = 180
MAX_CASE_BYTES = 60 * 1024 * 1024  # all stored attachments of one case
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
MAX_EDGE = 2560  # longest side kept; a phone photo needs no more to show a pothole
JPEG_QUALITY = 85
# The recording kept: AAC-LC in M4A, mono — plays in every browser (Safari and iOS included).
AUDIO_RATE = 44100
AUDIO_BIT_RATE = 64000
AUDIO_TYPE, AUDIO_EXTENSION = "audio/mp4", ".m4a"

# Content type → the formats Pillow may report for it.
IMAGE_TYPES = {"image/jpeg": {"JPEG", "MPO"}, "image/png": {"PNG"}, "image/webp": {"WEBP"},
               "image/heif": {"HEIF", "AVIF"}}
AUDIO_TYPES = {"audio/webm", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav", "audio/amr"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis", b"heim", b"heis"}


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
    if head.startswith(b"#!AMR"):
        return "audio/amr"
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


def prepare_photo(data: bytes, *, name: str = "", kind: str = AttachmentKind.PHOTO,
                  max_edge: int = MAX_EDGE) -> PreparedFile:
    content_type = sniff(data[:32])
    if content_type not in IMAGE_TYPES:
        raise refuse(_("%(name)s is not a JPEG, PNG, WebP or HEIC photo.") % {"name": name or _("The file")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_TYPES[content_type]:
                raise ValueError("format does not match the content")
            if image.width * image.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            image = ImageOps.exif_transpose(image)
            image.load()
    except Exception:  # Pillow raises many kinds for broken or hostile files; all mean "unreadable"
        raise refuse(_("%(name)s could not be read as a photo.") % {"name": name or _("The file")}) from None
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    image.thumbnail((max_edge, max_edge))
    out = io.BytesIO()
    # No exif= argument: the new file carries no EXIF at all (no GPS position, no camera serial).
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedFile(kind=kind, content=out.getvalue(), content_type="image/jpeg", extension=".jpg",
                        width=image.width, height=image.height)


# --- audio --------------------------------------------------------------------------------------


class TooLong(Exception):
    pass


def prepare_audio(data: bytes, *, name: str = "") -> PreparedFile:
    """A recording decoded, limited in length and re-encoded as AAC in M4A."""
    if sniff(data[:32]) not in AUDIO_TYPES:
        raise refuse(_("%(name)s is not a WebM, Ogg, M4A, MP3, WAV or AMR recording.")
                     % {"name": name or _("The file")})
    try:
        content, duration = transcode_audio(data, MAX_AUDIO_SECONDS)
    except TooLong:
        raise refuse(_("A recording may last at most %(seconds)d seconds.") % {"seconds": MAX_AUDIO_SECONDS}) from None
    except Exception:  # FFmpeg refuses broken or hostile files in many ways; all mean "unreadable"
        raise refuse(_("%(name)s could not be read as a recording.") % {"name": name or _("The file")}) from None
    return PreparedFile(kind=AttachmentKind.AUDIO, content=content, content_type=AUDIO_TYPE,
                        extension=AUDIO_EXTENSION, duration_s=round(duration, 2))


def transcode_audio(data: bytes, max_seconds: float) -> tuple[bytes, float]:
    """Decode the first audio stream of `data` (raising TooLong past `max_seconds` of sound, and
    ValueError when there is none), and encode it as mono AAC in an M4A file with no metadata."""
    limit = int(max_seconds * AUDIO_RATE)
    samples = 0
    fd, path = tempfile.mkstemp(suffix=AUDIO_EXTENSION)
    os.close(fd)
    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            if not source.streams.audio:
                raise ValueError("no audio stream")
            stream = source.streams.audio[0]
            if source.duration is not None and source.duration / av.time_base > max_seconds + 1:
                raise TooLong  # the header says so: no need to decode it all to refuse it
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=AUDIO_RATE)
            # faststart puts the index first, so a browser starts playing before the whole file is in;
            # bitexact writes no encoder name.
            with av.open(path, mode="w", format="ipod",
                         options={"movflags": "+faststart", "fflags": "+bitexact"}) as out:
                encoded = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
                encoded.bit_rate = AUDIO_BIT_RATE

                def write(frames):
                    nonlocal samples
                    for frame in frames:
                        samples += frame.samples
                        if samples > limit:
                            raise TooLong
                        frame.pts = None
                        out.mux(encoded.encode(frame))

                for frame in source.decode(stream):
                    write(resampler.resample(frame))
                write(resampler.resample(None))
                out.mux(encoded.encode(None))
        if samples == 0:
            raise ValueError("no sound")
        with open(path, "rb") as f:
            return f.read(), samples / AUDIO_RATE
    finally:
        os.unlink(path)


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
