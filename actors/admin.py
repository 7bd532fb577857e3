from django.contrib import admin

from actors.models import ActorProfile


@admin.register(ActorProfile)
class ActorProfileAdmin(admin.ModelAdmin):
    list_display = ["stage_name", "slug", "user", "created_at"]
    search_fields = ["stage_name", "slug", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "updated_at"]
