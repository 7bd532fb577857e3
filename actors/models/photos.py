"""Likeness photos: the private original and the renditions a task makes."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actors.models.profile import ActorProfile
from marketplace.files import private_name


def _photo_path(kind: str, instance: "LikenessPhoto", filename: str) -> str:
    # Never the uploaded name: a random name under the actor's private folder,
    # keeping only the extension the sanitizer chose.
    return private_name(f"likeness/{instance.actor_id}/{kind}", filename)


def original_path(instance, filename):
    return _photo_path("original", instance, filename)


def thumbnail_path(instance, filename):
    return _photo_path("thumbnail", instance, filename)


def preview_path(instance, filename):
    return _photo_path("preview", instance, filename)


# The 64-bit hash is indexed as this many 16-bit bands.
DHASH_BANDS = 4
DHASH_BAND_BITS = 16


def dhash_band(band: int) -> models.GeneratedField:
    """Bits ``16 * band`` to ``16 * band + 15`` of the hash, as 0 to 65,535
    (an arithmetic shift of a negative hash brings ones in from the left; the
    mask keeps the band's own bits only)."""
    bits = models.F("dhash").bitrightshift(DHASH_BAND_BITS * band) if band else models.F("dhash")
    return models.GeneratedField(
        expression=bits.bitand((1 << DHASH_BAND_BITS) - 1),
        output_field=models.IntegerField(null=True),
        db_persist=True,
    )


class LikenessPhoto(models.Model):
    """A likeness photo. The original is private; the thumbnail and the
    watermarked preview are made by a Celery task after the upload commits."""

    class Renditions(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Processing failed")

    class Review(models.TextChoices):
        CLEAR = "clear", _("Clear")
        FLAGGED = "flagged", _("Under review")
        CLEARED = "cleared", _("Cleared by a moderator")
        REJECTED = "rejected", _("Rejected by a moderator")

    actor = models.ForeignKey(ActorProfile, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(upload_to=original_path, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    preview = models.FileField(upload_to=preview_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    is_primary = models.BooleanField(default=False)
    renditions = models.CharField(max_length=10, choices=Renditions.choices, default=Renditions.PENDING)
    # How many times the renditions task was queued, and when last: the
    # stuck-work sweep queues it again when a worker lost it, then gives up.
    attempts = models.PositiveSmallIntegerField(default=1)
    queued_at = models.DateTimeField(default=timezone.now)
    # 64-bit difference hash as a signed bigint (the same 64 bits: a hash
    # whose top bit is set is negative); null until the renditions exist.
    dhash = models.BigIntegerField(null=True, blank=True)
    # Its four 16-bit bands, each indexed, for the near-duplicate lookup
    # (actors.services.duplicates): kept by the database, never written.
    dhash_band_0 = dhash_band(0)
    dhash_band_1 = dhash_band(1)
    dhash_band_2 = dhash_band(2)
    dhash_band_3 = dhash_band(3)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.CLEAR)
    similar_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The photo it resembles."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("likeness photo")
        verbose_name_plural = _("likeness photos")
        constraints = [
            models.UniqueConstraint(
                fields=["actor"], condition=Q(is_primary=True), name="likeness_one_primary_per_actor"
            ),
        ]
        indexes = [
            # The stuck-work sweep's candidates: few rows among many.
            models.Index(fields=["queued_at"], condition=Q(renditions="pending"), name="likeness_pending_idx"),
            # One per band, holding all the near-duplicate lookup reads (the
            # hash, the actor, the id): PostgreSQL answers from the index alone.
            *(
                models.Index(
                    fields=[f"dhash_band_{band}", "dhash", "actor", "id"],
                    condition=Q(dhash__isnull=False),
                    name=f"likeness_dhash_band_{band}_idx",
                )
                for band in range(DHASH_BANDS)
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk} of actor {self.actor_id}"

    @property
    def under_review(self) -> bool:
        return self.review == self.Review.FLAGGED


# The task makes the renditions or fails (an unreadable original); the
# stuck-work sweep fails them after its last attempt; "try again" queues
# them anew.
RENDITIONS_TRANSITIONS = {
    LikenessPhoto.Renditions.PENDING: {LikenessPhoto.Renditions.READY, LikenessPhoto.Renditions.FAILED},
    LikenessPhoto.Renditions.FAILED: {LikenessPhoto.Renditions.PENDING},
}
