"""``sanitize_image`` from the stored file's side: turned upright for every
EXIF orientation, no metadata left, the same pixels as the old one-shot
``exif_transpose``, and memory near one decoded copy of the picture."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageDraw, ImageFile, ImageStat, WebPImagePlugin
from PIL.PngImagePlugin import PngInfo

from marketplace import images
from marketplace.images import UPRIGHT, rebuilt, sanitize_image

ORIENTATION, GPS_IFD = 0x0112, 0x8825
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
)
# The transpose that undoes each upright turn: the picture as the camera
# stored it when it wrote that orientation.
AS_STORED = {**UPRIGHT, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def quadrants(size: tuple[int, int] = (48, 32), mode: str = "RGB") -> Image.Image:
    """Four flat colours and a white corner mark: any wrong turn or flip
    moves them, so it shows in every comparison."""
    width, height = size
    image = Image.new("RGB", size, (200, 30, 30))
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 2, 0, width, height // 2], fill=(30, 200, 30))
    draw.rectangle([0, height // 2, width // 2, height], fill=(30, 30, 200))
    draw.rectangle([width // 2, height // 2, width, height], fill=(220, 200, 40))
    draw.rectangle([0, 0, width // 6, height // 6], fill=(255, 255, 255))
    return image.convert(mode)


def as_upload(image: Image.Image, fmt: str, name: str = "photo", **params) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return SimpleUploadedFile(f"{name}.{fmt.lower()}", buffer.getvalue())


def decoded(clean) -> Image.Image:
    image = Image.open(io.BytesIO(clean.file.read()))
    image.load()
    return image


def mean_difference(left: Image.Image, right: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(left.convert("RGB"), right.convert("RGB"))).mean) / 3


def exif_with(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (39.0, 54.0, 15.0)
    return exif


# --- Orientation ------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_is_turned_upright_for_every_exif_orientation(orientation):
    upright = quadrants((96, 64))
    stored = upright.transpose(AS_STORED[orientation]) if orientation in AS_STORED else upright
    clean = sanitize_image(as_upload(stored, "JPEG", exif=exif_with(orientation), quality=95))
    result = decoded(clean)
    assert result.size == upright.size == (clean.width, clean.height)
    # JPEG moves every pixel a little; a wrong flip moves whole quadrants.
    flipped = [upright.transpose(method) for method in UPRIGHT.values()]
    nearest_wrong = min(mean_difference(result, other) for other in flipped if other.size == upright.size)
    assert mean_difference(result, upright) < nearest_wrong / 5


@pytest.mark.parametrize("orientation", range(1, 9))
def test_png_is_turned_upright_pixel_for_pixel_for_every_exif_orientation(orientation):
    upright = quadrants((37, 23))
    stored = upright.transpose(AS_STORED[orientation]) if orientation in AS_STORED else upright
    result = decoded(sanitize_image(as_upload(stored, "PNG", exif=exif_with(orientation))))
    assert result.tobytes() == upright.tobytes()


@pytest.mark.parametrize("method", [None, *UPRIGHT.values()], ids=lambda method: getattr(method, "name", "none"))
@pytest.mark.parametrize(("source", "target"), [("RGB", "RGB"), ("P", "RGBA"), ("LA", "LA"), ("CMYK", "RGB")])
def test_turning_band_by_band_gives_the_pixels_of_turning_at_once(monkeypatch, method, source, target):
    # Bands of 5 rows, so a 37 x 23 picture takes many, the last one short.
    monkeypatch.setattr(images, "BAND_ROWS", 5)
    picture = quadrants((37, 23), source)
    expected = (picture.transpose(method) if method is not None else picture).convert(target)
    result = rebuilt(picture.copy(), method=method, mode=target)
    assert (result.mode, result.size) == (expected.mode, expected.size)
    assert result.tobytes() == expected.tobytes()


def test_cmyk_jpeg_turned_sideways_is_stored_as_upright_rgb():
    upright = quadrants()
    stored = upright.transpose(Image.Transpose.ROTATE_270).convert("CMYK")
    result = decoded(sanitize_image(as_upload(stored, "JPEG", exif=exif_with(8), quality=95)))
    assert result.mode == "RGB"
    assert result.size == upright.size
    assert mean_difference(result, upright) < 6


# --- Metadata -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("JPEG", {"exif": exif_with(6), "xmp": XMP_PACKET, "comment": b"taken at home"}),
        ("JPEG", {"exif": exif_with(1), "xmp": XMP_PACKET}),
        ("PNG", {"exif": exif_with(3), "pnginfo": PngInfo()}),
        ("WEBP", {"exif": exif_with(1), "xmp": XMP_PACKET}),
    ],
    ids=["jpeg-rotated", "jpeg-upright", "png", "webp"],
)
def test_no_exif_gps_xmp_or_comment_is_left(fmt, params):
    if fmt == "PNG":
        params["pnginfo"].add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
        params["pnginfo"].add_text("Comment", "taken at home")
    clean = sanitize_image(as_upload(quadrants(), fmt, **params))
    data = clean.file.read()
    result = Image.open(io.BytesIO(data))
    assert dict(result.getexif()) == {}
    assert dict(result.getexif().get_ifd(GPS_IFD)) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"} & set(result.info)
    for trace in (b"Exif", b"xmpmeta", b"taken at home"):
        assert trace not in data


# --- WebP ---------------------------------------------------------------------------


def over_two_megapixels() -> Image.Image:
    return quadrants().resize((1800, 1200), Image.Resampling.NEAREST)


def test_webp_over_its_own_pixel_cap_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(images, "WEBP_MAX_PIXELS", 2_000_000)
    upload = as_upload(over_two_megapixels(), "WEBP")

    def refuse(self, *args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(WebPImagePlugin.WebPImageFile, "load", refuse)
    with pytest.raises(ValidationError) as caught:
        sanitize_image(upload)
    assert caught.value.code == "too_many_pixels"
    assert caught.value.messages == [
        "A WebP image can have at most 2 megapixels. Save it as JPEG or PNG to upload it at this size."
    ]


def test_the_same_picture_as_jpeg_is_accepted_above_the_webp_cap(monkeypatch):
    monkeypatch.setattr(images, "WEBP_MAX_PIXELS", 2_000_000)
    assert sanitize_image(as_upload(over_two_megapixels(), "JPEG")).format == "JPEG"


# --- Memory ---------------------------------------------------------------------------

PEAK_OF_SANITIZE = """
import json, sys
import django
django.setup()
from django.core.files import File
from PIL import Image
from marketplace.images import sanitize_image
Image.init()


