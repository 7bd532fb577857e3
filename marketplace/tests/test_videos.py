"""``inspect_video``: MP4 and WebM only, within the size, length and pixel
caps, with a JPEG poster frame; everything else is a ValidationError with a
code, never another exception."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.tests.videos import make_audio_only, make_video
from marketplace.videos import CleanVideo, inspect_video, sniff_video


def upload(data: bytes, name: str = "clip.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def refusal(data: bytes, name: str = "clip.mp4") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_video(upload(data, name))
    return caught.value


@pytest.mark.parametrize(
    ("kind", "content_type", "extension"),
    [("mp4", "video/mp4", ".mp4"), ("webm", "video/webm", ".webm"), ("webm-vp8", "video/webm", ".webm")],
)
def test_mp4_and_webm_are_accepted_with_their_facts(kind, content_type, extension):
    video = inspect_video(upload(make_video(kind)))
    assert isinstance(video, CleanVideo)
    assert (video.content_type, video.extension) == (content_type, extension)
    assert (video.width, video.height) == (64, 48)
    assert video.duration_seconds == pytest.approx(1.0, abs=0.1)


def test_the_poster_is_a_jpeg_without_metadata_of_the_frame_size():
    video = inspect_video(upload(make_video("mp4")))
    poster = Image.open(io.BytesIO(video.poster_jpeg))
    assert poster.format == "JPEG"
    assert poster.mode == "RGB"
    assert poster.size == (64, 48)
    assert not poster.getexif()
    assert "comment" not in poster.info


def test_the_poster_of_a_longer_video_is_the_frame_at_one_second():
    # Two seconds: dark frames for the first second, bright ones after.
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(24):
            shade = 10 if index < 12 else 245
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (shade, shade, shade)))
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    video = inspect_video(upload(buffer.getvalue()))
    assert video.duration_seconds == pytest.approx(2.0, abs=0.1)
    poster = Image.open(io.BytesIO(video.poster_jpeg)).convert("L")
    assert poster.getpixel((32, 24)) > 200


def test_a_short_video_has_its_first_frame_as_poster():
    video = inspect_video(upload(make_video("webm", frames=3)))
    assert Image.open(io.BytesIO(video.poster_jpeg)).size == (64, 48)


def test_a_large_frame_gives_a_poster_no_larger_than_a_still():
    video = inspect_video(upload(make_video("mp4", width=1280, height=720, frames=2)))
    assert Image.open(io.BytesIO(video.poster_jpeg)).size == (1024, 576)


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "empty"


def test_a_file_over_the_size_limit_is_refused(settings):
    data = make_video("mp4")
    settings.OUTPUT_VIDEO_MAX_BYTES = len(data) - 1
    error = refusal(data)
    assert error.code == "too_large"
    assert "limit" in error.messages[0]


def test_a_video_longer_than_the_limit_is_refused(settings):
    settings.OUTPUT_VIDEO_MAX_SECONDS = 2
    error = refusal(make_video("mp4", frames=36))
    assert error.code == "too_long"
    assert "2 seconds" in error.messages[0]


def test_a_video_with_too_many_pixels_a_frame_is_refused(settings):
    settings.OUTPUT_VIDEO_MAX_PIXELS = 64 * 48 - 1
    error = refusal(make_video("webm"))
    assert error.code == "too_many_pixels"
    assert "64×48" in error.messages[0]


@pytest.mark.parametrize("kind", ["mkv", "mov", "avi"])
def test_other_containers_are_refused_before_ffmpeg_sees_them(kind):
    error = refusal(make_video(kind))
    assert error.code == "format"
    assert "MP4 or WebM" in error.messages[0]


def test_text_renamed_mp4_is_refused():
    assert refusal(b"<html><script>alert(1)</script></html>" * 20, "evil.mp4").code == "format"


def test_a_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="GIF")
    assert refusal(buffer.getvalue(), "clip.gif").code == "format"


@pytest.mark.parametrize("kind", ["mp4", "webm"])
def test_an_audio_only_file_is_refused(kind):
    assert refusal(make_audio_only(kind)).code == "no_video"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_mp4_is_refused(keep):
    data = make_video("mp4")
    assert refusal(data[: int(len(data) * keep)]).code == "damaged"


def test_a_truncated_webm_is_refused():
    data = make_video("webm")
    assert refusal(data[:60]).code == "damaged"


def test_an_mp4_header_followed_by_garbage_is_refused():
    data = make_video("mp4")
    assert refusal(data[:32] + bytes(range(256)) * 8).code == "damaged"


def test_a_webm_whose_frames_are_garbage_is_refused():
    data = bytearray(make_video("webm"))
    # Past the headers, every byte of the clusters scrambled.
    for index in range(300, len(data)):
        data[index] = (data[index] * 31 + 7) % 256
    assert refusal(bytes(data)).code == "damaged"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", None),
        (b"\x00\x00\x00\x10ftypM4A \x00\x00\x00\x00", None),
        (b"\x00\x00\xff\xffftypisom", None),
        (b"\x1a\x45\xdf\xa3\x84\x42\x82\x81", None),
        (b"", None),
    ],
)
def test_sniffing_reads_the_brand_and_doctype(head, expected):
    assert sniff_video(head) == expected
