"""China's AI-content labels on outputs handed back (``marketplace.labelling``):
the explicit label is drawn where and as large as GB 45438 asks, measured on
the pixels; the implicit label reads back from each format; the video keeps
its size, rate, duration and audio."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from marketplace import labelling
from marketplace.images import CONTENT_TYPES
from marketplace.tests.videos import CLIP, facts, frame_at, make_video

LABEL = labelling.AiLabel(
    provider_name="ConsentCast",
    licence_code="CC-AB12-CD34-EF56",
    content_id="output-17",
    verify_url="https://consentcast.example/verify/CC-AB12-CD34-EF56/",
)
BACKGROUND = (40, 120, 200)
IMAGE_FORMATS = ["JPEG", "PNG", "WEBP"]
VIDEO_TYPES = ["video/mp4", "video/webm"]
NO_GLYPH = "\U0010fffd"


@pytest.fixture(autouse=True)
def dev_dir(settings, tmp_path):
    """No certificate configured: the development chain lives in a fresh directory per test."""
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = settings.C2PA_TRUST_ANCHORS = ""
    settings.C2PA_SIGNING_ALG, settings.C2PA_TIMESTAMP_URL = "es256", ""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"


def _image(fmt: str, size=(640, 400), colour=BACKGROUND) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, quality=95)
    return buffer.getvalue()


def label_on(picture: Image.Image, background=BACKGROUND) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(box, text): the bounding boxes of the pixels that differ from the
    plain ``background`` (the label's box) and of the near-white ones in it
    (the text), as (left, top, right, bottom)."""
    pixels = np.asarray(picture.convert("RGB")).astype(int)
    changed = np.abs(pixels - np.array(background)).max(axis=2) > 40
    white = pixels.min(axis=2) > 170
    return _bbox(changed), _bbox(white)


def _bbox(mask) -> tuple[int, ...]:
    rows, columns = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    assert rows.size, "no label drawn"
    assert columns.size, "no label drawn"
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def assert_labelled(picture: Image.Image) -> None:
    box, text = label_on(picture)
    shorter = min(picture.size)
    # A corner: the box touches neither the middle nor the far edges.
    assert box[0] < picture.width * 0.1
    assert box[1] < picture.height * 0.1
    assert box[3] < picture.height / 2
    # The text is inside the box and at least 5 % of the shorter side high.
    assert box[0] <= text[0]
    assert text[2] <= box[2]
    assert box[1] <= text[1]
    assert text[3] <= box[3]
    assert text[3] - text[1] >= 0.05 * shorter


# --- Images -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
@pytest.mark.parametrize("size", [(640, 400), (400, 900), (1920, 1080), (120, 90)])
def test_the_explicit_label_is_in_a_corner_at_least_5_percent_of_the_shorter_side(fmt, size):
    labelled = labelling.label_image(_image(fmt, size), content_type=CONTENT_TYPES[fmt], label=LABEL)
    with Image.open(io.BytesIO(labelled)) as picture:
        assert picture.format == fmt
        assert picture.size == size
        assert_labelled(picture)


def test_the_label_says_ai_generated_in_chinese_and_english_with_every_glyph_in_the_shipped_font():
    assert labelling.LABEL_TEXT == "AI生成 AI-generated"
    font = labelling._font(40)

    def drawn(char: str) -> bytes:
        image = Image.new("L", (80, 80))
        ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
        return image.tobytes()

    missing = drawn(NO_GLYPH)
    assert [char for char in set(labelling.LABEL_TEXT) if char != " " and drawn(char) == missing] == []


def test_a_picture_too_narrow_for_one_line_gets_the_label_on_two():
    layout = labelling.label_layout((80, 240))
    assert layout.lines == labelling.LABEL_LINES
    assert layout.box[2] <= 80
    labelled = labelling.label_image(_image("PNG", (80, 240)), content_type="image/png", label=LABEL)
    assert_labelled(Image.open(io.BytesIO(labelled)))


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_the_implicit_label_reads_back_from_xmp_and_the_signed_manifest(fmt):
    labelled = labelling.label_image(_image(fmt), content_type=CONTENT_TYPES[fmt], label=LABEL)
    found = labelling.read_ai_label(labelled, CONTENT_TYPES[fmt])
    assert found is not None
    assert found["AIGC"] == {
        "Label": "1",
        "ContentProducer": "ConsentCast",
        "ProduceID": "CC-AB12-CD34-EF56/output-17",
        "ReservedCode1": "",
        "ContentPropagator": "",
        "PropagateID": "",
        "ReservedCode2": "",
    }
    assert found["digital_source_type"] == labelling.DIGITAL_SOURCE_TYPE
    assert found["verify_url"] == LABEL.verify_url
    assert found["c2pa"]["licence_code"] == "CC-AB12-CD34-EF56"
    assert found["c2pa"]["AIGC"] == found["AIGC"]
    assert found["c2pa_actions"] == [{"action": "c2pa.created", "digitalSourceType": labelling.DIGITAL_SOURCE_TYPE}]


