"""Image memory benchmark (``make bench-images``).

1. Seeds its own images in a temporary folder: a ``--megapixels`` (default
   40, 8000x5000) JPEG of photo-like content (about 10 MB) with EXIF
   orientation 6 and a GPS position, the same picture upright (orientation
   1), a PNG of that size, and a WebP just under ``WEBP_MAX_PIXELS``.
2. Runs every step alone in a fresh process under ``/usr/bin/time -v``
   (Debian's ``time`` package: ``apt-get install time``) and reads its
   maximum resident set size:
   - sanitize: ``marketplace.images.sanitize_image`` on the file as an
     upload, what the web process does;
   - rendition: the ``actors.make_photo_renditions`` task on a photo whose
     original is that upload's sanitized output (its own SQLite database and
     media folder, in the temporary folder);
   - each step again with the code as it was before issue 18 (kept below as
     ``before_*``: the decoding, turning and encoding exactly as they were;
     the checks that read only the header are left out);
   - a process that only starts (Django set up, nothing decoded).
3. Compares the outputs of before and after: same format and size, no EXIF,
   GPS or XMP, and (sanitize) the same pixels, so the same orientation.

Prints a table, then one JSON line. Exits 1 when a step of the 40-megapixel
files peaks at ``--goal-mb`` (300) or more, or an output differs from
before in what matters. Not run by CI (it needs about a minute and 1 GB).
"""

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont, ImageOps  # noqa: E402

TIME = "/usr/bin/time"
ORIENTATION, GPS_IFD, XMP = 0x0112, 0x8825, "XML:com.adobe.xmp"
INPUTS = {
    # name: (file, format, EXIF orientation)
    "jpeg_rotated": ("photo-rotated.jpg", "JPEG", 6),
    "jpeg_upright": ("photo-upright.jpg", "JPEG", 1),
    "png": ("graphic.png", "PNG", None),
    "webp": ("photo.webp", "WEBP", None),
}
STEPS = ("sanitize", "rendition")


# --- The code as it was before issue 18 (the baseline) --------------------------


def before_sanitize(upload):
    """``sanitize_image`` before: decode, ``exif_transpose`` (a full copy even
    when upright), convert, encode (JPEG Huffman-optimised at every size)."""
    from marketplace.images import CleanImage

    upload.seek(0)
    image = Image.open(upload, formats=("JPEG", "PNG", "WEBP"))
    source_format = str(image.format)
    image.load()
    upright = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    if source_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(buffer, format="JPEG", quality=90, optimize=True)
    elif source_format == "PNG":
        if upright.mode not in ("RGB", "RGBA", "L", "LA"):
            upright = upright.convert("RGBA")
        upright.save(buffer, format="PNG", optimize=True)
    else:
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA")
        upright.save(buffer, format="WEBP", quality=90)
    from django.core.files.base import ContentFile

    return CleanImage(
        name="before",
        file=ContentFile(buffer.getvalue(), name="before"),
        format=source_format,
        content_type="",
        width=upright.width,
        height=upright.height,
    )


def before_decoded(handle):
    image = Image.open(handle, formats=("JPEG", "PNG", "WEBP"))
    image.load()
    return image, image.size


def before_renditions(image, *, full_size):
    """The renditions before: a full-size RGB copy, the thumbnail fitted from
    it, another full copy shrunk for the preview, the hash from full size."""
    from actors.renditions import RenditionImages, dhash

    image = image.convert("RGB")
    thumbnail = ImageOps.fit(image, (320, 320), method=Image.Resampling.LANCZOS)
    preview = image.copy()
    preview.thumbnail((1024, 1024), Image.Resampling.LANCZOS)
    return RenditionImages(thumbnail=thumbnail, preview=before_watermark(preview), dhash=dhash(image))


