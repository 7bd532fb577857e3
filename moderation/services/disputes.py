"""Disputes: a party opens one on a request (suspending its active contract),
both parties and the moderators talk on its thread, a moderator takes it into
review and ends it with an outcome or dismisses it.

Every move is one transaction: a compare-and-set on the dispute's status
first (so a second moderator loses before writing anything), then the
contract move and sanctions the outcome calls for, the ``DisputeEvent`` row,
the ``AuditEvent`` of a moderator's action and the notifications (sent after
commit).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.files import WrittenFiles, stored_or_nothing
from marketplace.http import ClientInfo
from marketplace.images import CleanImage
from marketplace.models import AuditEvent, Notification, User
from marketplace.roles import MODERATORS_GROUP
from marketplace.services import audit, notify
from marketplace.transitions import transition
from moderation import notifications as kinds
from moderation.models import (
    DESCRIPTION_MAX_LENGTH,
    DISPUTE_OPEN_STATUSES,
    DISPUTE_TRANSITIONS,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Dispute,
    DisputeCategory,
    DisputeEvent,
    DisputeEvidence,
    DisputeMessage,
    DisputeStatus,
)
from moderation.services.claims import claim_of, item_claim, target_of
from moderation.services.evidence import evidence_cleaned, evidence_store, evidence_uploads
from usage_requests.models import Contract, ContractStatus, Party, UsageRequest
from usage_requests.services.contracts import contract_suspend

MODERATOR = "moderator"


class DuplicateOpenDispute(InvalidTransition):
    """The request already has an open dispute; ``dispute_id`` names it."""

    def __init__(self, message: str, dispute_id: int | None):
        super().__init__(message)
        self.dispute_id = dispute_id


def dispute_url(dispute: Dispute) -> str:
    return f"/disputes/{dispute.pk}/"


def plain_text(text: str, limit: int) -> str:
    """Plain text as stored: surrounding blanks trimmed, capped."""
    return (text or "").strip()[:limit]


def loaded_dispute(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_related(
        "usage_request__actor__user", "usage_request__creator__user", "usage_request__project", "contract"
    ).get(pk=dispute.pk)


def dispute_party_of(dispute: Dispute, user: User) -> str | None:
    """``"actor"``, ``"creator"`` or None: which side of the dispute ``user`` is."""
    if not user.is_authenticated:
        return None
    return dispute.usage_request.party_of(user)


def _party_user(dispute: Dispute, party: str) -> User:
    request = dispute.usage_request
    return request.actor.user if party == Party.ACTOR else request.creator.user


def dispute_respondent(dispute: Dispute) -> User:
    """The party who did not open the dispute."""
    other = Party.CREATOR if dispute.opened_by_party == Party.ACTOR else Party.ACTOR
    return _party_user(dispute, other)


def dispute_parties(dispute: Dispute) -> list[User]:
    return [dispute.usage_request.actor.user, dispute.usage_request.creator.user]


def dispute_event(dispute: Dispute, kind: str, *, by: User | None, party: str = "", **data: Any) -> DisputeEvent:
    return DisputeEvent.objects.create(dispute=dispute, kind=kind, by=by, by_party=party, data=data)


def dispute_audit(action: str, dispute: Dispute, by: User, client: ClientInfo | None, **data: Any) -> None:
    audit(action=action, actor=by, target=target_of(dispute), client=client, data=data)


def is_moderator_user(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.groups.filter(name=MODERATORS_GROUP).exists())


def require_moderator(user: User, dispute: Dispute) -> None:
    if not is_moderator_user(user):
        raise PermissionDenied(_("Only moderators can do this."))
    if dispute_party_of(dispute, user) is not None:
        raise PermissionDenied(_("You are a party of this dispute; another moderator must handle it."))


def _ended_message(status: str) -> str:
    if status == DisputeStatus.RESOLVED:
        return _("This dispute was already resolved by another moderator.")
    if status == DisputeStatus.DISMISSED:
        return _("This dispute was already dismissed by another moderator.")
    if status == DisputeStatus.IN_REVIEW:
        return _("This dispute is already in review.")
    return _("This dispute changed a moment ago. Reload the page to see how it stands.")


def dispute_move(dispute: Dispute, *, old: Iterable[str], new: str, **fields: Any) -> None:
    """Move the dispute from any of ``old`` to ``new`` (and write ``fields``)
    if nobody moved it first; otherwise ``InvalidTransition`` saying what
    happened. Runs inside the caller's transaction."""
    transition(
        dispute,
        new=new,
        old=old,
        transitions=DISPUTE_TRANSITIONS,
        illegal=lambda current: _ended_message(current.status),
        lost=lambda status: _ended_message(status or ""),
        **fields,
    )


