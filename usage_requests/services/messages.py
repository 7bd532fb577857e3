"""The message thread of a request: sending, read state, and the digest
email (one email about unread messages, never one per message)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.models import User
from marketplace.services import notify
from usage_requests import notifications as kinds
from usage_requests.models import MESSAGE_MAX_LENGTH, Message, Party, RequestStatus, UsageRequest

# A message unread for this long goes into a digest email.
DIGEST_AFTER = timedelta(minutes=10)
# Messages may be written while a request is open and after it is accepted
# (the contract's follow-up); a declined, withdrawn or expired one is closed.
MESSAGING_STATUSES = (RequestStatus.PENDING, RequestStatus.COUNTERED, RequestStatus.ACCEPTED)


class MessageRefused(DomainError):
    """An empty or too long message."""


def clean_message_body(body: str) -> str:
    """Plain text as typed, line breaks kept, trailing space and control
    characters (other than newlines and tabs) removed."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    body = "".join(ch for ch in body if ch in "\n\t" or ch.isprintable())
    return body.strip()


def message_send(*, request: UsageRequest, user: User, body: str) -> Message:
    """Add a message to the thread. Raises ``PermissionDenied`` for anyone but
    the two parties, ``InvalidTransition`` on a closed request,
    ``MessageRefused`` for an empty or too long body."""
    party = request.party_of(user)
    if party is None:
        raise PermissionDenied(_("Only the parties of this request can write in its thread."))
    body = clean_message_body(body)
    if not body:
        raise MessageRefused(_("Write something before you send."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise MessageRefused(
            _("A message can be at most %(max)s characters; this one has %(length)s.")
            % {"max": MESSAGE_MAX_LENGTH, "length": len(body)}
        )
    with transaction.atomic():
        status = UsageRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
        if status not in MESSAGING_STATUSES:
            raise InvalidTransition(_("This request is closed; its thread is read-only."))
        message = Message.objects.create(request=request, sender=user, sender_party=party, body=body)
        # Writing a message means having read the thread up to it.
        read_field = "actor_read_at" if party == Party.ACTOR else "creator_read_at"
        UsageRequest.objects.filter(pk=request.pk).update(**{read_field: message.created_at})
    return message


def thread_mark_read(*, request: UsageRequest, user: User) -> None:
    """The caller has seen every message up to now."""
    party = request.party_of(user)
    if party is None:
        return
    field = "actor_read_at" if party == Party.ACTOR else "creator_read_at"
    UsageRequest.objects.filter(pk=request.pk).update(**{field: timezone.now()})


def message_digests_send(*, now: datetime | None = None) -> int:
    """Email each participant once about messages they have left unread for
    ``DIGEST_AFTER``. A digest covers every unread message up to the newest;
    the next digest only comes for a newer message. The claim is a
    compare-and-set on the participant's digest marker, so two sweeps at
    once send one digest. Returns the number of digests."""
    now = now or timezone.now()
    cutoff = now - DIGEST_AFTER
    sent = 0
    for party, other, read_field, marker in (
        (Party.ACTOR, Party.CREATOR, "actor_read_at", "actor_digest_message_id"),
        (Party.CREATOR, Party.ACTOR, "creator_read_at", "creator_digest_message_id"),
    ):
        # Requests with a message from the other side, older than the cutoff,
        # that this participant has not read and was not yet told about.
        unread = Q(messages__sender_party=other, messages__created_at__lte=cutoff) & (
            Q(**{f"{read_field}__isnull": True}) | Q(messages__created_at__gt=F(read_field))
        )
        candidates = (
            UsageRequest.objects.filter(unread)
            .annotate(newest=Max("messages__id"))
            .filter(newest__gt=F(marker))
            .values_list("pk", "newest")
        )
        for pk, newest in list(candidates[:1000]):
            with transaction.atomic():
                request = UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(pk=pk)
                read_at = getattr(request, read_field)
                pending = request.messages.filter(sender_party=other, pk__gt=getattr(request, marker), pk__lte=newest)
                if read_at is not None:
                    pending = pending.filter(created_at__gt=read_at)
                count = pending.count()
                claimed = UsageRequest.objects.filter(pk=pk, **{f"{marker}__lt": newest}).update(**{marker: newest})
                if not claimed or not count:
                    continue
                recipient = request.actor.user if party == Party.ACTOR else request.creator.user
                notify(
                    recipient=recipient,
                    kind=kinds.MESSAGES_DIGEST,
                    event_key=f"usage_request:{pk}:digest:{party}:{newest}",
                    params={"project": request.project.title, "count": count},
                    target=request,
                    url=f"/requests/{pk}/#messages",
                )
                sent += 1
    return sent
