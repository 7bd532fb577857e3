"""Periodic sweeps: expire requests, remind whoever must act, cancel unsigned
contracts, complete ended ones.

Each sweep selects candidates in chunks and claims every row with a
compare-and-set on its status (or reminder marker), so two sweeps running at
once, or a sweep racing a user's move, change each row once: the loser's
update matches no row and it moves on.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from marketplace.services import notify
from usage_requests import notifications as kinds
from usage_requests.models import (
    AWAITING_PARTY,
    OPEN_REQUEST_STATUSES,
    Contract,
    ContractStatus,
    Party,
    RequestEvent,
    RequestStatus,
    UsageRequest,
)
from usage_requests.services.contracts import contract_complete, contract_expire_unsigned

CHUNK = 500
REMIND_BEFORE = timedelta(hours=24)


def _chunks(queryset, now_filter: dict) -> list[int]:
    return list(queryset.filter(**now_filter).order_by("pk").values_list("pk", flat=True)[:CHUNK])


def usage_request_expire(*, request_id: int, now: datetime) -> bool:
    """Expire one request whose deadline passed. False when it was accepted,
    declined, withdrawn or expired by someone else first."""
    with transaction.atomic():
        request = UsageRequest.objects.filter(pk=request_id).values("status").first()
        if request is None or request["status"] not in OPEN_REQUEST_STATUSES:
            return False
        old = request["status"]
        changed = UsageRequest.objects.filter(pk=request_id, status=old, expires_at__lte=now).update(
            status=RequestStatus.EXPIRED, closed_at=timezone.now(), updated_at=timezone.now()
        )
        if not changed:
            return False
        request = UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(pk=request_id)
        RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.EXPIRED, by_party="platform")
        params = {
            "project": request.project.title,
            "actor": request.actor.stage_name,
            "creator": request.creator.display_name,
        }
        for recipient in (request.actor.user, request.creator.user):
            notify(
                recipient=recipient,
                kind=kinds.REQUEST_EXPIRED,
                event_key=f"usage_request:{request_id}:expired",
                params=params,
                target=request,
                url=f"/requests/{request_id}/",
            )
    return True


def usage_requests_expire_due(*, now: datetime | None = None) -> int:
    """Expire every open request past its deadline. Returns how many this run
    expired (a concurrent run's are not counted twice)."""
    now = now or timezone.now()
    expired = 0
    seen_up_to = 0
    while True:
        ids = _chunks(
            UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now),
            {"pk__gt": seen_up_to},
        )
        if not ids:
            return expired
        for pk in ids:
            expired += usage_request_expire(request_id=pk, now=now)
        seen_up_to = ids[-1]


def usage_request_remind(*, request_id: int, now: datetime) -> bool:
    """Remind whoever must act on one request due within ``REMIND_BEFORE``."""
    with transaction.atomic():
        claimed = UsageRequest.objects.filter(
            pk=request_id,
            status__in=OPEN_REQUEST_STATUSES,
            reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + REMIND_BEFORE,
        ).update(reminded_at=now)
        if not claimed:
            return False
        request = UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(pk=request_id)
        party = AWAITING_PARTY[request.status]
        recipient = request.actor.user if party == Party.ACTOR else request.creator.user
        RequestEvent.objects.create(
            request=request, kind=RequestEvent.Kind.REMINDED, by_party="platform", data={"to": party}
        )
        notify(
            recipient=recipient,
            kind=kinds.REQUEST_REMINDER,
            # One reminder per deadline: a new hand-over sets a new deadline.
            event_key=f"usage_request:{request_id}:reminder:{int(request.expires_at.timestamp())}",
            params={"project": request.project.title},
            target=request,
            url=f"/requests/{request_id}/",
        )
    return True


def usage_requests_remind_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    reminded = 0
    seen_up_to = 0
    while True:
        ids = _chunks(
            UsageRequest.objects.filter(
                status__in=OPEN_REQUEST_STATUSES,
                reminded_at__isnull=True,
                expires_at__gt=now,
                expires_at__lte=now + REMIND_BEFORE,
            ),
            {"pk__gt": seen_up_to},
        )
        if not ids:
            return reminded
        for pk in ids:
            reminded += usage_request_remind(request_id=pk, now=now)
        seen_up_to = ids[-1]


def contracts_cancel_unsigned(*, now: datetime | None = None) -> int:
    """Cancel contracts not signed by both parties by their deadline."""
    now = now or timezone.now()
    cancelled = 0
    seen_up_to = 0
    while True:
        ids = _chunks(
            Contract.objects.filter(status=ContractStatus.AWAITING_SIGNATURES, sign_deadline__lte=now),
            {"pk__gt": seen_up_to},
        )
        if not ids:
            return cancelled
        for pk in ids:
            cancelled += contract_expire_unsigned(contract_id=pk, now=now)
        seen_up_to = ids[-1]


def contracts_complete_ended(*, now: datetime | None = None) -> int:
    """Complete active contracts whose last licensed day has passed."""
    today = timezone.localdate(now or timezone.now())
    completed = 0
    seen_up_to = 0
    while True:
        ids = _chunks(Contract.objects.filter(status=ContractStatus.ACTIVE, term_end__lt=today), {"pk__gt": seen_up_to})
        if not ids:
            return completed
        for pk in ids:
            completed += contract_complete(contract_id=pk, today=today)
        seen_up_to = ids[-1]