# --- Opening ---------------------------------------------------------------


def dispute_open(
    *,
    usage_request: UsageRequest,
    by: User,
    category: str,
    description: str,
    evidence: Iterable = (),
    client: ClientInfo | None = None,
) -> Dispute:
    """Open a dispute on ``usage_request`` as one of its parties.

    Attaches the request's contract, if any; an active contract is suspended
    until the dispute ends. Raises ``PermissionDenied`` (not a party),
    ``DomainError`` (no description, unknown category), ``ValidationError``
    (a bad or one too many evidence image; nothing is stored),
    ``DuplicateOpenDispute`` (an open dispute exists; it names it) and
    ``StorageUnavailable`` (storage refused an image; nothing is stored).
    """
    usage_request = UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(
        pk=usage_request.pk
    )
    party = usage_request.party_of(by)
    if party is None:
        raise PermissionDenied(_("Only the actor and the creator of this request can open a dispute on it."))
    if category not in DisputeCategory.values:
        raise DomainError(_("Choose what the dispute is about."))
    description = plain_text(description, DESCRIPTION_MAX_LENGTH)
    if not description:
        raise DomainError(_("Describe what happened: the moderator and the other party read it."))
    cleaned = evidence_cleaned(evidence_uploads(evidence))
    try:
        with stored_or_nothing() as written, transaction.atomic():
            dispute = _open(usage_request, by, party, category, description, cleaned, written)
    except IntegrityError:
        existing = (
            Dispute.objects.filter(usage_request=usage_request, status__in=DISPUTE_OPEN_STATUSES)
            .values_list("pk", flat=True)
            .first()
        )
        raise DuplicateOpenDispute(
            _("A dispute on this request is already open (dispute #%(id)s); add to it instead.")
            % {"id": existing or "?"},
            existing,
        ) from None
    return dispute


