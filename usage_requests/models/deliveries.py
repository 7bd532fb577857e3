"""Deliveries: one row per licensed original that left the portal
(DESIGN.md "Delivery and provenance").

The ``delivery_id`` is what the copy carries as its invisible watermark and
in its C2PA manifest, so a copy found anywhere names the delivery, and so
the contract and the licensee.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from actors.models import AssetAccess, LikenessPhoto
from marketplace.models import AppendOnlyModel
from usage_requests.models.contracts import Contract

DELIVERY_ID_HEX = 16  # 64 bits: the watermark's payload


class Delivery(AppendOnlyModel):
    """One fresh, marked copy of an original handed to a licensee: who, when,
    from where, under which contract. Append-only."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Signed-in browser")
        API = "api", _("API token")

    # 16 lowercase hex digits: the 8 bytes the watermark carries.
    delivery_id = models.CharField(max_length=DELIVERY_ID_HEX, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deliveries")
    licensee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was at the time, readable after their account is gone.
    licensee_label = models.CharField(max_length=120, blank=True)
    # The photo may be deleted later; the delivery stays on record.
    photo = models.ForeignKey(LikenessPhoto, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    access = models.OneToOneField(
        AssetAccess, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    channel = models.CharField(max_length=4, choices=Channel.choices, default=Channel.PAGE)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    watermarked = models.BooleanField(default=True)
    visible_label = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["contract", "-created_at"], name="delivery_contract_idx")]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} under contract {self.contract_id}"

    @property
    def watermark_id(self) -> str:
        """The delivery id as people read it: four groups of four."""
        return watermark_display(self.delivery_id)


def watermark_display(delivery_id: str) -> str:
    return "-".join(delivery_id[index : index + 4] for index in range(0, len(delivery_id), 4)).upper()
