"""Creators' webhook endpoints and the sending of their deliveries.

Sending: the task ``usage_requests.webhooks_deliver`` runs
``webhook_endpoint_deliver`` for one endpoint. It takes the endpoint's lease
(a compare-and-set on ``lease_until``, so two workers never send one
endpoint's events at once, and no transaction stays open over HTTP), sends
its due ``webhook.test`` pings, then its due licence and output events one
by one in event-time order (``occurred_at, id``), stopping at the first
failure: a later event never arrives before an earlier one that is still
being retried. A failed attempt is retried after ``RETRY_SCHEDULE`` (with
jitter) by the beat sweep ``webhook_endpoints_requeue_due``, never by a
delayed task; after ``WEBHOOK_MAX_ATTEMPTS`` the delivery is abandoned and
the next one goes. ``WEBHOOK_DISABLE_AFTER`` failed attempts in a row turn
the endpoint off and tell its owner.
"""

import hashlib
import hmac
import json
import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import outbound
from marketplace.exceptions import Conflict, DomainError, InvalidTransition
from marketplace.models import User
from marketplace.services import notify
from marketplace.transitions import transition
from usage_requests import notifications as kinds
from usage_requests.models import (
    TEST_EVENT_TYPE,
    WEBHOOK_DELIVERY_TRANSITIONS,
    WEBHOOK_DUE_STATUSES,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from usage_requests.models.webhooks import RESPONSE_EXCERPT_CHARS, new_webhook_secret
from usage_requests.services.webhook_events import queue_on_commit, webhook_ping_record

MAX_ENDPOINTS = 10
# Seconds to wait after failed attempt 1, 2, 3, …; the last repeats.
RETRY_SCHEDULE = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
# A run takes no new delivery after this many seconds (the task's time
# limit is well above it); the lease outlives it by two request timeouts.
RUN_SECONDS = 40.0
USER_AGENT = "ConsentCast-Webhooks/1"
SWEEP_LIMIT = 1000


# --- Endpoints ------------------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    known = {choice.value for choice in WebhookEventType}
    chosen = [event for event in dict.fromkeys(events) if isinstance(event, str)]
    if not chosen or any(event not in known for event in chosen):
        raise DomainError(_("Choose at least one of the listed events."), field="events")
    return chosen


def webhook_endpoint_create(
    *, owner: User, url: str, description: str = "", events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` for the creator ``owner``; returns the endpoint and
    its secret (shown once). Raises ``PermissionDenied`` (not a creator),
    ``UnsafeDestination`` (the URL) or ``DomainError`` (events, too many)."""
    if not hasattr(owner, "creator_profile"):
        raise PermissionDenied(_("Only creators can register webhooks."))
    outbound.check_url(url, allow_loopback_http=settings.WEBHOOK_ALLOW_LOOPBACK_HTTP)
    chosen = _check_events(events)
    with transaction.atomic():
        # One creator's registrations queue up here, so the cap holds.
        User.objects.select_for_update().filter(pk=owner.pk).exists()
        if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_ENDPOINTS:
            raise DomainError(
                _("You have %(max)s webhooks already; delete one first.") % {"max": MAX_ENDPOINTS}, field="url"
            )
        endpoint = WebhookEndpoint.objects.create(
            owner=owner, url=url, description=description.strip(), events=chosen, secret=new_webhook_secret()
        )
    return endpoint, endpoint.secret


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret for ``endpoint`` (shown once); the old one stops signing
    at once, retries included."""
    secret = new_webhook_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    endpoint.secret = secret
    return secret


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """The owner turns ``endpoint`` off: nothing is recorded or sent for it
    until it is on again. Raises ``Conflict`` when it is off already."""
    now = timezone.now()
    reason = WebhookEndpoint.DisabledReason.OWNER
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason
    ):
        raise Conflict(_("This webhook is already off."))
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    return endpoint


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn ``endpoint`` on again: its failure count starts over and the
    deliveries waiting for it are due now. Raises ``Conflict`` when it is on."""
    now = timezone.now()
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=False).update(
            active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
        ):
            raise Conflict(_("This webhook is already on."))
        endpoint.deliveries.filter(status__in=WEBHOOK_DUE_STATUSES).update(next_attempt_at=now)
        queue_on_commit([endpoint.pk])
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
    endpoint.consecutive_failures = 0
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete ``endpoint`` and its deliveries; nothing more is sent to it."""
    endpoint.delete()


def webhook_ping_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to ``endpoint``. Raises ``Conflict``
    when the endpoint is off."""
    if not endpoint.active:
        raise Conflict(_("Turn this webhook on first."))
    with transaction.atomic():
        return webhook_ping_record(endpoint, occurred_at=timezone.now())


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send ``delivery`` again now, with the same event id and a fresh count
    of attempts. Raises ``Conflict`` when its endpoint is off,
    ``InvalidTransition`` when it is waiting to be sent already."""
    if not delivery.endpoint.active:
        raise Conflict(_("Turn this webhook on first."))
    with transaction.atomic():
        transition(
            delivery,
            new=WebhookDeliveryStatus.PENDING,
            transitions=WEBHOOK_DELIVERY_TRANSITIONS,
            illegal=_("This delivery is waiting to be sent already."),
            lost=_("This delivery changed a moment ago. Reload the page to see how it stands."),
            attempts=0,
            next_attempt_at=timezone.now(),
        )
        queue_on_commit([delivery.endpoint_id])
    return delivery


# --- Sending --------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after failed attempt number ``attempts``, with up to
    20 % jitter so endpoints that failed together do not retry together."""
    base = RETRY_SCHEDULE[min(max(attempts, 1), len(RETRY_SCHEDULE)) - 1]
    return timedelta(seconds=base * random.uniform(1.0, 1.2))


def _lease_length() -> timedelta:
    return timedelta(seconds=RUN_SECONDS + 2 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)


def _claim(endpoint_id: int) -> datetime | None:
    """Take the endpoint's lease; None when it is off or another run holds it."""
    now = timezone.now()
    until = now + _lease_length()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    claimed = WebhookEndpoint.objects.filter(free, pk=endpoint_id, active=True).update(lease_until=until)
    return until if claimed else None


def _release(endpoint_id: int, until: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, lease_until=until).update(lease_until=None)


def _due(endpoint_id: int, now: datetime) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        endpoint_id=endpoint_id, status__in=WEBHOOK_DUE_STATUSES, next_attempt_at__lte=now
    )


def _request(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> outbound.OutboundResult:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "ConsentCast-Event-Id": str(delivery.event_id),
        "ConsentCast-Event-Type": delivery.event_type,
        "ConsentCast-Timestamp": str(timestamp),
        "ConsentCast-Signature": signature(endpoint.secret, timestamp, body),
    }
    return outbound.post(
        endpoint.url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_loopback_http=settings.WEBHOOK_ALLOW_LOOPBACK_HTTP,
        excerpt=RESPONSE_EXCERPT_CHARS,
    )


def _attempt_fields(delivery: WebhookDelivery, result: outbound.OutboundResult) -> tuple[str, dict[str, Any]]:
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_status_code": result.status_code,
        "last_response": result.body_excerpt,
        "last_error": result.error or ("" if result.succeeded else f"HTTP {result.status_code}"),
        "next_attempt_at": None,
    }
    if result.succeeded:
        return WebhookDeliveryStatus.SUCCEEDED, fields
    if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return WebhookDeliveryStatus.ABANDONED, fields
    fields["next_attempt_at"] = now + retry_delay(attempts)
    return WebhookDeliveryStatus.FAILED, fields


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
    """Send ``delivery`` once and record how it went; returns whether it
    succeeded. A replay that moved it meanwhile wins (it is sent again)."""
    result = _request(endpoint, delivery)
    new, fields = _attempt_fields(delivery, result)
    with transaction.atomic():
        try:
            transition(
                delivery,
                new=new,
                transitions=WEBHOOK_DELIVERY_TRANSITIONS,
                illegal="not a move of a sent delivery",
                lost="replayed meanwhile",
                **fields,
            )
        except InvalidTransition:
            return False
        if result.succeeded:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            _count_failure(endpoint)
    return result.succeeded


def _count_failure(endpoint: WebhookEndpoint) -> None:
    """One more failed attempt in a row; at ``WEBHOOK_DISABLE_AFTER`` the
    endpoint is turned off and its owner told (in the app and by email)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = WebhookEndpoint.objects.values_list("consecutive_failures", flat=True).get(pk=endpoint.pk)
    if failures < settings.WEBHOOK_DISABLE_AFTER:
        return
    now = timezone.now()
    reason = WebhookEndpoint.DisabledReason.FAILURES
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason
    ):
        endpoint.active = False
        notify(
            recipient=endpoint.owner,
            kind=kinds.WEBHOOK_DISABLED,
            event_key=f"webhook:{endpoint.pk}:disabled:{int(now.timestamp())}",
            params={"host": outbound.parse_host(endpoint.url), "count": failures},
            target=endpoint,
            url=f"/webhooks/{endpoint.pk}/",
        )


def _send_pass(endpoint_id: int, stop_at: float) -> int:
    """Send what is due of one endpoint (its lease held); returns how many
    requests were made."""
    endpoint = WebhookEndpoint.objects.select_related("owner").filter(pk=endpoint_id).first()
    if endpoint is None:  # deleted a moment ago
        return 0
    sent = 0
    for ping in _due(endpoint_id, timezone.now()).filter(event_type=TEST_EVENT_TYPE).order_by("pk")[:10]:
        if not endpoint.active:
            return sent
        _attempt(endpoint, ping)
        sent += 1
    ordered = WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status__in=WEBHOOK_DUE_STATUSES)
    ordered = ordered.exclude(event_type=TEST_EVENT_TYPE).order_by("occurred_at", "id")
    while endpoint.active and time.monotonic() < stop_at:
        head = ordered.first()
        if head is None or (head.next_attempt_at and head.next_attempt_at > timezone.now()):
            break
        succeeded = _attempt(endpoint, head)
        sent += 1
        if not succeeded and head.status != WebhookDeliveryStatus.ABANDONED:
            break
    return sent


def webhook_endpoint_deliver(*, endpoint_id: int) -> int:
    """Send the due deliveries of one endpoint, if no other run is sending
    them (see the module's docstring); returns how many requests were made.
    Safe to run twice or at once: the lease keeps it to one sender."""
    stop_at = time.monotonic() + RUN_SECONDS
    sent = 0
    while time.monotonic() < stop_at:
        until = _claim(endpoint_id)
        if until is None:
            break
        try:
            made = _send_pass(endpoint_id, stop_at)
        finally:
            _release(endpoint_id, until)
        sent += made
        # Deliveries recorded while the lease was held found it taken: if
        # this pass got through and some are due now, take them too.
        if not made or not _due(endpoint_id, timezone.now()).exists():
            break
    return sent


def webhook_endpoints_requeue_due(*, now: datetime | None = None) -> int:
    """Queue the sending task of every active endpoint with a delivery due
    (a retry whose time came, or one whose task was lost) that is not held
    behind an earlier event's retry, and no run sending; returns how many
    were queued. Two sweeps at once may queue an
    endpoint twice: its lease keeps it to one sender."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status__in=WEBHOOK_DUE_STATUSES, next_attempt_at__lte=now)
    # Events wait behind an earlier one whose retry time has not come.
    held = WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.FAILED, next_attempt_at__gt=now)
    held = held.exclude(event_type=TEST_EVENT_TYPE)
    pings_due = Q(pk__in=due.filter(event_type=TEST_EVENT_TYPE).values("endpoint_id"))
    events_due = Q(pk__in=due.exclude(event_type=TEST_EVENT_TYPE).values("endpoint_id")) & ~Q(
        pk__in=held.values("endpoint_id")
    )
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    endpoint_ids = list(
        WebhookEndpoint.objects.filter(free, pings_due | events_due, active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    queue_on_commit(endpoint_ids)
    return len(endpoint_ids)
