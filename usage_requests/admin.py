"""Requests and contracts in the admin: read-only. Every change goes through
the services (and the moderation workplace), never through an admin form."""

from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from usage_requests.models import Contract, Delivery, GeneratedOutput, UsageRequest, WebhookDelivery, WebhookEndpoint


@admin.register(UsageRequest)
class UsageRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "actor", "creator", "project", "terms_version", "expires_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["actor__stage_name", "creator__display_name", "project__title"]
    list_select_related = ["actor", "creator", "project"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["licence_code", "status", "actor", "creator", "project", "term_start", "term_end", "created_at"]
    list_filter = ["status"]
    search_fields = ["licence_code", "actor__stage_name", "creator__display_name"]
    list_select_related = ["actor", "creator", "project"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["delivery_id", "contract", "licensee_label", "photo_id", "channel", "ip_address", "created_at"]
    list_filter = ["channel", "watermarked", "visible_label"]
    search_fields = ["delivery_id", "contract__licence_code", "licensee_label"]
    list_select_related = ["contract"]


@admin.register(GeneratedOutput)
class GeneratedOutputAdmin(ReadOnlyAdmin):
    list_display = ["id", "contract", "shot_number", "version", "kind", "status", "sha256", "submitted_at"]
    list_filter = ["status", "kind", "auto_approved"]
    search_fields = ["sha256", "contract__licence_code", "tool"]
    list_select_related = ["contract"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["id", "owner", "url", "active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__email"]
    list_select_related = ["owner"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "endpoint", "event_type", "status", "attempts", "last_status_code", "occurred_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["endpoint"]
