"""Signed webhooks for creators' tools: the endpoints a creator registers and
one delivery row per event and endpoint (DESIGN.md "Delivery and
provenance": at-least-once, with retries).

A delivery keeps its ``event_id`` on every retry and on a replay: it is the
receiver's de-duplication key. Only ``usage_requests.services.webhooks``
assigns a delivery's status; the legal moves are ``WEBHOOK_DELIVERY_TRANSITIONS``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from usage_requests.models.contracts import Contract

WEBHOOK_URL_MAX_LENGTH = 500
WEBHOOK_DESCRIPTION_MAX_LENGTH = 200
# What a delivery keeps of the receiver's answer.
RESPONSE_EXCERPT_CHARS = 2048
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that marks the value, not a secret


class WebhookEventType(models.TextChoices):
    """The events an endpoint may subscribe to."""

    LICENCE_ACTIVATED = "licence.activated", _("Licence in force (both signed)")
    LICENCE_SUSPENDED = "licence.suspended", _("Licence suspended (dispute open)")
    LICENCE_REINSTATED = "licence.reinstated", _("Licence reinstated")
    LICENCE_REVOKED = "licence.revoked", _("Licence revoked by the actor")
    LICENCE_VOIDED = "licence.voided", _("Licence voided by a moderator")
    LICENCE_COMPLETED = "licence.completed", _("Licence term ended")
    LICENCE_CANCELLED = "licence.cancelled", _("Contract cancelled unsigned")
    OUTPUT_APPROVED = "output.approved", _("Generated output approved")
    OUTPUT_REJECTED = "output.rejected", _("Generated output rejected")


# Sent on request ("Send a test event"), whatever the endpoint subscribes to.
TEST_EVENT_TYPE = "webhook.test"


def all_event_types() -> list[str]:
    return [choice.value for choice in WebhookEventType]


def new_webhook_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of a creator's tool that is told about licence and output events
    of the creator's contracts.

    ``secret`` is the HMAC key every request is signed with. Unlike an API
    token it cannot be stored hashed: the portal must compute
    HMAC-SHA256(secret, message) for each request, which needs the key
    itself. It is shown to its owner once, on creation or rotation, and
    never again.
    """

    class DisabledReason(models.TextChoices):
        FAILURES = "failures", _("Turned off after repeated failed deliveries")
        OWNER = "owner", _("Turned off by you")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(_("URL"), max_length=WEBHOOK_URL_MAX_LENGTH)
    description = models.CharField(_("description"), max_length=WEBHOOK_DESCRIPTION_MAX_LENGTH, blank=True)
    # The subscribed event types (values of WebhookEventType).
    events = models.JSONField(default=all_event_types)
    secret = models.CharField(max_length=80, default=new_webhook_secret)
    active = models.BooleanField(default=True)
    # Failed attempts since the last success; WEBHOOK_DISABLE_AFTER turns it off.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=10, choices=DisabledReason.choices, blank=True)
    # Held by the one worker sending this endpoint's deliveries (a lease, not
    # a row lock: no transaction stays open over the HTTP requests).
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes = [models.Index(fields=["owner", "active"], name="webhook_owner_active_idx")]

    def __str__(self) -> str:
        return f"webhook {self.pk} → {self.url}"

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to sign."""
        return f"{self.secret[: len(SECRET_PREFIX) + 4]}…"

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEventType.choices)
        return [str(labels[event]) for event in self.events if event in labels]


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, will be retried")
    ABANDONED = "abandoned", _("Given up")


# A replay puts any attempted delivery back to pending, with the same event id.
WEBHOOK_DELIVERY_TRANSITIONS: dict[str, set[str]] = {
    WebhookDeliveryStatus.PENDING: {
        WebhookDeliveryStatus.SUCCEEDED,
        WebhookDeliveryStatus.FAILED,
        WebhookDeliveryStatus.ABANDONED,
    },
    WebhookDeliveryStatus.FAILED: {
        WebhookDeliveryStatus.SUCCEEDED,
        WebhookDeliveryStatus.FAILED,
        WebhookDeliveryStatus.ABANDONED,
        WebhookDeliveryStatus.PENDING,
    },
    WebhookDeliveryStatus.SUCCEEDED: {WebhookDeliveryStatus.PENDING},
    WebhookDeliveryStatus.ABANDONED: {WebhookDeliveryStatus.PENDING},
}
# Statuses a sending run picks up once ``next_attempt_at`` has passed.
WEBHOOK_DUE_STATUSES = (WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.FAILED)


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went so far."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The receiver's de-duplication key: the same on every retry and replay.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    # When the contract event happened; deliveries of an endpoint are sent in this order.
    occurred_at = models.DateTimeField()
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in WebhookDeliveryStatus]),
                name="webhook_delivery_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "occurred_at", "id"], name="webhook_delivery_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → endpoint {self.endpoint_id}"
