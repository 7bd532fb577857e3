"""Evidence images of a dispute: checked before anything is written, stored
with the caller's transaction, and every moderator's view of one audited."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketplace.files import WrittenFiles
from marketplace.http import ClientInfo
from marketplace.images import CleanImage, sanitize_images
from marketplace.models import AuditEvent, User
from marketplace.services import audit
from moderation.models import MAX_EVIDENCE_IMAGES, Dispute, DisputeEvidence
from moderation.services.claims import target_of


def evidence_uploads(files: Iterable[Any] | None) -> list[Any]:
    """The uploads actually given (empty form slots dropped); over
    ``MAX_EVIDENCE_IMAGES`` is a ``ValidationError``."""
    uploads = [upload for upload in files or () if upload]
    if len(uploads) > MAX_EVIDENCE_IMAGES:
        raise _too_many()
    return uploads


def _too_many() -> ValidationError:
    return ValidationError(
        _("A dispute can hold up to %(max)d images.") % {"max": MAX_EVIDENCE_IMAGES}, code="too_many"
    )


def evidence_cleaned(files: Iterable[Any]) -> list[CleanImage]:
    """Every file through ``sanitize_image``, or ``ValidationError`` naming each
    bad one. Nothing is written."""
    return sanitize_images(files)


def evidence_store(
    dispute: Dispute, cleaned: list[CleanImage], by: User, written: WrittenFiles
) -> list[DisputeEvidence]:
    """Save the images as the dispute's evidence (inside the caller's
    transaction; each file is added to ``written``). Raises
    ``ValidationError`` when the dispute would hold too many."""
    if DisputeEvidence.objects.filter(dispute=dispute).count() + len(cleaned) > MAX_EVIDENCE_IMAGES:
        raise _too_many()
    rows = []
    for image in cleaned:
        evidence = DisputeEvidence(dispute=dispute, uploaded_by=by, content_type=image.content_type)
        evidence.image.save(image.name, image.file, save=False)
        if evidence.image.name:
            written.add(evidence.image.name)
        evidence.save()
        rows.append(evidence)
    return rows


def evidence_viewed(*, evidence: DisputeEvidence, by: User, client: ClientInfo | None = None) -> None:
    """A moderator opened an evidence image: audited."""
    audit(
        action=AuditEvent.Action.EVIDENCE_VIEWED,
        actor=by,
        target=target_of(evidence.dispute),
        client=client,
        data={"evidence": evidence.pk},
    )
