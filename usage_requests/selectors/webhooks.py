"""Reads of webhook endpoints and their deliveries: a creator sees their own
only; anyone else gets nothing (a 404 in views and the API)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from marketplace.models import User
from usage_requests.models import WebhookDelivery, WebhookEndpoint

# Deliveries a page or an API answer lists, newest first.
RECENT_DELIVERIES = 50


def webhook_endpoints_for_user(user: User | AnonymousUser) -> QuerySet[WebhookEndpoint]:
    """``user``'s endpoints, newest first; none for an anonymous user."""
    if not user.is_authenticated:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(owner_id=user.pk).order_by("-created_at", "-id")


def webhook_deliveries_for_user(user: User | AnonymousUser) -> QuerySet[WebhookDelivery]:
    """Deliveries of ``user``'s endpoints."""
    if not user.is_authenticated:
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.filter(endpoint__owner_id=user.pk).select_related("endpoint")


def recent_webhook_deliveries(endpoint: WebhookEndpoint, *, limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """The endpoint's latest ``limit`` deliveries by event time, newest first."""
    return list(endpoint.deliveries.order_by("-occurred_at", "-id")[:limit])
