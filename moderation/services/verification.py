"""Identity verification: the actor starts an attempt (a one-time code),
uploads an ID document and a selfie holding the code, and a moderator
approves or rejects it. The images are private (moderators only), every view
of one is audited, and they are deleted ``VERIFICATION_IMAGE_RETENTION_DAYS``
after the decision by a periodic sweep.

Moves follow ``VERIFICATION_TRANSITIONS``; each is one transaction with a
compare-and-set on the status. The actor's ``verification_status`` follows:
pending once submitted, verified or rejected once decided.
"""

from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import ActorProfile, VerificationStatus
from actors.services import actor_verification_set
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.files import stored_or_nothing
from marketplace.http import ClientInfo
from marketplace.images import CleanImage, sanitize_image
from marketplace.models import AuditEvent, User
from marketplace.services import audit, notify
from marketplace.transitions import transition
from moderation import notifications as kinds
from moderation.models import (
    REASON_MAX_LENGTH,
    VERIFICATION_IMAGE_RETENTION_DAYS,
    VERIFICATION_TRANSITIONS,
    IdentityVerification,
    VerificationState,
    one_time_code,
)
from moderation.services.claims import claim_respected, item_claims_clear, target_of

OPEN_STATES = (VerificationState.STARTED, VerificationState.SUBMITTED)
DECIDED_STATES = (VerificationState.APPROVED, VerificationState.REJECTED)
# The two private images of an attempt, by the name used in URLs and audit rows.
IMAGE_FIELDS = ("id_document", "selfie")


def verification_start(*, actor: ActorProfile) -> IdentityVerification:
    """The actor's open attempt (started or submitted), or a new one with a
    fresh one-time code.

    Raises ``InvalidTransition`` when the actor is already verified. Two
    starts at once end with one attempt: the partial unique constraint
    refuses the second, which then reads the first.
    """
    if ActorProfile.objects.filter(pk=actor.pk, verification_status=VerificationStatus.VERIFIED).exists():
        raise InvalidTransition(_("Your identity is already verified."))
    current = _open_attempt(actor)
    if current is not None:
        return current
    try:
        with transaction.atomic():
            return IdentityVerification.objects.create(
                actor=actor, code=one_time_code(), status=VerificationState.STARTED
            )
    except IntegrityError:
        current = _open_attempt(actor)
        if current is None:
            raise
        return current


def _open_attempt(actor: ActorProfile) -> IdentityVerification | None:
    return IdentityVerification.objects.filter(actor=actor, status__in=OPEN_STATES).order_by("-created_at").first()


