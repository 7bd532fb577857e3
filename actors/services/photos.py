"""Writes of likeness photos: upload (through ``sanitize_image``), ordering,
the primary photo, deletion, and the renditions the worker makes."""

import io
import logging
from collections.abc import Sequence
from functools import partial
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from actors.models import MAX_PHOTOS_PER_ACTOR, ActorProfile, LikenessPhoto
from marketplace.files import WrittenFiles, delete_files, removed_on_failure
from marketplace.images import CleanImage, sanitize_images

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
PREVIEW_SIZE = (1024, 1024)
# ASCII only: the bundled default font has no em dash.
WATERMARK_TEXT = "ConsentCast · preview - not licensed"
# Photos of two different actors whose hashes differ in at most this many of
# 64 bits are near-duplicates (the same face photo re-uploaded, re-compressed
# or lightly cropped).
NEAR_DUPLICATE_BITS = 6


def photo_upload(*, actor: ActorProfile, files: Sequence[File]) -> list[LikenessPhoto]:
    """Store every file in ``files`` as a likeness photo, or none of them.

    Each file goes through ``sanitize_image``. Raises ``ValidationError`` with
    one message per bad file (named as uploaded, so the actor knows which), or
    when the quota of ``MAX_PHOTOS_PER_ACTOR`` would be passed. Renditions are
    queued once the upload commits.
    """
    if not files:
        raise ValidationError(_("Choose at least one photo."), code="required")
    cleaned = sanitize_images(files)

    # actors.tasks imports the services its tasks call; the task is looked
    # up here, at call time, to break that cycle.
    from actors.tasks import make_photo_renditions

    # If the rows roll back, the files written before that must go too.
    with removed_on_failure() as written, transaction.atomic():
        photos = _store_photos(actor=actor, cleaned=cleaned, written=written)
        for photo in photos:
            transaction.on_commit(partial(make_photo_renditions.delay, photo.pk), robust=True)
    return photos


def _store_photos(*, actor: ActorProfile, cleaned: list[CleanImage], written: WrittenFiles) -> list[LikenessPhoto]:
    # Lock the actor row so two uploads at once cannot pass the quota together.
    ActorProfile.objects.select_for_update().filter(pk=actor.pk).first()
    existing = LikenessPhoto.objects.filter(actor=actor).count()
    room = MAX_PHOTOS_PER_ACTOR - existing
    if len(cleaned) > room:
        raise ValidationError(
            _("You can keep up to %(max)d photos. You have %(count)d, so %(room)d more can be added.")
            % {"max": MAX_PHOTOS_PER_ACTOR, "count": existing, "room": max(room, 0)},
            code="quota",
        )
    position = (LikenessPhoto.objects.filter(actor=actor).aggregate(top=Max("position"))["top"] or 0) + 1
    has_primary = LikenessPhoto.objects.filter(actor=actor, is_primary=True).exists()
    photos = []
    for offset, image in enumerate(cleaned):
        photo = LikenessPhoto(
            actor=actor,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            byte_size=image.size,
            position=position + offset,
            is_primary=not has_primary and offset == 0,
        )
        photo.original.save(image.name, image.file, save=False)
        written.add(_saved_name(photo.original))
        photo.save()
        photos.append(photo)
    return photos


def _saved_name(field: FieldFile) -> str:
    # FieldFile.save() has just set the name; the stubs type it optional.
    return cast(str, field.name)


def _photo_files(photo: LikenessPhoto) -> list[str]:
    return [field.name for field in (photo.original, photo.thumbnail, photo.preview) if field.name]


def photo_delete(*, photo: LikenessPhoto) -> None:
    """Delete the photo and, once that commits, its files. If it was the
    primary photo, the next one becomes primary."""
    names = _photo_files(photo)
    with transaction.atomic():
        actor_id = photo.actor_id
        was_primary = photo.is_primary
        photo.delete()
        if was_primary:
            successor = LikenessPhoto.objects.filter(actor_id=actor_id).order_by("position", "id").first()
            if successor:
                LikenessPhoto.objects.filter(pk=successor.pk).update(is_primary=True)
        transaction.on_commit(partial(delete_files, names))


def photo_set_primary(*, photo: LikenessPhoto) -> LikenessPhoto:
    with transaction.atomic():
        LikenessPhoto.objects.filter(actor_id=photo.actor_id, is_primary=True).exclude(pk=photo.pk).update(
            is_primary=False
        )
        LikenessPhoto.objects.filter(pk=photo.pk).update(is_primary=True)
    photo.is_primary = True
    return photo


