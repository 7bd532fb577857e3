"""Leak tracing: a copy of a likeness photo found somewhere is read back to
the delivery it left the portal as (DESIGN.md "Delivery and provenance").

The upload passes ``sanitize_image``'s checks (format, size, pixels,
decodable) first, but the marks are read from the bytes as uploaded: the
re-encoded copy has lost the C2PA manifest and one more generation of the
watermark. Nothing is stored but the ``AuditEvent`` every attempt writes,
unless the actor keeps the image as a dispute's evidence
(``leak_trace_dispute``).

An actor learns only about deliveries of their own photos: a mark from any
other delivery answers exactly as no mark at all. Moderators learn about
every delivery.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError
from marketplace.http import ClientInfo
from marketplace.images import sanitize_image
from marketplace.licensed_copies import FoundMarks, marks_in
from marketplace.models import AuditEvent, User
from marketplace.services import audit
from moderation.models import DESCRIPTION_MAX_LENGTH, Dispute
from moderation.services.disputes import DuplicateOpenDispute, dispute_add_evidence, dispute_open
from usage_requests.models import Delivery
from usage_requests.selectors import delivery_with_contract, normalise_delivery_id


class Found:
    """How a delivery was recognised: its invisible watermark, its C2PA
    manifest (when it survived), or both."""

    WATERMARK = "watermark"
    MANIFEST = "manifest"
    BOTH = "watermark+manifest"


@dataclass(frozen=True)
class TraceResult:
    """What the tracer may learn: the delivery (None: "no ConsentCast mark
    found") and how it was recognised."""

    delivery: Delivery | None
    found_by: str = ""

    @property
    def found(self) -> bool:
        return self.delivery is not None


def _upload_bytes(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return bytes(data)


def _manifest_delivery(manifest: dict[str, Any] | None) -> Delivery | None:
    """The delivery a manifest names, if its licence code agrees with it."""
    if not manifest:
        return None
    delivery_id = normalise_delivery_id(str(manifest.get("delivery_id", "")))
    delivery = delivery_with_contract(delivery_id) if delivery_id else None
    if delivery is None or delivery.contract.licence_code != manifest.get("licence_code"):
        return None
    return delivery


def delivery_of_marks(marks: FoundMarks) -> tuple[Delivery | None, str]:
    """The delivery the marks name, and how. The watermark wins when both
    are there and disagree: it is keyed with the portal's secret and lives
    in the pixels, where a manifest can be stripped or copied onto another
    image."""
    marked = delivery_with_contract(marks.delivery_id.hex()) if marks.delivery_id else None
    stated = _manifest_delivery(marks.manifest)
    if marked is not None:
        both = stated is not None and stated.pk == marked.pk
        return marked, Found.BOTH if both else Found.WATERMARK
    if stated is not None:
        return stated, Found.MANIFEST
    return None, ""


def may_see_delivery(user: User | None, delivery: Delivery, *, as_moderator: bool) -> bool:
    """Moderators (and the command line, ``user`` None) see every delivery;
    an actor only those of their own photos."""
    return as_moderator or (user is not None and delivery.contract.actor.user_id == user.pk)


def leak_trace(
    *, user: User | None, upload: Any, as_moderator: bool, client: ClientInfo | None = None, via: str = "page"
) -> TraceResult:
    """Trace ``upload`` (an uploaded or opened image file) to its delivery,
    as far as ``user`` may know; audited whatever the answer.

    ``as_moderator``: the caller checked the user is a moderator (or it is
    the ``trace_leak`` command, ``user`` None). Raises ``ValidationError``
    when the file fails ``sanitize_image``'s checks (nothing is audited:
    nothing was traced).
    """
    sanitize_image(upload)  # only the checks: the clean copy is not what gets read
    data = _upload_bytes(upload)
    delivery, found_by = delivery_of_marks(marks_in(data))
    shown = delivery is not None and may_see_delivery(user, delivery, as_moderator=as_moderator)
    audit(
        action=AuditEvent.Action.LEAK_TRACED,
        actor=user,
        target=f"usage_requests.delivery:{delivery.pk}" if delivery is not None else "",
        client=client,
        data={
            "via": via,
            "as_moderator": as_moderator,
            "found": delivery is not None,
            "shown": shown,
            "found_by": found_by,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        },
    )
    return TraceResult(delivery, found_by) if shown else TraceResult(None)


def _dispute_description(delivery: Delivery, note: str) -> str:
    facts = _(
        "A copy of my photo was found and traced to delivery %(delivery)s: downloaded by %(licensee)s "
        "on %(date)s under licence %(code)s."
    ) % {
        "delivery": delivery.watermark_id,
        "licensee": delivery.licensee_label,
        "date": delivery.created_at.date().isoformat(),
        "code": delivery.contract.licence_code,
    }
    return f"{facts}\n\n{note.strip()}"[:DESCRIPTION_MAX_LENGTH]


def leak_trace_dispute(
    *, user: User, upload: Any, category: str, note: str, client: ClientInfo | None = None
) -> tuple[Dispute, bool]:
    """The actor traces ``upload`` again and, when it is a copy of one of
    their photos, opens a dispute on that contract's request with the image
    as evidence and the trace in the description; if a dispute on it is
    already open, the image is added to it. Returns the dispute and whether
    it was opened now.

    Raises ``ValidationError`` (a bad image), ``DomainError`` (no mark of
    the actor's photos in it; nothing is opened), and whatever
    ``dispute_open`` and ``dispute_add_evidence`` raise.
    """
    result = leak_trace(user=user, upload=upload, as_moderator=False, client=client, via="dispute")
    delivery = result.delivery
    if delivery is None:
        raise DomainError(_("No ConsentCast mark of your photos was found in this image, so no dispute was opened."))
    if delivery.contract.actor.user_id != user.pk:
        raise PermissionDenied
    try:
        dispute = dispute_open(
            usage_request=delivery.contract.request,
            by=user,
            category=category,
            description=_dispute_description(delivery, note),
            evidence=[upload],
            client=client,
        )
    except DuplicateOpenDispute as exc:
        if exc.dispute_id is None:
            raise
        existing = Dispute.objects.get(pk=exc.dispute_id)
        dispute_add_evidence(dispute=existing, by=user, files=[upload])
        return existing, False
    return dispute, True
