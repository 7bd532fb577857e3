"""The forensic watermark kernel (``marketplace.watermark``).

Also home of the two things ``benchmarks/watermark.py`` measures with:
``synthetic_photo`` (deterministic, textured test photos) and ``ATTACKS``
(what happens to a leaked copy). The full table over 50+ images and 10,000
unmarked trials is ``make bench-watermark``; these tests run the same attacks
on a few images so ``make test`` stays fast.
"""

import hashlib
import io
from collections.abc import Callable

import numpy as np
import pytest
import pywt
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from marketplace import watermark
from portal.demo.actors import portrait

KEY = hashlib.sha256(b"test watermark key").digest()
PAYLOAD = bytes.fromhex("0123456789abcdef")


def _field(rng: np.random.Generator, size: tuple[int, int], cell: float, stretch: float = 1.0) -> np.ndarray:
    """Band-limited noise with unit variance at ``cell`` px (``stretch`` > 1 elongates it vertically, like hair)."""
    width, height = size
    cx, cy = cell, cell * stretch
    coarse = rng.standard_normal((int(height / cy) + 3, int(width / cx) + 3)).astype(np.float32)
    box = (0.0, 0.0, width / cx, height / cy)
    return np.asarray(Image.fromarray(coarse, mode="F").resize(size, Image.Resampling.BICUBIC, box=box))


def _grey(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), mode="L")


def _texture(
    rng: np.random.Generator, size: tuple[int, int], cell: float, amplitude: float, stretch: float = 1.0
) -> Image.Image:
    colour = tuple(int(v) for v in rng.integers(10, 240, 3))
    shade = _grey(128 + amplitude * _field(rng, size, cell, stretch))
    return ImageChops.add(Image.new("RGB", size, colour), Image.merge("RGB", (shade, shade, shade)), offset=-128)


