"""The renditions the worker makes (``actors.renditions``): the sizes and
looks of before, from a decode no larger than needed, and a preview label
readable in English and Chinese on any machine."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat

from actors import renditions
from actors.renditions import (
    decoded_for_renditions,
    dhash,
    fitted_size,
    label_font,
    label_font_file,
    preview_labels,
    renditions_of,
    watermark,
)
from actors.tests.factories import picture

ENGLISH = "preview — not licensed"
CHINESE = "预览——未授权"
# A private-use character no font draws: what a missing glyph looks like.
NO_GLYPH = "\U0010fffd"


def encoded(image: Image.Image, fmt: str) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=90)
    buffer.seek(0)
    return buffer


def mean_difference(left: Image.Image, right: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(left.convert("RGB"), right.convert("RGB"))).mean) / 3


def hamming(left: str, right: str) -> int:
    return (int(left, 16) ^ int(right, 16)).bit_count()


@pytest.fixture
def small_renditions(monkeypatch):
    """Renditions a tenth of their size, so that small test pictures take the
    paths that full-size photos take: decoding scaled down, then reduce()."""
    monkeypatch.setattr(renditions, "PREVIEW_SIZE", (100, 100))
    monkeypatch.setattr(renditions, "THUMBNAIL_SIZE", (32, 32))


@pytest.fixture
def unlabelled(monkeypatch):
    """Previews without the label, to compare their pixels with before."""
    monkeypatch.setattr(renditions, "watermark", lambda image, labels: image.convert("RGB"))


@pytest.fixture
def fresh_fonts():
    label_font_file.cache_clear()
    label_font.cache_clear()
    yield
    label_font_file.cache_clear()
    label_font.cache_clear()


def as_before(data: io.BytesIO) -> tuple[Image.Image, Image.Image, str]:
    """Thumbnail, preview and hash as made before: from a full-size RGB copy."""
    data.seek(0)
    image: Image.Image = Image.open(data)
    image.load()
    image = image.convert("RGB")
    preview = image.copy()
    preview.thumbnail(renditions.PREVIEW_SIZE, Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(image, renditions.THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS)
    return thumbnail, preview, dhash(image)


# --- Sizes and looks ---------------------------------------------------------------


def test_preview_size_is_the_one_image_thumbnail_gives():
    for bound in [(16, 16), (16, 9), (9, 16)]:
        for width in range(1, 49):
            for height in range(1, 49):
                image = Image.new("L", (width, height))
                image.thumbnail(bound)
                assert fitted_size((width, height), bound) == image.size, (width, height, bound)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("size", [(1000, 800), (800, 1000), (90, 60)], ids=["wide", "tall", "small"])
def test_renditions_have_the_sizes_and_looks_of_before(small_renditions, unlabelled, fmt, size):
    data = encoded(picture(size, seed=7), fmt)
    thumbnail, preview, digest = as_before(data)
    data.seek(0)
    image, full_size = decoded_for_renditions(data)
    made = renditions_of(image, full_size=full_size)
    assert full_size == size
    assert made.thumbnail.size == thumbnail.size == (32, 32)
    assert made.preview.size == preview.size
    assert mean_difference(made.thumbnail, thumbnail) < 3
    assert mean_difference(made.preview, preview) < 3
    assert hamming(made.dhash, digest) <= 2


def test_large_jpeg_is_decoded_scaled_down(small_renditions):
    image, full_size = decoded_for_renditions(encoded(picture((1000, 800), seed=8), "JPEG"))
    assert full_size == (1000, 800)
    # 1/4 in the DCT: still more than twice the preview (100 x 80).
    assert image.size == (250, 200)


def test_large_png_is_reduced_right_after_decoding(small_renditions):
    image, _full_size = decoded_for_renditions(encoded(picture((1000, 800), seed=8), "PNG"))
    assert image.size == (200, 160)  # reduce(5): twice the preview (100 x 80) is left


def test_transparent_parts_keep_the_colours_they_were_shown_in(small_renditions, unlabelled):
    rgba = picture((1000, 800), seed=9).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(rgba.size))  # from see-through to opaque
    data = encoded(rgba, "PNG")
    thumbnail, preview, _digest = as_before(data)
    data.seek(0)
    image, full_size = decoded_for_renditions(data)
    made = renditions_of(image, full_size=full_size)
    assert mean_difference(made.thumbnail, thumbnail) < 3
    assert mean_difference(made.preview, preview) < 3


PEAK_OF_RENDITIONS = """
import json, sys
import django
django.setup()
from PIL import Image
from actors.renditions import decoded_for_renditions, renditions_of
Image.init()
# A worker has its fonts and catalogs loaded after its first photo.
renditions_of(Image.new("RGB", (1024, 658)), full_size=(5600, 3600))


