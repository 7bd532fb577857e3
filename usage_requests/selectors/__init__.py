"""Reads of requests and contracts, scoped to who asks. A view fetches
through these, so anything outside them is a 404."""

from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from actors.models import ActorProfile, LikenessPhoto, RedLines
from marketplace.models import User
from usage_requests.models import (
    OPEN_REQUEST_STATUSES,
    Contract,
    ContractEvent,
    Delivery,
    Message,
    Party,
    RequestEvent,
    RequestShot,
    RequestTerms,
    Signature,
    UsageRequest,
    watermark_display,
)
from usage_requests.selectors.outputs import output_records_for_actor
from usage_requests.selectors.terms import TermsChange as TermsChange
from usage_requests.selectors.terms import TermsVersion as TermsVersion
from usage_requests.selectors.terms import terms_changes as terms_changes
from usage_requests.selectors.terms import terms_history as terms_history


def usage_requests_for_user(user: User | AnonymousUser) -> QuerySet[UsageRequest]:
    """Requests ``user`` is a party of, as the actor or as the creator; none
    for an anonymous user."""
    if not user.is_authenticated:
        return UsageRequest.objects.none()
    return UsageRequest.objects.filter(Q(actor__user=user) | Q(creator__user=user)).select_related(
        "actor__user", "creator__user", "project"
    )


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """How many rows of ``queryset`` (filtered on the outer request) there
    are, as a subquery; 0 for none."""
    count = Subquery(
        queryset.order_by().values("request").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    return Coalesce(count, 0)


def _unread_for(party: str) -> Coalesce:
    """The messages of the other side that ``party`` has not read, counted in
    their own subquery (a join would multiply messages by shots)."""
    other = Party.CREATOR if party == Party.ACTOR else Party.ACTOR
    read_at = f"{party}_read_at"
    unread = Message.objects.filter(request=OuterRef("pk"), sender_party=other).filter(
        Q(**{f"request__{read_at}__isnull": True}) | Q(created_at__gt=OuterRef(read_at))
    )
    return _count_of(unread)


def _unread_counts() -> dict[str, Coalesce]:
    """Unread messages per participant."""
    return {"unread_for_actor": _unread_for(Party.ACTOR), "unread_for_creator": _unread_for(Party.CREATOR)}


def _shot_count() -> Coalesce:
    return _count_of(RequestShot.objects.filter(request=OuterRef("pk")))


def inbox_for_user(user: User) -> dict[str, list[UsageRequest]]:
    """The user's requests grouped by who must act: ``awaiting_me``,
    ``awaiting_other`` and ``closed`` (newest first, closed capped at 100).
    Each request carries ``my_party``, ``unread`` and ``shot_count``. One
    query whatever the number of requests."""
    # The caller's party on each row (as ``UsageRequest.party_of`` decides
    # it), and the other side's messages they have not read.
    is_actor = Q(actor__user=user)
    rows = list(
        usage_requests_for_user(user)
        .annotate(
            my_party=Case(
                When(is_actor, then=Value(Party.ACTOR)),
                When(creator__user=user, then=Value(Party.CREATOR)),
                default=None,
            ),
            unread=Case(When(is_actor, then=_unread_for(Party.ACTOR)), default=_unread_for(Party.CREATOR)),
            shot_count=_shot_count(),
        )
        .order_by("-updated_at", "-id")[:500]
    )
    groups: dict[str, list[UsageRequest]] = {"awaiting_me": [], "awaiting_other": [], "closed": []}
    for request in rows:
        if request.status in OPEN_REQUEST_STATUSES:
            key = "awaiting_me" if request.awaiting == request.my_party else "awaiting_other"
            groups[key].append(request)
        elif len(groups["closed"]) < 100:
            groups["closed"].append(request)
    return groups


def request_list_for_user(user: User | AnonymousUser) -> QuerySet[UsageRequest]:
    """The API's request list: each request with ``shot_count``, the unread
    counts, its contract (if any) and every terms version, in two queries
    whatever the number of requests."""
    return (
        usage_requests_for_user(user)
        .select_related("contract")
        .annotate(**_unread_counts(), shot_count=_shot_count())
        .prefetch_related(Prefetch("terms", queryset=RequestTerms.objects.order_by("version")))
    )


def request_detail(user: User) -> QuerySet[UsageRequest]:
    """For the request page: shots with their decisions and every terms
    version prefetched."""
    return usage_requests_for_user(user).prefetch_related(
        Prefetch("request_shots", queryset=_request_shots()),
        Prefetch("terms", queryset=RequestTerms.objects.order_by("version")),
    )


def request_detail_with_counts(user: User) -> QuerySet[UsageRequest]:
    """``request_detail`` with the contract joined and the unread counts the
    list has (the API's request detail)."""
    return request_detail(user).select_related("contract").annotate(**_unread_counts())


def _request_shots() -> QuerySet[RequestShot]:
    return RequestShot.objects.select_related("shot").order_by("shot__position", "shot__number", "id")


def messages_for_request(request: UsageRequest, *, after_id: int = 0) -> QuerySet[Message]:
    return Message.objects.filter(request=request, pk__gt=after_id).order_by("created_at", "id")


def contracts_for_user(user: User | AnonymousUser) -> QuerySet[Contract]:
    """Contracts ``user`` is a party of; none for an anonymous user."""
    if not user.is_authenticated:
        return Contract.objects.none()
    return Contract.objects.filter(Q(actor__user=user) | Q(creator__user=user)).select_related(
        "actor__user", "creator__user", "project", "request"
    )


def contract_by_licence_code(code: str) -> Contract | None:
    """The contract behind a public licence code (already normalised)."""
    return (
        Contract.objects.select_related("actor", "creator", "project").filter(licence_code=code).first()
        if code
        else None
    )


def active_licence_code_for(*, creator_user: User, actor: ActorProfile) -> str | None:
    """The licence code of a contract in force between this creator and this
    actor, or None: only then may the creator download the actor's originals
    (``actors.selectors.active_licence_code``)."""
    if not creator_user.is_authenticated:
        return None
    return (
        Contract.objects.in_force(timezone.localdate())
        .filter(creator__user=creator_user, actor=actor)
        .order_by("-activated_at", "-id")
        .values_list("licence_code", flat=True)
        .first()
    )


def contract_list_for_user(user: User | AnonymousUser) -> QuerySet[Contract]:
    """The contracts page: the user's contracts, newest first; everything a row
    shows comes from the snapshot and the joined profiles (one query)."""
    return contracts_for_user(user).order_by("-created_at", "-id")


def contract_detail_for_user(user: User) -> QuerySet[Contract]:
    """For the contract page: the user's contracts with signatures and
    timeline prefetched."""

    return contracts_for_user(user).prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.order_by("signed_at", "id")),
        Prefetch("events", queryset=ContractEvent.objects.order_by("created_at", "id")),
    )


