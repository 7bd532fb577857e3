"""Requests and contracts in the admin: read-only. Every change goes through
the services (and the moderation workplace), never through an admin form."""

from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from usage_requests.models import Contract, Delivery, UsageRequest


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