def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))


# The peak (VmHWM) counts again from here. Not ru_maxrss: Linux carries it
# over from the process that started this one.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
with open(sys.argv[1], "rb") as handle:
    image, full_size = decoded_for_renditions(handle)
made = renditions_of(image, full_size=full_size)
print(json.dumps({"extra_kib": status("VmHWM") - before, "preview": list(made.preview.size)}))
"""


@pytest.mark.parametrize(("fmt", "bound"), [("JPEG", 0.75), ("PNG", 1.5)])
def test_renditions_of_20_megapixels_take_less_than_the_old_full_copies(tmp_path, fmt, bound):
    """Peak memory above the resting process, in a fresh process, relative to
    one full-size decoded copy (4 bytes a pixel); before, the task held three
    of them. A JPEG is decoded at half size (a quarter of the bytes); a PNG
    is decoded whole once, then reduced to a quarter."""
    size = (5600, 3600)
    path = tmp_path / f"big.{fmt.lower()}"
    picture((56, 36), seed=10).resize(size, Image.Resampling.NEAREST).save(path, format=fmt)
    result = subprocess.run(
        [sys.executable, "-c", PEAK_OF_RENDITIONS, str(path)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["preview"] == [1024, 658]
    assert measured["extra_kib"] * 1024 < bound * size[0] * size[1] * 4, measured


# --- The label ---------------------------------------------------------------------


def test_preview_label_is_in_english_and_in_chinese():
    # Needs the message in both catalogs (``make messages``).
    assert preview_labels() == [ENGLISH, CHINESE]


def band_of(image: Image.Image, left: float, right: float, font_size: int) -> Image.Image:
    """The part of the bottom band from ``left`` to ``right`` (text pixels)."""
    return image.crop((int(left), image.height - font_size - 6, int(right), image.height - 6)).convert("L")


def test_preview_shows_the_chinese_label_beside_the_english():
    plain = Image.new("RGB", (880, 600), (120, 120, 120))
    both = watermark(plain, labels=[ENGLISH, CHINESE])
    english_only = watermark(plain, labels=[ENGLISH])
    font = label_font(880 // 22)
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    start = 10 + draw.textlength(f"{ENGLISH}   ", font=font)
    end = start + draw.textlength(CHINESE, font=font)
    assert mean_difference(both, english_only) > 1
    # Where the Chinese words stand, the band has light strokes; English alone leaves it dark.
    assert band_of(both, start, end, 40).getextrema()[1] > 200
    assert band_of(english_only, start, end, 40).getextrema()[1] < 100


def drawn(font, char: str) -> bytes:
    image = Image.new("L", (font.size * 2, font.size * 2))
    ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
    return image.tobytes()


def glyphs_missing(font, text: str) -> list[str]:
    """The characters of ``text`` that ``font`` draws as its empty box."""
    missing = drawn(font, NO_GLYPH)
    return sorted(char for char in set(text) if not char.isspace() and drawn(font, char) == missing)


def test_chinese_label_is_drawn_with_the_shipped_font_without_debian_s(monkeypatch, tmp_path, fresh_fonts):
    monkeypatch.setattr(renditions, "SYSTEM_CJK_FONT", tmp_path / "not-installed.ttc")
    path, _index = label_font_file()
    assert Path(path) == Path(settings.BASE_DIR) / renditions.VENDORED_CJK_FONT
    font = label_font(40)
    assert font.getname()[0] == "Noto Sans SC"
    assert glyphs_missing(font, CHINESE + ENGLISH + "ConsentCast ·") == []
    assert glyphs_missing(font, "".join(preview_labels())) == []
    # And the label is there: light strokes on the dark band.
    labelled = watermark(Image.new("RGB", (880, 600), (120, 120, 120)), labels=[CHINESE])
    assert band_of(labelled, 10, 10 + 7 * 40, 40).getextrema()[1] > 200


def test_debian_s_cjk_font_is_used_with_its_simplified_chinese_face(fresh_fonts):
    if not renditions.SYSTEM_CJK_FONT.exists():
        pytest.skip("Debian's fonts-noto-cjk is not installed (apt-get install fonts-noto-cjk)")
    path, _index = label_font_file()
    assert path == str(renditions.SYSTEM_CJK_FONT)
    font = label_font(40)
    assert font.getname()[0] == "Noto Sans CJK SC"
    assert glyphs_missing(font, CHINESE + ENGLISH) == []


def test_the_shipped_font_comes_with_its_licence():
    folder = Path(settings.BASE_DIR) / renditions.VENDORED_CJK_FONT.parent
    assert "SIL Open Font License" in (folder / "OFL.txt").read_text()
