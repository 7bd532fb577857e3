"""Deliveries: every licensed original that leaves the portal is a fresh copy
recorded as a ``Delivery`` (DESIGN.md "Delivery and provenance").

The actor side grants the download and writes the access-log row; it asks
this floor for the bytes through ``actors.hooks.deliver_original``, which
``delivery_make`` answers.
"""

import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from actors.hooks import DeliveredOriginal, OriginalDownload
from marketplace.licensed_copies import DELIVERY_ID_BYTES, LicensedCopy, licensed_copy
from marketplace.provenance import LicenceFacts
from usage_requests.models import Contract, Delivery

logger = logging.getLogger(__name__)


def licence_facts(contract: Contract, *, delivery_id: str) -> LicenceFacts:
    """What a delivered copy says about its licence, from the contract's
    immutable snapshot: the stage name and the training permission as
    signed, the public verify URL, the terms hash."""
    snapshot = contract.snapshot
    actor = snapshot.get("actor", {}) if isinstance(snapshot.get("actor"), dict) else {}
    terms = snapshot.get("terms", {}) if isinstance(snapshot.get("terms"), dict) else {}
    creator = snapshot.get("creator", {}) if isinstance(snapshot.get("creator"), dict) else {}
    return LicenceFacts(
        stage_name=str(actor.get("stage_name", "")),
        licence_code=contract.licence_code,
        verify_url=settings.SITE_URL + reverse("usage_requests:verify_code", args=[contract.licence_code]),
        terms_hash=contract.terms_hash,
        training_allowed=bool(terms.get("ai_training")),
        term_start=contract.term_start,
        term_end=contract.term_end,
        delivery_id=delivery_id,
        licensee=str(creator.get("display_name", "")),
    )


def _read(field: FieldFile) -> bytes:
    with field.open("rb") as handle:
        return bytes(handle.read())


def delivery_make(download: OriginalDownload) -> DeliveredOriginal | None:
    """Record a ``Delivery`` for ``download`` and make its copy: the stored
    original, marked with a new random delivery id (see
    ``marketplace.licensed_copies``), with the licence code in a corner when
    the contract says so.

    Returns None when no contract with that licence code between this
    licensee and the photo's actor is in force any more (it ended after the
    access check), or the original cannot be read; nothing is recorded then.
    """
    contract = (
        Contract.objects.in_force(timezone.localdate())
        .filter(
            licence_code=download.licence_code,
            creator__user=download.licensee,
            actor_id=download.photo.actor_id,
        )
        .select_related("creator")
        .first()
    )
    if contract is None:
        return None
    try:
        original = _read(download.photo.original)
    except OSError:
        logger.exception("original of photo %s could not be read for a delivery", download.photo.pk)
        return None
    for _attempt in range(3):
        delivery_id = secrets.token_bytes(DELIVERY_ID_BYTES)
        try:
            copy = licensed_copy(
                original,
                delivery_id=delivery_id,
                facts=licence_facts(contract, delivery_id=delivery_id.hex()),
                visible_label=contract.visible_label,
            )
        except ValueError:
            logger.exception("original of photo %s is not a readable image", download.photo.pk)
            return None
        try:
            with transaction.atomic():
                _record(download, contract, delivery_id.hex(), copy)
        except IntegrityError:
            if Delivery.objects.filter(access=download.access).exists():
                raise
            continue  # the same 64 random bits drawn twice: draw again
        return DeliveredOriginal(content=copy.content, content_type=copy.content_type, extension=copy.extension)
    raise RuntimeError("could not draw an unused delivery id")  # pragma: no cover - 2^-64 per draw


def _record(download: OriginalDownload, contract: Contract, delivery_id: str, copy: LicensedCopy) -> Delivery:
    return Delivery.objects.create(
        delivery_id=delivery_id,
        contract=contract,
        licensee=download.licensee,
        licensee_label=str(contract.creator.display_name)[:120],
        photo=download.photo,
        access=download.access,
        channel=download.channel if download.channel in Delivery.Channel.values else Delivery.Channel.PAGE,
        ip_address=download.client.ip_address,
        user_agent=download.client.user_agent[:300],
        watermarked=copy.watermarked,
        visible_label=contract.visible_label,
    )
