import io
import itertools
import random

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from actors.models import ActorProfile, LikenessPhoto, RedLines, VerificationStatus
from marketplace.tests.factories import UserFactory


class ActorProfileFactory(factory.django.DjangoModelFactory):
    """An actor with a red-lines row. ``listed=True`` makes one on the roster:
    opted in, verified, ``is_listed`` derived by the service."""

    class Meta:
        model = ActorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    stage_name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"actor-{n}")

    class Params:
        listed = factory.Trait(opted_in=True, verification_status=VerificationStatus.VERIFIED)

    @factory.post_generation
    def derived(self, create, extracted, **kwargs):
        if not create:
            return
        from actors.services import actor_listing_refresh, actor_search_refresh

        RedLines.objects.get_or_create(actor=self)
        actor_search_refresh(actor_ids=[self.pk])
        actor_listing_refresh(actor=self)


_SEEDS = itertools.count(1)


def picture(size: tuple[int, int] = (64, 48), seed: int | None = None) -> Image.Image:
    """A picture of random blocks: different seeds give different hashes, so
    two actors' test photos are not near-duplicates by accident."""
    rng = random.Random(next(_SEEDS) if seed is None else seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(1, size[0]), y0 + rng.randrange(1, size[1])
        draw.rectangle([x0, y0, x1, y1], fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), seed: int | None = None) -> bytes:
    buffer = io.BytesIO()
    picture(size, seed).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name: str = "face.jpg", fmt: str = "JPEG", **kwargs) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=content_type)


def photo_for(actor: ActorProfile, **kwargs) -> LikenessPhoto:
    """A stored photo with its renditions made (the worker's job, done here)."""
    from actors.services import photo_renditions_make, photo_upload

    (photo,) = photo_upload(actor=actor, files=[image_upload(**kwargs)])
    return photo_renditions_make(photo_id=photo.pk)


def list_on_roster(actor: ActorProfile) -> ActorProfile:
    """Put an existing actor on the roster: opted in, verified, listed."""
    from actors.services import actor_listing_refresh

    ActorProfile.objects.filter(pk=actor.pk).update(opted_in=True, verification_status=VerificationStatus.VERIFIED)
    actor.refresh_from_db()
    actor_listing_refresh(actor=actor)
    return actor


def upload_of(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """Any bytes under any name, as a browser would send them."""
    return SimpleUploadedFile(name, data, content_type=content_type)