def before_watermark(image):
    text = "ConsentCast · preview - not licensed"
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font_size = max(14, base.width // 22)
    font = ImageFont.load_default(size=font_size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    step_x, step_y = int(right - left) + font_size * 2, int(bottom - top) + font_size * 3
    for row, y in enumerate(range(-step_y, base.height + step_y, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, base.width + step_x, step_x):
            draw.text((x + 1, y + 1), text, font=font, fill=(0, 0, 0, 90))
            draw.text((x, y), text, font=font, fill=(255, 255, 255, 120))
    band = max(24, font_size + 12)
    draw.rectangle([(0, base.height - band), (base.width, base.height)], fill=(0, 0, 0, 150))
    draw.text((10, base.height - band + 6), text, font=font, fill=(255, 255, 255, 230))
    return Image.alpha_composite(base, layer).convert("RGB")


# --- Seeded images ----------------------------------------------------------------


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Gradients, shapes and grain: compresses like a camera photo (about
    0.25 bytes a pixel at quality 90), unlike noise or flat colour."""
    width, height = size
    channels = [
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
    ]
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 977) % width, (i * 613) % height
        draw.ellipse([x, y, x + width // 7, y + height // 5], fill=((i * 50) % 256, (i * 90) % 256, (i * 130) % 256))
    return Image.merge("RGB", [Image.blend(band, Image.effect_noise(size, 30), 0.25) for band in image.split()])


def seed(folder: Path, megapixels: int) -> dict[str, Path]:
    from marketplace.images import WEBP_MAX_PIXELS

    width = round((megapixels * 1_000_000 * 8 / 5) ** 0.5)
    size = (width, megapixels * 1_000_000 // width)
    picture = photo_like(size)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (39.0, 54.0, 15.0)
    gps[3], gps[4] = "E", (116.0, 23.0, 30.0)
    paths = {name: folder / file for name, (file, _format, _orientation) in INPUTS.items()}
    picture.save(paths["jpeg_rotated"], format="JPEG", quality=90, exif=exif)
    upright = Image.Exif()
    upright[ORIENTATION] = 1
    picture.save(paths["jpeg_upright"], format="JPEG", quality=90, exif=upright)
    # A PNG photo of this size would pass the 15 MB upload limit: a graphic.
    graphic = Image.merge(
        "RGB",
        [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size), Image.new("L", size, 90)],
    )
    graphic.save(paths["png"], format="PNG")
    scale = (WEBP_MAX_PIXELS * 0.99 / (size[0] * size[1])) ** 0.5
    picture.resize((int(size[0] * scale), int(size[1] * scale))).save(paths["webp"], format="WEBP", quality=85)
    return paths


# --- One step in a child process ----------------------------------------------------


def child(step: str, code: str, source: str, out: str, photo_id: int) -> None:
    """Run one step and print what it made as JSON (the parent reads the
    peak memory from ``/usr/bin/time``)."""
    import django

    django.setup()
    from django.core.files import File

    from actors.models import LikenessPhoto
    from actors.services import photos
    from actors.tasks import make_photo_renditions
    from marketplace.images import sanitize_image

    Image.init()
    if step == "start":
        print(json.dumps({}))
        return
    if step == "sanitize":
        with open(source, "rb") as handle:
            upload = File(handle, name=os.path.basename(source))
            started = time.perf_counter()
            clean = (before_sanitize if code == "before" else sanitize_image)(upload)
            seconds = time.perf_counter() - started
        Path(out).write_bytes(clean.file.read())
        print(json.dumps({"seconds": seconds}))
        return
    if code == "before":
        photos.decoded_for_renditions = before_decoded
        photos.renditions_of = before_renditions
    no_hash = None if LikenessPhoto._meta.get_field("dhash").null else ""
    LikenessPhoto.objects.filter(pk=photo_id).update(
        renditions="pending", thumbnail="", preview="", dhash=no_hash, review="clear", similar_to=None
    )
    started = time.perf_counter()
    make_photo_renditions(photo_id)
    seconds = time.perf_counter() - started
    photo = LikenessPhoto.objects.get(pk=photo_id)
    assert photo.renditions == "ready", photo.renditions
    Path(out).write_text(
        json.dumps({"thumbnail": photo.thumbnail.path, "preview": photo.preview.path, "dhash": photo.dhash})
    )
    print(json.dumps({"seconds": seconds}))


def prepare_database(originals: dict[str, str]) -> dict[str, int]:
    """Migrate the benchmark's own database and store each sanitized output
    as the original of a photo; their ids by input name."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from actors.models import ActorProfile, LikenessPhoto
    from marketplace.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-images@bench.consentcast.localhost")
    actor = ActorProfile.objects.create(user=user, stage_name="Bench", slug="bench-images")
    ids = {}
    for position, (name, path) in enumerate(sorted(originals.items()), start=1):
        with Image.open(path) as image:
            size, image_format = image.size, str(image.format)
        photo = LikenessPhoto(
            actor=actor,
            content_type=f"image/{image_format.lower()}",
            width=size[0],
            height=size[1],
            byte_size=os.path.getsize(path),
            position=position,
        )
        photo.original.save(Path(path).name, ContentFile(Path(path).read_bytes()), save=False)
        photo.save()
        ids[name] = photo.pk
    return ids


def measured(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Peak RSS in MB of ``benchmarks/images.py --child ...`` and its JSON."""
    result = subprocess.run(  # noqa: S603 - this script with the arguments it made
        [TIME, "-v", sys.executable, __file__, "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if result.returncode != 0 or peak is None:
        raise SystemExit(f"step {args} failed:\n{result.stderr[-3000:]}")
    return int(peak.group(1)) / 1024, json.loads(result.stdout.strip().splitlines()[-1])


# --- Comparing outputs --------------------------------------------------------------


def metadata_left(path: Path) -> list[str]:
    with Image.open(path) as image:
        exif = image.getexif()
        found = [key for key in ("exif", "xmp", XMP, "comment") if key in image.info]
        if dict(exif):
            found.append("EXIF tags")
        if dict(exif.get_ifd(GPS_IFD)):
            found.append("GPS")
    return found


def same_pixels(left: Path, right: Path) -> bool:
    with Image.open(left) as one, Image.open(right) as other:
        return one.format == other.format and one.size == other.size and one.tobytes() == other.tobytes()


def hash_bits_of(stored: str | int) -> int:
    """The 64 bits of a stored hash: 16 hex digits, or a signed bigint."""
    return int(stored, 16) if isinstance(stored, str) else stored & ((1 << 64) - 1)


def mean_difference(left: str, right: str) -> float:
    from PIL import ImageChops, ImageStat

    with Image.open(left) as one, Image.open(right) as other:
        if one.size != other.size:
            return float("inf")
        stat = ImageStat.Stat(ImageChops.difference(one.convert("RGB"), other.convert("RGB")))
        return sum(stat.mean) / 3


# --- The run --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megapixels", type=int, default=40)
    parser.add_argument("--goal-mb", type=float, default=300)
    parser.add_argument("--child", nargs=5, metavar=("STEP", "CODE", "SOURCE", "OUT", "PHOTO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, code, source, out, photo_id = args.child
        child(step, code, source, out, int(photo_id))
        return 0
    if not os.access(TIME, os.X_OK):
        print(f"{TIME} is missing: apt-get install time", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-images-") as work:
        return run(Path(work), args)


def run(folder: Path, args) -> int:
    import django

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.development",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        # Local disk whatever the shell says: the renditions are compared in MEDIA_ROOT.
        "STORAGE_URL": "",
    }
    os.environ.update(
        {key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL", "MEDIA_ROOT", "STORAGE_URL")}
    )
    django.setup()
    print(f"Seeding {args.megapixels}-megapixel images in {folder} ...", flush=True)
    inputs = seed(folder, args.megapixels)
    start_mb, _ = measured(["start", "after", "-", "-", "0"], env)
    results: dict[str, dict] = {name: {} for name in inputs}
    for name, path in inputs.items():
        for code in ("before", "after"):
            out = folder / f"{name}-{code}{path.suffix}"
            peak, made = measured(["sanitize", code, str(path), str(out), "0"], env)
            results[name][f"sanitize_{code}"] = {"peak_mb": peak, "seconds": made["seconds"], "out": out}
    ids = prepare_database({name: str(results[name]["sanitize_after"]["out"]) for name in inputs})
    for name in inputs:
        for code in ("before", "after"):
            out = folder / f"{name}-{code}-renditions.json"
            peak, made = measured(["rendition", code, "-", str(out), str(ids[name])], env)
            results[name][f"rendition_{code}"] = {
                "peak_mb": peak,
                "seconds": made["seconds"],
                **json.loads(out.read_text()),
            }
    return report(results, inputs, start_mb, args)


def report(results: dict[str, dict], inputs: dict[str, Path], start_mb: float, args) -> int:
    problems = []
    rows = []
    for name, path in inputs.items():
        result = results[name]
        with Image.open(path) as image:
            pixels = image.width * image.height
        result["megapixels"] = pixels / 1e6
        before, after = result["sanitize_before"]["out"], result["sanitize_after"]["out"]
        if not same_pixels(before, after):
            problems.append(f"{name}: the sanitized pixels, format or size differ from before")
        if left := metadata_left(after):
            problems.append(f"{name}: metadata left in the sanitized file: {left}")
        thumbs = mean_difference(result["rendition_before"]["thumbnail"], result["rendition_after"]["thumbnail"])
        with (
            Image.open(result["rendition_before"]["preview"]) as one,
            Image.open(result["rendition_after"]["preview"]) as other,
        ):
            if one.size != other.size:
                problems.append(f"{name}: preview {other.size} instead of {one.size}")
        hash_bits = (
            hash_bits_of(result["rendition_before"]["dhash"]) ^ hash_bits_of(result["rendition_after"]["dhash"])
        ).bit_count()
        result["checks"] = {"thumbnail_mean_difference": round(thumbs, 2), "dhash_bits_changed": hash_bits}
        if thumbs > 3:
            problems.append(f"{name}: thumbnail differs from before by {thumbs:.1f} levels on average")
        for step in STEPS:
            for code in ("before", "after"):
                rows.append(
                    (
                        name,
                        f"{pixels / 1e6:.1f}",
                        step,
                        code,
                        result[f"{step}_{code}"]["peak_mb"],
                        result[f"{step}_{code}"]["seconds"],
                        f"{result[f'{step}_{code}']['out'].stat().st_size / 1e6:.2f}" if step == "sanitize" else "",
                    )
                )
            peak = result[f"{step}_after"]["peak_mb"]
            if pixels >= args.megapixels * 1_000_000 * 0.99 and peak >= args.goal_mb:
                problems.append(f"{name}: {step} peaks at {peak:.0f} MB (goal < {args.goal_mb:.0f} MB)")
    print(f"\nProcess that only starts (Django set up, nothing decoded): {start_mb:.0f} MB\n")
    print(f"{'input':14} {'MP':>5} {'step':10} {'code':7} {'peak MB':>8} {'seconds':>8} {'file MB':>8}")
    for name, megapixels, step, code, peak, seconds, file_mb in rows:
        print(f"{name:14} {megapixels:>5} {step:10} {code:7} {peak:8.0f} {seconds:8.2f} {file_mb:>8}")
    print()
    for name in inputs:
        print(f"{name}: sanitized pixels identical to before; renditions {results[name]['checks']}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    full = [name for name in inputs if name != "webp"]

    def worst(step: str, code: str, key: str) -> float:
        return max(results[name][f"{step}_{code}"][key] for name in full)

    line = {
        "benchmark": "images",
        "megapixels": args.megapixels,
        "sanitize_peak_mb": round(worst("sanitize", "after", "peak_mb")),
        "rendition_peak_mb": round(worst("rendition", "after", "peak_mb")),
        "sanitize_seconds": round(worst("sanitize", "after", "seconds"), 2),
        "rendition_seconds": round(worst("rendition", "after", "seconds"), 2),
        "baseline_sanitize_peak_mb": round(worst("sanitize", "before", "peak_mb")),
        "baseline_rendition_peak_mb": round(worst("rendition", "before", "peak_mb")),
        "baseline_sanitize_seconds": round(worst("sanitize", "before", "seconds"), 2),
        "baseline_rendition_seconds": round(worst("rendition", "before", "seconds"), 2),
        "process_start_mb": round(start_mb),
        "webp_megapixels": round(results["webp"]["megapixels"], 1),
        "webp_sanitize_peak_mb": round(results["webp"]["sanitize_after"]["peak_mb"]),
        "webp_rendition_peak_mb": round(results["webp"]["rendition_after"]["peak_mb"]),
        "goal_mb": args.goal_mb,
        "outputs_identical": not [p for p in problems if "peaks at" not in p],
        "goal_met": not problems,
    }
    print(json.dumps(line))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
