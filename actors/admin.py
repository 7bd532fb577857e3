from django.contrib import admin
from django.http import HttpRequest

from actors.models import ActorProfile

# Consent, identity verification and the listing change only through the
# services (actors.services.actor_opt_in/actor_opt_out, the moderators'
# identity checks and sanctions), which write the consent record and the
# audit row; in the admin they are shown, never edited.
CONSENT_AND_LISTING = [
    "opted_in",
    "opted_in_at",
    "verification_status",
    "verified_at",
    "is_listed",
    "hidden_at",
    "deleted_at",
]


@admin.register(ActorProfile)
class ActorProfileAdmin(admin.ModelAdmin):
    list_display = ["stage_name", "slug", "user", "verification_status", "opted_in", "is_listed", "created_at"]
    list_filter = ["verification_status", "opted_in", "is_listed"]
    search_fields = ["stage_name", "slug", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", *CONSENT_AND_LISTING, "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An actor is made by actor_profile_create (onboarding), with red lines.
        return False
