"""Licensed copies: what an original becomes when it leaves the portal, and
how a found copy is read back (DESIGN.md "Delivery and provenance").

``licensed_copy`` turns a stored (already sanitized) original into the copy
one delivery hands out: the delivery id as an invisible watermark
(``marketplace.watermark``), optionally a small visible corner label with the
licence code, encoded in the original's format (JPEG at quality 95), then
the signed C2PA manifest and XMP fields of ``marketplace.provenance``.
``marks_in`` reads both back from a found copy.

The copy is made in the request. Measured here on a 12 MP photo: 0.3 to
0.5 s as JPEG (decode 0.04 s, watermark 0.2 s, encode 0.03 s, C2PA 0.01 s),
1 to 1.2 s as PNG or WebP (their decoding and encoding dominate), the label
adding nothing measurable: inside a download, under the 1.5 s goal. A worker
ahead of time would need one stored copy per delivery for nothing.

The watermark key is derived from ``SECRET_KEY`` here and nowhere else
(``watermark_key``). Copies delivered under an earlier key stay readable
while that key is in ``SECRET_KEY_FALLBACKS`` (``watermark_keys``).
"""

import hashlib
import hmac
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps

from marketplace import provenance
from marketplace.images import ALLOWED_FORMATS, CONTENT_TYPES, EXTENSIONS
from marketplace.provenance import LicenceFacts

logger = logging.getLogger(__name__)

WATERMARK_KEY_LABEL = b"consentcast-watermark-v1"
# How long a delivery id is: ``watermark.PAYLOAD_BYTES``, written out so that
# loading this module (every web process does) does not load numpy and
# PyWavelets (~20 MB) before a copy is made; a test checks the two agree.
DELIVERY_ID_BYTES = 8
JPEG_QUALITY = 95
WEBP_QUALITY = 95
# Speed over size, measured on a 12 MP photo: PNG at zlib level 6 took 5.5 s,
# level 1 about 0.7 s for 13 % more bytes; WebP method 4 took 1.2 to 2 s,
# method 0 0.4 s for 12 % fewer bytes (and the mark reads back the same).
PNG_COMPRESS_LEVEL = 1
WEBP_METHOD = 0


def watermark_key(secret_key: str | None = None) -> bytes:
    """The key every delivered copy is marked under: HMAC-SHA256 of a fixed
    label under ``SECRET_KEY`` (or ``secret_key``). The watermark's own
    layout and tag are derived from it, so without the secret a mark can be
    neither read nor forged."""
    secret = settings.SECRET_KEY if secret_key is None else secret_key
    return hmac.new(secret.encode("utf-8"), WATERMARK_KEY_LABEL, hashlib.sha256).digest()


def watermark_keys() -> list[bytes]:
    """The current key first, then those of ``SECRET_KEY_FALLBACKS``: a copy
    delivered before a key rotation is still traced."""
    fallbacks = [str(secret) for secret in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [watermark_key(), *(watermark_key(secret) for secret in fallbacks)]


@dataclass(frozen=True)
class LicensedCopy:
    """The bytes one delivery hands out. ``watermarked`` is False only for
    an original too small to carry a mark (under ``watermark.MIN_SIDE``)."""

    content: bytes
    content_type: str
    extension: str
    watermarked: bool


def licensed_copy(original: bytes, *, delivery_id: bytes, facts: LicenceFacts, visible_label: bool) -> LicensedCopy:
    """A fresh copy of ``original`` (a sanitized JPEG, PNG or WebP) for one
    delivery: ``delivery_id`` (``DELIVERY_ID_BYTES``) embedded under
    ``watermark_key()``, the licence code in a corner when ``visible_label``,
    encoded as the original was, stamped with ``facts``.

    Raises ``ValueError`` when ``original`` is not an image of those formats.
    """
    from marketplace import watermark  # here, not at the top: see DELIVERY_ID_BYTES

    try:
        with Image.open(io.BytesIO(original), formats=ALLOWED_FORMATS) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            fmt = str(opened.format)
    except OSError as exc:  # UnidentifiedImageError included
        raise ValueError(f"the original is not a readable image: {exc}") from exc
    watermarked = min(image.size) >= watermark.MIN_SIDE
    if watermarked:
        image = watermark.embed(image, delivery_id, watermark_key())
    else:
        logger.warning("original of %dx%d px is too small to carry a watermark", *image.size)
    if visible_label:
        image = corner_label(image, facts.licence_code)
    encoded = encode(image, fmt)
    content_type = CONTENT_TYPES[fmt]
    stamped = provenance.stamp(encoded, content_type, facts)
    return LicensedCopy(stamped, content_type, EXTENSIONS[fmt].lstrip("."), watermarked)


def corner_label(image: Image.Image, text: str) -> Image.Image:
    """``image`` with ``text`` (a licence code: ASCII) in a small dark box in
    its bottom-right corner, about a fortieth of the shorter side high. Only
    the corner is blended, so a 12 MP photo costs what its corner costs."""
    base = image.copy() if image.mode in ("RGB", "RGBA") else image.convert("RGB")
    size = max(10, min(base.size) // 40)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = (int(edge) for edge in font.getbbox(text))
    pad = max(3, size // 3)
    box_width, box_height = right - left + 2 * pad, bottom - top + 2 * pad
    x0, y0 = max(0, base.width - box_width - pad), max(0, base.height - box_height - pad)
    corner = (x0, y0, min(base.width, x0 + box_width), min(base.height, y0 + box_height))
    overlay = Image.new("RGBA", (corner[2] - x0, corner[3] - y0), (0, 0, 0, 150))
    ImageDraw.Draw(overlay).text((pad - left, pad - top), text, font=font, fill=(255, 255, 255, 235))
    patch = Image.alpha_composite(base.crop(corner).convert("RGBA"), overlay)
    base.paste(patch if base.mode == "RGBA" else patch.convert("RGB"), corner[:2])
    if "icc_profile" in image.info:
        base.info["icc_profile"] = image.info["icc_profile"]
    return base


def encode(image: Image.Image, fmt: str) -> bytes:
    """``image`` encoded as ``fmt`` (JPEG, PNG or WebP) the way delivered copies are: quality 95,
    fast PNG and WebP settings, its ICC profile kept."""
    buffer = io.BytesIO()
    options: dict[str, Any] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, **options)
    elif fmt == "PNG":
        image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, **options)
    else:
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, **options)
    return buffer.getvalue()


# --- Reading a found copy ------------------------------------------------------------


@dataclass(frozen=True)
class FoundMarks:
    """What a found copy carries: the watermark payload (a delivery id) under
    one of ``watermark_keys()``, and the C2PA manifest if it survived."""

    delivery_id: bytes | None
    manifest: dict[str, Any] | None


def marks_in(data: bytes) -> FoundMarks:
    """Read the watermark and the manifest from ``data``, the bytes exactly
    as uploaded: re-encoding first would strip the manifest and cost the
    watermark a generation. Call only on bytes ``sanitize_image`` accepted
    (format, size and pixel count already checked)."""
    from marketplace import watermark  # here, not at the top: see DELIVERY_ID_BYTES

    with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
        content_type = CONTENT_TYPES[str(opened.format)]
    scanned = watermark.scan(image)
    payload = None
    for key in watermark_keys():
        payload = watermark.extract_scanned(scanned, key)
        if payload is not None:
            break
    # The manifest only counts when it validates and chains to our signer (``provenance.read``).
    return FoundMarks(delivery_id=payload, manifest=provenance.read(data, content_type))
