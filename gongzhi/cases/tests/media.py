"""Small real files for upload tests, made in memory."""

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_TAG = 0x8825


def jpeg_with_gps(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotate 90° when shown
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (30.0, 54.0, 0.0), 3: "E", 4: (113.0, 54.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def wav(seconds: float = 1.0, name="voice.wav", rate=8000) -> SimpleUploadedFile:
    frames = int(seconds * rate)
    data = b"\x00\x00" * frames
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", len(data))
    return SimpleUploadedFile(name, header + data, content_type="audio/wav")


def fake(name="photo.jpg", content=b"<html><script>alert(1)</script></html>") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def heic_with_gps(name="IMG_0001.HEIC", size=(64, 48)) -> SimpleUploadedFile:
    """An iPhone-style HEIC photo carrying a GPS position (encoded by pillow-heif)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", size, (40, 160, 40))
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (30.0, 54.0, 0.0), 3: "E", 4: (113.0, 54.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif, quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/heic")


AUDIO_FORMATS = {  # container → (codec, file name, what a client would declare)
    "webm": ("libopus", "voice.webm", "audio/webm"),  # Chrome and Firefox's MediaRecorder
    "ogg": ("libopus", "voice.ogg", "audio/ogg"),
    "ipod": ("aac", "voice.m4a", "audio/mp4"),  # Safari's MediaRecorder, iPhone voice memos
    "mp3": ("libmp3lame", "voice.mp3", "audio/mpeg"),
    "wav": ("pcm_s16le", "voice.wav", "audio/wav"),
    "amr": ("libopencore_amrnb", "voice.amr", "audio/amr"),  # older Android recorders
}


def recording(container="webm", seconds=1.0, *, title="", seekable=True) -> SimpleUploadedFile:
    """A tone recorded as a phone or browser would, made with PyAV (FFmpeg in the wheel). A
    non-seekable output is written as a live recording is: no duration in its header."""
    import av
    import numpy as np

    codec, name, declared = AUDIO_FORMATS[container]
    rate = 8000 if container == "amr" else 48000
    out = io.BytesIO()
    target = out if seekable else _Unseekable(out)
    with av.open(target, mode="w", format=container) as box:
        if title:
            box.metadata["title"] = title
            box.metadata["location"] = "+30.9000+113.9000/"
        stream = box.add_stream(codec, rate=rate, layout="mono")
        if container == "amr":
            stream.bit_rate = 12200
        fmt = "s16" if codec in ("pcm_s16le", "libopencore_amrnb") else "fltp"
        n = int(seconds * rate)
        wave = 0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)
        step = 960
        for i in range(0, n, step):
            part = wave[i:i + step].reshape(1, -1)
            part = (part * 32767).astype(np.int16) if fmt == "s16" else part.astype(np.float32)
            frame = av.AudioFrame.from_ndarray(part, format=fmt, layout="mono")
            frame.rate = rate
            box.mux(stream.encode(frame))
        box.mux(stream.encode(None))
    return SimpleUploadedFile(name, out.getvalue(), content_type=declared)


class _Unseekable(io.RawIOBase):
    def __init__(self, sink):
        self.sink = sink

    def writable(self):
        return True

    def write(self, b):
        return self.sink.write(b)
