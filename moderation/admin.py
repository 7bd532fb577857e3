"""Read-only admin views of moderation records for staff. Moderators work in
the workplace (/moderation/), where every decision goes through a service and
is audited; the admin never changes these rows."""

from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from moderation.models import Dispute, IdentityVerification, Report, Sanction


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "actor", "status", "submitted_at", "decided_at", "images_deleted_at"]
    list_filter = ["status"]
    exclude = ["id_document", "selfie"]  # private images: seen only in the workplace, where each view is logged


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["id", "usage_request", "category", "status", "outcome", "created_at", "resolved_at"]
    list_filter = ["status", "category", "outcome"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "reported_user", "profile_kind", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "created_at", "lifted_at"]
    list_filter = ["kind"]
