"""Reads of disputes, scoped to who asks: the parties see their own disputes
and the shared thread; moderators see every dispute and its internal notes.
A view fetches through these, so a dispute outside them is a 404."""

from django.db.models import Prefetch, Q, QuerySet

from marketplace.models import User
from marketplace.roles import MODERATORS_GROUP
from moderation.models import DISPUTE_OPEN_STATUSES, Dispute, DisputeEvent, DisputeEvidence, DisputeMessage
from usage_requests.models import ContractEvent, Message, RequestEvent, UsageRequest


def _is_moderator(user: User) -> bool:
    return user.is_active and user.groups.filter(name=MODERATORS_GROUP).exists()


def disputes_for_user(user: User, *, is_moderator: bool | None = None) -> QuerySet[Dispute]:
    """Disputes on requests ``user`` is a party of; every dispute for a
    moderator. ``is_moderator`` saves the group query when the caller knows."""
    if not user.is_authenticated:
        return Dispute.objects.none()
    if is_moderator is None:
        is_moderator = _is_moderator(user)
    queryset = Dispute.objects.select_related(
        "usage_request__actor__user",
        "usage_request__creator__user",
        "usage_request__project",
        "contract",
        "opened_by",
        "resolved_by",
    )
    if is_moderator:
        return queryset
    return queryset.filter(Q(usage_request__actor__user=user) | Q(usage_request__creator__user=user))


def dispute_detail(user: User, *, is_moderator: bool | None = None) -> QuerySet[Dispute]:
    """For the dispute page: evidence and timeline prefetched."""
    return disputes_for_user(user, is_moderator=is_moderator).prefetch_related(
        Prefetch("evidence", queryset=DisputeEvidence.objects.order_by("created_at", "id")),
        Prefetch("events", queryset=DisputeEvent.objects.select_related("by").order_by("created_at", "id")),
    )


def dispute_thread(dispute: Dispute, *, include_internal: bool = False) -> QuerySet[DisputeMessage]:
    """The dispute's messages, oldest first. Internal notes only when
    ``include_internal`` (moderators); the parties never get them."""
    messages = DisputeMessage.objects.filter(dispute=dispute).select_related("author").order_by("created_at", "id")
    return messages if include_internal else messages.filter(internal=False)


def dispute_internal_notes(dispute: Dispute) -> QuerySet[DisputeMessage]:
    """Moderators only."""
    return (
        DisputeMessage.objects.filter(dispute=dispute, internal=True)
        .select_related("author")
        .order_by("created_at", "id")
    )


def open_dispute_id_for_request(usage_request: UsageRequest | int) -> int | None:
    """The open dispute on a request, or None (one query, no row loaded)."""
    return (
        Dispute.objects.filter(usage_request=usage_request, status__in=DISPUTE_OPEN_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )


def request_record_for_moderator(dispute: Dispute) -> dict:
    """What a moderator reads beside a dispute: the request's timeline and
    messages, and the contract's timeline. Three queries."""
    request_id = dispute.usage_request_id
    return {
        "request_events": list(RequestEvent.objects.filter(request_id=request_id).order_by("created_at", "id")),
        "request_messages": list(Message.objects.filter(request_id=request_id).order_by("created_at", "id")),
        "contract_events": list(
            ContractEvent.objects.filter(contract_id=dispute.contract_id).order_by("created_at", "id")
        )
        if dispute.contract_id
        else [],
    }
