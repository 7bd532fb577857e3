"""Reads of the moderation app. Every function here is for moderators only;
the views check the role (``moderation.access``) before calling."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Model, Prefetch, Q, QuerySet
from django.utils import timezone

from actors.models import LikenessPhoto
from marketplace.models import AuditEvent, User
from marketplace.roles import MODERATORS_GROUP
from moderation.models import (
    DISPUTE_OPEN_STATUSES,
    Claim,
    Dispute,
    DisputeEvent,
    DisputeEvidence,
    DisputeMessage,
    IdentityVerification,
    Report,
    ReportStatus,
    VerificationState,
)
from usage_requests.models import ContractEvent, Message, RequestEvent, RequestShot, ShotDecision, UsageRequest

M = TypeVar("M", bound=Model)


def verification_queue() -> QuerySet[IdentityVerification]:
    """Submitted identity checks, oldest first."""
    return (
        IdentityVerification.objects.filter(status=VerificationState.SUBMITTED)
        .select_related("actor__user")
        .order_by("submitted_at", "id")
    )


def dispute_queue() -> QuerySet[Dispute]:
    """Open and in-review disputes, oldest first."""
    return (
        Dispute.objects.filter(status__in=DISPUTE_OPEN_STATUSES)
        .select_related("usage_request__project", "usage_request__actor", "usage_request__creator", "contract")
        .order_by("created_at", "id")
    )


def report_queue() -> QuerySet[Report]:
    """Open reports, oldest first."""
    return (
        Report.objects.filter(status=ReportStatus.OPEN)
        .select_related("reporter", "reported_user")
        .order_by("created_at", "id")
    )


def flagged_photo_queue() -> QuerySet[LikenessPhoto]:
    """Photos flagged as near-duplicates of another actor's, oldest first."""
    return (
        LikenessPhoto.objects.filter(review=LikenessPhoto.Review.FLAGGED)
        .select_related("actor", "similar_to__actor")
        .order_by("created_at", "id")
    )


QUEUES = (
    # key, queryset factory, the field that says how long an item has waited
    ("verifications", verification_queue, "submitted_at"),
    ("disputes", dispute_queue, "created_at"),
    ("reports", report_queue, "created_at"),
    ("photos", flagged_photo_queue, "created_at"),
)


def queue_summary(*, user: User) -> list[dict]:
    """Per queue: how many items wait, since when the oldest waits, and how
    many of them ``user`` holds. Two queries per queue, whatever its length."""
    now = timezone.now()
    summary = []
    for key, queryset, since_field in QUEUES:
        queue = queryset()
        totals = queue.order_by().aggregate(count=Count("pk"), oldest=Min(since_field))
        content_type = ContentType.objects.get_for_model(queue.model)
        mine = Claim.objects.filter(
            content_type=content_type, moderator=user, object_id__in=queue.order_by().values_list("pk", flat=True)
        ).count()
        summary.append(
            {
                "key": key,
                "count": totals["count"],
                "oldest": totals["oldest"],
                "age": (now - totals["oldest"]) if totals["oldest"] else None,
                "mine": mine,
            }
        )
    return summary


def open_queue_total() -> int:
    """How many items wait in all the queues of ``QUEUES`` together, for the
    navigation's badge: one query (a count over their union)."""
    first, *others = (queryset().order_by().values_list("pk") for _key, queryset, _since in QUEUES)
    return first.union(*others, all=True).count()


@dataclass(frozen=True)
class Claimed(Generic[M]):
    """A queue item and the claim on it (None while nobody holds it)."""

    item: M
    claim: Claim | None


def claims_by_item(items: Iterable[Model], model: type[Model]) -> dict[int, Claim]:
    """The claims on a page of ``items`` of ``model``, by item id: one query."""
    ids = [item.pk for item in items]
    if not ids:
        return {}
    content_type = ContentType.objects.get_for_model(model)
    claims = Claim.objects.filter(content_type=content_type, object_id__in=ids).select_related("moderator")
    return {claim.object_id: claim for claim in claims}


def with_claims(items: Iterable[M], model: type[M]) -> list[Claimed[M]]:
    """``items`` in order, each with the claim on it: one query."""
    items = list(items)
    claims = claims_by_item(items, model)
    return [Claimed(item=item, claim=claims.get(item.pk)) for item in items]


def audit_events(
    *, user: str = "", action: str = "", since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered by who acted (email contains),
    action and a date range (inclusive, in the portal's time zone)."""
    events = AuditEvent.objects.all().order_by("-created_at", "-id")
    if user:
        events = events.filter(actor_email__icontains=user)
    if action:
        events = events.filter(action=action)
    zone = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone))
    if until and until < datetime.date.max:  # the day after date.max does not exist
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        events = events.filter(created_at__lt=end)
    return events


# --- Disputes: the parties see their own, moderators every one ----------------


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


@dataclass(frozen=True)
class DisputedShots:
    """The shots a dispute is about: every shot its request asked for, with
    the actor's decision and note, and how many were approved and vetoed."""

    rows: list[RequestShot]
    approved: int
    vetoed: int


def dispute_shots(dispute: Dispute) -> DisputedShots:
    """The shots of the dispute's request, in the shot list's order (one
    query). For the dispute's parties and moderators alike: the view has
    fetched the dispute in the reader's scope."""
    rows = list(
        RequestShot.objects.filter(request_id=dispute.usage_request_id)
        .select_related("shot")
        .order_by("shot__position", "shot__number", "id")
    )
    return DisputedShots(
        rows=rows,
        approved=sum(row.decision == ShotDecision.APPROVED for row in rows),
        vetoed=sum(row.decision == ShotDecision.VETOED for row in rows),
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
