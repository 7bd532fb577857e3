"""The renditions the worker makes of a stored likeness photo: a 320×320
thumbnail, a preview of at most 1024 pixels a side carrying a visible label,
and a 64-bit difference hash. Image work only, no database.

Memory: a JPEG original is decoded already scaled down by its DCT
(``Image.draft``, 1/2 to 1/8) and a PNG or WebP is ``reduce()``-d as soon as
it is decoded, so at most one full-size PNG or WebP and otherwise only small
images are in memory. Every rendition keeps at least twice its size before
the last Lanczos pass (as ``Image.thumbnail``'s ``reducing_gap``), so it
looks as it did when made from the full-size image.

The label says "preview — not licensed" in every language of the portal,
English and Chinese together: one preview serves every viewer (its URL and
cache do not depend on the viewer's language) and a preview passed on still
says what it is to whoever reads it. Chinese needs a CJK font: Debian's
``fonts-noto-cjk`` when installed, otherwise the Noto Sans SC subset shipped
in ``static/vendor/noto-sans-sc``.
"""

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop
from PIL import Image, ImageDraw, ImageFont, ImageOps

THUMBNAIL_SIZE = (320, 320)
PREVIEW_SIZE = (1024, 1024)
FORMATS = ("JPEG", "PNG", "WEBP")
# Reduce by whole factors only while this many times each rendition's size
# is left for the last resampling.
REDUCING_GAP = 2
PREVIEW_LABEL = gettext_noop("preview — not licensed")
BRAND = "ConsentCast"
# Debian's fonts-noto-cjk, and the face for Simplified Chinese in it.
SYSTEM_CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SYSTEM_CJK_FACE = "Noto Sans CJK SC"
VENDORED_CJK_FONT = Path("static/vendor/noto-sans-sc/NotoSansSC-Regular-GB2312.woff")


@dataclass(frozen=True)
class RenditionImages:
    thumbnail: Image.Image
    preview: Image.Image
    dhash: str


def decoded_for_renditions(handle: IO[bytes]) -> tuple[Image.Image, tuple[int, int]]:
    """The original in ``handle``, decoded no larger than the renditions
    need, and its full size. Raises ``OSError`` or ``ValueError`` when it
    cannot be decoded."""
    image: Image.Image = Image.open(handle, formats=FORMATS)
    full_size = image.size
    factor = _reduction(full_size, fitted_size(full_size, PREVIEW_SIZE))
    if factor > 1:
        # JPEG only (other formats ignore it): scale by 1/2, 1/4 or 1/8 while
        # decoding, staying at least as large as asked.
        image.draft(None, (math.ceil(full_size[0] / factor), math.ceil(full_size[1] / factor)))
    image.load()
    if image.mode in ("RGBA", "LA"):
        # Renditions never showed transparency (``convert("RGB")`` drops
        # it); dropping it here, in place, keeps reduce() and resampling,
        # which weigh colours by alpha, to the colours that were shown.
        image.putalpha(255)
    rest = int(_reduction(image.size, fitted_size(full_size, PREVIEW_SIZE)))
    if rest > 1:
        image = image.reduce(rest)
    return image, full_size