def verification_submit(
    *, verification: IdentityVerification, id_document: UploadedFile | None, selfie: UploadedFile | None
) -> IdentityVerification:
    """Store the ID document and the selfie, and put the attempt in the
    moderators' queue; the actor's status becomes pending.

    Both files go through ``sanitize_image``; when either is refused, a
    ``ValidationError`` keyed by field (``id_document``, ``selfie``) is raised
    and nothing is stored. Raises ``InvalidTransition`` unless the attempt is
    still waiting for its photos, ``StorageUnavailable`` when storage refuses
    a file. Files written before a failure are deleted.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, CleanImage] = {}
    for field_name, upload in (("id_document", id_document), ("selfie", selfie)):
        if upload is None:
            errors[field_name] = [_("Choose a file.")]
            continue
        try:
            cleaned[field_name] = sanitize_image(upload)
        except ValidationError as exc:
            errors[field_name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if verification.status != VerificationState.STARTED:
        raise InvalidTransition(_("These photos were already sent; a moderator is reviewing them."))

    already_sent = _("These photos were already sent; a moderator is reviewing them.")
    with stored_or_nothing(_image_storage()) as written, transaction.atomic():
        stored: dict[str, str] = {}
        for field_name, image in cleaned.items():
            field = _image_field(field_name)
            name = field.generate_filename(verification, image.name)
            stored[field_name] = written.add(field.storage.save(name, image.file, max_length=field.max_length))
        transition(
            verification,
            new=VerificationState.SUBMITTED,
            old=VerificationState.STARTED,
            transitions=VERIFICATION_TRANSITIONS,
            illegal=already_sent,
            lost=already_sent,
            submitted_at=timezone.now(),
            **stored,
        )
        actor_verification_set(actor=verification.actor, status=VerificationStatus.PENDING)
    verification.refresh_from_db()
    return verification


def _decide(
    *,
    verification: IdentityVerification,
    by: User,
    new_status: str,
    reason: str = "",
) -> IdentityVerification:
    """The shared compare-and-set of approve and reject (inside the caller's
    transaction)."""
    if verification.actor.user_id == by.pk:
        raise InvalidTransition(_("You cannot decide your own identity check."))
    claim_respected(item=verification, moderator=by)
    not_waiting = _("This identity check was already decided, or is not waiting for a decision.")
    transition(
        verification,
        new=new_status,
        old=VerificationState.SUBMITTED,
        transitions=VERIFICATION_TRANSITIONS,
        illegal=not_waiting,
        lost=not_waiting,
        decided_at=timezone.now(),
        decided_by=by,
        reason=reason,
    )
    item_claims_clear(item=verification)
    verification.refresh_from_db()
    return verification


def verification_approve(
    *, verification: IdentityVerification, by: User, client: ClientInfo | None = None
) -> IdentityVerification:
    """Approve a submitted attempt: the actor becomes verified (and listed if
    opted in) and is told.

    Raises ``InvalidTransition`` when the attempt is not submitted (already
    decided, or a race lost to another moderator), when another moderator
    holds it, or when ``by`` is the actor.
    """
    with transaction.atomic():
        verification = _decide(verification=verification, by=by, new_status=VerificationState.APPROVED)
        actor_verification_set(actor=verification.actor, status=VerificationStatus.VERIFIED)
        audit(
            action=AuditEvent.Action.VERIFICATION_APPROVED,
            actor=by,
            target=target_of(verification),
            client=client,
            data={"actor": verification.actor_id},
        )
        notify(
            recipient=verification.actor.user,
            kind=kinds.VERIFICATION_APPROVED,
            event_key=f"verification:{verification.pk}:approved",
            target=verification,
            url=reverse("moderation:identity_check"),
        )
    return verification


def verification_reject(
    *, verification: IdentityVerification, by: User, reason: str, client: ClientInfo | None = None
) -> IdentityVerification:
    """Reject a submitted attempt with a reason the actor is told; the actor
    may start again with a new code.

    Raises ``DomainError`` when the reason is empty or longer than
    ``REASON_MAX_LENGTH``, and ``InvalidTransition`` as ``verification_approve``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write the reason: the actor is told it."))
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("The reason is too long: at most %(max)d characters.") % {"max": REASON_MAX_LENGTH})
    with transaction.atomic():
        verification = _decide(verification=verification, by=by, new_status=VerificationState.REJECTED, reason=reason)
        actor_verification_set(actor=verification.actor, status=VerificationStatus.REJECTED)
        audit(
            action=AuditEvent.Action.VERIFICATION_REJECTED,
            actor=by,
            target=target_of(verification),
            client=client,
            data={"actor": verification.actor_id, "reason": reason},
        )
        notify(
            recipient=verification.actor.user,
            kind=kinds.VERIFICATION_REJECTED,
            event_key=f"verification:{verification.pk}:rejected",
            params={"reason": reason},
            target=verification,
            url=reverse("moderation:identity_check"),
        )
    return verification


def verification_image_viewed(
    *, verification: IdentityVerification, which: str, by: User, client: ClientInfo | None = None
) -> AuditEvent:
    """Record that ``by`` opened one of the attempt's private images.

    Raises ``ValueError`` for an image name other than ``IMAGE_FIELDS``.
    """
    if which not in IMAGE_FIELDS:
        raise ValueError(f"unknown verification image {which!r}")
    return audit(
        action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED,
        actor=by,
        target=target_of(verification),
        client=client,
        data={"actor": verification.actor_id, "image": which},
    )


def verification_images_purge_due(*, now: datetime | None = None, chunk: int = 100) -> int:
    """Delete the images of attempts decided more than
    ``VERIFICATION_IMAGE_RETENTION_DAYS`` ago and return how many attempts
    were purged.

    Each row is claimed by a compare-and-set on ``images_deleted_at``, and its
    files are deleted once that commits, so two sweeps at once purge each
    attempt once and a rolled-back sweep deletes no file.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=VERIFICATION_IMAGE_RETENTION_DAYS)
    due = IdentityVerification.objects.filter(
        status__in=DECIDED_STATES, decided_at__lte=cutoff, images_deleted_at__isnull=True
    ).order_by("decided_at", "id")
    purged = 0
    seen: set[int] = set()
    while True:
        batch = list(due.exclude(pk__in=seen).values_list("pk", "id_document", "selfie")[:chunk])
        if not batch:
            return purged
        with transaction.atomic():
            for pk, id_document, selfie in batch:
                seen.add(pk)
                claimed = IdentityVerification.objects.filter(pk=pk, images_deleted_at__isnull=True).update(
                    images_deleted_at=now, id_document="", selfie=""
                )
                if claimed != 1:
                    continue  # another sweep took it
                purged += 1
                names = [name for name in (id_document, selfie) if name]
                transaction.on_commit(partial(_delete_files, names))


def _image_field(name: str) -> FileField:
    """One of ``IMAGE_FIELDS``: the model's field, to store a file under it."""
    field = IdentityVerification._meta.get_field(name)
    if not isinstance(field, FileField):
        raise TypeError(f"{name!r} is not an image field of IdentityVerification")
    return field


def _image_storage() -> Storage:
    """Where both private images live (the two fields share one storage)."""
    return IdentityVerification._meta.get_field("id_document").storage


def _delete_files(names: list[str]) -> None:
    storage = _image_storage()
    for name in names:
        storage.delete(name)