def _scene(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Gradient backdrop with soft lighting, textured patches (fine grain to
    large blotches, some streaked), a face with hair, eyes and a mouth."""
    width, height = size
    unit = min(size) / 1000
    corners = rng.integers(20, 236, (2, 2, 3)).astype(np.uint8)
    image = Image.fromarray(corners, mode="RGB").resize(size, Image.Resampling.BILINEAR, box=(0.5, 0.5, 1.5, 1.5))
    light = _grey(128 + 30 * _field(rng, size, 300 * unit))
    image = Image.blend(image, Image.merge("RGB", (light, light, light)), 0.35)
    for _ in range(int(rng.integers(3, 8))):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.08, 0.35) * width, rng.uniform(0.08, 0.35) * height
        mask = Image.new("L", size, 0)
        shape = ImageDraw.Draw(mask).ellipse if rng.random() < 0.6 else ImageDraw.Draw(mask).rectangle
        shape([x - rx, y - ry, x + rx, y + ry], fill=255)
        cell = max(1.5, float(rng.choice([2, 3, 5, 8, 20, 60])) * unit)
        patch = _texture(rng, size, cell, float(rng.uniform(10, 45)), float(rng.choice([1, 1, 6])))
        image.paste(patch, (0, 0), mask.filter(ImageFilter.GaussianBlur(3 * unit)))
    cx, cy = width * rng.uniform(0.35, 0.65), height * rng.uniform(0.3, 0.5)
    r = min(size) * rng.uniform(0.15, 0.25)
    hair, face = Image.new("L", size, 0), Image.new("L", size, 0)
    ImageDraw.Draw(hair).ellipse([cx - r * 1.15, cy - r * 1.5, cx + r * 1.15, cy + r * 1.1], fill=255)
    ImageDraw.Draw(face).ellipse([cx - r, cy - r * 1.3, cx + r, cy + r * 1.3], fill=255)
    image.paste(_texture(rng, size, 2.5 * unit, 35, 8.0), (0, 0), hair)
    image.paste(_texture(rng, size, 40 * unit, 12), (0, 0), face.filter(ImageFilter.GaussianBlur(2 * unit)))
    draw = ImageDraw.Draw(image)
    for side in (-1, 1):
        ex = cx + side * r * 0.4
        draw.ellipse([ex - r * 0.13, cy - r * 0.28, ex + r * 0.13, cy - r * 0.12], fill=(30, 25, 20))
    mouth = [cx - r * 0.4, cy + r * 0.4, cx + r * 0.4, cy + r * 0.8]
    draw.arc(mouth, 20, 160, fill=(140, 60, 60), width=int(6 * unit) + 1)
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2)) * unit))


def synthetic_photo(seed: int, size: tuple[int, int]) -> Image.Image:
    """A deterministic RGB test photo of ``size``: the scene is drawn at up
    to 3 MP (upscaled beyond that, as camera files often are), then every
    pixel gets sensor-like grain."""
    rng = np.random.default_rng(seed)
    shrink = max(1.0, (size[0] * size[1] / 3e6) ** 0.5)
    image = _scene(rng, (int(size[0] / shrink), int(size[1] / shrink)))
    if shrink > 1:
        image = image.resize(size, Image.Resampling.BICUBIC)
    grain = rng.integers(-3, 4, (size[1], size[0], 1), dtype=np.int16)
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.int16) + grain, 0, 255).astype(np.uint8), mode="RGB")


def _reencoded(image: Image.Image, format: str, **options: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _cropped(image: Image.Image, edge: str) -> Image.Image:
    width, height = image.size
    dx, dy = width // 10, height // 10
    boxes = {"left": (dx, 0, width, height), "right": (0, 0, width - dx, height)}
    boxes |= {"top": (0, dy, width, height), "bottom": (0, 0, width, height - dy)}
    return image.crop(boxes[edge])


def _screenshot(image: Image.Image) -> Image.Image:
    small = image.resize((int(image.width * 0.8), int(image.height * 0.8)), Image.Resampling.BILINEAR)
    return small.resize(image.size, Image.Resampling.BILINEAR)


ATTACKS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg q70": lambda image: _reencoded(image, "JPEG", quality=70),
    "downscale 50%": lambda image: image.resize((image.width // 2, image.height // 2), Image.Resampling.BICUBIC),
    "crop 10% left": lambda image: _cropped(image, "left"),
    "crop 10% right": lambda image: _cropped(image, "right"),
    "crop 10% top": lambda image: _cropped(image, "top"),
    "crop 10% bottom": lambda image: _cropped(image, "bottom"),
    "png round trip": lambda image: _reencoded(image, "PNG"),
    "screenshot 0.8x bilinear": _screenshot,
    "brightness +10%": lambda image: ImageEnhance.Brightness(image).enhance(1.1),
    "brightness -10%": lambda image: ImageEnhance.Brightness(image).enhance(0.9),
    "contrast +10%": lambda image: ImageEnhance.Contrast(image).enhance(1.1),
    "contrast -10%": lambda image: ImageEnhance.Contrast(image).enhance(0.9),
}


def psnr(original: Image.Image, marked: Image.Image) -> float:
    diff = np.asarray(original, dtype=np.float64) - np.asarray(marked, dtype=np.float64)
    return float(10 * np.log10(255**2 / np.mean(diff * diff)))


PHOTOS = {
    "portrait 800x1000": lambda: synthetic_photo(1, (800, 1000)),
    "landscape 1200x900": lambda: synthetic_photo(2, (1200, 900)),
    "demo portrait 600x800": lambda: Image.open(io.BytesIO(portrait(11))).convert("RGB"),
}


@pytest.fixture(scope="module")
def originals() -> dict[str, Image.Image]:
    return {name: make() for name, make in PHOTOS.items()}


@pytest.fixture(scope="module")
def marked(originals: dict[str, Image.Image]) -> dict[str, Image.Image]:
    return {name: watermark.embed(image, PAYLOAD, KEY) for name, image in originals.items()}


@pytest.mark.parametrize("name", PHOTOS)
def test_marked_copy_gives_back_its_payload_and_the_original_does_not(name, originals, marked):
    assert watermark.extract(marked[name], KEY) == PAYLOAD
    assert watermark.extract(originals[name], KEY) is None


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("name", PHOTOS)
def test_payload_survives_attack(name, attack, marked):
    assert watermark.extract(ATTACKS[attack](marked[name]), KEY) == PAYLOAD


@pytest.mark.parametrize("name", PHOTOS)
def test_mark_is_invisible_by_psnr(name, originals, marked):
    assert psnr(originals[name], marked[name]) >= 38


def test_marked_copy_keeps_size_and_mode(originals, marked):
    for name, image in marked.items():
        assert (image.size, image.mode) == (originals[name].size, "RGB")


def test_wrong_key_finds_nothing(marked):
    other_keys = [hashlib.sha256(bytes([n])).digest() for n in range(20)]
    assert all(watermark.extract(marked[name], key) is None for name in PHOTOS for key in other_keys)


def test_unmarked_images_give_none_for_many_random_keys(originals):
    rng = np.random.default_rng(7)
    for image in originals.values():
        scanned = watermark.scan(image)
        keys = [rng.bytes(32) for _ in range(150)]
        assert [key for key in keys if watermark.extract_scanned(scanned, key) is not None] == []


def test_decoder_alone_rejects_unmarked_images_when_the_sync_gate_is_off(originals):
    """Every trial reaches Reed-Solomon and the tag check here, not just those with a pilot peak."""
    scanned = watermark.scan(originals["landscape 1200x900"])
    keys = [hashlib.sha256(b"gate off %d" % n).digest() for n in range(60)]
    assert [key for key in keys if watermark.extract_scanned(scanned, key, sync_threshold=-np.inf)] == []


def test_rgba_keeps_its_alpha_and_grey_stays_grey(originals):
    photo = originals["portrait 800x1000"]
    rgba = photo.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(photo.size))
    marked_rgba = watermark.embed(rgba, PAYLOAD, KEY)
    assert marked_rgba.mode == "RGBA"
    assert np.array_equal(np.asarray(marked_rgba.getchannel("A")), np.asarray(rgba.getchannel("A")))
    marked_grey = watermark.embed(photo.convert("L"), PAYLOAD, KEY)
    assert marked_grey.mode == "L"
    assert watermark.extract(marked_rgba, KEY) == watermark.extract(marked_grey, KEY) == PAYLOAD


def test_thumbnail_too_small_to_search_gives_none():
    assert watermark.extract(Image.new("RGB", (90, 120), (200, 180, 160)), KEY) is None


def test_payload_of_the_wrong_size_is_refused(originals):
    with pytest.raises(ValueError, match="8 bytes"):
        watermark.embed(originals["portrait 800x1000"], b"short", KEY)


def test_image_too_small_to_carry_a_mark_is_refused():
    with pytest.raises(ValueError, match="at least"):
        watermark.embed(Image.new("RGB", (200, 300), (120, 90, 60)), PAYLOAD, KEY)


def test_haar_approximation_band_is_pywavelets_own():
    plane = np.random.default_rng(3).uniform(0, 255, (64, 96)).astype(np.float32)
    np.testing.assert_allclose(watermark._haar_ll(plane), pywt.dwt2(plane, "haar")[0], atol=1e-3)


def test_key_layout_is_stable_so_old_marks_stay_readable():
    """A change to the layout or the code makes every delivered copy
    unreadable; if this fails on purpose, the extractor must keep the old
    version too."""
    tile = watermark._chips(watermark._layout(KEY), PAYLOAD, KEY)
    assert hashlib.sha256(tile.astype(np.int8).tobytes()).hexdigest()[:16] == "6b49ba871918dd5e"