def renditions_of(image: Image.Image, *, full_size: tuple[int, int]) -> RenditionImages:
    """Thumbnail, labelled preview and hash of ``image`` (from
    ``decoded_for_renditions``; ``full_size`` is the original's size, which
    sets the preview's)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    preview_size = fitted_size(full_size, PREVIEW_SIZE)
    preview = (
        rgb
        if rgb.size == preview_size
        else rgb.resize(preview_size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    )
    return RenditionImages(
        thumbnail=ImageOps.fit(rgb, THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS),
        preview=watermark(preview, labels=preview_labels()),
        dhash=dhash(rgb),
    )


def fitted_size(size: tuple[int, int], bound: tuple[int, int]) -> tuple[int, int]:
    """The size ``Image.thumbnail(bound)`` gives an image of ``size``: the
    aspect ratio kept, within ``bound``, never enlarged, rounded the same way
    (to the whole number of pixels whose ratio is nearest)."""
    width, height = size
    most_wide, most_high = bound
    if most_wide >= width and most_high >= height:
        return size
    aspect = width / height
    if most_wide / most_high >= aspect:
        return _nearest(most_high * aspect, lambda n: abs(aspect - n / most_high)), most_high
    return most_wide, _nearest(most_wide / aspect, lambda n: abs(aspect - most_wide / n) if n else 0)


def _nearest(number: float, distance: Callable[[int], float]) -> int:
    return max(min(math.floor(number), math.ceil(number), key=distance), 1)


def _reduction(size: tuple[int, int], preview_size: tuple[int, int]) -> float:
    """How many times ``size`` may shrink while it keeps ``REDUCING_GAP``
    times the preview and, on its short side, the thumbnail."""
    width, height = size
    return max(
        1.0,
        min(
            width / (REDUCING_GAP * preview_size[0]),
            height / (REDUCING_GAP * preview_size[1]),
            min(size) / (REDUCING_GAP * max(THUMBNAIL_SIZE)),
        ),
    )


# --- The visible label ----------------------------------------------------------


def preview_labels() -> list[str]:
    """ "preview — not licensed" in each language of the portal, in the order
    of ``LANGUAGES``, each wording once."""
    labels: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            label = translation.gettext(PREVIEW_LABEL)
        if label not in labels:
            labels.append(label)
    return labels


@functools.cache
def label_font_file() -> tuple[str, int]:
    """(path, face index) of the font labels are drawn in: Noto Sans CJK SC
    from Debian's ``fonts-noto-cjk`` when it is there, else the shipped subset."""
    if SYSTEM_CJK_FONT.exists():
        for index in range(8):
            try:
                face = ImageFont.truetype(str(SYSTEM_CJK_FONT), 12, index=index)
            except OSError:
                break
            if face.getname()[0] == SYSTEM_CJK_FACE:
                return str(SYSTEM_CJK_FONT), index
    return str(Path(settings.BASE_DIR) / VENDORED_CJK_FONT), 0


@functools.lru_cache(maxsize=16)
def label_font(size: int) -> ImageFont.FreeTypeFont:
    path, index = label_font_file()
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


def watermark(image: Image.Image, *, labels: Sequence[str] | None = None) -> Image.Image:
    """Tile "ConsentCast · <label>" across the image, semi-transparent, the
    rows taking the labels in turn, so a cropped preview still carries the
    mark; and every label on a dark band at the bottom, easy to read.
    ``labels``: those of ``preview_labels()`` unless given."""
    labels = preview_labels() if labels is None else labels
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font_size = max(14, base.width // 22)
    font = label_font(font_size)
    lines = [f"{BRAND} · {label}" for label in labels]
    ascent, descent = font.getmetrics()
    step_x = math.ceil(max(draw.textlength(line, font=font) for line in lines)) + font_size * 2
    step_y = ascent + descent + font_size * 2
    for row, y in enumerate(range(-step_y, base.height + step_y, step_y)):
        line = lines[row % len(lines)]
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, base.width + step_x, step_x):
            draw.text((x + 1, y + 1), line, font=font, fill=(0, 0, 0, 90))
            draw.text((x, y), line, font=font, fill=(255, 255, 255, 120))
    _label_band(draw, base.size, labels, font)
    return Image.alpha_composite(base, layer).convert("RGB")


def _label_band(
    draw: ImageDraw.ImageDraw, size: tuple[int, int], labels: Sequence[str], font: ImageFont.FreeTypeFont
) -> None:
    """The labels on one line at the bottom, or one under the other when
    that line would not fit."""
    width, height = size
    one_line = "   ".join(labels)
    lines = [one_line] if draw.textlength(one_line, font=font) <= width - 20 else list(labels)
    ascent, descent = font.getmetrics()
    band = max(24, len(lines) * (ascent + descent) + 12)
    draw.rectangle([(0, height - band), (width, height)], fill=(0, 0, 0, 150))
    for index, line in enumerate(lines):
        draw.text((10, height - band + 6 + index * (ascent + descent)), line, font=font, fill=(255, 255, 255, 230))


# --- Hash --------------------------------------------------------------------------


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits: robust to re-compression,
    resizing and small colour changes."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # one byte per pixel, row by row (9 to a row)
    bits = 0
    for y in range(8):
        for x in range(8):
            bits = (bits << 1) | (pixels[y * 9 + x] > pixels[y * 9 + x + 1])
    return f"{bits:016x}"