def test_the_provider_code_is_the_content_producer_when_one_is_set():
    coded = labelling.AiLabel(**{**LABEL.__dict__, "provider_code": "001-CC-0001"})
    labelled = labelling.label_image(_image("PNG"), content_type="image/png", label=coded)
    found = labelling.read_ai_label(labelled, "image/png")
    assert found is not None
    assert found["AIGC"]["ContentProducer"] == "001-CC-0001"


def test_an_unlabelled_image_has_no_implicit_label():
    assert labelling.read_ai_label(_image("JPEG"), "image/jpeg") is None
    assert labelling.read_ai_label(b"not an image", "image/png") is None


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"GIF89a not allowed", "image/gif"), (b"\x89PNG broken", "image/png"), (_image("PNG"), "image/jpeg")],
    ids=["gif", "damaged", "type-mismatch"],
)
def test_what_is_not_a_jpeg_png_or_webp_of_its_type_is_refused(data, content_type):
    with pytest.raises(ValueError, match="image"):
        labelling.label_image(data, content_type=content_type, label=LABEL)


def test_a_transparent_png_keeps_its_transparency():
    buffer = io.BytesIO()
    Image.new("LA", (300, 200), (128, 0)).save(buffer, "PNG")
    labelled = labelling.label_image(buffer.getvalue(), content_type="image/png", label=LABEL)
    with Image.open(io.BytesIO(labelled)) as picture:
        assert picture.mode == "RGBA"
        corner, label_box = picture.getpixel((299, 199)), picture.getpixel((10, 10))
        assert isinstance(corner, tuple)
        assert isinstance(label_box, tuple)
        assert corner[3] == 0  # away from the label: still transparent
        assert label_box[3] > 0  # the label's box is not


def test_an_image_over_the_pixel_cap_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 640 * 400 - 1
    with pytest.raises(ValueError, match="pixels"):
        labelling.label_image(_image("JPEG"), content_type="image/jpeg", label=LABEL)


# --- Videos -------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", VIDEO_TYPES)
def test_a_video_carries_the_label_at_half_a_second_and_at_1_9_seconds(content_type, tmp_path):
    source = make_video(content_type, **CLIP, target=str(tmp_path / "in"))
    destination = tmp_path / "out"
    labelling.label_video(str(tmp_path / "in"), str(destination), content_type=content_type, label=LABEL)
    labelled = destination.read_bytes()
    for seconds in (0.5, 1.9):
        assert_labelled(frame_at(labelled, seconds))
    before, after = facts(source), facts(labelled)
    assert after["size"] == before["size"] == (320, 240)
    assert after["rate"] == before["rate"]
    assert after["frames"] == before["frames"] == 25
    assert after["duration"] == before["duration"]
    assert after["codecs"] == before["codecs"]
    # The audio is copied packet for packet, not re-encoded.
    assert after["audio"] == before["audio"]
    assert before["audio"]


@pytest.mark.parametrize("content_type", VIDEO_TYPES)
def test_the_implicit_label_reads_back_from_the_video_container(content_type, tmp_path):
    make_video(content_type, **CLIP, target=str(tmp_path / "in"))
    with open(tmp_path / "in", "rb") as source, open(tmp_path / "out", "wb") as destination:
        labelling.label_video(source, destination, content_type=content_type, label=LABEL)
    found = labelling.read_ai_label(tmp_path / "out", content_type)
    assert found is not None
    assert found["AIGC"]["Label"] == "1"
    assert found["AIGC"]["ContentProducer"] == "ConsentCast"
    assert found["AIGC"]["ProduceID"] == "CC-AB12-CD34-EF56/output-17"
    assert "CC-AB12-CD34-EF56" in found["description"]
    assert LABEL.verify_url in found["description"]
    assert labelling.read_ai_label(tmp_path / "in", content_type) is None


def test_a_video_without_sound_is_labelled_too(tmp_path):
    make_video("video/mp4", **{**CLIP, "audio": False, "width": 256, "height": 480}, target=str(tmp_path / "in"))
    labelling.label_video(str(tmp_path / "in"), str(tmp_path / "out"), content_type="video/mp4", label=LABEL)
    labelled = (tmp_path / "out").read_bytes()
    assert facts(labelled)["size"] == (256, 480)
    assert_labelled(frame_at(labelled, 1.0))


@pytest.mark.parametrize("content_type", [*VIDEO_TYPES, "video/quicktime"])
def test_what_is_not_a_readable_video_is_refused(content_type, tmp_path):
    (tmp_path / "in").write_bytes(b"\x00\x00\x00\x18ftypmp42 but nothing else")
    with pytest.raises(ValueError, match="video"):
        labelling.label_video(str(tmp_path / "in"), str(tmp_path / "out"), content_type=content_type, label=LABEL)