def photos_reorder(*, actor: ActorProfile, order: list[int]) -> None:
    """Put the actor's photos in the order of ``order`` (photo ids).

    Raises ``ValidationError`` unless ``order`` lists exactly the actor's photos.
    """
    with transaction.atomic():
        ids = list(LikenessPhoto.objects.select_for_update().filter(actor=actor).values_list("pk", flat=True))
        if sorted(ids) != sorted(order) or len(set(order)) != len(order):
            raise ValidationError(_("The photos changed meanwhile. Reload the page and try again."), code="stale")
        for position, pk in enumerate(order, start=1):
            LikenessPhoto.objects.filter(pk=pk).update(position=position)


def photo_renditions_make(*, photo_id: int) -> LikenessPhoto | None:
    """Make the thumbnail and the watermarked preview, hash the photo and flag
    near-duplicates of another actor's photos. Safe to run twice: a photo whose
    renditions exist is left alone. Returns None if the photo is gone."""
    photo = LikenessPhoto.objects.filter(pk=photo_id).first()
    if photo is None or photo.renditions == LikenessPhoto.Renditions.READY:
        return photo
    try:
        with photo.original.open("rb") as handle:
            image: Image.Image = Image.open(handle, formats=("JPEG", "PNG", "WEBP"))
            image.load()
    except (OSError, ValueError):
        logger.exception("photo %s: original unreadable", photo_id)
        LikenessPhoto.objects.filter(pk=photo_id).update(renditions=LikenessPhoto.Renditions.FAILED)
        return photo
    image = image.convert("RGB")
    thumbnail = ImageOps.fit(image, THUMBNAIL_SIZE, method=Image.Resampling.LANCZOS)
    preview = image.copy()
    preview.thumbnail(PREVIEW_SIZE, Image.Resampling.LANCZOS)
    preview = watermark(preview)
    digest = dhash(image)

    with removed_on_failure() as written, transaction.atomic():
        locked = LikenessPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if locked is None or locked.renditions == LikenessPhoto.Renditions.READY:
            return locked
        locked.thumbnail.save("thumb.jpg", _jpeg(thumbnail), save=False)
        written.add(_saved_name(locked.thumbnail))
        locked.preview.save("preview.jpg", _jpeg(preview), save=False)
        written.add(_saved_name(locked.preview))
        locked.dhash = digest
        locked.renditions = LikenessPhoto.Renditions.READY
        twin = near_duplicate_of(locked)
        if twin is not None:
            locked.review = LikenessPhoto.Review.FLAGGED
            locked.similar_to = twin
        locked.save(update_fields=["thumbnail", "preview", "dhash", "renditions", "review", "similar_to"])
    return locked


def _jpeg(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())


def watermark(image: Image.Image) -> Image.Image:
    """Tile the portal's name and "preview — not licensed" across the image,
    semi-transparent, so a cropped preview still carries the mark."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font_size = max(14, base.width // 22)
    font = ImageFont.load_default(size=font_size)
    left, top, right, bottom = draw.textbbox((0, 0), WATERMARK_TEXT, font=font)
    # int(): the stubs allow float boxes; this font measures in whole pixels.
    step_x, step_y = int(right - left) + font_size * 2, int(bottom - top) + font_size * 3
    for row, y in enumerate(range(-step_y, base.height + step_y, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-step_x + offset, base.width + step_x, step_x):
            draw.text((x + 1, y + 1), WATERMARK_TEXT, font=font, fill=(0, 0, 0, 90))
            draw.text((x, y), WATERMARK_TEXT, font=font, fill=(255, 255, 255, 120))
    band = max(24, font_size + 12)
    draw.rectangle([(0, base.height - band), (base.width, base.height)], fill=(0, 0, 0, 150))
    draw.text((10, base.height - band + 6), WATERMARK_TEXT, font=font, fill=(255, 255, 255, 230))
    return Image.alpha_composite(base, layer).convert("RGB")


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


def hamming(left: str, right: str) -> int:
    return (int(left, 16) ^ int(right, 16)).bit_count()


def near_duplicate_of(photo: LikenessPhoto) -> LikenessPhoto | None:
    """Another actor's photo whose hash is within ``NEAR_DUPLICATE_BITS``.

    Compares against every hashed photo of other actors in one query of two
    columns; a 64-bit XOR per row keeps this well under a second for hundreds
    of thousands of photos.
    """
    candidates = (
        LikenessPhoto.objects.exclude(actor_id=photo.actor_id).exclude(dhash="").values_list("pk", "dhash").iterator()
    )
    best = None
    for pk, other in candidates:
        distance = hamming(photo.dhash, other)
        if distance <= NEAR_DUPLICATE_BITS and (best is None or distance < best[1]):
            best = (pk, distance)
    return LikenessPhoto.objects.filter(pk=best[0]).first() if best else None
