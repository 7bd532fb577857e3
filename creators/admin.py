from django.contrib import admin

from creators.models import CreatorProfile


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "created_at"]
    search_fields = ["display_name", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "updated_at"]
