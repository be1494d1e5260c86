"""Uploads: iPhone HEIC photos re-encoded to JPEG without their GPS position; recordings of every
kind phones and browsers make decoded in full, limited by the decoded length, re-encoded to AAC in
M4A without metadata; limits per file and per case; a refused upload saves nothing."""

import io

import av
import pytest
from PIL import Image

from gongzhi.cases import uploads
from gongzhi.cases.models import Case, CaseAttachment
from gongzhi.cases.services import workflow
from gongzhi.cases.uploads import prepare_audio, prepare_photo, prepare_uploads
from gongzhi.core.errors import DomainError

from . import media

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- photos -----------------------------------------------------------------------------------------


def test_a_heic_photo_becomes_a_jpeg_without_its_position():
    upload = media.heic_with_gps()
    data = upload.read()
    assert b"ftypheic" in data[:16]
    prepared = prepare_photo(data, name=upload.name)
    assert prepared.content_type == "image/jpeg" and prepared.extension == ".jpg"
    image = Image.open(io.BytesIO(prepared.content))
    assert image.format == "JPEG" and (image.width, image.height) == (64, 48)
    assert not image.getexif() and b"Apple" not in prepared.content


def test_a_broken_heic_is_refused():
    with pytest.raises(DomainError) as refused:
        prepare_photo(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200, name="IMG_0002.HEIC")
    assert refused.value.code == "bad_upload" and "could not be read as a photo" in str(refused.value.message)


# --- recordings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("container", sorted(media.AUDIO_FORMATS))
def test_every_recording_becomes_aac_in_m4a(container):
    upload = media.recording(container, 2, title="王先生的录音")
    prepared = prepare_audio(upload.read(), name=upload.name)
    assert (prepared.content_type, prepared.extension) == ("audio/mp4", ".m4a")
    assert prepared.duration_s == pytest.approx(2, abs=0.05)
    with av.open(io.BytesIO(prepared.content)) as box:
        (stream,) = box.streams
        assert stream.codec_context.name == "aac" and stream.codec_context.profile == "LC"
        assert stream.channels == 1
        assert not {"title", "location", "encoder"} & set(box.metadata)
    assert "王先生".encode() not in prepared.content and b"+30.9000" not in prepared.content
    # The index comes first (faststart): a browser plays it before it has all of it.
    assert prepared.content.index(b"moov") < prepared.content.index(b"mdat")


def test_the_length_limit_is_the_decoded_sound(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_AUDIO_SECONDS", 5)
    assert prepare_audio(media.recording("webm", 4).read()).duration_s == pytest.approx(4, abs=0.05)
    # A live recording's header states no length: decoding finds it too long all the same.
    live = media.recording("webm", 8, seekable=False).read()
    with av.open(io.BytesIO(live)) as box:
        assert box.duration is None
    with pytest.raises(DomainError) as refused:
        prepare_audio(live)
    assert "at most 5 seconds" in str(refused.value.message)
    with pytest.raises(DomainError):
        prepare_audio(media.recording("ogg", 8).read())


@pytest.mark.parametrize("content", [
    b"OggS" + b"\x00" * 400,  # looks like Ogg, is nothing
    b"\x1a\x45\xdf\xa3" + b"\x00" * 400,  # a WebM header and no sound
    b"#!AMR\n",  # an AMR header and no frame
    b"<html><script>alert(1)</script></html>",
])
def test_a_recording_that_does_not_decode_is_refused(content):
    with pytest.raises(DomainError) as refused:
        prepare_audio(content, name="voice.webm")
    assert refused.value.code == "bad_upload"


def test_a_truncated_recording_keeps_what_decodes_or_is_refused():
    whole = media.recording("wav", 2).read()
    with pytest.raises(DomainError):
        prepare_audio(whole[:40], name="voice.wav")  # the header alone


# --- limits and no orphan files ---------------------------------------------------------------------


def test_size_limits_per_file_and_per_case(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", 1000)
    big = media.jpeg_with_gps(size=(400, 300))
    with pytest.raises(DomainError) as refused:
        prepare_uploads([big])
    assert "larger than" in str(refused.value.message)
    monkeypatch.undo()
    monkeypatch.setattr(uploads, "MAX_CASE_BYTES", 100)
    with pytest.raises(DomainError):
        prepare_uploads([media.png()], media.recording("webm", 1))


def test_a_refused_resolution_saves_no_file_and_nothing_else(flow, settings, monkeypatch):
    case = flow.in_progress()
    files = prepare_uploads([media.heic_with_gps()], None, photo_kind="after_photo")
    monkeypatch.setattr(uploads, "MAX_CASE_BYTES", 10)  # the case is full
    with pytest.raises(DomainError):
        workflow.resolve_case(actor=flow.users["department_staff"], case=case, feedback="已清运", files=files)
    assert Case.objects.get(pk=case.pk).version == case.version
    assert not CaseAttachment.objects.filter(case=case).exists() and not stored_files(settings)


def test_a_resident_reports_with_a_heic_photo_and_a_browser_recording(flow, client_as, settings):
    from .conftest import IN_GRID_A

    resident = client_as("resident")
    response = resident.post("/api/v1/cases/", {
        "description": "井盖丢了", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1], "category": "litter",
        "photos": [media.heic_with_gps()], "audio": media.recording("webm", 2),
    })
    assert response.status_code in (200, 201), response.content
    case = Case.objects.get()
    kinds = sorted(CaseAttachment.objects.filter(case=case).values_list("kind", "content_type"))
    assert kinds == [("audio", "audio/mp4"), ("photo", "image/jpeg")]


def test_recordings_are_served_by_range_as_safari_asks(flow, client_as):
    from gongzhi.cases.services.intake import Report, submit_case

    from .conftest import IN_GRID_A

    case = submit_case(actor=flow.users["resident"], report=Report(
        description="噪音扰民", lng=IN_GRID_A[0], lat=IN_GRID_A[1], category=flow.registered().category,
        files=[prepare_audio(media.recording("webm", 2).read())])).case
    audio = CaseAttachment.objects.get(case=case)
    desk = client_as("community_secretary")
    url = f"/cases/{case.pk}/files/{audio.pk}/"
    first = desk.get(url, headers={"Range": "bytes=0-1"})
    assert first.status_code == 206 and first.content == audio.file.open("rb").read()[:2]
    assert first["Content-Range"] == f"bytes 0-1/{audio.size}" and first["Accept-Ranges"] == "bytes"
    tail = desk.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and len(tail.content) == 10
    assert desk.get(url, headers={"Range": f"bytes={audio.size}-"}).status_code == 416
    whole = desk.get(url)
    assert whole.status_code == 200 and whole["Content-Type"] == "audio/mp4"