def licensed_photos(contract: Contract) -> QuerySet[LikenessPhoto]:
    """The actor's photos a creator may download under ``contract``: none
    unless it is in force; never photos a moderator flagged or rejected."""
    if not contract.in_force(timezone.localdate()):
        return LikenessPhoto.objects.none()
    return LikenessPhoto.objects.filter(
        actor=contract.actor_id,
        review__in=[LikenessPhoto.Review.CLEAR, LikenessPhoto.Review.CLEARED],
    ).order_by("position", "id")


def request_timeline(request: UsageRequest) -> QuerySet[RequestEvent]:
    """The request's event rows, oldest first, for its page."""

    return RequestEvent.objects.filter(request=request).order_by("created_at", "id")


def contract_id_for_request(request: UsageRequest) -> int | None:
    """The contract an accepted request became, or None (one query, no row loaded)."""
    return Contract.objects.filter(request=request).values_list("pk", flat=True).first()


def red_lines_by_actor(actors: list[ActorProfile]) -> dict[int, RedLines]:
    """``{actor_id: RedLines}`` for the summaries beside the composer, in one query."""
    return {row.actor_id: row for row in RedLines.objects.filter(actor__in=actors)}


# --- The actor's data export --------------------------------------------------


def _request_record(request: UsageRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "creator": request.creator.display_name,
        "project": request.project.title,
        "status": request.status,
        "created_at": request.created_at.isoformat(),
        "expires_at": request.expires_at.isoformat(),
        "close_reason": request.close_reason,
        "terms": [
            {
                "version": terms.version,
                "proposed_by": terms.proposed_by,
                "fee": str(terms.fee),
                "currency": terms.currency,
                "term_start": terms.term_start.isoformat(),
                "term_end": terms.term_end.isoformat(),
                "territory": terms.territory,
                "ai_training": terms.ai_training,
                "note": terms.note,
            }
            for terms in request.terms.all()
        ],
        "shots": [
            {
                "number": row.shot.number,
                "description": row.shot.description,
                "decision": row.decision,
                "note": row.note,
            }
            for row in request.request_shots.all()
        ],
        "timeline": [
            {"event": event.kind, "by": event.by_party, "at": event.created_at.isoformat(), "data": event.data}
            for event in request.events.all()
        ],
    }