def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))


# The peak (VmHWM) counts again from here. Not ru_maxrss: Linux carries it
# over from the process that started this one.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
with open(sys.argv[1], "rb") as handle:
    clean = sanitize_image(File(handle, name="big.jpg"))
print(json.dumps({"extra_kib": status("VmHWM") - before, "size": [clean.width, clean.height]}))
"""


@pytest.mark.parametrize("orientation", [6, 1], ids=["turned", "upright"])
def test_sanitizing_20_megapixels_takes_about_one_decoded_copy(tmp_path, orientation):
    """Peak memory above the process's resting size, in a fresh process
    (Pillow's and libjpeg's buffers are not Python objects, so tracemalloc
    cannot see them). One decoded copy is 4 bytes a pixel; the old code held
    two, plus libjpeg's coefficients for Huffman optimisation: three times
    as much. Measured, not timed: the bound is relative to the picture."""
    size = (5600, 3600)
    path = tmp_path / "big.jpg"
    quadrants((56, 36)).resize(size, Image.Resampling.NEAREST).save(path, quality=90, exif=exif_with(orientation))
    result = subprocess.run(
        [sys.executable, "-c", PEAK_OF_SANITIZE, str(path)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["size"] == ([3600, 5600] if orientation == 6 else [5600, 3600])
    decoded_bytes = size[0] * size[1] * 4
    assert measured["extra_kib"] * 1024 < 1.5 * decoded_bytes, measured


def test_the_memory_measure_would_catch_a_second_full_copy(tmp_path):
    """The same measure on the old way (``exif_transpose`` and a Huffman-
    optimised encode) passes the bound: the test above can fail."""
    script = PEAK_OF_SANITIZE.replace(
        "from marketplace.images import sanitize_image",
        "from PIL import ImageOps\n"
        "import io\n"
        "def sanitize_image(upload):\n"
        "    image = Image.open(upload); image.load(); upright = ImageOps.exif_transpose(image)\n"
        "    upright.save(io.BytesIO(), format='JPEG', quality=90, optimize=True)\n"
        "    return upright",
    )
    path = tmp_path / "big.jpg"
    quadrants((56, 36)).resize((5600, 3600), Image.Resampling.NEAREST).save(path, quality=90, exif=exif_with(6))
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["extra_kib"] * 1024 > 1.5 * 5600 * 3600 * 4, measured
