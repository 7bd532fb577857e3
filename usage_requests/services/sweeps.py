"""Periodic sweeps: expire requests, remind whoever must act, cancel unsigned
contracts, complete ended ones.

Each sweep selects candidates in chunks and claims every row with a
compare-and-set on its status (or reminder marker), so two sweeps running at
once, or a sweep racing a user's move, change each row once: the loser's
update matches no row and it moves on.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

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
from usage_requests.services.requests import record_event, tell_party

CHUNK = 500
REMIND_BEFORE = timedelta(hours=24)


def _claim_each(candidates: QuerySet, claim: Callable[[int], bool]) -> int:
    """Call ``claim`` on every candidate's id, a chunk of ids at a time in id
    order; returns how many claims succeeded."""
    claimed = 0
    seen_up_to = 0
    while True:
        ids = list(candidates.filter(pk__gt=seen_up_to).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return claimed
        claimed += sum(bool(claim(pk)) for pk in ids)
        seen_up_to = ids[-1]


def _request_with_parties(request_id: int) -> UsageRequest:
    return UsageRequest.objects.select_related("actor__user", "creator__user", "project").get(pk=request_id)


def usage_request_expire(*, request_id: int, now: datetime) -> bool:
    """Expire one request whose deadline (``expires_at <= now``) passed. False
    when it was accepted, declined, withdrawn or expired by someone else first."""
    with transaction.atomic():
        changed = UsageRequest.objects.filter(
            pk=request_id, status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now
        ).update(status=RequestStatus.EXPIRED, closed_at=timezone.now(), updated_at=timezone.now())
        if not changed:
            return False
        request = _request_with_parties(request_id)
        record_event(request, RequestEvent.Kind.EXPIRED, by=None, party="platform")
        for recipient in (request.actor.user, request.creator.user):
            tell_party(request, recipient, kinds.REQUEST_EXPIRED, "expired")
    return True


def usage_requests_expire_due(*, now: datetime | None = None) -> int:
    """Expire every open request past its deadline. Returns how many this run
    expired (a concurrent run's are not counted twice)."""
    now = now or timezone.now()
    due = UsageRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, expires_at__lte=now)
    return _claim_each(due, lambda pk: usage_request_expire(request_id=pk, now=now))


def _due_for_reminder(now: datetime) -> QuerySet[UsageRequest]:
    return UsageRequest.objects.filter(
        status__in=OPEN_REQUEST_STATUSES,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE,
    )


def usage_request_remind(*, request_id: int, now: datetime) -> bool:
    """Remind whoever must act on one request due within ``REMIND_BEFORE``."""
    with transaction.atomic():
        if not _due_for_reminder(now).filter(pk=request_id).update(reminded_at=now):
            return False
        request = _request_with_parties(request_id)
        party = AWAITING_PARTY[request.status]
        recipient = request.actor.user if party == Party.ACTOR else request.creator.user
        record_event(request, RequestEvent.Kind.REMINDED, by=None, party="platform", to=party)
        # One reminder per deadline: a new hand-over sets a new deadline.
        tell_party(request, recipient, kinds.REQUEST_REMINDER, f"reminder:{int(request.expires_at.timestamp())}")
    return True


def usage_requests_remind_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return _claim_each(_due_for_reminder(now), lambda pk: usage_request_remind(request_id=pk, now=now))


def contracts_cancel_unsigned(*, now: datetime | None = None) -> int:
    """Cancel contracts not signed by both parties by their deadline."""
    now = now or timezone.now()
    due = Contract.objects.filter(status=ContractStatus.AWAITING_SIGNATURES, sign_deadline__lte=now)
    return _claim_each(due, lambda pk: contract_expire_unsigned(contract_id=pk, now=now))


def contracts_complete_ended(*, now: datetime | None = None) -> int:
    """Complete active contracts whose last licensed day has passed."""
    today = timezone.localdate(now or timezone.now())
    ended = Contract.objects.filter(status=ContractStatus.ACTIVE, term_end__lt=today)
    return _claim_each(ended, lambda pk: contract_complete(contract_id=pk, today=today))