def _open(
    usage_request: UsageRequest,
    by: User,
    party: str,
    category: str,
    description: str,
    cleaned: list[CleanImage],
    written: WrittenFiles,
) -> Dispute:
    existing = (
        Dispute.objects.filter(usage_request=usage_request, status__in=DISPUTE_OPEN_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )
    if existing:
        raise DuplicateOpenDispute(
            _("A dispute on this request is already open (dispute #%(id)s); add to it instead.") % {"id": existing},
            existing,
        )
    contract = Contract.objects.filter(request=usage_request).first()
    with transaction.atomic():
        # Its own savepoint: the unique constraint decides two openings at once.
        dispute = Dispute.objects.create(
            usage_request=usage_request,
            contract=contract,
            opened_by=by,
            opened_by_party=party,
            category=category,
            description=description,
        )
    dispute.usage_request = usage_request
    dispute_event(dispute, DisputeEvent.Kind.OPENED, by=by, party=party, category=category)
    if cleaned:
        rows = evidence_store(dispute, cleaned, by, written)
        dispute_event(dispute, DisputeEvent.Kind.EVIDENCE_ADDED, by=by, party=party, count=len(rows))
    if contract is not None and contract.status == ContractStatus.ACTIVE:
        contract_suspend(contract=contract, by=by, reason=description[:REASON_MAX_LENGTH], dispute_id=dispute.pk)
        Dispute.objects.filter(pk=dispute.pk).update(suspended_contract=True)
        dispute.suspended_contract = True
        dispute_event(dispute, DisputeEvent.Kind.CONTRACT_SUSPENDED, by=None, party="platform", contract=contract.pk)
    other = dispute_respondent(dispute)
    notify(
        recipient=other,
        kind=kinds.DISPUTE_OPENED,
        event_key=f"dispute:{dispute.pk}:opened",
        params={"id": dispute.pk, "project": usage_request.project.title},
        target=dispute,
        url=dispute_url(dispute),
    )
    return dispute


def dispute_add_evidence(*, dispute: Dispute, by: User, files: Iterable) -> list[DisputeEvidence]:
    """A party adds images while the dispute is open. Raises
    ``PermissionDenied`` (not a party), ``InvalidTransition`` (ended),
    ``ValidationError`` (bad file, none given, or over ``MAX_EVIDENCE_IMAGES``;
    nothing is stored), ``StorageUnavailable`` (storage refused an image;
    nothing is stored)."""
    dispute = loaded_dispute(dispute)
    party = dispute_party_of(dispute, by)
    if party is None:
        raise PermissionDenied(_("Only the parties of this dispute can add evidence."))
    uploads = evidence_uploads(files)
    if not uploads:
        raise ValidationError(_("Choose at least one image."), code="required")
    cleaned = evidence_cleaned(uploads)
    with stored_or_nothing() as written, transaction.atomic():
        # Lock the dispute: it must still be open, and two uploads at once
        # cannot pass the cap together.
        locked = Dispute.objects.select_for_update().filter(pk=dispute.pk, status__in=DISPUTE_OPEN_STATUSES)
        if not locked.exists():
            raise InvalidTransition(_("This dispute has ended; nothing more can be added to it."))
        rows = evidence_store(dispute, cleaned, by, written)
        dispute_event(dispute, DisputeEvent.Kind.EVIDENCE_ADDED, by=by, party=party, count=len(rows))
    return rows


# --- Thread ----------------------------------------------------------------


def _participants(dispute: Dispute) -> list[User]:
    """The parties and the moderator holding the dispute, if any."""
    people = dispute_parties(dispute)
    claim = claim_of(dispute)
    if claim is not None and claim.moderator_id not in {user.pk for user in people}:
        people.append(claim.moderator)
    return people


def _tell_new_message(dispute: Dispute, recipients: list[User], message: DisputeMessage) -> None:
    """One unread "new message" notification per recipient and dispute at a
    time: a busy thread does not send one email per message."""
    content_type = ContentType.objects.get_for_model(Dispute)
    for recipient in recipients:
        waiting = Notification.objects.filter(
            recipient=recipient,
            kind=kinds.DISPUTE_MESSAGE.key,
            target_type=content_type,
            target_id=dispute.pk,
            read_at__isnull=True,
        ).exists()
        if waiting:
            continue
        notify(
            recipient=recipient,
            kind=kinds.DISPUTE_MESSAGE,
            event_key=f"dispute:{dispute.pk}:message:{message.pk}",
            params={"id": dispute.pk},
            target=dispute,
            url=dispute_url(dispute),
        )


def dispute_message_post(
    *, dispute: Dispute, by: User, body: str, internal: bool = False, client: ClientInfo | None = None
) -> DisputeMessage:
    """Post to the dispute's thread. Parties write to the shared thread only;
    moderators write to it or leave an internal note (never shown to the
    parties, nobody notified). Raises ``PermissionDenied`` (neither a party
    nor a moderator, or a party asking for an internal note),
    ``InvalidTransition`` (the dispute has ended), ``DomainError`` (empty)."""
    dispute = loaded_dispute(dispute)
    party = dispute_party_of(dispute, by)
    if party is None:
        require_moderator(by, dispute)
        author_party = MODERATOR
    else:
        if internal:
            raise PermissionDenied(_("Only moderators can write internal notes."))
        author_party = party
    body = plain_text(body, NOTE_MAX_LENGTH)
    if not body:
        raise DomainError(_("Write something before you send."))
    with transaction.atomic():
        if not Dispute.objects.select_for_update().filter(pk=dispute.pk, status__in=DISPUTE_OPEN_STATUSES).exists():
            raise InvalidTransition(_("This dispute has ended; its thread is closed."))
        message = DisputeMessage.objects.create(
            dispute=dispute, author=by, author_party=author_party, body=body, internal=internal
        )
        if author_party == MODERATOR:
            dispute_audit(AuditEvent.Action.DISPUTE_NOTE, dispute, by, client, message=message.pk, internal=internal)
        if not internal:
            others = [user for user in _participants(dispute) if user.pk != by.pk]
            _tell_new_message(dispute, others, message)
    return message


# --- Moderator moves -------------------------------------------------------


def dispute_take_into_review(*, dispute: Dispute, by: User, client: ClientInfo | None = None) -> Dispute:
    """OPEN → IN_REVIEW, and the dispute is assigned to ``by``. Raises
    ``PermissionDenied`` (not a moderator, or a party) and
    ``InvalidTransition`` (not open any more, or another moderator holds it)."""
    dispute = loaded_dispute(dispute)
    require_moderator(by, dispute)
    with transaction.atomic():
        dispute_move(dispute, old=[DisputeStatus.OPEN], new=DisputeStatus.IN_REVIEW)
        item_claim(item=dispute, moderator=by, client=client)
        dispute_event(dispute, DisputeEvent.Kind.ASSIGNED, by=by, party=MODERATOR)
        dispute_event(dispute, DisputeEvent.Kind.IN_REVIEW, by=by, party=MODERATOR)
        dispute_audit(AuditEvent.Action.DISPUTE_REVIEW, dispute, by, client)
    return dispute
