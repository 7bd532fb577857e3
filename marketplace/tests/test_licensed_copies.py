"""The kernel's licensed copies (``marketplace.licensed_copies``): the
watermark key, the corner label, the formats, and reading marks back."""

import hashlib
import hmac
import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from marketplace import provenance, watermark
from marketplace.licensed_copies import corner_label, licensed_copy, marks_in, watermark_key
from marketplace.tests.test_watermark import synthetic_photo

FACTS = provenance.LicenceFacts(
    stage_name="Lin Xiaoyu",
    licence_code="CC-AB23-CD45-EF67",
    verify_url="http://127.0.0.1:8000/verify/CC-AB23-CD45-EF67/",
    terms_hash="0" * 64,
    training_allowed=False,
    term_start=date(2026, 1, 1),
    term_end=date(2026, 12, 31),
    delivery_id="0123456789abcdef",
    licensee="Lumen Pictures",
)
DELIVERY_ID = bytes.fromhex(FACTS.delivery_id)


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return synthetic_photo(7, (640, 480))


def test_the_watermark_key_is_hmac_of_a_fixed_label_under_the_secret_key():
    # Changing the derivation would make every delivered copy unreadable.
    expected = hmac.new(b"a fixed secret", b"consentcast-watermark-v1", hashlib.sha256).digest()
    assert watermark_key("a fixed secret") == expected
    assert expected.hex().startswith("dc07d71c380c991c")


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_a_copy_keeps_its_format_and_carries_the_delivery_id_and_the_manifest(photo, fmt, content_type):
    copy = licensed_copy(encoded(photo, fmt), delivery_id=DELIVERY_ID, facts=FACTS, visible_label=False)
    assert (copy.content_type, copy.watermarked) == (content_type, True)
    assert Image.open(io.BytesIO(copy.content)).format == fmt
    marks = marks_in(copy.content)
    assert marks.delivery_id == DELIVERY_ID
    assert marks.manifest is not None
    assert marks.manifest["licence_code"] == FACTS.licence_code


def test_a_jpeg_copy_is_encoded_at_quality_95(photo):
    copy = licensed_copy(encoded(photo, "JPEG"), delivery_id=DELIVERY_ID, facts=FACTS, visible_label=False)
    luma_table = Image.open(io.BytesIO(copy.content)).quantization[0]
    # libjpeg's standard table scaled to quality 95 starts with 2 (quality 90 with 3).
    assert luma_table[0] == 2


def test_an_image_without_a_mark_has_none(photo):
    marks = marks_in(encoded(photo, "JPEG"))
    assert (marks.delivery_id, marks.manifest) == (None, None)


def test_a_mark_under_another_key_is_not_ours(photo):
    marked = watermark.embed(photo, DELIVERY_ID, hashlib.sha256(b"someone else").digest())
    assert marks_in(encoded(marked, "PNG")).delivery_id is None


def test_the_label_changes_only_the_bottom_right_corner(photo):
    labelled = corner_label(photo, FACTS.licence_code)
    difference = np.abs(np.asarray(labelled, dtype=np.int16) - np.asarray(photo, dtype=np.int16)).sum(axis=2)
    rows, columns = np.nonzero(difference)
    assert rows.min() > photo.height * 0.9
    assert columns.min() > photo.width * 0.5
    assert labelled.size == photo.size
    assert labelled.mode == photo.mode


def test_an_original_too_small_for_a_mark_is_copied_unmarked_with_its_manifest():
    small = synthetic_photo(8, (200, 150))
    copy = licensed_copy(encoded(small, "JPEG"), delivery_id=DELIVERY_ID, facts=FACTS, visible_label=True)
    assert copy.watermarked is False
    assert marks_in(copy.content).manifest is not None


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(ValueError, match="not a readable image"):
        licensed_copy(b"not an image", delivery_id=DELIVERY_ID, facts=FACTS, visible_label=False)


def test_a_delivery_id_is_as_long_as_the_watermark_payload():
    from marketplace import licensed_copies, watermark

    assert licensed_copies.DELIVERY_ID_BYTES == watermark.PAYLOAD_BYTES
