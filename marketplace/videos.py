"""``inspect_video``: the one gate every uploaded video goes through.

Only MP4 (ISO base media, not QuickTime) and WebM (Matroska whose doctype is
``webm``, not any other Matroska) are opened, and only after their magic
bytes say so: FFmpeg never guesses the format of an upload, it is told which
demuxer to use. The file itself is kept as submitted by the caller; what is
made here is its facts (type, size in pixels, duration) and a poster frame,
decoded by FFmpeg (PyAV) and re-encoded by Pillow as a plain JPEG without
metadata.

Nothing is written anywhere: the upload is read into memory (at most
``OUTPUT_VIDEO_MAX_BYTES``) and decoded from there. Every refusal, whatever
FFmpeg makes of a damaged file, is a ``ValidationError`` with a ``code``.
"""

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from marketplace.images import jpeg_still

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE_ID = 0x4282
# The brands of an ISO base media file that make it an MP4; QuickTime's own
# brand ("qt  ") makes it a MOV, which is refused even though the same
# demuxer reads both.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"iso7",
    b"iso8",
    b"iso9",
    b"mp41",
    b"mp42",
    b"avc1",
    b"av01",
    b"dash",
    b"M4V ",
}
QUICKTIME_BRAND = b"qt  "
# What each accepted format is told to FFmpeg as, stored as and named.
FORMATS = {
    "mp4": {"demuxer": "mp4", "content_type": "video/mp4", "extension": ".mp4"},
    "webm": {"demuxer": "webm", "content_type": "video/webm", "extension": ".webm"},
}
# The poster is the first frame at or after this second (the first frame of
# a shorter video); frames decoded to reach it are capped.
POSTER_AT_SECONDS = 1.0
POSTER_MAX_FRAMES = 600
# Errors PyAV and FFmpeg raise on a damaged or hostile file, besides their
# own (``av.FFmpegError``, added where ``av`` is loaded).
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    EOFError,
    ArithmeticError,
    IndexError,
    KeyError,
    TypeError,
    RuntimeError,
    MemoryError,
)


@dataclass(frozen=True)
class CleanVideo:
    """What an accepted video is: its type, the extension to store it under,
    its duration and frame size, and a JPEG poster frame."""

    content_type: str
    extension: str
    duration_seconds: float
    width: int
    height: int
    poster_jpeg: bytes


def max_bytes() -> int:
    return settings.OUTPUT_VIDEO_MAX_BYTES


def max_seconds() -> int:
    return settings.OUTPUT_VIDEO_MAX_SECONDS


def max_pixels() -> int:
    return settings.OUTPUT_VIDEO_MAX_PIXELS


def inspect_video(upload: Any) -> CleanVideo:
    """Check one uploaded video and extract its facts and poster frame.

    Raises ``ValidationError`` (message in the active language, a ``code``)
    when the file is empty or too large, not an MP4 or WebM file, has no
    video stream, lasts too long, has too many pixels a frame, or cannot be
    decoded. Nothing is written anywhere.
    """
    data = _read_bounded(upload)
    kind = sniff_video(data[:4096])
    if kind is None:
        raise _wrong_format()
    # PyAV loads FFmpeg's libraries (tens of MB) on import: only the process
    # that inspects a video pays for it, never the portal's start.
    import av

    errors: tuple[type[BaseException], ...] = (av.FFmpegError, *DECODE_ERRORS)
    try:
        with av.open(io.BytesIO(data), mode="r", format=FORMATS[kind]["demuxer"]) as container:
            return _inspect(container, kind)
    except ValidationError:
        raise
    except errors:
        raise _damaged() from None


def _read_bounded(upload: Any) -> bytes:
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise _too_large(size)
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > max_bytes():
        raise _too_large(len(data))
    return bytes(data)


def sniff_video(head: bytes) -> str | None:
    """``"mp4"`` or ``"webm"`` from a file's first bytes, or None for any
    other format (QuickTime MOV and other Matroska files included)."""
    if head[4:8] == b"ftyp":
        return "mp4" if _is_mp4_brand(head) else None
    if head[:4] == EBML_MAGIC:
        return "webm" if ebml_doctype(head) == "webm" else None
    return None


