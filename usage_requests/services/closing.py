"""How an open request ends before acceptance: the actor or the creator
declines it, the creator withdraws it, or the platform declines it (the actor
left the roster, an account was suspended). Expiry is a sweep (``sweeps``)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import ActorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.models import User
from usage_requests import notifications as kinds
from usage_requests.models import (
    AWAITING_PARTY,
    OPEN_REQUEST_STATUSES,
    REASON_MAX_LENGTH,
    Party,
    RequestEvent,
    RequestStatus,
    UsageRequest,
)
from usage_requests.services.requests import (
    locked_request,
    move_status,
    record_event,
    require_party,
    require_status,
    tell_party,
)

# Why the platform closed a request, shown translated on the request page.
PLATFORM_CAUSES = ("actor_opted_out", "account_suspended")


def usage_request_decline(*, request: UsageRequest, user: User, reason: str = "") -> UsageRequest:
    """The actor declines a request awaiting them; the creator declines a
    counter-offer awaiting them. Either ends the request. Raises
    ``PermissionDenied`` or ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_request(request)
        party = request.party_of(user)
        if party is None:
            raise PermissionDenied(_("Only the parties of this request can decline it."))
        if request.status in AWAITING_PARTY and AWAITING_PARTY[request.status] != party:
            raise InvalidTransition(_("The request is waiting for the other side; it cannot do that now."))
        require_status(request, *OPEN_REQUEST_STATUSES)
        reason = reason.strip()[:REASON_MAX_LENGTH]
        move_status(request, RequestStatus.DECLINED, closed_at=now, close_reason=reason)
        record_event(request, RequestEvent.Kind.DECLINED, by=user, party=party, reason=reason)
        other = request.creator.user if party == Party.ACTOR else request.actor.user
        tell_party(request, other, kinds.REQUEST_DECLINED, "declined")
    return request


def usage_request_withdraw(*, request: UsageRequest, user: User, reason: str = "") -> UsageRequest:
    """The creator withdraws an open request. Raises ``PermissionDenied`` or
    ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_request(request)
        require_party(request, user, Party.CREATOR)
        require_status(request, *OPEN_REQUEST_STATUSES)
        reason = reason.strip()[:REASON_MAX_LENGTH]
        move_status(request, RequestStatus.WITHDRAWN, closed_at=now, close_reason=reason)
        record_event(request, RequestEvent.Kind.WITHDRAWN, by=user, party=Party.CREATOR, reason=reason)
        tell_party(request, request.actor.user, kinds.REQUEST_WITHDRAWN, "withdrawn")
    return request


def usage_requests_decline_open(
    *,
    requests: QuerySet[UsageRequest],
    cause: str,
    reason: str = "",
    by: User | None = None,
    party: str = "platform",
) -> int:
    """Decline each open request of ``requests`` (a queryset) for the platform:
    an actor opting out (``cause="actor_opted_out"``), an account suspended
    (``"account_suspended"``). Each is claimed with a compare-and-set, so a
    request that moved meanwhile is left alone; both parties are told.
    Returns how many were declined."""
    now = timezone.now()
    declined = 0
    for pk in list(requests.filter(status__in=OPEN_REQUEST_STATUSES).values_list("pk", flat=True)):
        with transaction.atomic():
            request = locked_request(UsageRequest(pk=pk))
            if request.status not in OPEN_REQUEST_STATUSES:
                continue
            move_status(request, RequestStatus.DECLINED, closed_at=now, close_reason=reason[:REASON_MAX_LENGTH])
            record_event(request, RequestEvent.Kind.DECLINED, by=by, party=party, cause=cause, reason=reason)
            for recipient in (request.actor.user, request.creator.user):
                tell_party(request, recipient, kinds.REQUEST_DECLINED, "declined")
            declined += 1
    return declined


def usage_requests_decline_for_actor(*, actor: ActorProfile) -> int:
    """Decline the actor's open requests: they left the roster."""
    return usage_requests_decline_open(requests=UsageRequest.objects.filter(actor=actor), cause="actor_opted_out")


def usage_requests_decline_for_user(*, user: User, reason: str = "", by: User | None = None) -> int:
    """Decline every open request ``user`` is a party of, as actor or creator:
    what a suspension does (the moderation workplace calls this)."""
    requests = UsageRequest.objects.filter(Q(actor__user=user) | Q(creator__user=user))
    return usage_requests_decline_open(
        requests=requests, cause="account_suspended", reason=reason, by=by, party="moderator" if by else "platform"
    )
