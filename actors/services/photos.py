"""Writes of likeness photos: upload (through ``sanitize_image``), ordering,
the primary photo, deletion, and the renditions the worker makes."""

import io
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from actors.models import MAX_PHOTOS_PER_ACTOR, RENDITIONS_TRANSITIONS, ActorProfile, LikenessPhoto

# PREVIEW_SIZE, THUMBNAIL_SIZE and watermark are re-exported: creators.management.volume
# draws the renditions of its seeded photos with them.
from actors.renditions import PREVIEW_SIZE as PREVIEW_SIZE
from actors.renditions import THUMBNAIL_SIZE as THUMBNAIL_SIZE
from actors.renditions import decoded_for_renditions, renditions_of
from actors.renditions import watermark as watermark
from actors.services.duplicates import near_duplicate_of, stored_dhash
from marketplace.files import WrittenFiles, delete_files, removed_on_failure, stored_or_nothing
from marketplace.images import CleanImage, sanitize_images
from marketplace.transitions import transition, transition_by_pk

logger = logging.getLogger(__name__)

Renditions = LikenessPhoto.Renditions


def photo_upload(*, actor: ActorProfile, files: Sequence[File]) -> list[LikenessPhoto]:
    """Store every file in ``files`` as a likeness photo, or none of them.

    Each file goes through ``sanitize_image``. Raises ``ValidationError`` with
    one message per bad file (named as uploaded, so the actor knows which), or
    when the quota of ``MAX_PHOTOS_PER_ACTOR`` would be passed;
    ``StorageUnavailable`` when storage refuses a file (nothing is kept).
    Renditions are queued once the upload commits.
    """
    if not files:
        raise ValidationError(_("Choose at least one photo."), code="required")
    cleaned = sanitize_images(files)

    # actors.tasks imports the services its tasks call; the task is looked
    # up here, at call time, to break that cycle.
    from actors.tasks import make_photo_renditions

    # If the rows roll back, the files written before that must go too.
    with stored_or_nothing() as written, transaction.atomic():
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


def photo_renditions_retry(*, photo: LikenessPhoto) -> LikenessPhoto:
    """Queue the renditions of a photo whose processing failed again, with a
    fresh count of attempts. Raises ``InvalidTransition`` unless they failed."""
    # actors.tasks imports the services its tasks call; the task is looked
    # up here, at call time, to break that cycle.
    from actors.tasks import make_photo_renditions

    with transaction.atomic():
        transition(
            photo,
            new=Renditions.PENDING,
            old=Renditions.FAILED,
            transitions=RENDITIONS_TRANSITIONS,
            field="renditions",
            illegal=_("Only a photo whose processing failed can be tried again."),
            lost=_retry_lost,
            attempts=1,
            queued_at=timezone.now(),
        )
        transaction.on_commit(partial(make_photo_renditions.delay, photo.pk), robust=True)
    return photo


def _retry_lost(now: str | None) -> str:
    if now == Renditions.PENDING:
        return _("This photo is already being processed again.")
    return _("Only a photo whose processing failed can be tried again.")


def photo_renditions_make(*, photo_id: int) -> LikenessPhoto | None:
    """Make the thumbnail and the watermarked preview (``actors.renditions``),
    hash the photo and flag near-duplicates of another actor's photos. Safe
    to run twice: only a photo whose renditions are pending is worked on.
    Returns None if the photo is gone; an ``OSError`` from storage goes to
    the task (which retries)."""
    photo = LikenessPhoto.objects.filter(pk=photo_id).first()
    if photo is None or photo.renditions != Renditions.PENDING:
        return photo
    try:
        with photo.original.open("rb") as handle:
            image, full_size = decoded_for_renditions(handle)
    except (OSError, ValueError):
        logger.exception("photo %s: original unreadable", photo_id)
        transition_by_pk(
            LikenessPhoto,
            photo_id,
            new=Renditions.FAILED,
            old=Renditions.PENDING,
            transitions=RENDITIONS_TRANSITIONS,
            field="renditions",
            illegal="renditions: pending to failed",
        )
        photo.refresh_from_db()
        return photo
    made = renditions_of(image, full_size=full_size)
    image.close()

    with removed_on_failure() as written, transaction.atomic():
        locked = LikenessPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if locked is None or locked.renditions != Renditions.PENDING:
            return locked
        names = {
            "thumbnail": written.add(_stored(locked.thumbnail, made.thumbnail)),
            "preview": written.add(_stored(locked.preview, made.preview)),
        }
        locked.dhash = stored_dhash(made.dhash)
        twin = near_duplicate_of(locked)
        flagged: dict[str, Any] = (
            {"review": LikenessPhoto.Review.FLAGGED, "similar_to": twin} if twin is not None else {}
        )
        # Under the row lock, pending was just checked: this move cannot lose.
        transition(
            locked,
            new=Renditions.READY,
            transitions=RENDITIONS_TRANSITIONS,
            field="renditions",
            illegal="renditions: pending to ready",
            lost="renditions: made by another run",
            dhash=locked.dhash,
            **names,
            **flagged,
        )
    return locked


def _stored(field: FieldFile, image: Image.Image) -> str:
    """Save ``image`` as a JPEG in ``field`` (a new random name); its name."""
    field.save(f"{field.field.name}.jpg", _jpeg(image), save=False)
    return _saved_name(field)


def _jpeg(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())