def _is_mp4_brand(head: bytes) -> bool:
    box_size = int.from_bytes(head[0:4], "big")
    if box_size < 16 or box_size > len(head):
        return False
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, box_size - 3, 4)}
    if major == QUICKTIME_BRAND:
        return False
    return major in MP4_BRANDS or bool(compatible & MP4_BRANDS)


def _vint(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``at``: (value, its length)."""
    if at >= len(data):
        raise ValueError("truncated EBML")
    first = data[at]
    length = next((n for n in range(1, 9) if first & (0x80 >> (n - 1))), 0)
    if length == 0 or at + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def ebml_doctype(head: bytes) -> str | None:
    """The DocType of the EBML header at the start of ``head`` (``webm``,
    ``matroska``), or None when the header cannot be read."""
    try:
        _header_id, at = _vint(head, 0, keep_marker=True)
        header_size, length = _vint(head, at, keep_marker=False)
        at += length
        end = min(at + header_size, len(head))
        while at < end:
            element, length = _vint(head, at, keep_marker=True)
            at += length
            size, length = _vint(head, at, keep_marker=False)
            at += length
            if element == EBML_DOCTYPE_ID:
                return head[at : at + size].rstrip(b"\x00").decode("ascii")
            at += size
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _inspect(container: Any, kind: str) -> CleanVideo:
    if not container.streams.video:
        raise ValidationError(
            _("The file has no video in it (audio only?). Submit the video or image you generated."), code="no_video"
        )
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width <= 0 or height <= 0:
        raise _damaged()
    if width * height > max_pixels():
        raise ValidationError(
            _("The video is %(width)s×%(height)s pixels; at most %(limit)s megapixels a frame are accepted.")
            % {"width": width, "height": height, "limit": f"{max_pixels() / 1_000_000:.1f}"},
            code="too_many_pixels",
        )
    duration = _duration(container, stream)
    if duration > max_seconds():
        raise ValidationError(
            _("The video lasts %(seconds)s seconds; at most %(limit)s seconds are accepted.")
            % {"seconds": f"{duration:.1f}", "limit": max_seconds()},
            code="too_long",
        )
    poster = _poster(container, stream, at=POSTER_AT_SECONDS if duration >= POSTER_AT_SECONDS else 0.0)
    return CleanVideo(
        content_type=FORMATS[kind]["content_type"],
        extension=FORMATS[kind]["extension"],
        duration_seconds=round(duration, 3),
        width=width,
        height=height,
        poster_jpeg=poster,
    )


def _duration(container: Any, stream: Any) -> float:
    """Seconds, from the stream, else the container, else the last packet."""
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / 1_000_000  # AV_TIME_BASE
    else:
        seconds = _duration_from_packets(container, stream)
        container.seek(0)
    if not seconds or seconds <= 0:
        raise _damaged()
    return seconds


def _duration_from_packets(container: Any, stream: Any) -> float:
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def _poster(container: Any, stream: Any, *, at: float) -> bytes:
    """The first decodable frame at or after ``at`` seconds (the last one
    decoded, if the video ends or the cap is reached first) as a JPEG."""
    frame = None
    for count, decoded in enumerate(container.decode(stream), start=1):
        frame = decoded
        if decoded.time is None or decoded.time >= at or count >= POSTER_MAX_FRAMES:
            break
    if frame is None:
        raise _damaged()
    return jpeg_still(frame.to_image())


def _wrong_format() -> ValidationError:
    return ValidationError(
        _("This is not an MP4 or WebM video. Only those two formats are accepted."),
        code="format",
    )


def _too_large(size: int) -> ValidationError:
    return ValidationError(
        _("The file is %(size)s; the limit is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
        code="too_large",
    )


def _damaged() -> ValidationError:
    return ValidationError(
        _("The video is damaged or incomplete and cannot be read. Please export it again and retry."),
        code="damaged",
    )