def _message_record(message: Message) -> dict[str, Any]:
    return {
        "request": message.request_id,
        "from": message.sender_party,
        "at": message.created_at.isoformat(),
        "body": message.body,
    }


def _contract_record(contract: Contract) -> dict[str, Any]:
    return {
        "licence_code": contract.licence_code,
        "status": contract.status,
        "terms_hash": contract.terms_hash,
        "snapshot": contract.snapshot,
        "signatures": [
            {"party": sig.party, "typed_name": sig.typed_name, "signed_at": sig.signed_at.isoformat()}
            for sig in contract.signatures.all()
        ],
    }


def records_for_actor(actor: ActorProfile) -> dict[str, list[dict[str, Any]]]:
    """The requests, messages, contracts and generated outputs ``actor`` is
    party to, for their data export (``actors.hooks.export_records``)."""
    requests = (
        UsageRequest.objects.filter(actor=actor)
        .select_related("creator", "project")
        .prefetch_related("terms", "request_shots__shot", "events")
        .order_by("created_at", "id")
    )
    messages = Message.objects.filter(request__actor=actor).order_by("created_at", "id")
    contracts = Contract.objects.filter(actor=actor).prefetch_related("signatures").order_by("created_at")
    return {
        "requests.json": [_request_record(request) for request in requests],
        "messages.json": [_message_record(message) for message in messages],
        "contracts.json": [_contract_record(contract) for contract in contracts],
        "generated_outputs.json": output_records_for_actor(actor.pk),
    }


# --- Deliveries ---------------------------------------------------------------------


def delivered_copies(contract: Contract) -> int:
    """How many copies were delivered under ``contract``: the public count
    of ``/verify/`` and the licence API, never who received them."""
    return Delivery.objects.filter(contract=contract).count()


def access_delivery_marks(actor: ActorProfile, access_ids: Collection[int] | None = None) -> dict[int, str]:
    """``{access-log row id: watermark id}`` for the deliveries among the
    actor's access rows (``access_ids``, or all of them): the access log
    shows them (``actors.hooks.access_deliveries``)."""
    rows = Delivery.objects.filter(contract__actor=actor, access__isnull=False)
    if access_ids is not None:
        rows = rows.filter(access_id__in=list(access_ids))
    return {
        access_id: watermark_display(delivery_id)
        for access_id, delivery_id in rows.values_list("access_id", "delivery_id")
        if access_id is not None
    }


def normalise_delivery_id(raw: str) -> str | None:
    """A typed or linked watermark id ("3F9A-1C0B-..." or 16 hex digits) in
    its stored form, or None if it cannot be one."""
    digits = "".join(ch for ch in (raw or "").lower() if ch not in " -")
    if len(digits) != 16 or any(ch not in "0123456789abcdef" for ch in digits):
        return None
    return digits


def delivery_with_contract(delivery_id: str) -> Delivery | None:
    """The delivery behind a watermark (its stored id), with its contract,
    the contract's parties and the licensee; None when there is none."""
    return (
        Delivery.objects.select_related("contract__actor__user", "contract__creator__user", "contract__project")
        .filter(delivery_id=delivery_id)
        .first()
    )
